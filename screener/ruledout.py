"""Examples of something that must be ruled out ("It is necessary to ensure that non-related
etiologies were eliminated; example: obstructive lung disease (COPD or emphysema)").

A sentence that opens with an example cue gives examples of the sentence before it.  When that
sentence says the class must be eliminated, ruled out or excluded, the examples must be absent:
the compiler negates what it read in the examples sentence (a question stays in the text's words).
The cue words live in ``screener/data/scope.yaml`` (``examples``, ``ruled_out``).
"""

from __future__ import annotations

import re
from functools import cache

from .scope import cues, phrase_pattern


@cache
def _opening_examples() -> re.Pattern[str]:
    return re.compile(r"\s*(?:" + phrase_pattern(list(cues()["examples"]) + ["example", "examples"]) + r")\s*:?", re.I)


@cache
def _ruled_out() -> re.Pattern[str]:
    return re.compile(phrase_pattern(cues()["ruled_out"]), re.I)


def ruled_out_examples(text: str, previous: tuple[int, int], start: int) -> bool:
    """Whether the sentence at ``start`` opens with an example cue and the ``previous`` sentence
    says its subject must be ruled out."""
    return bool(_opening_examples().match(text, start)) and bool(_ruled_out().search(text, *previous))

"""Answers the sentence stages ask again and again of an item's words, worked out once.

Reading an item asks many times whether a word is a filler (``_leftover`` for each word of
each part, ``_heads_clause`` for the words before each condition) and whether an example or
exception cue can occur in the text (``_scope_cue`` per sentence, ``_heads_clause`` per
condition).  Both answers depend only on the string asked about, so they are kept: the
filler test per distinct word (a bounded table; registry text reuses a small vocabulary),
the cue test for the last text asked (an item's sentences ask it of the same text).
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Generic, TypeVar

WORDS_KEPT = 1 << 15
"""Distinct words whose filler test is kept; the table starts anew when full."""

T = TypeVar("T")


class FillerTest:
    """Whether a word, as written, is a filler: its lower case without edge quotes and
    hyphens is one of ``fillers`` (the test ``_leftover`` and ``_meaningful`` apply)."""

    def __init__(self, fillers: Container[str], kept: int = WORDS_KEPT) -> None:
        self._fillers = fillers
        self._known: dict[str, bool] = {}
        self._kept = kept

    def __call__(self, word: str) -> bool:
        known = self._known.get(word)
        if known is None:
            known = word.lower().strip("'-") in self._fillers
            if len(self._known) >= self._kept:
                self._known = {}  # a new table: threads still reading the old one finish with it
            self._known[word] = known
        return known


class LastText(Generic[T]):
    """``compute(text)`` for the text asked last, kept: the stages of one item ask it of
    the same text several times.  One (text, answer) pair is swapped in whole, so threads
    sharing a reader at worst compute an answer again."""

    def __init__(self, compute: Callable[[str], T]) -> None:
        self._compute = compute
        self._last: tuple[str, T] | None = None

    def __call__(self, text: str) -> T:
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        answer = self._compute(text)
        self._last = (text, answer)
        return answer

"""Negation fused to a condition name: "Nonsmoker", "non-smokers", "nonpregnant women".

A prefix from ``negation_prefixes`` (``screener/data/scope.yaml``) right before a condition
name negates that condition only when the name closes its phrase: "non-smokers who are 21"
is a negation, "non-melanoma skin cancer" and "non-insulin dependent diabetes" name kinds of
something else and are not.  The extractor reads such a mention as NOT the condition.
"""

from __future__ import annotations

import re
from functools import cache

from .prefilter import Guarded
from .scope import cues, phrase_pattern


def prefix_regex(names_pattern: str) -> re.Pattern[str]:
    """A regex for a negation prefix fused to one of the names ``names_pattern`` matches
    (an alternation without anchors); group ``name`` is the condition name."""
    return re.compile(rf"(?<![\w-])(?:{_prefixes()})(?P<name>{names_pattern})(?![\w-])", re.I)


@cache
def prefix_before_re() -> re.Pattern[str]:
    """A negation prefix ending where the search ends (``search(text, 0, position)``)."""
    return re.compile(rf"(?<![\w-])(?:{_prefixes()})$", re.I)


def _prefixes() -> str:
    return "|".join(f"(?:{p})" for p in cues()["negation_prefixes"])


@cache
def _follower_re() -> re.Pattern[str]:
    return re.compile(r"\s*(?:$|[.,;:()\[\]/]|" + phrase_pattern(cues()["prefix_negation_followers"]) + ")", re.I)


def closes_phrase(text: str, end: int) -> bool:
    """Whether the name ending at ``end`` closes its phrase (so a prefix before it negates it)."""
    return _follower_re().match(text, end) is not None


@cache
def _in_clause_re() -> re.Pattern[str]:
    fillers = phrase_pattern(cues()["in_clause_negation_fillers"])
    return re.compile(r"(?<!\bor\s)" + phrase_pattern(cues()["in_clause_negations"]) + rf"\s+(?:{fillers}\s+)*$", re.I)


@cache
def _in_clause() -> Guarded:
    """``_in_clause_re`` searched only in a window holding a cue word (the common case holds none)."""
    return Guarded(_in_clause_re())


_COORDINATED = re.compile(r"\s*(?:,|/|\bor\b|\band\b|\bnor\b|\band/or\b)", re.I)


def in_clause_negation(text: str, floor: int, start: int, end: int) -> int | None:
    """Where a negation cue right before the condition name at ``start:end`` begins, when it
    negates that name alone ("female without child-bearing potential"); None otherwise."""
    cue = _in_clause().search(text, floor, start)
    if cue is None or _COORDINATED.match(text, end) or re.search(r"\bwith\s+or\s*$", text[max(0, cue.start() - 9):cue.start()], re.I):
        return None
    return cue.start()

"""Conditions a profile implies through the lexicon's ``broader`` links.

A lymphoma is a malignancy, unstable angina is angina: the lexicon says so with
``broader: [malignancy]`` on the narrower entry.  A profile that records the narrower
condition present (or past) therefore has the broader one present (or past), and a profile
that records the broader one absent has every narrower one absent.  What the profile
states itself always wins: an implied fact only fills a gap, so no reading ever
overrides what was written.

A ``rules_out`` link says what a condition makes impossible: a postmenopausal woman, or
one after a hysterectomy, has no childbearing potential.  A profile with such a condition
present (or past) has each ruled-out one absent, again only where it says nothing itself.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .lexicon import Lexicon

if TYPE_CHECKING:
    from .patient import ConditionState

_RANK = {"present": 2, "past": 1}


def broader_ids(lexicon: Lexicon, condition: str) -> list[str]:
    """Every broader condition of ``condition``, nearest first, each once."""
    out: list[str] = []
    todo = list(getattr(lexicon.conditions.get(condition), "broader", ()))
    while todo:
        current = todo.pop(0)
        if current not in out and current != condition:
            out.append(current)
            todo.extend(getattr(lexicon.conditions.get(current), "broader", ()))
    return out


def _later(a: ConditionState, b: ConditionState) -> bool:
    """Whether ``a`` says more about recency than ``b``: present beats past; of two past,
    the one that ended later, an undated end counting as the latest (a window such as
    "in the last 5 years" must not be decided on the older of two)."""
    if _RANK[a.status] != _RANK[b.status]:
        return _RANK[a.status] > _RANK[b.status]
    return (a.ended or dt.date.max) > (b.ended or dt.date.max)


def _ruled_out(conditions: dict[str, ConditionState], lexicon: Lexicon) -> dict[str, ConditionState]:
    """The absent states that ``rules_out`` links add to ``conditions``."""
    out: dict[str, ConditionState] = {}
    for state in conditions.values():
        if state.status == "absent":
            continue
        for ruled in getattr(lexicon.conditions.get(state.condition), "rules_out", ()):
            if ruled not in conditions and ruled not in out:
                out[ruled] = state.model_copy(update={"condition": ruled, "name": ruled, "status": "absent",
                                                      "diagnosed": None, "ended": None, "line": None})
    return out


def with_implied(conditions: dict[str, ConditionState], lexicon: Lexicon) -> dict[str, ConditionState]:
    """``conditions`` with the facts the ``broader`` and ``rules_out`` links add (see the module docstring)."""
    ruled = _ruled_out(conditions, lexicon)
    if ruled:
        conditions = {**conditions, **ruled}
    stated = set(conditions)
    upward: dict[str, ConditionState] = {}
    for state in conditions.values():
        if state.status == "absent":
            continue
        for broader in broader_ids(lexicon, state.condition):
            if broader in stated:
                continue
            best = upward.get(broader)
            if best is None or _later(state, best):
                upward[broader] = state.model_copy(update={"condition": broader, "name": broader, "line": None})
    absent = {c for c, s in conditions.items() if s.status == "absent"}
    downward: dict[str, ConditionState] = {}
    if absent:
        for term in lexicon.conditions.values():
            if term.id in stated or term.id in upward:
                continue
            if any(b in absent for b in broader_ids(lexicon, term.id)):
                source = next(conditions[b] for b in broader_ids(lexicon, term.id) if b in absent)
                downward[term.id] = source.model_copy(update={"condition": term.id, "name": term.id, "line": None})
    if not upward and not downward:
        return conditions
    return {**conditions, **upward, **downward}

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

An ``opposite`` link joins two sides of one state (premenopausal, postmenopausal): a profile
stating one present has the other absent, and one stating it absent has the other present.
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
    return list(_links(lexicon)[0].get(condition, ()))


def _walk_broader(lexicon: Lexicon, condition: str) -> tuple[str, ...]:
    out: list[str] = []
    todo = list(getattr(lexicon.conditions.get(condition), "broader", ()))
    while todo:
        current = todo.pop(0)
        if current not in out and current != condition:
            out.append(current)
            todo.extend(getattr(lexicon.conditions.get(current), "broader", ()))
    return tuple(out)


Links = tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, int]]


def _links(lexicon: Lexicon) -> Links:
    """(the broader conditions of each condition, the narrower ones of each, each one's
    place in the lexicon): walked once per lexicon (not changed once built) and kept on it,
    as a cohort reads the same links for every patient."""
    links = lexicon.__dict__.get("_implied_links")
    if links is None:
        broader = {c: _walk_broader(lexicon, c) for c in lexicon.conditions}
        narrower = {c: tuple(n for n, above in broader.items() if c in above) for c in lexicon.conditions}
        links = lexicon.__dict__["_implied_links"] = (broader, narrower, {c: i for i, c in enumerate(broader)})
    return links


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


def _opposite_of(lexicon: Lexicon) -> dict[str, str]:
    """Each condition's opposite, both ways; kept on the lexicon like the broader links."""
    table = lexicon.__dict__.get("_opposites")
    if table is None:
        table = {}
        for term in lexicon.conditions.values():
            if term.opposite:
                table[term.id], table[term.opposite] = term.opposite, term.id
        lexicon.__dict__["_opposites"] = table
    return table


def _opposites(conditions: dict[str, ConditionState], lexicon: Lexicon) -> dict[str, ConditionState]:
    """The states ``opposite`` links add: present gives the opposite absent, absent gives it present."""
    table = _opposite_of(lexicon)
    out: dict[str, ConditionState] = {}
    for state in conditions.values():
        other = table.get(state.condition)
        if other is None or other in conditions or state.status == "past":
            continue
        status = "absent" if state.status == "present" else "present"
        out[other] = state.model_copy(update={"condition": other, "name": other, "status": status,
                                              "diagnosed": None, "ended": None, "line": None})
    return out


def with_implied(conditions: dict[str, ConditionState], lexicon: Lexicon) -> dict[str, ConditionState]:
    """``conditions`` with the facts the ``broader``, ``rules_out`` and ``opposite`` links add
    (see the module docstring)."""
    ruled = _ruled_out(conditions, lexicon)
    if ruled:
        conditions = {**conditions, **ruled}
    opposite = _opposites(conditions, lexicon)
    if opposite:
        conditions = {**conditions, **opposite}
    table, narrower, place = _links(lexicon)
    stated = set(conditions)
    upward: dict[str, ConditionState] = {}
    for state in conditions.values():
        if state.status == "absent":
            continue
        for broader in table.get(state.condition, ()):
            if broader in stated:
                continue
            best = upward.get(broader)
            if best is None or _later(state, best):
                upward[broader] = state.model_copy(update={"condition": broader, "name": broader, "line": None})
    absent = {c for c, s in conditions.items() if s.status == "absent"}
    downward: dict[str, ConditionState] = {}
    if absent:
        below = {n for a in absent for n in narrower.get(a, ())} - stated - upward.keys()
        for term_id in sorted(below, key=place.__getitem__):  # in lexicon order
            source = next(b for b in table[term_id] if b in absent)
            downward[term_id] = conditions[source].model_copy(update={"condition": term_id, "name": term_id, "line": None})
    if not upward and not downward:
        return conditions
    return {**conditions, **upward, **downward}

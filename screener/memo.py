"""Criteria decided by a few recorded facts, recalled rather than run again.

Most criteria of a trial read no measured value: a condition's status, the sex, a
reviewer's answer.  Without answers, such a criterion's evaluation (its status, outcome and
explained leaves, all made at plan time) is the same for every patient with the same few
facts, so the plan keeps it under those facts (``key_of``) and a check of the next patient
finds it with one look-up.  A tree that reads anything else (a value, a date) has no key
and is run for every patient.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Callable, Hashable

from .facts import Facts
from .rules import AllOf, AnyOf, Condition, Manual, NoRequirement, Node, Not, Restrict, Sex, Unless, walk

Key = Callable[[Facts], Hashable]


class _Unrecorded:
    """What a key reads of a condition the profile does not record: no status."""

    status = None


UNRECORDED = _Unrecorded()
_STATUS = attrgetter("status")

_FACTLESS = (AllOf, AnyOf, Not, Unless, Restrict, Manual, NoRequirement)
"""Nodes that read no recorded fact (a question reads only the answers)."""


def constant(f: Facts) -> Hashable:
    """The key of a rule that reads no recorded fact (questions only): one record for every
    patient without answers."""
    return None


def key_of(rule: Node) -> Key | None:
    """The facts the rule's result depends on, as a function of the patient's facts (valid
    for a patient without answers), or None when it reads more than condition statuses and
    the sex (a value, a date: a condition "within 6 months" reads its dates)."""
    conditions: list[str] = []
    sex = False
    for node in walk(rule):
        if isinstance(node, Condition) and node.within is None:
            conditions.append(node.condition)
        elif isinstance(node, Sex):
            sex = True
        elif not isinstance(node, _FACTLESS):
            return None
    names = tuple(dict.fromkeys(conditions))
    if not names:
        return (lambda f: f.sex) if sex else constant
    if len(names) == 1 and not sex:
        (name,) = names

        def one(f: Facts) -> Hashable:
            return f.conditions.get(name, UNRECORDED).status
        # the plan reads the condition's name and looks the status up itself (no call per check)
        one.condition = name  # type: ignore[attr-defined]
        return one

    unrecorded = (UNRECORDED,) * len(names)

    def several(f: Facts) -> Hashable:  # the statuses looked up without a Python call per condition
        return (f.sex if sex else None, *map(_STATUS, map(f.conditions.get, names, unrecorded)))
    # the plan makes this key itself (no call per check)
    several.conditions = (names, unrecorded, sex)  # type: ignore[attr-defined]
    return several


__all__ = ["UNRECORDED", "Key", "constant", "key_of"]

"""The plan's logic nodes (``screener.plan``): groups, negation, exceptions, restrictions
to a group of patients, readings of one limit in several units, each a small function of
the patient's ``Facts`` and a ``sink`` (Kleene logic; with a sink every leaf runs and is
reported, without one a group stops as soon as it is decided).  ``build`` makes the
function of any node, the leaves with ``screener.comparison`` and ``screener.plan_leaves``;
inside a criterion that is not recalled whole, the largest parts that a few facts decide
are recalled (``_recalled``).
"""

from __future__ import annotations

from typing import Callable, Hashable

from .comparison import comparison
from .evaluate import MET, NOT_MET, UNKNOWN, Leaf
from .facts import At, Facts, Run, may_assume, readings_of
from .memo import Key, key_of
from .plan_leaves import condition, interval, manual, no_requirement, sex
from .rules import (
    AllOf, AnyOf, Comparison, Condition, Interval, Manual, NoRequirement, Node, Not, Readings, Restrict, Sex, Unless,
)
from .scope import sex_agreement
from .wording import STATUS_WORDS

RECALL_LIMIT = 256
"""Evaluations kept per recalled part of a criterion (combinations of its facts)."""

_FLIP: dict[str, str] = {MET: NOT_MET, NOT_MET: MET, UNKNOWN: UNKNOWN}


def _group(node: AllOf | AnyOf, at: At) -> Run:
    if not node.items:
        # an empty group is a compiler slip; do not let it pass silently as met / not met
        slip = at.share(node.kind, UNKNOWN, "the rule has an empty group: needs review")

        def empty(f: Facts, sink: list[Leaf] | None) -> str:
            if sink is not None:
                sink.append(slip)
            return UNKNOWN
        return empty
    parts = tuple(build(item, at) for item in node.items)
    decisive, other = (NOT_MET, MET) if isinstance(node, AllOf) else (MET, NOT_MET)
    stop = not may_assume(node)
    agreement = sex_agreement(node)
    agreed = build(agreement, at) if agreement is not None else None
    either = at.share(node.kind, decisive, f"{STATUS_WORDS[decisive]} whatever the sex (the limits for both agree)")

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        if sink is not None or not stop:  # every leaf runs (with a sink each is reported)
            decided = undecided = False
            for part in parts:
                status = part(f, sink)
                if status == decisive:
                    decided = True
                elif status == UNKNOWN:
                    undecided = True
            if decided:
                return decisive
        else:
            undecided = False
            for part in parts:
                status = part(f, sink)
                if status == decisive:
                    return decisive
                if status != other:
                    undecided = True
        if undecided and agreed is not None and agreed(f, None) == decisive:
            if sink is not None:  # "Hb < 11 (women) or < 12 (men)", Hb 10 and no sex: either way
                sink.append(either)
            return decisive
        return UNKNOWN if undecided else other

    return run


def _not(node: Not, at: At) -> Run:
    item = build(node.item, at)
    return lambda f, sink: _FLIP[item(f, sink)]


def _unless(node: Unless, at: At) -> Run:
    """item AND NOT exception."""
    item, exception = build(node.item, at), build(node.exception, at)
    stop = not may_assume(node)

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        first = item(f, sink)
        if first == NOT_MET and stop and sink is None:
            return NOT_MET
        escape = exception(f, sink)
        if first == NOT_MET or escape == MET:
            return NOT_MET
        return MET if first == MET and escape == NOT_MET else UNKNOWN

    return run


def _restrict(node: Restrict, at: At) -> Run:
    """item inside the group, ``outside`` outside it; an unknown group is unknown only
    where the two differ."""
    group, item = build(node.group, at), build(node.item, at)
    outside = MET if node.outside else NOT_MET
    not_for = at.share("restrict", outside, "outside the group the criterion is for: does not apply")

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        member = group(f, sink)
        if member == NOT_MET:
            if sink is not None:
                sink.append(not_for)
            return outside
        status = item(f, sink)
        return status if member == MET or status == outside else UNKNOWN

    return run


def _readings(node: Readings, at: At) -> Run:
    return readings_of(tuple(build(item, at) for item in node.items), not may_assume(node), at)


_BUILDERS: dict[type, Callable[..., Run]] = {
    AllOf: _group, AnyOf: _group, Not: _not, Unless: _unless, Restrict: _restrict, Readings: _readings,
    Comparison: comparison, Condition: condition, Interval: interval, Manual: manual, Sex: sex,
    NoRequirement: no_requirement,
}


_LOGIC = (AllOf, AnyOf, Not, Unless, Restrict)


def build(node: Node, at: At) -> Run:
    builder = _BUILDERS.get(type(node))
    if builder is None:
        raise TypeError(f"cannot evaluate a {type(node).__name__} node")
    if at.recall and isinstance(node, _LOGIC):
        key = key_of(node)
        if key is not None:  # the largest part of the tree that a few facts decide
            at.recall = False
            try:
                return _recalled(builder(node, at), key)
            finally:
                at.recall = True
    return builder(node, at)


def _recalled(run: Run, key: Key) -> Run:
    """A part of a criterion that only condition statuses, the sex and answers decide
    (``screener.memo``), run once per combination of those facts for patients without
    answers: its status and leaves (all made at plan time) recalled for the next."""
    memo: dict[Hashable, tuple[str, list[Leaf]]] = {}

    def recall(f: Facts, sink: list[Leaf] | None) -> str:
        if f.answers:
            return run(f, sink)
        facts = key(f)
        known = memo.get(facts)
        if known is None:
            leaves: list[Leaf] = []
            known = (run(f, leaves), leaves)
            if len(memo) < RECALL_LIMIT:
                memo[facts] = known
        if sink is not None:
            sink.extend(known[1])
        return known[0]

    return recall


__all__ = ["RECALL_LIMIT", "build"]

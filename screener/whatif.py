"""What-if evaluation of one criterion: its rule tree with the statuses of its explained leaves.

"Could this missing value change the verdict?" is answered by setting the leaves that need
it to met or not met, the others as they were, and evaluating the criterion again.  That
needs each explained leaf (a ``NodeResult`` of ``Plan.check``) tied to its node in the rule
tree.  The plan explains leaves in tree order, with two notes of its own that are no leaf:
"outside the group the criterion is for" (a restriction whose group is not met, whose item
is then not run) and "the readings of the limit disagree".  ``align`` walks the tree the
same way (and the note "whatever the sex", which decides its group); when the explained leaves do not fit (a rule shape this module does not know),
it gives ``None`` and the caller treats the criterion's items as undecided, never as decisive.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

from .evaluate import MET, NOT_MET, UNKNOWN, NodeResult, Status, all_of, any_of, negate
from .restated import unit_readings
from .rules import (
    AllOf, AnyOf, Comparison, Condition, Interval, Manual, NoRequirement, Node, Not, Readings, Restrict, Sex, Unless,
)

Tree = Union[tuple]
"""("leaf", index | None), ("all" | "any" | "readings", [trees]), ("not", tree),
("unless", item, exception), ("restrict", group, item, outside status); a leaf's index is
its position among the explained leaves (None: not run for this patient, unknown)."""

LEAF_KINDS: dict[type, str] = {
    Comparison: "comparison", Condition: "condition", Interval: "interval", Sex: "sex", NoRequirement: "none",
    Manual: "manual",
}


class _Misfit(Exception):
    """The explained leaves do not follow the rule tree."""


def align(rule: Node, details: Sequence[NodeResult]) -> tuple[Tree, list[Node | None]] | None:
    """(the tree, the node of each explained leaf: None for the plan's own notes), or None
    when the leaves do not fit the rule."""
    nodes: list[Node | None] = [None] * len(details)
    try:
        tree, end = _walk(rule, details, 0, nodes)
    except _Misfit:
        return None
    return (tree, nodes) if end == len(details) else None


def _statuses(details: Sequence[NodeResult]) -> list[Status]:
    return [d.status for d in details]


def _walk(node: Node, details: Sequence[NodeResult], at: int, nodes: list[Node | None]) -> tuple[Tree, int]:
    """The tree of ``node`` with its leaves from ``details[at:]``, and where they end."""
    if isinstance(node, Comparison) and node.alt:
        if _one_unit_read(node, details, at):  # a value in one of the limit's units is compared with that one only
            return _leaf(node, "comparison", details, at, nodes)
        return _readings(node.readings(), details, at, nodes)
    if isinstance(node, Readings):
        return _readings(node.items, details, at, nodes)
    if isinstance(node, (AllOf, AnyOf)):
        if not node.items:  # the plan reports an empty group as one leaf
            return _leaf(node, node.kind, details, at, nodes)
        children = []
        for item in node.items:
            child, at = _walk(item, details, at, nodes)
            children.append(child)
        if at < len(details) and details[at].kind == node.kind:  # "whatever the sex (the limits for both agree)"
            return ("leaf", at), at + 1
        return ("all" if isinstance(node, AllOf) else "any", children), at
    if isinstance(node, Not):
        child, at = _walk(node.item, details, at, nodes)
        return ("not", child), at
    if isinstance(node, Unless):
        kept, at = _walk(node.item, details, at, nodes)
        exception, at = _walk(node.exception, details, at, nodes)
        return ("unless", kept, exception), at
    if isinstance(node, Restrict):
        group, at = _walk(node.group, details, at, nodes)
        outside = MET if node.outside else NOT_MET
        if evaluate(group, _statuses(details)) == NOT_MET:  # the plan noted "does not apply" and ran no item
            if at >= len(details) or details[at].kind != "restrict":
                raise _Misfit
            return ("restrict", group, ("leaf", None), outside), at + 1  # its item was not run: unknown
        applied, at = _walk(node.item, details, at, nodes)
        return ("restrict", group, applied, outside), at
    kind = LEAF_KINDS.get(type(node))
    if kind is None:
        raise _Misfit
    return _leaf(node, kind, details, at, nodes)


def _one_unit_read(node: Comparison, details: Sequence[NodeResult], at: int) -> bool:
    """Whether the plan compared the value with the limit written in its own unit alone
    (``screener.restated``: one explained comparison of the variable, not one per reading)."""
    def of_variable(i: int) -> bool:
        return i < len(details) and details[i].kind == "comparison" and details[i].variable == node.variable
    return bool(unit_readings(node)) and of_variable(at) and not of_variable(at + 1)


def _leaf(node: Node, kind: str, details: Sequence[NodeResult], at: int, nodes: list[Node | None]) -> tuple[Tree, int]:
    if at >= len(details) or details[at].kind != kind:
        raise _Misfit
    nodes[at] = node
    return ("leaf", at), at + 1


def _readings(items: Sequence[Node], details: Sequence[NodeResult], at: int, nodes: list[Node | None]) -> tuple[Tree, int]:
    children = []
    for item in items:
        child, at = _walk(item, details, at, nodes)
        children.append(child)
    decided = {evaluate(child, _statuses(details)) for child in children} - {UNKNOWN}
    if len(decided) > 1:  # the plan noted that the readings disagree
        if at >= len(details) or details[at].kind != "readings":
            raise _Misfit
        at += 1
    return ("readings", children), at


def evaluate(tree: Tree, statuses: Sequence[Status]) -> Status:
    """Kleene evaluation of the tree with each leaf's status taken from ``statuses``."""
    kind = tree[0]
    if kind == "leaf":
        return UNKNOWN if tree[1] is None else statuses[tree[1]]
    if kind in ("all", "any"):
        parts = [evaluate(child, statuses) for child in tree[1]]
        return all_of(parts) if kind == "all" else any_of(parts)
    if kind == "not":
        return negate(evaluate(tree[1], statuses))
    if kind == "unless":
        return all_of([evaluate(tree[1], statuses), negate(evaluate(tree[2], statuses))])
    if kind == "restrict":
        member = evaluate(tree[1], statuses)
        if member == NOT_MET:
            return tree[3]
        status = evaluate(tree[2], statuses)
        return status if member == MET or status == tree[3] else UNKNOWN
    parts = [evaluate(child, statuses) for child in tree[1]]  # readings: decided where all agree
    return parts[0] if parts and all(p == parts[0] for p in parts) else UNKNOWN


__all__ = ["Tree", "align", "evaluate"]

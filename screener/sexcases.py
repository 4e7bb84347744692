"""Limits given per sex ("Hemoglobin < 11 (women) or hemoglobin < 12 (men)").

Each per-sex limit is a ``restrict`` node; with the patient's sex unknown each of them is
unknown whenever its limit differs from "does not apply".  But sex is one of the two: when
the value meets (or misses) the limit of every sex, the criterion is decided whatever the
sex.  This module adds that case split to the join of such limits.
"""

from __future__ import annotations

from .rules import AllOf, AnyOf, Node, Restrict, Sex


def _per_sex(items: list[Node], outside: bool) -> list[Restrict]:
    return [n for n in items if isinstance(n, Restrict) and isinstance(n.group, Sex) and n.outside is outside]


def with_sex_cases(node: Node) -> Node:
    """``node`` (the join of a sentence's leaves), with "decided whatever the sex" added when it
    holds a limit for women and one for men.

    Exclusion (an ``any`` of restricts, outside false): every per-sex limit met excludes.
    Inclusion (an ``all`` of restricts, outside true): no per-sex limit met fails.
    """
    if not isinstance(node, (AnyOf, AllOf)):
        return node
    exclusion = isinstance(node, AnyOf)
    restricts = _per_sex(node.items, not exclusion)
    sexes = {r.group.sex for r in restricts if isinstance(r.group, Sex)}
    if sexes != {"female", "male"}:
        return node
    limits = [r.item for r in restricts]
    every: Node = AllOf(items=limits, span=node.span) if exclusion else AnyOf(items=limits, span=node.span)
    return node.model_copy(update={"items": list(node.items) + [every]})

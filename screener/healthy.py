"""Which side of normal a limit lies on, read against the default adult reference ranges.

An opening "No" negates findings.  In a legacy paragraph such as "No history of stroke,
creatinine < 1.5 mg/dL" or "No chronic liver disease Adequate liver function as indicated
by ALT less than 1.5 times the upper limit of normal", the limit that follows the findings
is met by every healthy value: it asks for adequate function, a requirement of its own,
and read inside the negation it would exclude exactly the patients it admits.  A limit that
only abnormal values meet ("creatinine greater than 5.65 mg/dL", "platelets less than
80,000", "NYHA class III or IV") describes the finding that is negated, and stays inside.

The side is decided from data, never from the wording: a multiple of the upper or lower
limit of normal, or whether the middle of the interval of
``screener/data/reference_ranges.yaml`` meets the limit (for both sexes when it is
sex-specific).  A variable without a range, or a unit that cannot be
converted to the range's, is undecided, and the sentence keeps its plain reading.
"""

from __future__ import annotations

import operator

from .errors import UnitError
from .lexicon import Lexicon
from .reference import get_reference_ranges
from .rules import AllOf, AnyOf, Comparison, Node, walk
from .units import convert

_SEXES = (None, "female", "male")


def admits_healthy(node: Node, lexicon: Lexicon) -> bool | None:
    """Whether a typical healthy value meets every limit of ``node`` (a comparison, or limits
    joined by "and"/"or"); False when one limit is met only by abnormal values; None when
    no limit can be told (no range, no conversion, an equality) or ``node`` holds more."""
    decisions = set()
    for part in walk(node):
        if isinstance(part, Comparison):
            decisions.add(_healthy_side(part, lexicon))
        elif not isinstance(part, (AllOf, AnyOf)):
            return None
    if False in decisions:
        return False
    return True if True in decisions else None


def _healthy_side(comparison: Comparison, lexicon: Lexicon) -> bool | None:
    op, value, unit = comparison.op, float(comparison.value), comparison.unit
    if op in ("==", "!="):
        return None
    if unit in ("ULN", "LLN"):
        # "< 1.5 x ULN" holds up to the upper limit; "> 0.8 x LLN" down to the lower one
        if (unit == "ULN") != (op in ("<", "<=")):
            return False
        beyond = value > 1 if unit == "ULN" else value < 1
        return beyond or (value == 1 and op in ("<=", ">="))
    decisions = {_meets_typical(op, value, unit, comparison.variable, sex, lexicon) for sex in _SEXES}
    decisions.discard(None)
    return decisions.pop() if len(decisions) == 1 else None


def _meets_typical(op: str, value: float, unit: str | None, variable: str, sex: str | None, lexicon: Lexicon) -> bool | None:
    """Whether the middle of the reference interval for ``sex`` (its one limit when it has one)
    meets the limit: robust to a limit written at the interval's edge ("magnesium at least
    1.4 meq/L", 1.70 mg/dL against 1.7-2.2).  None: no row for ``sex``, or no conversion."""
    row = get_reference_ranges().get(variable, sex)
    known = lexicon.variables.get(variable)
    if row is None or known is None or (sex is not None and row.sex is None):
        return None
    try:
        limit = value if unit == row.unit else convert(value, unit, row.unit, known.analyte)
    except (UnitError, ValueError, TypeError, ZeroDivisionError):
        return None
    bounds = [b for b in (row.low, row.high) if b is not None]
    typical = sum(bounds) / len(bounds)
    return _OPS[op](typical, limit)


_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}

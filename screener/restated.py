"""A limit restated in another unit: which reading a value in each unit is compared with.

"PaO2 < 8 kPa (< 60 mmHg)" writes one limit for readers of either unit.  A value measured in
mmHg is compared with the limit written in mmHg, one in kPa with the kPa limit, exactly as
written: 60 mmHg is not below 60 mmHg, although it is 7.999 kPa.  This holds only when the
restatement is the same limit (within ``SAME_LIMIT`` of the exact conversion); a looser one
("6 mmol/L (approximately 10 g/dL)") is a second reading, and, like a value in a third unit,
is decided only where every reading agrees (``Comparison.readings``).  Every engine (Python,
SQL) uses this table, so they agree.
"""

from __future__ import annotations

from .errors import UnitError
from .rules import Comparison
from .units import canonical, converter, unit_or_none
from .wording import variable_info

SAME_LIMIT = 0.02
"""Largest relative gap between a restated limit and the exact conversion of the first one
for the two to be the same limit written in two units (rounding of the restatement)."""


def unit_readings(node: Comparison) -> dict[str, Comparison]:
    """The readings of ``node`` by the display spelling of their unit, when every restatement
    in ``alt`` is the same limit in another unit; empty otherwise (every reading must agree)."""
    if not node.alt or node.unit is None:
        return {}
    readings = node.readings()
    analyte = variable_info(node.variable, node.label)[1]
    out: dict[str, Comparison] = {}
    for reading in readings:
        unit = canonical(reading.unit) if reading.unit else None
        parsed = unit_or_none(reading.unit)
        if unit is None or unit in out or parsed is None or parsed.relative:
            return {}
        try:
            exact = converter(node.unit, reading.unit, analyte)(float(node.value))
        except UnitError:
            return {}
        if abs(float(reading.value) - exact) > SAME_LIMIT * abs(exact):
            return {}
        out[unit] = reading
    return out

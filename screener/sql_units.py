"""The ``unit_conversion`` rows of the screening SQL, generated from the pint definitions.

A row (variable, unit, factor, intercept, area) turns a value of ``variable`` in ``unit``
into the variable's canonical unit: ``(value * factor + intercept) / bsa ** area``, molar
mass and valence per analyte included (``notes/population-schema.md``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from .errors import UnitError
from .lexicon import get_lexicon
from .reference import get_reference_ranges
from .unit_kinds import kind_problem
from .units import area_exponent, canonical, convert_with_area, converter


def _unit_key(unit: str | None) -> str:
    return unit or ""


@lru_cache(maxsize=16384)
def conversion(variable: str, unit: str | None) -> tuple[float, float, int] | None:
    """(factor, offset, area) turning a value of ``variable`` in ``unit`` into its canonical
    unit: ``(value * factor + offset) / bsa ** area``; ``area`` is +1 for an absolute value
    of a per-area canonical unit (mL/min for mL/min/1.73m2), -1 the reverse, else 0 and
    the BSA is not needed.  ``None`` when the unit does not convert."""
    term = get_lexicon().variables.get(variable)
    if term is None or kind_problem(variable, unit) is not None:  # mm/h is no clearance (data/unit_kinds.yaml)
        return None
    target = term.unit
    try:
        convert = converter(unit, target, term.analyte)
        offset = convert(0.0)
        return (convert(1.0) - offset, offset, 0)
    except UnitError:
        pass
    try:
        area = area_exponent(unit, target)
        return (convert_with_area(1.0, unit, target, 1.0), 0.0, area) if area else None  # type: ignore[arg-type]
    except UnitError:
        return None


@lru_cache(maxsize=1)
def known_units() -> tuple[str, ...]:
    """Units worth a conversion row by default: every unit the lexicon and the default
    ranges name (canonical units, bare-number units, equation ends)."""
    lexicon = get_lexicon()
    seen: dict[str, None] = {}
    for term in lexicon.variables.values():
        spellings = [term.unit, *(b.unit for b in term.bare_units), *(e.source for e in term.equations),
                     *(e.target for e in term.equations)]
        for spelling in spellings:
            if spelling:
                seen[canonical(spelling) or ""] = None
    for reference in get_reference_ranges():
        if reference.unit:
            seen[reference.unit] = None
    seen.pop("", None)
    return tuple(seen)


def unit_conversion_rows(variables: Iterable[str], extra: Iterable[tuple[str, str | None]] = ()) -> list[tuple[str, str, float, float, int]]:
    """Rows (variable, unit, factor, offset, area) of the ``unit_conversion`` table for
    ``variables`` in every known unit, plus the (variable, unit) pairs of ``extra`` (the
    pairs a population actually holds).  Unit '' stands for a unitless value."""
    pairs: dict[tuple[str, str | None], None] = {}
    for variable in variables:
        term = get_lexicon().variables.get(variable)
        if term is None:
            continue
        pairs[(variable, term.unit)] = None
        for unit in known_units():
            pairs[(variable, unit)] = None
    for pair in extra:
        pairs[pair] = None
    rows = []
    for variable, given in pairs:
        found = conversion(variable, given or None)
        if found is not None:
            rows.append((variable, _unit_key(given), *found))
    return rows

"""Units: the one pint registry, and the one place to import unit reading and conversion from.

The one registry lives here (``registry()``); the model is in ``unit_types``, reading
spellings in ``unit_spellings``, conversions in ``unit_conversion``.  Spellings of trial text
and patient files ("x 109 / L", "ml/mn/m2", "g / dL", "G/L") are read through
``data/unit_spellings.yaml`` rather than handed to pint directly, because pint reads
some of them silently wrong ("G/L" as gauss per litre, "1.73m2" as a product).

Conversions are linear functions cached per (source, target, molar mass), so checking
thousands of patients does not call pint thousands of times.

Start-up: building pint's registry takes a third of a second, so it is built only when
needed.  What each spelling of ``unit_spellings.yaml`` means (its magnitude, its factor to
SI base units, its dimensions) is a table computed once with pint and kept in the data
cache (``screener/datacache.py``); reading units, ratio conversions, molar-mass and valence
conversions and per-area conversions use that table.  Temperatures (offset units) between
lone spellings use a second table pint computed (``unit_offsets``); pint itself converts
only compound offset units and is the reference both tables are tested against.
"""

from __future__ import annotations

import math
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from .errors import UnitError
from .unit_conversion import (_by_table, _linear, _pint_contexts, area_exponent, compatible, convert, convert_with_area,
                              converter)
from .unit_spellings import _spellings, canonical, parse_unit, read_unit_at, ucum_spelling, unit_or_none
from .unit_types import RELATIVE, Analyte, Atom, Dims, Equation, Unit

if TYPE_CHECKING:
    import pint

_DATA = files("screener") / "data"

__all__ = [
    "RELATIVE", "Analyte", "Atom", "Dims", "Equation", "Unit", "UnitError", "area_exponent", "bsa_mosteller", "canonical",
    "compatible", "convert", "convert_with_area", "converter", "format_number", "parse_unit", "read_unit_at", "registry",
    "ucum_spelling", "unit_or_none", "_by_table", "_linear", "_pint_contexts", "_spellings",
]


@cache
def registry() -> "pint.UnitRegistry":
    """The one pint registry (pint defaults plus ``data/units.txt``), built on first use."""
    import pint

    ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.load_definitions(str(_DATA / "units.txt"))
    return ureg


def __getattr__(name: str) -> Any:
    """``ureg`` and ``Q_`` stay importable; they build the registry when first touched."""
    if name == "ureg":
        return registry()
    if name == "Q_":
        return registry().Quantity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def bsa_mosteller(height_cm: float, weight_kg: float) -> float:
    """Body surface area in m² by Mosteller: sqrt(height cm x weight kg / 3600)."""
    return math.sqrt(height_cm * weight_kg / 3600.0)


def format_number(value: float) -> str:
    """A number as a person writes it: 55, 7.33, 0.5, 150,000 (3 significant digits)."""
    if float(value).is_integer() or abs(value) >= 999.5:
        return f"{round(value):,}"
    return f"{value:.3g}"


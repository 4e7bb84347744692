"""What a unit is: the parsed ``Unit``, the ``Atom`` of one spelling, an ``Analyte``'s
conversion parameters, and dimensions as sorted tuples.

Kept apart so that reading (``unit_spellings``) and converting (``unit_conversion``)
share one model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pint

Dims = tuple[tuple[str, int], ...]
"""Dimensions as sorted (name, exponent) pairs, e.g. (("[length]", -3), ("[mass]", 1))."""

RELATIVE = ("ULN", "LLN")
"""Units that are multiples of the patient's own upper / lower limit of normal."""


@dataclass(frozen=True)
class Equation:
    """A conversion that is not a ratio of units: ``target = scale * (source + offset)``,
    e.g. HbA1c IFCC mmol/mol = 10.929 * (NGSP % - 2.15)."""

    source: str
    target: str
    scale: float
    offset: float = 0.0


@dataclass(frozen=True)
class Analyte:
    """What a conversion needs to know about the substance measured: its molar mass (mg/dL
    <-> umol/L), its ion's valence (mEq/L <-> mmol/L) and any non-ratio equations."""

    molar_mass: float | None = None
    valence: int | None = None
    equations: tuple[Equation, ...] = ()


def _analyte(value: "Analyte | float | None") -> Analyte:
    if isinstance(value, Analyte):
        return value
    return Analyte(molar_mass=float(value)) if value else Analyte()


@dataclass(frozen=True)
class Atom:
    """One spelling's meaning, as computed once with pint: ``magnitude`` of ``expression``,
    whose unit is ``base`` SI base units of dimensions ``dims``; ``offset`` for units
    with a zero of their own (degC), which only pint converts."""

    expression: str
    display: str
    magnitude: float
    base: float
    dims: Dims
    offset: bool = False


@dataclass(frozen=True)
class Unit:
    """A parsed unit: how to show it, and what it is (``scale`` times the product of its
    atoms' units, which are ``base`` SI base units of dimensions ``dims``)."""

    display: str
    scale: float
    parts: tuple[tuple[str, int], ...] | None  # (pint expression, +1 / -1) of each atom; None when relative
    relative: Literal["ULN", "LLN"] | None = None
    dims: Dims | None = None
    base: float = 1.0
    offset: bool = False
    shape: tuple[tuple[Dims, int], ...] = ()
    """The dimensions of each atom with its sign, sorted: what kind of quantity the unit is
    as written (mm/h is a length per time, mL/min/1.73m2 a volume per time per area, though
    both have the dimensions length/time); see ``unit_kinds``."""

    @property
    def dimensionality(self) -> Dims | None:
        return self.dims

    @property
    def units(self) -> "pint.Unit | None":
        """The pint unit (builds the registry: for offset units and tests only)."""
        return None if self.parts is None else _pint_units(self.parts)

    @property
    def si(self) -> float:
        """The value in SI base units of 1 of this unit."""
        return self.scale * self.base


def _pint_units(parts: tuple[tuple[str, int], ...]) -> Any:
    from . import units  # the one registry; looked up at call time so tests can replace it

    ureg = units.registry()
    if len(parts) == 1 and parts[0][1] == 1:  # an offset unit alone must not be multiplied
        return (ureg.parse_expression(parts[0][0]) * 1).units
    quantity = ureg.Quantity(1)
    for expression, sign in parts:
        factor = ureg.parse_expression(expression) * 1
        quantity = quantity * factor if sign > 0 else quantity / factor
    return quantity.units


def _combine(*pairs: tuple[Dims | None, int]) -> Dims:
    """The product of dimensions raised to +1 / -1."""
    total: dict[str, int] = {}
    for dims, sign in pairs:
        for name, power in dims or ():
            total[name] = total.get(name, 0) + sign * power
    return tuple(sorted((name, power) for name, power in total.items() if power))


MASS_PER_AMOUNT: Dims = (("[mass]", 1), ("[substance]", -1))
AMOUNT_PER_CHARGE: Dims = (("[ionic_charge]", -1), ("[substance]", 1))
AREA: Dims = (("[length]", 2),)

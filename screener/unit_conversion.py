"""Converting values between units: linear functions cached per (source, target,
analyte), so checking thousands of patients does not call pint thousands of times.

Ratio, molar-mass, valence and per-area conversions use the spellings' table, temperatures
the offset table pint computed (``unit_offsets``); pint itself (the one registry,
``units.registry()``) converts compound offset units and is the reference both are tested
against.
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Callable

from .errors import UnitError
from .unit_spellings import _spellings, canonical, parse_unit
from .unit_offsets import offset_line
from .unit_types import AMOUNT_PER_CHARGE, AREA, MASS_PER_AMOUNT, Analyte, Equation, Unit, _analyte, _combine


def _linear(source: Unit, target: Unit, contexts: dict[str, dict]) -> Callable[[float], float]:
    """value in source -> value in target, as a*x + b computed once with pint (offset units,
    and the reference ``_by_table`` is tested against)."""
    if source.parts == target.parts and source.scale == target.scale:
        return lambda x: x
    return _line(*_pint_line(source, target, contexts))


def _line(slope: float, offset: float) -> Callable[[float], float]:
    if offset == 0.0:
        return lambda x: x * slope
    return lambda x: x * slope + offset


def _pint_line(source: Unit, target: Unit, contexts: dict[str, dict]) -> tuple[float, float]:
    """(slope, offset) of the conversion, from what pint makes of 0 and 1 in ``source``."""
    import pint

    from . import units  # the one registry

    Q_ = units.registry().Quantity
    parameters = {name: value for params in contexts.values() for name, value in params.items()}

    def through_pint(x: float) -> float:
        quantity = Q_(x * source.scale, source.units)
        converted = quantity.to(target.units, *contexts, **parameters)
        return float(converted.magnitude) / target.scale

    try:
        offset = through_pint(0.0)
        slope = through_pint(1.0) - offset
    except (pint.PintError, ArithmeticError):  # incompatible, or a context transform that needs a missing parameter
        raise UnitError(f"{source.display} cannot be converted to {target.display}") from None
    return slope, offset


def _pint_contexts(src: Unit, dst: Unit, analyte: Analyte) -> dict[str, dict]:
    from . import units  # the one registry

    contexts: dict[str, dict] = {}
    if src.dims != dst.dims:
        if analyte.molar_mass:
            contexts["chemistry"] = {"mw": units.registry().Quantity(analyte.molar_mass, "g/mol")}
        if analyte.valence:
            contexts["valence"] = {"valence": analyte.valence}
    return contexts


def _by_table(src: Unit, dst: Unit, analyte: Analyte) -> Callable[[float], float]:
    """value in src -> value in dst from the atom table: a ratio of SI factors, times the
    molar mass or the valence where the dimensions differ by mass per amount or amount per
    charge (what pint's "chemistry" and "valence" contexts do)."""
    if src.parts == dst.parts and src.scale == dst.scale:
        return lambda x: x
    slope = src.si / dst.si
    ratio = _combine((src.dims, 1), (dst.dims, -1))
    if not ratio:
        return lambda x: x * slope
    for mass, charge in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)):
        if ratio != _combine((MASS_PER_AMOUNT, mass), (AMOUNT_PER_CHARGE, charge)):
            continue
        if mass and not analyte.molar_mass:
            raise UnitError(f"{src.display} and {dst.display} convert only with the analyte's molar mass, which is not known")
        if charge and not analyte.valence:
            raise UnitError(f"{src.display} and {dst.display} convert only with the ion's valence, which is not known")
        molar = (analyte.molar_mass or 1.0) * _spellings()[2]
        slope *= molar ** -mass * float(analyte.valence or 1) ** charge
        return lambda x: x * slope
    raise UnitError(f"{src.display} cannot be converted to {dst.display}")


@lru_cache(maxsize=4096)
def converter(source: str | None, target: str | None, analyte: Analyte | float | None = None) -> Callable[[float], float]:
    """A function converting values from ``source`` to ``target`` units.

    ``analyte`` (an ``Analyte``, or a molar mass in g/mol) allows the conversions that depend
    on the substance: mass <-> amount concentrations (mg/dL <-> umol/L) through pint's
    "chemistry" context, charge <-> amount (mEq/L <-> mmol/L) through the "valence" context,
    and equations such as HbA1c % <-> mmol/mol.
    Raises ``UnitError`` with the reason when the two cannot be compared.
    """
    analyte = _analyte(analyte)
    src, dst = parse_unit(source), parse_unit(target)
    if src is None or dst is None:
        if src is None and dst is None:
            return lambda x: x
        given = src or dst
        raise UnitError(f"a unitless value cannot be compared with {given.display if given else 'a unit'}")
    if src.relative or dst.relative:
        if src.relative == dst.relative:
            return lambda x: x
        raise UnitError(f"{src.display} cannot be converted to {dst.display}")
    equation = _equation(src, dst, analyte)
    if equation is not None:
        return equation
    if not (src.offset or dst.offset):
        return _by_table(src, dst, analyte)
    return _offset_converter(src, dst, analyte)


def _offset_converter(src: Unit, dst: Unit, analyte: Analyte) -> Callable[[float], float]:
    """A temperature: from the offset table when it has the pair, else through pint; a pair
    of other dimensions that no context relates is refused as pint would refuse it."""
    contexts = _pint_contexts(src, dst, analyte)
    if src.dims != dst.dims and not contexts:
        raise UnitError(f"{src.display} cannot be converted to {dst.display}")
    line = None if contexts or (src.parts == dst.parts and src.scale == dst.scale) else offset_line(src, dst)
    return _linear(src, dst, contexts) if line is None else _line(*line)


def _forward(equation: Equation, x: float) -> float:
    return equation.scale * (x + equation.offset)


def _backward(equation: Equation, x: float) -> float:
    return x / equation.scale - equation.offset


def _equation(src: Unit, dst: Unit, analyte: Analyte) -> Callable[[float], float] | None:
    """The analyte's own equation between the two units, in either direction."""
    for equation in analyte.equations:
        ends = (canonical(equation.source), canonical(equation.target))
        if (src.display, dst.display) == ends:
            return partial(_forward, equation)
        if (dst.display, src.display) == ends:
            return partial(_backward, equation)
    return None


def convert(value: float, source: str | None, target: str | None, analyte: Analyte | float | None = None) -> float:
    return converter(source, target, analyte)(value)


@lru_cache(maxsize=4096)
def area_exponent(source: str | None, target: str | None) -> int:
    """+1 when ``source`` is an absolute value and ``target`` the same per area
    (mL/min against mL/min/1.73m2), -1 for the reverse, 0 otherwise."""
    src, dst = parse_unit(source), parse_unit(target)
    if not src or not dst or src.relative or dst.relative or src.parts is None or dst.parts is None:  # no pint needed
        return 0
    ratio = _combine((src.dims, 1), (dst.dims, -1))
    if ratio == AREA:
        return 1
    if ratio == _combine((AREA, -1)):
        return -1
    return 0


def convert_with_area(value: float, source: str, target: str, bsa_m2: float) -> float:
    """Convert between absolute and per-area units (mL/min -> mL/min/1.73m2) with the
    patient's body surface area in m²."""
    exponent = area_exponent(source, target)
    src, dst = parse_unit(source), parse_unit(target)
    if exponent == 0 or src is None or dst is None:
        return convert(value, source, target)
    return value * src.si / bsa_m2**exponent / dst.si


def compatible(source: str | None, target: str | None, analyte: Analyte | float | None = None, per_area: bool = False) -> bool:
    """Whether a value in ``source`` can be compared with one in ``target``; with ``per_area``
    also an absolute value with one per body surface area (mL/min and mL/min/1.73m2)."""
    try:
        converter(source, target, analyte)
        return True
    except UnitError:
        return per_area and area_exponent(source, target) != 0

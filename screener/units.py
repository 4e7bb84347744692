"""Units: the one pint registry, reading clinical unit spellings, and conversions.

The one registry lives here (``registry()``).  Spellings of trial text
and patient files ("x 109 / L", "ml/mn/m2", "g / dL", "G/L") are read through
``data/unit_spellings.yaml`` rather than handed to pint directly, because pint reads
some of them silently wrong ("G/L" as gauss per litre, "1.73m2" as a product).

Conversions are linear functions cached per (source, target, molar mass), so checking
thousands of patients does not call pint thousands of times.

Start-up: building pint's registry takes a third of a second, so it is built only when
needed.  What each spelling of ``unit_spellings.yaml`` means (its magnitude, its factor to
SI base units, its dimensions) is a table computed once with pint and kept in the data
cache (``screener/datacache.py``); reading units, ratio conversions, molar-mass and valence
conversions and per-area conversions use that table.  Pint itself is used for offset
units (temperatures) and is the reference the table is tested against.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Callable, Literal

from .errors import UnitError, quote

if TYPE_CHECKING:
    import pint

_DATA = files("screener") / "data"

Dims = tuple[tuple[str, int], ...]
"""Dimensions as sorted (name, exponent) pairs, e.g. (("[length]", -3), ("[mass]", 1))."""


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


RELATIVE = ("ULN", "LLN")
"""Units that are multiples of the patient's own upper / lower limit of normal."""

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_POWER = re.compile(r"^(?:(?:[x×*]|times)\s*)?10\s*(?:\^|\*\*|e|E)?\s*(-?\d{1,2})(?!\d)\s*")
_RELATIVE_RE = re.compile(
    r"^(?:[x×*]\s*|times\s+(?:the\s+)?)?(?:(ULN)|(LLN)|(upper limit of normal)|(lower limit of normal))$", re.I
)
_MASS_PERCENT = re.compile(r"^(mg|g|gm)\s*%$", re.I)


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
    ureg = registry()
    if len(parts) == 1 and parts[0][1] == 1:  # an offset unit alone must not be multiplied
        return (ureg.parse_expression(parts[0][0]) * 1).units
    quantity = ureg.Quantity(1)
    for expression, sign in parts:
        factor = ureg.parse_expression(expression) * 1
        quantity = quantity * factor if sign > 0 else quantity / factor
    return quantity.units


def _dims(container: Any) -> Dims:
    return tuple(sorted((str(name), int(power)) for name, power in dict(container).items() if power))


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


def _build_table() -> tuple[dict[str, Atom], dict[str, Atom], float]:
    """(case-insensitive atoms, case-sensitive atoms, SI value of 1 g/mol), with pint."""
    from .yamlio import parse_yaml

    ureg = registry()
    data = parse_yaml((_DATA / "unit_spellings.yaml").read_text(encoding="utf-8"), "unit_spellings.yaml").data

    def atom(expression: str, display: str) -> Atom:
        quantity = ureg.parse_expression(expression) * 1
        offset = not quantity._is_multiplicative
        base = 1.0 if offset else float(ureg.Quantity(1, quantity.units).to_base_units().magnitude)
        return Atom(expression, display, float(quantity.magnitude), base, _dims(quantity.dimensionality), offset)

    def table(entries: dict, fold: bool) -> dict[str, Atom]:
        return {(str(k).casefold() if fold else str(k)): atom(str(e), str(d)) for k, (e, d) in entries.items()}

    gram_per_mole = float(ureg.Quantity(1, "g/mol").to_base_units().magnitude)
    return table(data["atoms"], True), table(data["exact_atoms"], False), gram_per_mole


@cache
def _spellings() -> tuple[dict[str, Atom], dict[str, Atom], float]:
    """The atom table, from the data cache (built with pint when the data files changed)."""
    from . import datacache

    sources = [(_DATA / name).read_bytes() for name in ("unit_spellings.yaml", "units.txt")]
    return datacache.cached("units", sources, _build_table, _pint_version(), single=True)


def _pint_version() -> str:
    """Where pint is installed and when, so that upgrading pint renews the table (cheaper
    than reading its version from the package metadata)."""
    import os
    from importlib.util import find_spec

    spec = find_spec("pint")
    origin = spec.origin if spec is not None and spec.origin else ""
    return f"{origin}:{os.stat(origin).st_mtime_ns if origin else 0}"


_BLANKS = re.compile(r"\s+")


def _atom(part: str) -> Atom:
    folded, exact, _ = _spellings()
    compact = _BLANKS.sub(" ", part.strip())
    if compact in exact:
        return exact[compact]
    for key in (compact.casefold(), compact.casefold().replace(" ", "")):
        if key in folded:
            return folded[key]
    raise UnitError(f"unknown unit {quote(part.strip())}")


@cache
def _ucum() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(atoms, denominators, annotations) of ``data/ucum.yaml``: UCUM code parts -> spellings."""
    from .yamlio import parse_yaml

    data = parse_yaml((_DATA / "ucum.yaml").read_text(encoding="utf-8"), "ucum.yaml").data
    atoms = {str(k): str(v) for k, v in data["atoms"].items()}
    denominators = atoms | {str(k): str(v) for k, v in data["denominators"].items()}
    return atoms, denominators, {str(k).casefold(): str(v) for k, v in data["annotations"].items()}


_ANNOTATION = re.compile(r"\{([^{}]*)\}")
_UCUM_POWER = re.compile(r"^10\*(-?\d{1,2})")


def ucum_spelling(code: str) -> str:
    """A UCUM code rewritten in the spellings of ``unit_spellings.yaml``
    ("mm[Hg]" -> "mmHg", "10*3/uL" -> "10^3/uL", "mL/min/{1.73_m2}" -> "mL/min/1.73m2",
    "{score}" -> "" for unitless); the code itself when no rule applies."""
    numerators, denominators, annotations = _ucum()

    def part(text: str, atoms: dict[str, str]) -> str:
        if text in atoms:
            return atoms[text]
        text = _ANNOTATION.sub(lambda m: " " + annotations.get(m.group(1).casefold(), "") + " ", text).strip()
        text = _UCUM_POWER.sub(lambda m: f"10^{m.group(1)} ", text).strip()
        return atoms.get(text, text)

    pieces = [part(p, denominators if i else numerators) for i, p in enumerate(code.strip().split("/"))]
    if len(pieces) > 1 and not pieces[0]:
        return "/" + "/".join(pieces[1:])
    return "/".join(pieces)


@lru_cache(maxsize=4096)
def parse_unit(text: str | None) -> Unit | None:
    """Read a unit spelling or a UCUM code; ``None`` or an empty string is a unitless value.

    Raises ``UnitError`` for a spelling that is not a known unit.
    """
    if text is None or not str(text).strip():
        return None
    try:
        return _parse_spelling(str(text))
    except UnitError as error:
        rewritten = ucum_spelling(str(text))
        if rewritten == str(text).strip():
            raise
        try:
            return parse_unit(rewritten) if rewritten.strip() else None
        except UnitError:
            raise error from None


@lru_cache(maxsize=16384)
def unit_or_none(text: str | None) -> Unit | None:
    """The unit ``text`` names, or None when it is empty or names no unit (a rule's unit may
    be one this version cannot read: the comparison is then unknown, never an error).
    Cached, unlike ``parse_unit`` whose cache keeps no failures: the compiler tries every
    run of words after a number, and most are no unit."""
    try:
        return parse_unit(text) if text else None
    except UnitError:
        return None


def _parse_spelling(text: str) -> Unit | None:
    source = str(text).strip().translate(_SUPERSCRIPTS).replace("−", "-")
    relative = _RELATIVE_RE.match(source)
    if relative:
        kind: Literal["ULN", "LLN"] = "ULN" if relative.group(1) or relative.group(3) else "LLN"
        return Unit(kind, 1.0, None, relative=kind)
    source = _MASS_PERCENT.sub(lambda m: ("g" if m.group(1).lower() == "gm" else m.group(1)) + "/dL", source)
    scale, shown_power = 1.0, ""
    power = _POWER.match(source)
    if power and (power.end() < len(source) or source.startswith(("x", "×", "*"))):
        if abs(int(power.group(1))) > 300:
            raise UnitError(f"unknown unit {quote(text)} (a power of ten beyond 10^300)")
        scale = 10.0 ** int(power.group(1))
        shown_power = f"10^{power.group(1)}"
        source = source[power.end():]
    parts = re.split(r"\s*/\s*|(?:^|\s+)per\s+", source)
    if any(not p.strip() for p in parts[1:]) or (shown_power and not source.strip()):
        raise UnitError(f"unknown unit {quote(text)}")  # "/", "per", or a bare power of ten "x 10^9"
    atoms: list[tuple[Atom, int]] = []
    shown = [shown_power] if shown_power else []
    numerator = parts[0].strip()
    if numerator and numerator != "1":
        atom = _atom(numerator)
        atoms.append((atom, 1))
        shown = [f"{shown_power} {atom.display}".strip()] if shown_power else [atom.display]
    displays = ["".join(shown)]
    for part in parts[1:]:
        atom = _atom(part)
        atoms.append((atom, -1))
        displays.append(atom.display)
    base = 1.0
    for atom, sign in atoms:
        scale = scale * atom.magnitude if sign > 0 else scale / atom.magnitude
        base = base * atom.base if sign > 0 else base / atom.base
    return Unit(
        "/".join(displays), scale, tuple((atom.expression, sign) for atom, sign in atoms),
        dims=_combine(*((atom.dims, sign) for atom, sign in atoms)), base=base,
        offset=any(atom.offset for atom, _ in atoms), shape=tuple(sorted((atom.dims, sign) for atom, sign in atoms)),
    )


def canonical(text: str | None) -> str | None:
    """The display spelling of a unit ("x 109 / L" -> "10^9/L"); ``None`` stays ``None``."""
    unit = parse_unit(text)
    return unit.display if unit else None


def _linear(source: Unit, target: Unit, contexts: dict[str, dict]) -> Callable[[float], float]:
    """value in source -> value in target, as a*x + b computed once with pint (offset units,
    and the reference ``_by_table`` is tested against)."""
    import pint

    Q_ = registry().Quantity
    parameters = {name: value for params in contexts.values() for name, value in params.items()}

    def through_pint(x: float) -> float:
        quantity = Q_(x * source.scale, source.units)
        converted = quantity.to(target.units, *contexts, **parameters)
        return float(converted.magnitude) / target.scale

    if source.parts == target.parts and source.scale == target.scale:
        return lambda x: x
    try:
        offset = through_pint(0.0)
        slope = through_pint(1.0) - offset
    except (pint.PintError, ArithmeticError):  # incompatible, or a context transform that needs a missing parameter
        raise UnitError(f"{source.display} cannot be converted to {target.display}") from None
    if offset == 0.0:
        return lambda x: x * slope
    return lambda x: x * slope + offset


def _pint_contexts(src: Unit, dst: Unit, analyte: Analyte) -> dict[str, dict]:
    contexts: dict[str, dict] = {}
    if src.dims != dst.dims:
        if analyte.molar_mass:
            contexts["chemistry"] = {"mw": registry().Quantity(analyte.molar_mass, "g/mol")}
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
    return _linear(src, dst, _pint_contexts(src, dst, analyte))


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


def bsa_mosteller(height_cm: float, weight_kg: float) -> float:
    """Body surface area in m² by Mosteller: sqrt(height cm x weight kg / 3600)."""
    return math.sqrt(height_cm * weight_kg / 3600.0)


def format_number(value: float) -> str:
    """A number as a person writes it: 55, 7.33, 0.5, 150,000 (3 significant digits)."""
    if float(value).is_integer() or abs(value) >= 999.5:
        return f"{round(value):,}"
    return f"{value:.3g}"


_UNIT_TOKEN = re.compile(
    r"[ \t]*(?:(?:[x×*]|times)[ \t]*(?=10)|10[ \t]*(?:\^|\*\*|e|E)?[ \t]*-?\d{1,2}(?![\d.,]\d)|/|per\b"
    r"|1[.,]73[ \t]*(?:square[ \t]+met(?:er|re)s?\b|met(?:er|re)s?[ \t]+squared\b|m[ \t]+squared\b|m(?:[ \t]*(?:\^?2|²))?)|24[ \t]*(?:hours|hrs|hr|hs|h)\b|[A-Za-zµμ%°º][A-Za-zµμ°º0-9²³\^]*%?|%)"
)


def read_unit_at(text: str, position: int) -> tuple[Unit, int] | None:
    """The longest known unit written at ``text[position:]`` (after blanks), with its end.

    Only spellings of ``unit_spellings.yaml`` count, so "5 mm in diameter" reads "mm"
    and never "mm in".
    """
    ends: list[int] = []
    cursor = position
    while len(ends) < 8:
        token = _UNIT_TOKEN.match(text, cursor)
        if not token or token.end() == cursor:
            break
        cursor = token.end()
        ends.append(cursor)
    for end in reversed(ends):
        candidate = text[position:end].strip()
        if not candidate or candidate.endswith(("/", "per", "x", "×", "*", "times")):
            continue
        unit = unit_or_none(candidate)
        if unit is not None and unit.relative is None:
            return unit, end
    return None

"""Units: the one pint registry, reading clinical unit spellings, and conversions.

The registry is created once here and imported everywhere.  Spellings of trial text
and patient files ("x 109 / L", "ml/mn/m2", "g / dL", "G/L") are read through
``data/unit_spellings.yaml`` rather than handed to pint directly, because pint reads
some of them silently wrong ("G/L" as gauss per litre, "1.73m2" as a product).

Conversions are linear functions cached per (source, target, molar mass), so checking
thousands of patients does not call pint thousands of times.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Callable, Literal

import pint

from .errors import UnitError
from .yamlio import parse_yaml

_DATA = files("screener") / "data"

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.load_definitions(str(_DATA / "units.txt"))
Q_ = ureg.Quantity

RELATIVE = ("ULN", "LLN")
"""Units that are multiples of the patient's own upper / lower limit of normal."""

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_POWER = re.compile(r"^(?:[x×*]\s*)?10\s*(?:\^|\*\*|e|E)?\s*(-?\d{1,2})(?!\d)\s*")
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
class Unit:
    """A parsed unit: how to show it, and what it is (``scale`` times pint ``units``)."""

    display: str
    scale: float
    units: pint.Unit | None
    relative: Literal["ULN", "LLN"] | None = None

    @property
    def dimensionality(self):
        return self.units.dimensionality if self.units is not None else None


@cache
def _spellings() -> tuple[dict[str, tuple[pint.Quantity, str]], dict[str, tuple[pint.Quantity, str]]]:
    """(case-insensitive atoms, case-sensitive atoms): spelling -> (quantity, display)."""
    data = parse_yaml((_DATA / "unit_spellings.yaml").read_text(encoding="utf-8"), "unit_spellings.yaml").data

    def table(entries: dict, fold: bool) -> dict[str, tuple[pint.Quantity, str]]:
        out = {}
        for spelling, (expression, display) in entries.items():
            key = str(spelling).casefold() if fold else str(spelling)
            out[key] = (ureg.parse_expression(str(expression)) * 1, str(display))
        return out

    return table(data["atoms"], True), table(data["exact_atoms"], False)


def _atom(part: str) -> tuple[pint.Quantity, str]:
    folded, exact = _spellings()
    compact = re.sub(r"\s+", " ", part.strip())
    if compact in exact:
        return exact[compact]
    for key in (compact.casefold(), compact.casefold().replace(" ", "")):
        if key in folded:
            return folded[key]
    raise UnitError(f"unknown unit {part.strip()!r}")


@cache
def _ucum() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(atoms, denominators, annotations) of ``data/ucum.yaml``: UCUM code parts -> spellings."""
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


def _parse_spelling(text: str) -> Unit | None:
    source = str(text).strip().translate(_SUPERSCRIPTS).replace("−", "-")
    relative = _RELATIVE_RE.match(source)
    if relative:
        kind = "ULN" if relative.group(1) or relative.group(3) else "LLN"
        return Unit(kind, 1.0, None, relative=kind)
    source = _MASS_PERCENT.sub(lambda m: ("g" if m.group(1).lower() == "gm" else m.group(1)) + "/dL", source)
    scale, shown_power = 1.0, ""
    power = _POWER.match(source)
    if power and (power.end() < len(source) or source.startswith(("x", "×", "*"))):
        scale = 10.0 ** int(power.group(1))
        shown_power = f"10^{power.group(1)}"
        source = source[power.end():]
    parts = re.split(r"\s*/\s*|(?:^|\s+)per\s+", source)
    if any(not p.strip() for p in parts[1:]) or (shown_power and not source.strip()):
        raise UnitError(f"unknown unit {text!r}")  # "/", "per", or a bare power of ten "x 10^9"
    quantity = Q_(scale)
    shown = [shown_power] if shown_power else []
    numerator = parts[0].strip()
    if numerator and numerator != "1":
        factor, display = _atom(numerator)
        # an offset unit (degC) alone must not be multiplied, or pint turns it into kelvin
        quantity = factor if scale == 1.0 and len(parts) == 1 else quantity * factor
        shown = [f"{shown_power} {display}".strip()] if shown_power else [display]
    displays = ["".join(shown)]
    for part in parts[1:]:
        factor, display = _atom(part)
        quantity = quantity / factor
        displays.append(display)
    shown_text = "/".join(displays)
    return Unit(shown_text, float(quantity.magnitude), quantity.units)


def canonical(text: str | None) -> str | None:
    """The display spelling of a unit ("x 109 / L" -> "10^9/L"); ``None`` stays ``None``."""
    unit = parse_unit(text)
    return unit.display if unit else None


def _linear(source: Unit, target: Unit, contexts: dict[str, dict]) -> Callable[[float], float]:
    """value in source -> value in target, as a*x + b computed once with pint."""
    parameters = {name: value for params in contexts.values() for name, value in params.items()}

    def through_pint(x: float) -> float:
        quantity = Q_(x * source.scale, source.units)
        converted = quantity.to(target.units, *contexts, **parameters)
        return float(converted.magnitude) / target.scale

    if source.units == target.units and source.scale == target.scale:
        return lambda x: x
    try:
        offset = through_pint(0.0)
        slope = through_pint(1.0) - offset
    except (pint.PintError, ArithmeticError):  # incompatible, or a context transform that needs a missing parameter
        raise UnitError(f"{source.display} cannot be converted to {target.display}") from None
    if offset == 0.0:
        return lambda x: x * slope
    return lambda x: x * slope + offset


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
        raise UnitError(f"a unitless value cannot be compared with {(src or dst).display}")
    if src.relative or dst.relative:
        if src.relative == dst.relative:
            return lambda x: x
        raise UnitError(f"{src.display} cannot be converted to {dst.display}")
    equation = _equation(src, dst, analyte)
    if equation is not None:
        return equation
    contexts: dict[str, dict] = {}
    if src.dimensionality != dst.dimensionality:
        if analyte.molar_mass:
            contexts["chemistry"] = {"mw": Q_(analyte.molar_mass, "g/mol")}
        if analyte.valence:
            contexts["valence"] = {"valence": analyte.valence}
    try:
        return _linear(src, dst, contexts)
    except UnitError:
        if not analyte.molar_mass and _amount_vs_mass(src, dst):
            raise UnitError(
                f"{src.display} and {dst.display} convert only with the analyte's molar mass, which is not known"
            ) from None
        if not analyte.valence and _charge_vs_amount(src, dst):
            raise UnitError(f"{src.display} and {dst.display} convert only with the ion's valence, which is not known") from None
        raise


def _equation(src: Unit, dst: Unit, analyte: Analyte) -> Callable[[float], float] | None:
    """The analyte's own equation between the two units, in either direction."""
    for equation in analyte.equations:
        ends = (canonical(equation.source), canonical(equation.target))
        if (src.display, dst.display) == ends:
            return lambda x, e=equation: e.scale * (x + e.offset)
        if (dst.display, src.display) == ends:
            return lambda x, e=equation: x / e.scale - e.offset
    return None


def _charge_vs_amount(a: Unit, b: Unit) -> bool:
    ratio = (a.units / b.units).dimensionality
    charge = ureg.parse_expression("mol/Eq").dimensionality
    return ratio in (charge, (1 / ureg.parse_expression("mol/Eq")).dimensionality)


def _amount_vs_mass(a: Unit, b: Unit) -> bool:
    ratio = (a.units / b.units).dimensionality
    return ratio in (ureg.parse_expression("mol/g").dimensionality, ureg.parse_expression("g/mol").dimensionality)


def convert(value: float, source: str | None, target: str | None, analyte: Analyte | float | None = None) -> float:
    return converter(source, target, analyte)(value)


@lru_cache(maxsize=4096)
def area_exponent(source: str | None, target: str | None) -> int:
    """+1 when ``source`` is an absolute value and ``target`` the same per area
    (mL/min against mL/min/1.73m2), -1 for the reverse, 0 otherwise."""
    src, dst = parse_unit(source), parse_unit(target)
    if not src or not dst or src.relative or dst.relative:
        return 0
    area = ureg.parse_expression("m**2").dimensionality
    ratio = (src.units / dst.units).dimensionality
    if ratio == area:
        return 1
    if ratio == (1 / ureg.parse_expression("m**2")).dimensionality:
        return -1
    return 0


def convert_with_area(value: float, source: str, target: str, bsa_m2: float) -> float:
    """Convert between absolute and per-area units (mL/min -> mL/min/1.73m2) with the
    patient's body surface area in m²."""
    exponent = area_exponent(source, target)
    src, dst = parse_unit(source), parse_unit(target)
    if exponent == 0 or src is None or dst is None:
        return convert(value, source, target)
    area = Q_(bsa_m2, "m**2") ** exponent
    quantity = Q_(value * src.scale, src.units) / area
    return float(quantity.to(dst.units).magnitude) / dst.scale


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
    r"[ \t]*(?:[x×*][ \t]*(?=10)|10[ \t]*(?:\^|\*\*|e|E)?[ \t]*-?\d{1,2}(?![\d.,]\d)|/|per\b"
    r"|1[.,]73[ \t]*m[ \t]*(?:\^?2|²)|[A-Za-zµμ%°º][A-Za-zµμ°º0-9²³\^]*%?|%)"
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
        if not candidate or candidate.endswith(("/", "per", "x", "×", "*")):
            continue
        try:
            unit = parse_unit(candidate)
        except UnitError:
            continue
        if unit is not None and unit.relative is None:
            return unit, end
    return None

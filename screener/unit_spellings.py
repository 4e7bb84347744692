"""Reading unit spellings: trial text and patient files ("x 109 / L", "ml/mn/m2", "g / dL",
"G/L") and UCUM codes ("mm[Hg]", "10*3/uL") become a ``Unit``.

Spellings go through ``data/unit_spellings.yaml`` rather than to pint directly, because
pint reads some of them silently wrong ("G/L" as gauss per litre, "1.73m2" as a product).
What each spelling means is a table computed once with pint and kept in the data cache.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any, Literal

from .errors import UnitError, quote
from .unit_types import Atom, Dims, Unit, _combine

_DATA = files("screener") / "data"

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_POWER = re.compile(r"^(?:(?:[x×*]|times)\s*)?10\s*(?:\^|\*\*|e|E)?\s*(-?\d{1,2})(?!\d)\s*")
_RELATIVE_RE = re.compile(
    r"^(?:[x×*]\s*|times\s+(?:the\s+)?)?(?:(ULN)|(LLN)|(upper limit of normal)|(lower limit of normal))$", re.I
)
_MASS_PERCENT = re.compile(r"^(mg|g|gm)\s*%$", re.I)


def _dims(container: Any) -> Dims:
    return tuple(sorted((str(name), int(power)) for name, power in dict(container).items() if power))


def _build_table() -> tuple[dict[str, Atom], dict[str, Atom], float]:
    """(case-insensitive atoms, case-sensitive atoms, SI value of 1 g/mol), with pint."""
    from . import units  # the one registry
    from .yamlio import parse_yaml

    ureg = units.registry()
    data = parse_yaml((_DATA / "unit_spellings.yaml").read_text(encoding="utf-8"), "unit_spellings.yaml").data

    def atom(expression: str, display: str) -> Atom:
        quantity = ureg.parse_expression(expression) * 1
        offset = not quantity._is_multiplicative
        base = 1.0 if offset else float(ureg.Quantity(1.0, quantity.units).to_base_units().magnitude)
        return Atom(expression, display, float(quantity.magnitude), base, _dims(quantity.dimensionality), offset)

    def table(entries: dict, fold: bool) -> dict[str, Atom]:
        return {(str(k).casefold() if fold else str(k)): atom(str(e), str(d)) for k, (e, d) in entries.items()}

    gram_per_mole = float(ureg.Quantity(1.0, "g/mol").to_base_units().magnitude)
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


_UNIT_TOKEN = re.compile(
    r"[ \t]*(?:(?:[x×*]|times)[ \t]*(?=10)|10[ \t]*(?:\^|\*\*|e|E)?[ \t]*-?\d{1,2}(?![\d.,]\d)|/|per\b"
    r"|1[.,]73[ \t]*(?:square[ \t]+met(?:er|re)s?\b|met(?:er|re)s?[ \t]+squared\b|m[ \t]+squared\b|m(?:[ \t]*(?:\^?2|²))?)|24[ \t]*(?:hours|hrs|hr|hs|h)\b|[A-Za-zµμ%°º][A-Za-zµμ°º0-9²³\^]*%?|%)"
)


def read_unit_at(text: str, position: int) -> tuple[Unit, int] | None:
    """The longest known unit written at ``text[position:]`` (after blanks), with its end.

    Only spellings of ``unit_spellings.yaml`` count, so "5 mm in diameter" reads "mm"
    and never "mm in".  The tokens are read only up to the first word no spelling
    contains (``_may_spell``): no longer run of words can be a unit.
    """
    ends: list[int] = []
    cursor = position
    while len(ends) < 8:
        token = _UNIT_TOKEN.match(text, cursor)
        if not token or token.end() == cursor or not _may_spell(token.group().strip(" \t")):
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


@cache
def _spelled_letters() -> str:
    """Every spelling a unit part can be read as, casefolded without blanks, one a line: the
    atoms, the UCUM codes and what they become, and the "mg %" forms."""
    folded, exact, _ = _spellings()
    numerators, denominators, annotations = _ucum()
    spellings = [*folded, *exact, *numerators, *numerators.values(), *denominators, *denominators.values(),
                 *annotations, *annotations.values(), "mg", "g", "gm"]
    return "\n".join(sorted({s.casefold().replace(" ", "") for s in spellings}))


@lru_cache(maxsize=4096)
def _may_spell(token: str) -> bool:
    """Whether a unit token can be part of a known unit.  A word (``_UNIT_TOKEN``'s last
    forms) is read, inside one part, as a piece of one spelling (casefolded, blanks
    dropped), so a word found in none ("and", "platelets") ends every unit before it;
    relative words ("ULN") need no check, as ``read_unit_at`` never returns them."""
    if not token or not token[0].isalpha() or token in ("x", "times", "per"):
        return True  # a power of ten, "/", "1.73 m2", "24 hours", "%", "°C": not checked
    word = token.translate(_SUPERSCRIPTS).casefold()
    word = word[:-1] if word.endswith("%") else word
    return word in _spelled_letters()

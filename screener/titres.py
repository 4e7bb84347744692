"""Titres: "ANA >= 1:160" is a limit on a reciprocal dilution (160, unit ``titer``).

The unit ``titer`` is a dimension of its own (screener/data/units.txt), so a titre never
compares with a concentration.  Trial text writes a titre "1:N"; a profile writes "1:160" or
160; explanations show "1:160".  Only "1:N" with a comparator is read as a limit, and never
where the colon joins other things: ratios ("randomised 1:1", "2:1", "1:1.3"), times
("10:30", "1:00 AM"), numbering ("Group 1: 4 months"), epitopes ("MART-1:26-35") or
dilutions of a drug ("1:100,000 epinephrine").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .lexicon import Lexicon, Variable
    from .quantities import Bound, QuantityReader

TITRE_UNIT = "titer"

# "1:160": a one, a colon, a whole reciprocal dilution of 2 or more, nothing glued on either side
_TITRE = re.compile(
    r"(?<![\w.:/-])1:(?P<dilution>[2-9]|[1-9]\d{1,5})"
    r"(?![\d.,:]\d|\d|\s*-\s*\d|\s*(?:[ap]\.?m\b\.?|h\b|hrs?\b|hours?\b|ratio|randomi[sz]))",
    re.I,
)
# "1:160" or "1 : 160" in a patient profile
_PROFILE_TITRE = re.compile(r"\s*1\s*:\s*(?P<dilution>\d+(?:\.\d+)?)\s*(?:titer|titre)?\s*")


def titre_at(text: str, position: int) -> tuple[float, int] | None:
    """The reciprocal dilution of a titre written at ``position`` ("1:160" -> 160) and its end."""
    if not text.startswith("1:", position):  # what every titre opens with
        return None
    match = _TITRE.match(text, position)
    return (float(match["dilution"]), match.end()) if match else None


def titre_bounds(reader: "QuantityReader", text: str, position: int) -> "list[Bound] | None":
    """The limit a titre at ``position`` sets ("titer >= 1:80", "1:40 or greater"); [] for a
    titre without a comparator (a value, not a limit); None where no titre is written."""
    found = titre_at(text, position)
    if found is None:
        return None
    from .quantities import Bound  # here, not above: quantities imports this module, and most numbers are no titre

    value, end = found
    comparator = reader.comparator_before(text, position)
    if comparator:
        return [Bound(comparator[1], end, comparator[0], value, TITRE_UNIT)]
    suffix = reader.comparator_after(text, end)
    if suffix:
        return [Bound(position, suffix[1], suffix[0], value, TITRE_UNIT)]
    return []


def profile_titre(unit: str | None, raw: Any) -> Any:
    """A profile's titre as screener reads values: "1:160" and a bare 160 become "160 titer"
    for a variable measured in titres; anything else is returned as given."""
    if unit != TITRE_UNIT:
        return raw
    if isinstance(raw, dict) and "value" in raw and raw.get("unit") is None:
        return {**raw, "value": profile_titre(unit, raw["value"])}
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return f"{raw} {TITRE_UNIT}"
    if isinstance(raw, str):
        match = _PROFILE_TITRE.fullmatch(raw)
        if match:
            return f"{match['dilution']} {TITRE_UNIT}"
        if re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", raw):
            return f"{raw.strip()} {TITRE_UNIT}"
    return raw


def titre_elsewhere(lexicon: "Lexicon", variable: "Variable", raw: Any) -> str | None:
    """A titre ("1:160") given for a variable measured in other units whose titre is another
    variable (anti-dsDNA in IU/mL, its titre apart): what to write instead; None otherwise."""
    value = raw.get("value") if isinstance(raw, dict) else raw
    if variable.unit == TITRE_UNIT or not isinstance(value, str) or not _PROFILE_TITRE.fullmatch(value):
        return None
    titres = [lexicon.variables[v] for v in variable.variants if lexicon.variables[v].unit == TITRE_UNIT]
    if not titres:
        return None
    name = titres[0].names[0] if titres[0].names else titres[0].id
    return f"{value.strip()} is a titre; {variable.label} is measured in {variable.unit}: give the titre as {name}: {value.strip()}"


def titre_text(number: str) -> str:
    """A titre as a person writes it: "1:160"."""
    return f"1:{number.replace(',', '')}"

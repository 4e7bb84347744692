"""How explanations name things and say numbers: one place for the words.

The engine (``screener.plan``) decides; this module only says.  The review page
(``screener.plain``), the SQL generator's reasons and the check explanations all use these
names, comparator words and number formats, so that a rule reads the same everywhere.
Every look-up here is cached: checking thousands of patients does no lexicon or pint work
after the first patient.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from .errors import UnitError
from .lexicon import get_lexicon
from .titres import TITRE_UNIT, titre_text
from .units import Analyte, format_number, parse_unit

OP_WORDS: dict[str, str] = {
    "<": "below",
    "<=": "at or below",
    ">": "above",
    ">=": "at or above",
    "==": "equal to",
    "!=": "not equal to",
}
OP_NEGATED: dict[str, str] = {op: f"not {words}" for op, words in OP_WORDS.items()} | {"!=": "equal to"}

STATUS_WORDS: dict[str, str] = {"met": "met", "not_met": "not met", "unknown": "unknown"}

DAYS_PER: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.44, "year": 365.25, "hour": 1.0 / 24.0}
"""Length of each duration unit in days."""

BSA_MISSING = "height and weight (for body surface area)"
"""What to collect when a limit per body surface area needs the patient's BSA."""


@lru_cache(maxsize=1024)
def short_label(label: str) -> str:
    """The short name of a lexicon label for sentences: "PaO2 (arterial oxygen ...)" ->
    "PaO2", "systolic pulmonary arterial pressure (PASP)" -> "PASP"."""
    match = re.fullmatch(r"\s*(.+?)\s*\((.+)\)\s*", label)
    if not match:
        return label.strip()
    head, inner = match.group(1), match.group(2).strip()

    def acronym(text: str) -> bool:
        return " " not in text and any(ch.isupper() for ch in text)

    if acronym(head):
        return head
    if acronym(inner):
        return inner
    return head


@lru_cache(maxsize=1024)
def variable_info(variable_id: str, fallback: str | None) -> tuple[str, Analyte | None]:
    """(short label, analyte for unit conversions) of a lexicon variable."""
    term = get_lexicon().variables.get(variable_id)
    if term is None:
        return (fallback or variable_id.replace("_", " "), None)
    return (short_label(term.label), term.analyte)


@lru_cache(maxsize=1024)
def canonical_unit(variable_id: str) -> str | None:
    """The lexicon's unit of a variable (None for unitless scores and unknown variables)."""
    term = get_lexicon().variables.get(variable_id)
    return term.unit if term is not None else None


@lru_cache(maxsize=1024)
def is_lab(variable_id: str) -> bool:
    """Whether the lexicon calls the variable a lab value (``--max-lab-age`` applies to it)."""
    term = get_lexicon().variables.get(variable_id)
    return term is not None and term.kind == "lab"


@lru_cache(maxsize=1024)
def condition_label(condition_id: str, fallback: str | None) -> str:
    term = get_lexicon().conditions.get(condition_id)
    return term.label if term is not None else (fallback or condition_id.replace("_", " "))


@lru_cache(maxsize=1024)
def event_label(event_id: str) -> str:
    term = get_lexicon().events.get(event_id)
    return term.label if term is not None else event_id.replace("_", " ")


@lru_cache(maxsize=1024)
def relative_of(unit: str | None) -> str | None:
    """"ULN" / "LLN" when ``unit`` is a multiple of a limit of normal, else None."""
    try:
        parsed = parse_unit(unit)
    except UnitError:
        return None
    return parsed.relative if parsed is not None else None


@lru_cache(maxsize=1024)
def same_unit(source: str | None, target: str | None) -> bool:
    """Whether two spellings show the same unit (so a conversion need not be shown)."""
    if source == target:
        return True
    try:
        a, b = parse_unit(source), parse_unit(target)
    except UnitError:
        return False
    return (a.display if a else None) == (b.display if b else None)


def plural(unit: str, value: float) -> str:
    if unit in DAYS_PER and not math.isclose(value, 1.0):
        return unit + "s"
    return unit


def with_unit(number: str, value: float, unit: str | None) -> str:
    """A formatted number with its unit: "55 mmHg", "3 x ULN", "0.35 x 10^9/L",
    "350/uL", "60%", "12 days", "15" (unitless)."""
    if unit == TITRE_UNIT:
        return titre_text(number)  # "1:160"
    suffix = _SUFFIXES.get(unit, _UNSEEN)
    if suffix is _UNSEEN:
        suffix = _suffix_kept(unit)
    if suffix is None:
        return f"{number} {plural(unit, value)}"  # type: ignore[arg-type]
    return number + suffix  # type: ignore[operator]


def unit_suffix(unit: str | None) -> str | None:
    """What ``with_unit`` writes after any number in ``unit``, or None where it depends on
    the number (a duration's plural, a titre)."""
    if unit == TITRE_UNIT:
        return None
    suffix = _SUFFIXES.get(unit, _UNSEEN)
    return _suffix_kept(unit) if suffix is _UNSEEN else suffix  # type: ignore[return-value]


_UNSEEN = object()
_SUFFIXES: dict[str | None, object] = {}
"""What ``with_unit`` writes after a number in each unit, worded once per unit (a dict
look-up per value instead of the unit tests below), None for a duration (its plural
depends on the value)."""


def _suffix_kept(unit: str | None) -> str | None:
    suffix = _suffix(unit)
    if len(_SUFFIXES) < 4096:  # units come from profiles: bounded
        _SUFFIXES[unit] = suffix
    return suffix


def _suffix(unit: str | None) -> str | None:
    if not unit:
        return ""
    relative = relative_of(unit)
    if relative:
        return f" x {relative}"
    if unit == "%" or unit.startswith("/"):
        return unit
    if unit.startswith("10^"):
        return f" x {unit}"
    return None if unit in DAYS_PER else f" {unit}"


def number_text(value: float) -> str:
    """``units.format_number``, quicker for a float (a patient's value, a converted one)."""
    if type(value) is not float:
        return format_number(value)
    if value.is_integer() or value >= 999.5 or value <= -999.5:
        return f"{round(value):,}"
    return f"{value:.3g}"


def quantity_text(value: float, unit: str | None) -> str:
    """A patient's value as a person writes it (3 significant digits)."""
    return with_unit(number_text(value), value, unit)


@lru_cache(maxsize=4096)
def limit_number(value: float) -> str:
    """A threshold as written: all its digits (1.125 stays 1.125), thousands separated."""
    if float(value).is_integer():
        return format_number(value)
    return f"{value:.6g}"


def limit_text(value: float, unit: str | None) -> str:
    return with_unit(limit_number(value), value, unit)


def shown_number(value: float, limit: float) -> str:
    """``value`` formatted so that it does not look equal to ``limit`` when it is not."""
    text = format_number(value)
    if text != limit_number(limit) or math.isclose(value, limit, rel_tol=1e-9):
        return text
    for digits in range(4, 13):
        text = f"{value:.{digits}g}"
        if text != f"{limit:.{digits}g}":
            break
    return text


def duration_text(value: float, unit: str) -> str:
    """"10 days", "1 year", "4.5 weeks"."""
    return f"{limit_number(value)} {plural(unit, value)}"


def sentence(subject: str, status: str, op: str, limit: str) -> str:
    """"PaO2 55 mmHg = 7.33 kPa, below 8 kPa: met" / "PASP 32 mmHg is not above 55 mmHg: not met"."""
    if status == "met":
        return f"{subject}, {OP_WORDS[op]} {limit}: met"
    return f"{subject} is {OP_NEGATED[op]} {limit}: not met"


def question_text(question: str) -> str:
    """A manual question on one line."""
    return re.sub(r"\s+", " ", question).strip()

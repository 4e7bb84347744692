"""Reading one value of a profile: numbers as people write them ("1,5", "150 000",
"4.2 x10^9/L"), units, plausible ranges and dates, each problem an error naming the file,
line and field.

``ProfileValues`` is the part of the profile reader (``profile_reader``) that checks values;
the CSV reader of ``cohort`` uses ``parse_number`` to find units in cells.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from typing import Any, Callable

from .errors import PatientError, UnitError, quote
from .units import Analyte, Unit, area_exponent, compatible, convert_with_area, converter, parse_unit
from .yamlio import Document, Path_

REFERENCE_BSA_M2 = 1.73
"""Body surface area used to compare per-area values with absolute ranges."""

_NUMBER = re.compile(
    r"""(?P<sign>[+-]?)
    (?: (?P<commas>[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?)(?![\d,.])
      | (?P<spaces>[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?)(?=\s|$)
      | (?P<plain>\d+(?:[.,]\d+)?|[.,]\d+) )
    (?P<exp>[eE][+-]?\d+)?""",
    re.X,
)
_DATE = re.compile(r"\d{4}-\d\d?-\d\d?")
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}\.\d{2}0")
"""150.000 and 4.500: a European thousands separator as often as three decimals (a lab
value is rarely given to three decimals ending in 0), so neither reading is taken."""


@lru_cache(maxsize=16384)
def parse_number(text: str) -> tuple[float, str | None]:
    """(Cached: a clinic list repeats its values.) Split "4,2 x10^9/L" into (4.2, "x10^9/L"); the unit is ``None`` when absent.

    Raises ``ValueError`` when the text does not start with a number.
    """
    source = text.strip().replace("\u2212", "-")
    match = _NUMBER.match(source)
    if not match:
        raise ValueError(f"cannot read {quote(text.strip())} as a number")
    if match["commas"]:
        digits = match["commas"].replace(",", "")
    elif match["spaces"]:
        digits = re.sub(r"[ \u00a0\u202f]", "", match["spaces"]).replace(",", ".")
    else:
        if _DOT_THOUSANDS.fullmatch(match["plain"]) and not match["exp"]:
            raise ValueError(f"{quote(match['plain'])} is ambiguous: a decimal point or a thousands separator?"
                             f" write {match['plain'].replace('.', '')} or {float(match['plain']):g}")
        digits = match["plain"].replace(",", ".")
    value = float(match["sign"] + digits + (match["exp"] or ""))
    if not math.isfinite(value):
        raise ValueError(f"{quote(text.strip())} is not a finite number")
    rest = source[match.end():].strip()
    return value, rest or None


@lru_cache(maxsize=4096)
def compatible_units(source: str, target: str, analyte: Analyte | None, per_area: bool = False) -> bool:
    """``units.compatible``, cached: per-area pairs fail pint on every call otherwise."""
    return compatible(source, target, analyte, per_area)


@lru_cache(maxsize=4096)
def profile_converter(source: str, target: str, analyte: Analyte | None) -> Callable[[float], float]:
    """source -> target; per-area against absolute units at the reference BSA."""
    if area_exponent(source, target):
        slope = convert_with_area(1.0, source, target, REFERENCE_BSA_M2)
        return lambda x: x * slope
    return converter(source, target, analyte)


def number_text(value: float) -> str:
    """A number in a message, as the user would recognise it."""
    return format(value, ".10g")


def value_kind(value: Any) -> str:
    """What a YAML value is, for "expected X, not Y" messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    return quote(value) if isinstance(value, str) else repr(value)


class ProfileValues:
    """Checks of single values, for a reader of one document (``doc``, for lines) that
    knows the date the profile describes (``as_of``, once read)."""

    doc: Document
    as_of: dt.date | None

    def error(self, message: str, path: Path_ = ()) -> PatientError:
        error = self.doc.error(message, path, PatientError)
        assert isinstance(error, PatientError)
        return error

    def _check_keys(self, raw: dict, allowed: tuple[str, ...], path: Path_) -> None:
        for key in raw:
            if key not in allowed:
                raise self.error(f"unknown key {quote(str(key))} (allowed: {', '.join(allowed)})", path + (key,))

    def _number(self, raw: Any, path: Path_) -> tuple[float, str | None]:
        """A number with an optional unit: 52, 4.2, "1,5", "52 %", "4.2 x10^9/L"."""
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise self.error(f"expected a number with its unit (e.g. 52 %), not {value_kind(raw)}", path)
        if isinstance(raw, str):
            try:
                return parse_number(raw)
            except ValueError as exc:
                raise self.error(str(exc), path) from None
        if not math.isfinite(raw):
            raise self.error(f"{raw} is not a finite number", path)
        return float(raw), None

    def _unit(self, text: str | None, path: Path_) -> Unit | None:
        try:
            return parse_unit(text)
        except UnitError as exc:
            raise self.error(exc.message, path) from None

    def _check_range(self, value: float, unit_text: str | None, target: str | None,
                     bounds: tuple[float, float] | None, analyte: Analyte | None, path: Path_) -> None:
        """Outside the plausible range after conversion: most likely a typo or a wrong unit."""
        if bounds is None:
            return
        canonical = value if target is None or unit_text is None else profile_converter(unit_text, target, analyte)(value)
        low, high = bounds
        slack = 1e-9 * max(1.0, abs(low), abs(high))
        if low - slack <= canonical <= high + slack:
            return
        unit = self._unit(unit_text, path)
        shown = number_text(value) + (f" {unit.display}" if unit else "")
        if unit and target and unit.display != target:
            shown += f" ({number_text(canonical)} {target})"
        span = f"{number_text(low)} to {number_text(high)}" + (f" {target}" if target else "")
        raise self.error(f"{shown} is outside the plausible range {span}; a typo or a wrong unit?", path)

    def _date(self, raw: Any, path: Path_) -> dt.date:
        """A date: YAML dates, or text written YYYY-MM-DD (quoted dates are checked here)."""
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str) and _DATE.fullmatch(raw.strip()):
            year, month, day = (int(part) for part in raw.strip().split("-"))
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                raise self.error(f"impossible date {raw.strip()} ({exc})", path) from None
        raise self.error(f"expected a date written YYYY-MM-DD (e.g. 2026-11-20), not {value_kind(raw)}", path)

    def _past(self, date: dt.date, path: Path_) -> dt.date:
        """A date of something that happened: not after the date the profile describes
        (a lab dated next year must not count as fresh); the as_of day itself is fine."""
        if self.as_of is not None and date > self.as_of:
            raise self.error(f"{date} is after as_of {self.as_of}; a typo, or as_of is wrong?", path)
        return date

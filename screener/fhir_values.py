"""An Observation's value[x] as one exact number with its unit, or why it cannot be one.

FHIR R4 lets ``Observation.value[x]`` (and ``component.value[x]``) be a Quantity,
CodeableConcept, string, boolean, integer, Range, Ratio, SampledData, time, dateTime or
Period (https://hl7.org/fhir/R4/observation.html#value, value set
https://hl7.org/fhir/R4/valueset-permitted-data-type.html).  A criterion compares an exact
value with a limit, so only what states one exact value is read:

- ``valueQuantity`` without a ``comparator``, ``valueInteger``, and a ``valueString`` that
  is a number with an optional unit ("5.2", "5.2 mg/dL");
- a titre, as its reciprocal dilution in the unit ``titer`` (``screener/titres.py``):
  ``valueRatio`` 1:N (https://hl7.org/fhir/R4/datatypes.html#Ratio, "titers"), a
  ``valueString`` "1:160", a ``valueQuantity`` with unit ``{titer}``.

Everything else is a reason, never a value: a censored value ("<0.5": the quantity
comparator means "the actual value is less than the given value",
https://hl7.org/fhir/R4/valueset-quantity-comparator.html; the profile holds exact values
only, and reading the bound as the value could clear "< 0.3"), a range, a ratio that is
not a 1:N dilution, a yes/no or coded answer, free text, and ``dataAbsentReason``
(obs-6: present only when there is no value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from .profile_values import parse_number
from .titres import TITRE_UNIT, titre_text
from .units import format_number

_CENSORED = {"<": "below", "<=": "at or below", ">=": "at or above", ">": "above", "ad": "at least"}
_COMPARATOR_TEXT = re.compile(r"\s*(?P<cmp><=|>=|=<|=>|<|>|\u2264|\u2265)\s*(?P<rest>.*)", re.S)
_TEXT_COMPARATORS = {"=<": "<=", "=>": ">=", "\u2264": "<=", "\u2265": ">="}
_TITRE_TEXT = re.compile(r"\s*1\s*:\s*(?P<dilution>\d+(?:\.\d+)?)\s*(?:\{?tit(?:er|re)s?\}?)?\s*", re.I)
_TITRE_UNITS = {"{titer}", "{titre}", "titer", "titre", "{titers}", "{titres}"}
_RANGE_TEXT = re.compile(r"\s*[+-]?\d+(?:[.,]\d+)?\s*(?:-|\u2013|to)\s*\d", re.I)
_OTHER_VALUES = ("valueSampledData", "valueTime", "valueDateTime", "valuePeriod")
_NO_RESULT = ("no value", "ratio without")


@dataclass(frozen=True, slots=True)
class Reading:
    """One exact value and the unit it was written in (``None``: none given)."""

    value: float
    unit: str | None


def read_value(holder: Mapping[str, Any], ucum: str) -> Reading | str:
    """The exact value an Observation or component states, or why it states none."""
    if "dataAbsentReason" in holder:
        return _absent(holder["dataAbsentReason"])
    return _value(holder, ucum)


def is_result(reason: str) -> bool:
    """Whether a value that was not read is still a result (censored, a range, text...):
    a newer one makes older exact values stale; "no value" and absent data do not."""
    return not reason.startswith(_NO_RESULT)


def _value(holder: Mapping[str, Any], ucum: str) -> Reading | str:
    if holder.get("valueQuantity") is not None:
        return _quantity(holder["valueQuantity"], ucum)
    if holder.get("valueInteger") is not None:
        return Reading(float(holder["valueInteger"]), None)
    if holder.get("valueString") is not None:
        return _string(holder["valueString"])
    if holder.get("valueRatio") is not None:
        return _ratio(holder["valueRatio"])
    if holder.get("valueRange") is not None:
        return _range(holder["valueRange"])
    if holder.get("valueBoolean") is not None:
        return f"a yes/no answer ({str(holder['valueBoolean']).lower()}), not a quantity"
    if "valueCodeableConcept" in holder:
        return "coded answer, not a quantity"
    other = next((key for key in _OTHER_VALUES if key in holder), None)
    return f"a {other.removeprefix('value')} value, not a quantity" if other else "no value"


def is_titre_unit(unit: str | None) -> bool:
    return unit is not None and unit.strip().lower() in _TITRE_UNITS


def _absent(reason: Mapping[str, Any]) -> str:
    codes = [c.get("code") for c in reason.get("coding", ()) if c.get("code")]
    said = "/".join(codes) or reason.get("text") or "no reason given"
    return f"no value: data absent ({said})"


def _unit_text(quantity: Mapping[str, Any], ucum: str) -> str | None:
    code = quantity.get("code")
    return code if quantity.get("system") == ucum and code else (code or quantity.get("unit"))


def _shown(value: float, unit: str | None) -> str:
    if is_titre_unit(unit):
        return titre_text(format_number(value))
    return f"{format_number(value)} {unit}".strip() if unit else format_number(value)


def _censored(comparator: str, shown: str) -> str:
    where = _CENSORED.get(comparator, f"'{comparator}'")
    return (f"censored value {comparator} {shown} (only known to be {where} it): the profile holds"
            " exact values, so criteria on it stay unknown")


def _quantity(quantity: Mapping[str, Any], ucum: str) -> Reading | str:
    value, unit = quantity.get("value"), _unit_text(quantity, ucum)
    if value is None:
        return "no value"
    if quantity.get("comparator"):
        return _censored(quantity["comparator"], _shown(value, unit))
    return Reading(float(value), TITRE_UNIT if is_titre_unit(unit) else unit)


def _string(text: str) -> Reading | str:
    """ "5.2", "5.2 mg/dL", "1:160" are values; "<5", ">=1:1280", "2-5", "Positive" are not."""
    compared = _COMPARATOR_TEXT.fullmatch(text)
    if compared:
        comparator = _TEXT_COMPARATORS.get(compared["cmp"], compared["cmp"])
        return _censored(comparator, compared["rest"].strip())
    titre = _TITRE_TEXT.fullmatch(text)
    if titre:
        return Reading(float(titre["dilution"]), TITRE_UNIT)
    if any(mark in text for mark in "<>=\u2264\u2265"):
        return f"text {text.strip()[:40]!r}, not a number"
    if _RANGE_TEXT.match(text):
        return f"text {text.strip()!r} is a range, not one value"
    try:
        value, rest = parse_number(text)
    except ValueError:
        return f"text {text.strip()[:40]!r}, not a number"
    if rest is not None and (rest[0] in "-+:/,.;(" or rest[0].isdigit() and "*" not in rest and "^" not in rest):
        return f"text {text.strip()[:40]!r}, not a number"
    return Reading(value, TITRE_UNIT if is_titre_unit(rest) else rest)


def _ratio(ratio: Mapping[str, Any]) -> Reading | str:
    """A titre 1:N; any other ratio is not read (a criterion on a ratio variable is
    written on its quotient, which a lab sends as a quantity)."""
    numerator, denominator = ratio.get("numerator") or {}, ratio.get("denominator") or {}
    top, bottom = numerator.get("value"), denominator.get("value")
    if top is None or bottom is None:
        return "ratio without a numerator or denominator value"
    shown = f"{format_number(top)}:{format_number(bottom)}".replace(",", "")
    comparator = numerator.get("comparator") or denominator.get("comparator")
    if comparator:
        return _censored(comparator, f"ratio {shown}")
    units = [u for q in (numerator, denominator) if (u := q.get("code") or q.get("unit"))]
    if top != 1 or bottom < 1 or any(not (is_titre_unit(u) or u in ("1", "{ratio}")) for u in units):
        return f"ratio {shown}{' ' + '/'.join(units) if units else ''} is not a 1:N dilution (titre); other ratios are not read"
    return Reading(float(bottom), TITRE_UNIT)


def _range(span: Mapping[str, Any]) -> str:
    low, high = (span.get(k) or {} for k in ("low", "high"))
    shown = f"{format_number(low['value']) if 'value' in low else '?'}-{format_number(high['value']) if 'value' in high else '?'}"
    unit = high.get("code") or low.get("code") or high.get("unit") or low.get("unit") or ""
    return f"a range {shown} {unit}".rstrip() + ", not one value"

"""Checking a patient against a trial's rules: three-valued, explained, safe.

``check(rules, patient)`` evaluates every criterion's expression tree with Kleene logic
(met / not_met / unknown).  Missing or unusable data is always *unknown*, never met, so a
patient is only ``eligible`` when every inclusion is met and every exclusion is not met;
anything else that is not clearly ``ineligible`` is ``needs_review``.

Every leaf of a tree (comparison, condition, interval, manual question) yields a
``NodeResult`` with a sentence a study coordinator can read ("PaO2 55 mmHg = 7.33 kPa,
below 8 kPa: met") and, when it is unknown, the data items to collect.

Speed: unit work goes through the cached ``converter``; the unit facts this module needs
beyond it (relative units, per-area exponents and factors) are cached here too, so that
checking thousands of patients does no pint work after the first patient.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from .errors import UnitError
from .lexicon import get_lexicon
from .patient import Measurement, Patient
from .rules import (
    AllOf, AnyOf, Comparison, Condition, Criterion, Interval, Manual, NoRequirement, Node, Not, Readings, Restrict,
    RuleSet, Section, Sex, Unless,
)
from .derive import FORMULAS, Derived, Missing, derive
from .reference import default_range, limit as reference_limit
from .units import Analyte, area_exponent, convert_with_area, converter, format_number, parse_unit

Status = Literal["met", "not_met", "unknown"]
Outcome = Literal["pass", "fail", "review"]
Verdict = Literal["eligible", "ineligible", "needs_review"]

MET: Status = "met"
NOT_MET: Status = "not_met"
UNKNOWN: Status = "unknown"

REL_TOL = 1e-9
"""Relative tolerance within which two values are taken as equal."""

OP_WORDS: dict[str, str] = {
    "<": "below",
    "<=": "at or below",
    ">": "above",
    ">=": "at or above",
    "==": "equal to",
    "!=": "not equal to",
}
_OP_NEGATED: dict[str, str] = {op: f"not {words}" for op, words in OP_WORDS.items()} | {"!=": "equal to"}

DAYS_PER: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.44, "year": 365.25, "hour": 1.0 / 24.0}
"""Length of each duration unit in days."""

STATUS_WORDS: dict[str, str] = {MET: "met", NOT_MET: "not met", UNKNOWN: "unknown"}

BSA_MISSING = "height and weight (for body surface area)"


# ---------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrialRef(_Model):
    id: str | None = None
    title: str | None = None


class PatientRef(_Model):
    id: str
    source: str | None = None


class NodeResult(_Model):
    """The result of one leaf of a criterion's rule.

    ``given`` is the patient's value as recorded, ``converted`` the same value in the
    threshold's unit (when it differs), ``threshold`` the limit with its operator,
    ``missing`` the data items whose absence left the leaf unknown.  Fields that do not
    apply are left out of the JSON.
    """

    kind: Literal[
        "comparison", "condition", "interval", "sex", "none", "manual", "all", "any", "not", "unless", "restrict",
        "readings", "answer",
    ]
    status: Status
    explanation: str
    variable: str | None = Field(None, description="lexicon id of the compared variable")
    given: str | None = None
    converted: str | None = None
    threshold: str | None = None
    missing: list[str] = Field(default_factory=list)
    assumed: list[str] = Field(
        default_factory=list, description="data taken from defaults (a reference range) rather than the profile"
    )

    @model_serializer(mode="wrap")
    def _drop_empty(self, handler):
        data = handler(self)
        return {key: value for key, value in data.items() if value is not None and value != []}


class CriterionResult(_Model):
    id: str
    section: Section
    text: str
    status: Status
    outcome: Outcome = Field(description="what the status means for eligibility")
    explanation: str
    manual: bool = False
    details: list[NodeResult] = Field(default_factory=list)


class Result(_Model):
    trial: TrialRef
    patient: PatientRef
    verdict: Verdict
    criteria: list[CriterionResult]
    to_collect: list[str] = Field(default_factory=list)
    as_of: dt.date

    def deciding(self) -> list[CriterionResult]:
        """The criteria behind the verdict: those that fail when ineligible, those that
        need review when needs_review, none when eligible."""
        wanted = {"ineligible": "fail", "needs_review": "review"}.get(self.verdict)
        return [c for c in self.criteria if c.outcome == wanted]


# ---------------------------------------------------------------------------- logic


def all_of(statuses) -> Status:
    """Kleene AND: not_met if any is not_met, met if all are met, else unknown."""
    seen_unknown = False
    for status in statuses:
        if status == NOT_MET:
            return NOT_MET
        if status != MET:
            seen_unknown = True
    return UNKNOWN if seen_unknown else MET


def any_of(statuses) -> Status:
    """Kleene OR: met if any is met, not_met if all are not_met, else unknown."""
    seen_unknown = False
    for status in statuses:
        if status == MET:
            return MET
        if status != NOT_MET:
            seen_unknown = True
    return UNKNOWN if seen_unknown else NOT_MET


def negate(status: Status) -> Status:
    """Kleene NOT: swaps met and not_met, keeps unknown."""
    return NOT_MET if status == MET else MET if status == NOT_MET else UNKNOWN


def agreed(statuses) -> Status:
    """Readings of one limit: met or not met only when every reading agrees, else unknown."""
    seen = set(statuses)
    return seen.pop() if len(seen) == 1 else UNKNOWN


def restricted(group: Status, item: Status, outside: Status) -> Status:
    """A criterion for one group: ``item`` inside it, ``outside`` outside it, and an unknown
    group unknown only when the two differ."""
    if group == MET:
        return item
    if group == NOT_MET:
        return outside
    return item if item == outside else UNKNOWN


def completed(value: float) -> float:
    """Whole units completed (70.5 years is 70 completed years), tolerant of rounding noise."""
    nearest = round(value)
    return float(nearest) if math.isclose(value, nearest, rel_tol=REL_TOL, abs_tol=1e-9) else float(math.floor(value))


def outcome_of(section: str, status: Status) -> Outcome:
    """What a criterion's status means for eligibility."""
    if status == UNKNOWN:
        return "review"
    if section == "inclusion":
        return "pass" if status == MET else "fail"
    return "fail" if status == MET else "pass"


def compare(value: float, op: str, limit: float) -> bool:
    """``value op limit``, with values within a relative 1e-9 taken as equal."""
    equal = math.isclose(value, limit, rel_tol=REL_TOL, abs_tol=0.0)
    if op == "<":
        return value < limit and not equal
    if op == "<=":
        return value < limit or equal
    if op == ">":
        return value > limit and not equal
    if op == ">=":
        return value > limit or equal
    if op == "==":
        return equal
    if op == "!=":
        return not equal
    raise ValueError(f"unknown operator {op!r}")


def verdict_of(criteria: list[CriterionResult]) -> Verdict:
    """ineligible if any criterion fails, eligible only if all pass (and there is at
    least one criterion), needs_review otherwise."""
    outcomes = [c.outcome for c in criteria]
    if "fail" in outcomes:
        return "ineligible"
    if outcomes and all(o == "pass" for o in outcomes):
        return "eligible"
    return "needs_review"


# ---------------------------------------------------------------------------- cached helpers


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
def _variable_info(variable_id: str, fallback: str | None) -> tuple[str, Analyte | None]:
    """(short label, analyte for unit conversions) of a lexicon variable."""
    term = get_lexicon().variables.get(variable_id)
    if term is None:
        return (fallback or variable_id.replace("_", " "), None)
    return (short_label(term.label), term.analyte)


@lru_cache(maxsize=1024)
def _condition_label(condition_id: str, fallback: str | None) -> str:
    term = get_lexicon().conditions.get(condition_id)
    return term.label if term is not None else (fallback or condition_id.replace("_", " "))


@lru_cache(maxsize=1024)
def _event_label(event_id: str) -> str:
    term = get_lexicon().events.get(event_id)
    return term.label if term is not None else event_id.replace("_", " ")


@lru_cache(maxsize=1024)
def _relative(unit: str | None) -> str | None:
    """"ULN" / "LLN" when ``unit`` is a multiple of a limit of normal, else None."""
    try:
        parsed = parse_unit(unit)
    except UnitError:
        return None
    return parsed.relative if parsed is not None else None


@lru_cache(maxsize=1024)
def _area(source: str | None, target: str | None) -> tuple[int, float]:
    """(area exponent, factor) for absolute <-> per-area units: the converted value is
    ``value * factor / bsa ** exponent`` (``convert_with_area`` is linear in the value
    and in ``bsa ** -exponent``, so one pint call per unit pair is enough)."""
    try:
        exponent = area_exponent(source, target)
    except UnitError:
        return (0, 0.0)
    if exponent == 0 or source is None or target is None:
        return (0, 0.0)
    return (exponent, convert_with_area(1.0, source, target, 1.0))


def _plural(unit: str, value: float) -> str:
    if unit in DAYS_PER and not math.isclose(value, 1.0):
        return unit + "s"
    return unit


def _with_unit(number: str, value: float, unit: str | None) -> str:
    """A formatted number with its unit: "55 mmHg", "3 x ULN", "0.35 x 10^9/L",
    "350/uL", "60%", "12 days", "15" (unitless)."""
    if not unit:
        return number
    relative = _relative(unit)
    if relative:
        return f"{number} x {relative}"
    if unit == "%" or unit.startswith("/"):
        return f"{number}{unit}"
    if unit.startswith("10^"):
        return f"{number} x {unit}"
    return f"{number} {_plural(unit, value)}"


def quantity_text(value: float, unit: str | None) -> str:
    """A patient's value as a person writes it (3 significant digits)."""
    return _with_unit(format_number(value), value, unit)


def limit_number(value: float) -> str:
    """A threshold as written: all its digits (1.125 stays 1.125), thousands separated."""
    if float(value).is_integer():
        return format_number(value)
    return f"{value:.6g}"


def limit_text(value: float, unit: str | None) -> str:
    return _with_unit(limit_number(value), value, unit)


def shown_number(value: float, limit: float) -> str:
    """``value`` formatted so that it does not look equal to ``limit`` when it is not."""
    text = format_number(value)
    if text != limit_number(limit) or math.isclose(value, limit, rel_tol=REL_TOL):
        return text
    for digits in range(4, 13):
        text = f"{value:.{digits}g}"
        if text != f"{limit:.{digits}g}":
            break
    return text


def shown_quantity(value: float, unit: str | None, limit: float) -> str:
    return _with_unit(shown_number(value, limit), value, unit)


@lru_cache(maxsize=1024)
def _same_unit(source: str | None, target: str | None) -> bool:
    """Whether two spellings show the same unit (so a conversion need not be shown)."""
    if source == target:
        return True
    try:
        a, b = parse_unit(source), parse_unit(target)
    except UnitError:
        return False
    return (a.display if a else None) == (b.display if b else None)


def _sentence(subject: str, status: Status, op: str, limit: str) -> str:
    """"PaO2 55 mmHg = 7.33 kPa, below 8 kPa: met" / "PASP 32 mmHg is not above 55 mmHg: not met"."""
    if status == MET:
        return f"{subject}, {OP_WORDS[op]} {limit}: met"
    return f"{subject} is {_OP_NEGATED[op]} {limit}: not met"


# ---------------------------------------------------------------------------- evaluation


class _Context:
    """Per-check state: the patient, the criterion, and the leaves collected so far."""

    __slots__ = ("patient", "criterion", "leaves", "_age", "_bsa", "max_lab_age_days")

    def __init__(self, patient: Patient, max_lab_age_days: float | None = None):
        self.patient = patient
        self.max_lab_age_days = max_lab_age_days
        self.criterion: Criterion | None = None
        self.leaves: list[NodeResult] = []
        self._age: tuple[float | None] | None = None
        self._bsa: tuple[float | None] | None = None

    def age(self) -> float | None:
        if self._age is None:
            self._age = (self.patient.age_years(),)
        return self._age[0]

    def bsa(self) -> float | None:
        if self._bsa is None:
            self._bsa = (self.patient.bsa_m2(),)
        return self._bsa[0]


def _evaluate(node: Node, ctx: _Context) -> Status:
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise TypeError(f"cannot evaluate a {type(node).__name__} node")
    return handler(node, ctx)


def _group(node: AllOf | AnyOf, ctx: _Context) -> Status:
    if not node.items:
        # an empty group is a compiler slip; do not let it pass silently as met / not met
        ctx.leaves.append(
            NodeResult(kind=node.kind, status=UNKNOWN, explanation="the rule has an empty group: needs review")
        )
        return UNKNOWN
    statuses = [_evaluate(item, ctx) for item in node.items]  # every leaf is reported, no short cut
    return all_of(statuses) if isinstance(node, AllOf) else any_of(statuses)


def _not(node: Not, ctx: _Context) -> Status:
    return negate(_evaluate(node.item, ctx))


def _unless(node: Unless, ctx: _Context) -> Status:
    return all_of([_evaluate(node.item, ctx), negate(_evaluate(node.exception, ctx))])


def _restrict(node: Restrict, ctx: _Context) -> Status:
    group = _evaluate(node.group, ctx)
    if group == NOT_MET:
        outside = MET if node.outside else NOT_MET
        ctx.leaves.append(NodeResult(kind="restrict", status=outside, explanation="outside the group the criterion is for: does not apply"))
        return outside
    return restricted(group, _evaluate(node.item, ctx), MET if node.outside else NOT_MET)


def _readings(node: Readings, ctx: _Context) -> Status:
    status = agreed([_evaluate(item, ctx) for item in node.items])
    if status == UNKNOWN:
        ctx.leaves.append(NodeResult(kind="readings", status=UNKNOWN, explanation="the readings of the limit disagree"))
    return status


def _leaf(ctx: _Context, result: NodeResult) -> Status:
    ctx.leaves.append(result)
    return result.status


DISAGREEMENT_FACTOR = 1.5
"""A measured value and the one a formula computes from the same profile (creatinine
clearance and Cockcroft-Gault) that differ by more than this factor either way point to
a typo, a wrong unit or a stale value: the criterion goes to review with both values."""


def measured_vs_derived(measurement: Measurement, patient: Patient, label: str) -> str | None:
    """Why the measured value is not trusted alone, or None when no formula contradicts it."""
    if measurement.variable not in FORMULAS or measurement.value <= 0:
        return None
    others = {k: v for k, v in patient.measurements.items() if k != measurement.variable}
    derived = derive(measurement.variable, patient.model_copy(update={"measurements": others}))
    if not isinstance(derived, Derived) or derived.value <= 0:
        return None
    try:
        computed = converter(derived.unit, measurement.unit)(derived.value)
    except UnitError:
        bsa = patient.bsa_m2()
        if bsa is None or derived.unit is None or measurement.unit is None:
            return None
        try:
            computed = convert_with_area(derived.value, derived.unit, measurement.unit, bsa)
        except UnitError:
            return None
    if max(computed, measurement.value) <= DISAGREEMENT_FACTOR * min(computed, measurement.value):
        return None
    return (f"{label} measured {quantity_text(measurement.value, measurement.unit)} but"
            f" {derived.explanation()} ({quantity_text(computed, measurement.unit)}): more than"
            f" {DISAGREEMENT_FACTOR:g} times apart; check the values")


def _comparison(node: Comparison, ctx: _Context) -> Status:
    """A comparison; one restated in other units ("< 8 kPa (< 60 mmHg)") is decided only
    where every reading agrees."""
    if not node.alt:
        return _reading(node, ctx)
    return _readings(Readings(items=node.readings(), span=node.span), ctx)


def _reading(node: Comparison, ctx: _Context) -> Status:
    label, analyte = _variable_info(node.variable, node.label)
    limit = limit_text(node.value, node.unit)
    threshold = f"{node.op} {limit}"

    def unknown(explanation: str, missing: list[str], given: str | None = None) -> Status:
        return _leaf(
            ctx,
            NodeResult(
                kind="comparison", status=UNKNOWN, explanation=explanation, variable=node.variable,
                given=given, threshold=threshold, missing=missing,
            ),
        )

    if node.variable == "age":
        age = ctx.age()
        if age is None:
            return unknown("no age or birth date in the profile", ["age or birth date"])
        target = node.unit or "year"
        given = quantity_text(age, "year")
        try:
            to_target = converter("year", target)
        except UnitError as exc:
            return unknown(f"age {given} cannot be compared with {limit}: {exc.message}", [], given)
        return _finish(node, ctx, label, given, completed(to_target(age)), target, not _same_unit("year", target), threshold, limit)

    measurement = ctx.patient.measurement(node.variable)
    derivation = ""
    if measurement is None:
        derived = derive(node.variable, ctx.patient)  # a measured value always wins; else a formula may
        if isinstance(derived, Missing):
            return unknown(f"no {label} in the profile, and {derived.explanation()}", [label, *derived.inputs])
        if derived is None:
            return unknown(f"no {label} in the profile", [label])
        measurement = Measurement(variable=node.variable, name=derived.formula, value=derived.value, unit=derived.unit)
        derivation = f" ({derived.explanation().split(' by ', 1)[1]})" if " by " in derived.explanation() else ""
    value, unit = measurement.value, measurement.unit
    given = quantity_text(value, unit) + derivation + (f" ({measurement.note})" if measurement.note else "")
    stale = _stale(node, measurement, label, ctx) or _outside_window(node, measurement, label, ctx)
    if stale is not None:
        return unknown(stale[0], [stale[1]], given)
    if not derivation:
        conflict = measured_vs_derived(measurement, ctx.patient, label)
        if conflict is not None:
            return unknown(conflict, [f"{label} confirmed (measured and computed values disagree)"], given)
    if node.window is not None:
        return _open_window(node, ctx, _comparison_value(node, ctx, measurement, label, analyte, given, threshold, limit, unknown))
    return _comparison_value(node, ctx, measurement, label, analyte, given, threshold, limit, unknown)


def _comparison_value(node: Comparison, ctx: _Context, measurement: Measurement, label: str, analyte: Analyte | None,
                      given: str, threshold: str, limit: str, unknown: Callable[..., Status]) -> Status:
    """Compare a measured value with the limit, converting units, ULN multiples and areas."""
    value, unit = measurement.value, measurement.unit

    relative = _relative(node.unit)
    if relative and _relative(unit) != relative:
        normal = measurement.uln if relative == "ULN" else measurement.lln
        words = "upper" if relative == "ULN" else "lower"
        note = f" ({relative} {quantity_text(normal, unit)})" if normal else ""
        if normal is None or normal <= 0:  # the lab's own limit first, else the default adult range
            default = reference_limit(node.variable, "uln" if relative == "ULN" else "lln", unit, ctx.patient.sex)
            if default is None:
                name = f"{label} {words} limit of normal"
                sex_would_help = ctx.patient.sex is None and default_range(node.variable, "female") is not None
                missing = [name] + (["sex"] if sex_would_help else [])
                return unknown(f"{label} {given}: {name} not given and no default range applies", missing, given)
            normal, warning = default
            note = f" ({relative} {quantity_text(normal, unit)}: {warning})"
            assumed = [f"{label} {words} limit of normal from the lab"]
            return _finish(node, ctx, label, given, value / normal, node.unit, True, threshold, limit, note=note, assumed=assumed)
        ratio = value / normal
        return _finish(node, ctx, label, given, ratio, node.unit, True, threshold, limit, note=note)

    exponent, factor = _area(unit, node.unit)
    if exponent:
        bsa = ctx.bsa()
        if bsa is None:
            return unknown(
                f"{label} {given} against a limit in {node.unit}: "
                "needs height and weight to compute body surface area",
                [BSA_MISSING],
                given,
            )
        converted = value * factor / bsa**exponent
        via = f" with BSA {format_number(bsa)} m²"
        return _finish(node, ctx, label, given, converted, node.unit, True, threshold, limit, via=via)

    try:
        convert: Callable[[float], float] = converter(unit, node.unit, analyte)
    except UnitError as exc:
        return unknown(
            f"{label} {given} cannot be compared with {limit}: {exc.message}",
            [f"{label} in a unit comparable with {node.unit}" if node.unit else f"{label} as a unitless value"],
            given,
        )
    shown = not _same_unit(unit, node.unit)
    return _finish(node, ctx, label, given, convert(value), node.unit, shown, threshold, limit)


@lru_cache(maxsize=1024)
def _is_lab(variable_id: str) -> bool:
    term = get_lexicon().variables.get(variable_id)
    return term is not None and term.kind == "lab"


def _window_dates(node: Comparison, ctx: _Context) -> tuple[dt.date, dt.date] | None:
    """First and last day of the comparison's event window, when the event's date is known."""
    window = node.window
    event = ctx.patient.events.get(window.event) if window is not None else None
    if window is None or event is None:
        return None
    start = window.start.value * DAYS_PER[window.start.unit] if window.start else 0.0
    end = window.end.value * DAYS_PER[window.end.unit]
    return event + dt.timedelta(days=start), event + dt.timedelta(days=end)


def _outside_window(node: Comparison, measurement, label: str, ctx: _Context) -> tuple[str, str] | None:
    """(reason, what to collect) when the value cannot count for the criterion's event window."""
    window = node.window
    if window is None:
        return None
    event = _event_label(window.event)
    span = f"{_duration_text(window.end.value, window.end.unit)} after {event}"
    wanted = f"{label} measured within {span}"
    dates = _window_dates(node, ctx)
    if dates is None:
        return f"no date of {event} in the profile to place {label} in its window", f"date of {event}"
    if measurement.date is None:  # an undated value is taken as of the profile's date
        if dates[0] <= ctx.patient.as_of <= dates[1]:
            return None
        return f"{label} has no date and the profile's date is outside the window ({span}): it does not count", wanted
    if not dates[0] <= measurement.date <= dates[1]:
        return f"{label} dated {measurement.date.isoformat()} is outside the window ({span}): it does not count", wanted
    return None


def _open_window(node: Comparison, ctx: _Context, status: Status) -> Status:
    """A threshold not yet reached while the window is still open may still be reached: unknown."""
    dates = _window_dates(node, ctx)
    if status != NOT_MET or dates is None or ctx.patient.as_of >= dates[1]:
        return status
    leaf = ctx.leaves[-1]
    leaf.status = UNKNOWN
    leaf.explanation += f"; the window is open until {dates[1].isoformat()}, so it may still be reached (unknown)"
    return UNKNOWN


def _stale(node: Comparison, measurement, label: str, ctx: _Context) -> tuple[str, str] | None:
    """(reason, what to collect) when the value is older than the criterion's recency window
    or the configured maximum age of lab values, or undated where a window applies."""
    windows = []
    if node.within is not None:
        windows.append((node.within.value * DAYS_PER[node.within.unit], _duration_text(node.within.value, node.within.unit)))
    if ctx.max_lab_age_days is not None and _is_lab(node.variable):
        windows.append((ctx.max_lab_age_days, _duration_text(ctx.max_lab_age_days, "day")))
    if not windows:
        return None
    days, words = min(windows)
    wanted = f"{label} measured within the last {words}"
    if measurement.date is None:
        return f"{label} has no date; the value must be from the last {words}", wanted
    age = (ctx.patient.as_of - measurement.date).days
    if age > days:
        return f"{label} dated {measurement.date.isoformat()} is {age} days old; the value must be from the last {words}", wanted
    return None


def _finish(
    node: Comparison, ctx: _Context, label: str, given: str, converted: float, target: str | None,
    show_converted: bool, threshold: str, limit: str, note: str = "", via: str = "", assumed: list[str] | None = None,
) -> Status:
    """Compare the value (already in the threshold's unit) and explain:
    "<label> <given><via> = <converted><note>, <op words> <limit>: met"."""
    status = MET if compare(converted, node.op, node.value) else NOT_MET
    converted_text = shown_quantity(converted, target, node.value) if show_converted else None
    subject = f"{label} {given}{via}"
    if converted_text is not None:
        subject += f" = {converted_text}{note}"
    explanation = _sentence(subject, status, node.op, limit)
    if node.context:
        explanation += f" (assumes {label} measured {', '.join(node.context)})"
    return _leaf(
        ctx,
        NodeResult(
            kind="comparison", status=status, explanation=explanation,
            variable=node.variable, given=given, converted=converted_text, threshold=threshold, assumed=assumed or [],
        ),
    )


def _duration_text(value: float, unit: str) -> str:
    return f"{limit_number(value)} {_plural(unit, value)}"


def _condition(node: Condition, ctx: _Context) -> Status:
    label = _condition_label(node.condition, node.label)
    window = f"within {_duration_text(node.within.value, node.within.unit)}" if node.within else None
    threshold = "current" if node.timing == "current" else ("history " + window if window else "history")

    def leaf(status: Status, explanation: str, given: str | None = None, missing: list[str] | None = None) -> Status:
        return _leaf(
            ctx,
            NodeResult(
                kind="condition", status=status, explanation=explanation, given=given,
                threshold=threshold, missing=missing or [],
            ),
        )

    state = ctx.patient.conditions.get(node.condition)
    if state is None:
        return leaf(UNKNOWN, f"no record of {label} in the profile", missing=[f"{label} (present, past or absent)"])
    if state.status == "present":
        return leaf(MET, f"{label} present: met", "present")
    if state.status == "absent":
        return leaf(NOT_MET, f"{label} absent: not met", "absent")
    # past
    if node.timing == "current":
        return leaf(NOT_MET, f"{label} in the past only, not current: not met", "past")
    if node.within is None:
        return leaf(MET, f"history of {label}: met", "past")

    window_days = node.within.value * DAYS_PER[node.within.unit]
    as_of = ctx.patient.as_of
    date, which = (state.ended, "ended") if state.ended else (state.diagnosed, "diagnosed")
    if date is None:
        return leaf(
            UNKNOWN,
            f"{label} in the past, with no date to tell whether it was {window}",
            "past",
            [f"date {label} ended"],
        )
    elapsed_days = (as_of - date).days
    ago = elapsed_days / DAYS_PER[node.within.unit]
    given = f"past, {which} {date.isoformat()}"
    ago_text = f"{format_number(ago)} {_plural(node.within.unit, ago)}"
    when = f"{label} {which} {date.isoformat()}, {ago_text} before {as_of.isoformat()}"
    if elapsed_days <= window_days or math.isclose(elapsed_days, window_days, rel_tol=REL_TOL):
        return leaf(MET, f"{when}, {window}: met", given)
    if which == "ended":
        return leaf(NOT_MET, f"{when}, not {window}: not met", given)
    # only the diagnosis is before the window: it may have ended within it
    return leaf(
        UNKNOWN,
        f"{when}; its end date is needed to tell whether it was {window}",
        given,
        [f"date {label} ended"],
    )


def _interval(node: Interval, ctx: _Context) -> Status:
    start_label = _event_label(node.start)
    end_label = _event_label(node.end) if node.end else "the profile date"
    limit = _duration_text(node.value, node.unit)
    threshold = f"{node.op} {limit}"
    subject = f"time from {start_label} to {end_label}"

    def unknown(explanation: str, missing: list[str]) -> Status:
        return _leaf(
            ctx,
            NodeResult(kind="interval", status=UNKNOWN, explanation=explanation, threshold=threshold, missing=missing),
        )

    start = ctx.patient.events.get(node.start)
    end = ctx.patient.events.get(node.end) if node.end else ctx.patient.as_of
    missing = []
    if start is None:
        missing.append(f"date of {start_label}")
    if end is None:
        missing.append(f"date of {end_label}")
    if missing or start is None or end is None:
        return unknown(f"{subject}: no " + " or ".join(missing) + " in the profile", missing)
    days = (end - start).days
    if days < 0:
        return unknown(
            f"{subject}: {end_label} ({end.isoformat()}) is before {start_label} ({start.isoformat()}); "
            "check the dates",
            [f"correct dates of {start_label} and {end_label}"],
        )
    limit_days = node.value * DAYS_PER[node.unit]
    status = MET if compare(float(days), node.op, limit_days) else NOT_MET
    given = _duration_text(days, "day")
    converted = None
    if node.unit != "day":
        in_unit = days / DAYS_PER[node.unit]
        converted = f"{shown_number(in_unit, node.value)} {_plural(node.unit, in_unit)}"
    text = f"{subject} {given}" + (f" = {converted}" if converted else "")
    return _leaf(
        ctx,
        NodeResult(
            kind="interval", status=status, explanation=_sentence(text, status, node.op, limit),
            given=given, converted=converted, threshold=threshold,
        ),
    )


def _manual(node: Manual, ctx: _Context) -> Status:
    criterion_id = node.id or (ctx.criterion.id if ctx.criterion is not None else "")
    answer = ctx.patient.answers.get(criterion_id)
    question = re.sub(r"\s+", " ", node.question).strip()
    if answer is None:
        return _leaf(
            ctx,
            NodeResult(
                kind="manual", status=UNKNOWN, explanation=f"needs review: {question}",
                missing=[f"answer to {criterion_id}: {question}"],
            ),
        )
    status = MET if answer else NOT_MET
    words = "yes" if answer else "no"
    return _leaf(
        ctx,
        NodeResult(
            kind="manual", status=status, explanation=f"{question} answered {words}: {STATUS_WORDS[status]}",
            given=words,
        ),
    )


def _sex(node: Sex, ctx: _Context) -> Status:
    sex = ctx.patient.sex
    if sex is None:
        return _leaf(ctx, NodeResult(kind="sex", status=UNKNOWN, explanation="no sex in the profile",
                                     threshold=f"{node.sex} only", missing=["sex"]))
    status = MET if sex == node.sex else NOT_MET
    verb = "is" if status == MET else "is not"
    return _leaf(ctx, NodeResult(kind="sex", status=status, given=sex, threshold=f"{node.sex} only",
                                 explanation=f"patient {verb} {node.sex}: {STATUS_WORDS[status]}"))


def _no_requirement(node: NoRequirement, ctx: _Context) -> Status:
    """Nothing is asked: the criterion passes whichever section it stands in."""
    passing = MET if ctx.criterion is None or ctx.criterion.section == "inclusion" else NOT_MET
    return _leaf(ctx, NodeResult(kind="none", status=passing, explanation="no requirement stated"))


_HANDLERS: dict[type, Callable[[Any, _Context], Status]] = {  # each takes its own node type
    Sex: _sex,
    NoRequirement: _no_requirement,
    AllOf: _group,
    AnyOf: _group,
    Not: _not,
    Unless: _unless,
    Restrict: _restrict,
    Readings: _readings,
    Comparison: _comparison,
    Condition: _condition,
    Interval: _interval,
    Manual: _manual,
}


def check_criterion(criterion: Criterion, patient: Patient, ctx: _Context | None = None) -> CriterionResult:
    """Evaluate one criterion for one patient."""
    ctx = ctx or _Context(patient)
    ctx.criterion = criterion
    ctx.leaves = []
    answer = patient.answers.get(criterion.id)
    if answer is not None:  # the reviewer's judgement of the whole criterion, as written, decides it
        status: Status = MET if answer else NOT_MET
        words = "holds" if answer else "does not hold"
        ctx.leaves.append(NodeResult(kind="answer", status=status, given="yes" if answer else "no",
                                     explanation=f"answered: the criterion as written {words}"))
    else:
        status = _evaluate(criterion.rule, ctx)
    leaves = ctx.leaves
    meaning = f"{criterion.section} {STATUS_WORDS[status]}"
    if status == UNKNOWN:
        meaning += " (needs review)"
    outcome = outcome_of(criterion.section, status)
    if outcome != "review" and any(leaf.assumed for leaf in leaves):
        # a result that rests on a default reference range is shown, but never decides the verdict
        outcome = "review"
        meaning += " with a default range (needs review)"
    explanation = "; ".join(leaf.explanation for leaf in leaves)
    explanation = f"{explanation} → {meaning}" if explanation else meaning
    return CriterionResult(
        id=criterion.id,
        section=criterion.section,
        text=criterion.text,
        status=status,
        outcome=outcome,
        explanation=explanation,
        manual=criterion.manual,
        details=leaves,
    )


def check(rules: RuleSet, patient: Patient, *, max_lab_age_days: float | None = None) -> Result:
    """Check one patient against a trial's rules.

    ``max_lab_age_days``: when set, a lab value older than this (or without a date) is
    unknown for every comparison, on top of any recency window the criterion states.
    """
    ctx = _Context(patient, max_lab_age_days)
    results = [check_criterion(criterion, patient, ctx) for criterion in rules.criteria]
    to_collect: list[str] = []
    seen: set[str] = set()
    for result in results:
        if result.outcome != "review":
            continue
        for leaf in result.details:
            if leaf.status != UNKNOWN and not leaf.assumed:
                continue
            for item in leaf.missing + leaf.assumed:
                if item not in seen:
                    seen.add(item)
                    to_collect.append(item)
    return Result(
        trial=TrialRef(id=rules.trial.id, title=rules.trial.title),
        patient=PatientRef(id=patient.id, source=patient.source),
        verdict=verdict_of(results),
        criteria=results,
        to_collect=to_collect,
        as_of=patient.as_of,
    )


__all__ = [
    "CriterionResult",
    "NodeResult",
    "Outcome",
    "PatientRef",
    "Result",
    "Status",
    "TrialRef",
    "Verdict",
    "all_of",
    "any_of",
    "check",
    "check_criterion",
    "compare",
    "negate",
    "outcome_of",
    "verdict_of",
]

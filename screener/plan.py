"""The prepared plan: one evaluation engine for ``check``, ``screen``, ``match`` and the API.

A rule set is prepared once: every node becomes a small function of the patient's facts,
every comparison's limit a float in the measure's canonical unit (the lexicon's), with the
conversion from each patient unit found once and kept.  Running the plan for a patient is
then dictionary look-ups and float comparisons.

A node function takes the patient's ``Facts`` and a ``sink``.  With no sink it returns only
the status (met / not met / unknown) and stops a group as soon as its value is decided;
with a list as sink it also appends one ``NodeResult`` per leaf, worded by
``screener.wording``.  Both modes run the same code: the wording is added where a decision
is taken, never decided twice.  Statuses follow Kleene logic; missing or unusable data is
unknown, never met.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from typing import Callable, Iterable, TypeVar

from pydantic import BaseModel

from .derive import FORMULAS, Derived, Missing, derive
from .errors import UnitError
from .evaluate import (
    MET, NOT_MET, REL_TOL, UNKNOWN, CriterionResult, NodeResult, Outcome, PatientRef, Result, TrialRef, Verdict,
    completed, outcome_of,
)
from .patient import Measurement, Patient
from .rules import (
    AllOf, AnyOf, Comparison, Condition, Criterion, Interval, Manual, NoRequirement, Node, Not, Readings, Restrict,
    RuleSet, Sex, Unless, walk,
)
from .units import area_exponent, convert_with_area, converter, format_number
from .wording import (
    BSA_MISSING, DAYS_PER, STATUS_WORDS, canonical_unit, condition_label, duration_text, event_label, is_lab, limit_text,
    plural, quantity_text, question_text, relative_of, same_unit, sentence, shown_number, shown_quantity, variable_info,
)

M = TypeVar("M", bound=BaseModel)
Run = Callable[["Facts", "list[NodeResult] | None"], str]

DISAGREEMENT_FACTOR = 1.5
"""A measured value and the one a formula computes from the same profile (creatinine
clearance and Cockcroft-Gault) that differ by more than this factor either way point to
a typo, a wrong unit or a stale value: the criterion goes to review with both values."""

MADE_LIMIT = 256
"""Explained results kept per criterion (combinations of its shared leaves)."""

_FLIP: dict[str, str] = {MET: NOT_MET, NOT_MET: MET, UNKNOWN: UNKNOWN}


class _At:
    """Where a node is built: its criterion, and the leaf results that depend on no
    patient value, made once here and shared by every check (results are read-only)."""

    __slots__ = ("section", "criterion_id", "shared")

    def __init__(self, section: str, criterion_id: str) -> None:
        self.section = section
        self.criterion_id = criterion_id
        self.shared: set[int] = set()

    def share(self, kind: str, status: str, explanation: str, **fields) -> NodeResult:
        result = _node_result(kind, status, explanation, **fields)
        self.shared.add(id(result))
        return result


# ---------------------------------------------------------------------------- the patient's facts


class Facts:
    """One patient as the plan reads it: looked up once, shared by every criterion.

    ``assumed`` is set by a comparison that had to take a default reference range: such a
    criterion is shown but goes to review.
    """

    __slots__ = ("patient", "as_of", "sex", "answers", "conditions", "events", "measurements", "max_lab_age_days",
                 "assumed", "_age", "_bsa", "_derived", "_conflicts")

    def __init__(self, patient: Patient, max_lab_age_days: float | None = None) -> None:
        self.patient = patient
        self.as_of = patient.as_of
        self.sex = patient.sex
        self.answers = patient.answers
        self.conditions = patient.conditions
        self.events = patient.events
        self.measurements = patient.measurements
        self.max_lab_age_days = max_lab_age_days
        self.assumed = False
        self._age: tuple[float | None] | None = None
        self._bsa: tuple[float | None] | None = None
        self._derived: dict[str, Derived | Missing | None] = {}
        self._conflicts: dict[tuple[str, str], str | None] = {}

    def age(self) -> float | None:
        if self._age is None:
            self._age = (self.patient.age_years(),)
        return self._age[0]

    def bsa(self) -> float | None:
        if self._bsa is None:
            self._bsa = (self.patient.bsa_m2(),)
        return self._bsa[0]

    def derived(self, variable: str) -> Derived | Missing | None:
        """``derive(variable, patient)``, computed once."""
        if variable not in self._derived:
            self._derived[variable] = derive(variable, self.patient)
        return self._derived[variable]

    def conflict(self, measurement: Measurement, label: str) -> str | None:
        """``measured_vs_derived`` for the patient's own measurement, computed once."""
        key = (measurement.variable, label)
        if key not in self._conflicts:
            self._conflicts[key] = measured_vs_derived(measurement, self.patient, label)
        return self._conflicts[key]


# ---------------------------------------------------------------------------- logic


def _holds(op: str, limit: float) -> Callable[[float], bool]:
    """``value op limit`` as one closure; values within a relative 1e-9 are equal."""
    def near(value: float) -> bool:
        return math.isclose(value, limit, rel_tol=REL_TOL, abs_tol=0.0)

    tests: dict[str, Callable[[float], bool]] = {
        "<": lambda v: v < limit and not near(v),
        "<=": lambda v: v < limit or near(v),
        ">": lambda v: v > limit and not near(v),
        ">=": lambda v: v > limit or near(v),
        "==": near,
        "!=": lambda v: not near(v),
    }
    return tests[op]


def _may_assume(node: Node) -> bool:
    """Whether a default reference range may stand in somewhere in the tree: such a tree is
    evaluated whole, as the default sends the criterion to review wherever it is."""
    return any(isinstance(n, Comparison) and (relative_of(n.unit) or any(relative_of(q.unit) for q in n.alt))
               for n in walk(node))


def _group(node: AllOf | AnyOf, at: _At) -> Run:
    if not node.items:
        # an empty group is a compiler slip; do not let it pass silently as met / not met
        slip = at.share(node.kind, UNKNOWN, "the rule has an empty group: needs review")

        def empty(f: Facts, sink: list[NodeResult] | None) -> str:
            if sink is not None:
                sink.append(slip)
            return UNKNOWN
        return empty
    parts = tuple(_build(item, at) for item in node.items)
    decisive, other = (NOT_MET, MET) if isinstance(node, AllOf) else (MET, NOT_MET)
    stop = not _may_assume(node)

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        decided = undecided = False
        for part in parts:  # with a sink every leaf runs: each is reported
            status = part(f, sink)
            if status == decisive:
                if stop and sink is None:
                    return decisive
                decided = True
            elif status != other:
                undecided = True
        return decisive if decided else (UNKNOWN if undecided else other)

    return run


def _not(node: Not, at: _At) -> Run:
    item = _build(node.item, at)
    return lambda f, sink: _FLIP[item(f, sink)]


def _unless(node: Unless, at: _At) -> Run:
    """item AND NOT exception."""
    item, exception = _build(node.item, at), _build(node.exception, at)
    stop = not _may_assume(node)

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        first = item(f, sink)
        if first == NOT_MET and stop and sink is None:
            return NOT_MET
        escape = exception(f, sink)
        if first == NOT_MET or escape == MET:
            return NOT_MET
        return MET if first == MET and escape == NOT_MET else UNKNOWN

    return run


def _restrict(node: Restrict, at: _At) -> Run:
    """item inside the group, ``outside`` outside it; an unknown group is unknown only
    where the two differ."""
    group, item = _build(node.group, at), _build(node.item, at)
    outside = MET if node.outside else NOT_MET
    not_for = at.share("restrict", outside, "outside the group the criterion is for: does not apply")

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        member = group(f, sink)
        if member == NOT_MET:
            if sink is not None:
                sink.append(not_for)
            return outside
        status = item(f, sink)
        return status if member == MET or status == outside else UNKNOWN

    return run


def _readings_of(parts: tuple[Run, ...], stop: bool, at: _At) -> Run:
    """Readings of one limit: decided only where every reading agrees."""
    disagree = at.share("readings", UNKNOWN, "the readings of the limit disagree")

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        first = None
        agreed = True
        for part in parts:
            status = part(f, sink)
            if first is None:
                first = status
            if status == UNKNOWN or status != first:
                agreed = False
                if stop and sink is None:
                    return UNKNOWN
        if agreed and first is not None:
            return first
        if sink is not None:
            sink.append(disagree)
        return UNKNOWN

    return run


def _readings(node: Readings, at: _At) -> Run:
    return _readings_of(tuple(_build(item, at) for item in node.items), not _may_assume(node), at)


def _node_result(kind: str, status: str, explanation: str, **fields) -> NodeResult:
    """A leaf's result (every field is made here, so it is not validated again)."""
    return built(NodeResult, {
        "kind": kind, "status": status, "explanation": explanation, "variable": fields.get("variable"),
        "given": fields.get("given"), "converted": fields.get("converted"), "threshold": fields.get("threshold"),
        "missing": fields.get("missing") or [], "assumed": fields.get("assumed") or [],
    })


_set = object.__setattr__


def built(cls: type[M], values: dict) -> M:
    """A result model from values made by the engine, every field given: what pydantic's
    ``model_construct`` makes, without its per-field loop (a fifth of a check's time)."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


# ---------------------------------------------------------------------------- comparisons


class _Limit:
    """What one comparison needs, prepared once: names, limit in its own and in the
    canonical unit, and, per patient unit, how to read a value (``route``)."""

    __slots__ = ("node", "variable", "label", "analyte", "unit", "limit", "threshold", "holds", "holds_canonical",
                 "canonical", "relative", "routes")

    def __init__(self, node: Comparison) -> None:
        self.node = node
        self.variable = node.variable
        self.label, self.analyte = variable_info(node.variable, node.label)
        self.unit = node.unit
        self.limit = limit_text(node.value, node.unit)
        self.threshold = f"{node.op} {self.limit}"
        self.holds = _holds(node.op, float(node.value))
        self.relative = relative_of(node.unit)
        self.canonical, self.holds_canonical = self._canonical(node)
        self.routes: dict[str | None, tuple] = {}

    def _canonical(self, node: Comparison) -> tuple[str | None, Callable[[float], bool]]:
        """The lexicon's unit and the limit converted into it (the limit's own unit when
        it does not convert: the comparison is then made there)."""
        unit = canonical_unit(node.variable)
        if self.relative or unit == node.unit:
            return node.unit, self.holds
        try:
            value = converter(node.unit, unit, self.analyte)(float(node.value))
        except UnitError:
            return node.unit, self.holds
        return unit, _holds(node.op, value)

    def route(self, unit: str | None) -> tuple:
        """How a value in ``unit`` is compared: ("area", factor, exponent), ("convert",
        to compare, holds, to show) or ("error", message); found once per unit."""
        found = self.routes.get(unit)
        if found is None:
            found = self.routes[unit] = self._route(unit)
        return found

    def _route(self, unit: str | None) -> tuple:
        try:
            exponent = area_exponent(unit, self.unit)
        except UnitError:
            exponent = 0
        if exponent and unit is not None and self.unit is not None:
            return ("area", convert_with_area(1.0, unit, self.unit, 1.0), exponent)
        try:
            show = converter(unit, self.unit, self.analyte)
        except UnitError as exc:
            return ("error", exc.message)
        if self.canonical != self.unit:
            try:
                return ("convert", converter(unit, self.canonical, self.analyte), self.holds_canonical, show)
            except UnitError:
                pass
        return ("convert", show, self.holds, show)

    def unknown(self, sink: list[NodeResult] | None, explanation: str, missing: list[str], given: str | None = None) -> str:
        if sink is not None:
            sink.append(_node_result("comparison", UNKNOWN, explanation, variable=self.variable, given=given,
                                     threshold=self.threshold, missing=missing))
        return UNKNOWN

    def finish(self, sink: list[NodeResult], status: str, given: str, converted: float, target: str | None, show: bool,
               note: str = "", via: str = "", assumed: list[str] | None = None) -> None:
        """"<label> <given><via> = <converted><note>, <op words> <limit>: met"."""
        converted_text = shown_quantity(converted, target, self.node.value) if show else None
        subject = f"{self.label} {given}{via}"
        if converted_text is not None:
            subject += f" = {converted_text}{note}"
        explanation = sentence(subject, status, self.node.op, self.limit)
        if self.node.context:
            explanation += f" (assumes {self.label} measured {', '.join(self.node.context)})"
        sink.append(_node_result("comparison", status, explanation, variable=self.variable, given=given,
                                 converted=converted_text, threshold=self.threshold, assumed=assumed))


def _comparison(node: Comparison, at: _At) -> Run:
    """A comparison; one restated in other units ("< 8 kPa (< 60 mmHg)") is decided only
    where every reading agrees."""
    if node.alt:
        return _readings_of(tuple(_reading(item, at) for item in node.readings()), not _may_assume(node), at)
    return _reading(node, at)


def _reading(node: Comparison, at: _At) -> Run:
    limit = _Limit(node)
    if node.variable == "age":
        return _age(limit)
    variable, label = node.variable, limit.label
    body = variable in ("height", "weight")
    derivable = variable in FORMULAS
    dated = node.within is not None or node.window is not None
    lab = is_lab(variable)
    absent = at.share("comparison", UNKNOWN, f"no {label} in the profile", variable=variable, threshold=limit.threshold,
                      missing=[label])

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        measurement = f.patient.measurement(variable) if body else f.measurements.get(variable)
        derivation = ""
        if measurement is None:
            if not derivable:
                if sink is not None:
                    sink.append(absent)
                return UNKNOWN
            measurement, derivation = _derived(limit, f, sink)
            if measurement is None:
                return UNKNOWN
        if dated or (lab and f.max_lab_age_days is not None):
            stale = _stale(node, measurement, label, f) or _outside_window(node, measurement, label, f)
            if stale is not None:
                return limit.unknown(sink, stale[0], [stale[1]], _given(measurement, derivation))
        if derivable and not derivation:
            conflict = f.conflict(measurement, label)
            if conflict is not None:
                return limit.unknown(sink, conflict, [f"{label} confirmed (measured and computed values disagree)"],
                                     _given(measurement, derivation))
        status = _value(limit, f, measurement, derivation, sink)
        return _open_window(node, f, status, sink) if node.window is not None else status

    return run


def _given(measurement: Measurement, derivation: str) -> str:
    return (quantity_text(measurement.value, measurement.unit) + derivation
            + (f" ({measurement.note})" if measurement.note else ""))


def _age(limit: _Limit) -> Run:
    target = limit.unit or "year"
    try:
        to_target: Callable[[float], float] | None = converter("year", target)
        problem = ""
    except UnitError as exc:
        to_target, problem = None, exc.message
    show = not same_unit("year", target)

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        age = f.age()
        if age is None:
            return limit.unknown(sink, "no age or birth date in the profile", ["age or birth date"])
        if to_target is None:
            given = quantity_text(age, "year")
            return limit.unknown(sink, f"age {given} cannot be compared with {limit.limit}: {problem}", [], given)
        value = completed(to_target(age))
        status = MET if limit.holds(value) else NOT_MET
        if sink is not None:
            limit.finish(sink, status, quantity_text(age, "year"), value, target, show)
        return status

    return run


def _derived(limit: _Limit, f: Facts, sink: list[NodeResult] | None) -> tuple[Measurement | None, str]:
    """A value computed by a formula when the profile has none (a measured value always wins)."""
    derived = f.derived(limit.variable)
    if isinstance(derived, Missing):
        limit.unknown(sink, f"no {limit.label} in the profile, and {derived.explanation()}", [limit.label, *derived.inputs])
        return None, ""
    if not isinstance(derived, Derived):
        limit.unknown(sink, f"no {limit.label} in the profile", [limit.label])
        return None, ""
    measurement = Measurement(variable=limit.variable, name=derived.formula, value=derived.value, unit=derived.unit)
    text = derived.explanation()
    return measurement, (f" ({text.split(' by ', 1)[1]})" if " by " in text else "")


def _value(limit: _Limit, f: Facts, measurement: Measurement, derivation: str, sink: list[NodeResult] | None) -> str:
    """Compare a value with the limit: as a multiple of a limit of normal, per body surface
    area, or converted into the canonical unit."""
    value, unit = measurement.value, measurement.unit
    if limit.relative and relative_of(unit) != limit.relative:
        return _relative(limit, f, measurement, derivation, sink)
    route = limit.route(unit)
    if route[0] == "convert":
        status = MET if route[2](route[1](value)) else NOT_MET
        if sink is not None:
            limit.finish(sink, status, _given(measurement, derivation), route[3](value), limit.unit,
                         not same_unit(unit, limit.unit))
        return status
    if route[0] == "error":
        wanted = f"{limit.label} in a unit comparable with {limit.unit}" if limit.unit else f"{limit.label} as a unitless value"
        given = _given(measurement, derivation)
        return limit.unknown(sink, f"{limit.label} {given} cannot be compared with {limit.limit}: {route[1]}", [wanted], given)
    bsa = f.bsa()
    if bsa is None:
        given = _given(measurement, derivation)
        return limit.unknown(sink, f"{limit.label} {given} against a limit in {limit.unit}: "
                             "needs height and weight to compute body surface area", [BSA_MISSING], given)
    converted = value * route[1] / bsa ** route[2]
    status = MET if limit.holds(converted) else NOT_MET
    if sink is not None:
        limit.finish(sink, status, _given(measurement, derivation), converted, limit.unit, True,
                     via=f" with BSA {format_number(bsa)} m²")
    return status


def _relative(limit: _Limit, f: Facts, measurement: Measurement, derivation: str, sink: list[NodeResult] | None) -> str:
    """A multiple of the lab's limit of normal, else of the default adult range (shown, and
    the criterion goes to review)."""
    value, unit = measurement.value, measurement.unit
    upper = limit.relative == "ULN"
    normal = measurement.uln if upper else measurement.lln
    if normal is not None and normal > 0:
        status = MET if limit.holds(value / normal) else NOT_MET
        if sink is not None:
            note = f" ({limit.relative} {quantity_text(normal, unit)})"
            limit.finish(sink, status, _given(measurement, derivation), value / normal, limit.unit, True, note=note)
        return status
    from .reference import default_range, limit as reference_limit  # default ranges: read only when needed

    words = "upper" if upper else "lower"
    default = reference_limit(limit.variable, "uln" if upper else "lln", unit, f.sex)
    if default is None:
        name = f"{limit.label} {words} limit of normal"
        sex_would_help = f.sex is None and default_range(limit.variable, "female") is not None
        given = _given(measurement, derivation)
        return limit.unknown(sink, f"{limit.label} {given}: {name} not given and no default range applies",
                             [name] + (["sex"] if sex_would_help else []), given)
    normal, warning = default
    f.assumed = True
    status = MET if limit.holds(value / normal) else NOT_MET
    if sink is not None:
        note = f" ({limit.relative} {quantity_text(normal, unit)}: {warning})"
        limit.finish(sink, status, _given(measurement, derivation), value / normal, limit.unit, True, note=note,
                     assumed=[f"{limit.label} {words} limit of normal from the lab"])
    return status


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


def _window_dates(node: Comparison, f: Facts) -> tuple[dt.date, dt.date] | None:
    """First and last day of the comparison's event window, when the event's date is known."""
    window = node.window
    event = f.events.get(window.event) if window is not None else None
    if window is None or event is None:
        return None
    start = window.start.value * DAYS_PER[window.start.unit] if window.start else 0.0
    end = window.end.value * DAYS_PER[window.end.unit]
    return event + dt.timedelta(days=start), event + dt.timedelta(days=end)


def _outside_window(node: Comparison, measurement: Measurement, label: str, f: Facts) -> tuple[str, str] | None:
    """(reason, what to collect) when the value cannot count for the criterion's event window."""
    window = node.window
    if window is None:
        return None
    event = event_label(window.event)
    span = f"{duration_text(window.end.value, window.end.unit)} after {event}"
    wanted = f"{label} measured within {span}"
    dates = _window_dates(node, f)
    if dates is None:
        return f"no date of {event} in the profile to place {label} in its window", f"date of {event}"
    if measurement.date is None:
        return f"{label} has no date; only a value within {span} counts", wanted
    if not dates[0] <= measurement.date <= dates[1]:
        return f"{label} dated {measurement.date.isoformat()} is outside the window ({span}): it does not count", wanted
    return None


def _open_window(node: Comparison, f: Facts, status: str, sink: list[NodeResult] | None) -> str:
    """A threshold not yet reached while the window is still open may still be reached: unknown."""
    dates = _window_dates(node, f)
    if status != NOT_MET or dates is None or f.as_of >= dates[1]:
        return status
    if sink is not None:
        leaf = sink[-1]
        leaf.status = UNKNOWN
        leaf.explanation += f"; the window is open until {dates[1].isoformat()}, so it may still be reached (unknown)"
    return UNKNOWN


def _stale(node: Comparison, measurement: Measurement, label: str, f: Facts) -> tuple[str, str] | None:
    """(reason, what to collect) when the value is older than the criterion's recency window
    or the configured maximum age of lab values, or undated where a window applies."""
    windows = []
    if node.within is not None:
        windows.append((node.within.value * DAYS_PER[node.within.unit], duration_text(node.within.value, node.within.unit)))
    if f.max_lab_age_days is not None and is_lab(node.variable):
        windows.append((f.max_lab_age_days, duration_text(f.max_lab_age_days, "day")))
    if not windows:
        return None
    days, words = min(windows)
    wanted = f"{label} measured within the last {words}"
    if measurement.date is None:
        return f"{label} has no date; the value must be from the last {words}", wanted
    age = (f.as_of - measurement.date).days
    if age > days:
        return f"{label} dated {measurement.date.isoformat()} is {age} days old; the value must be from the last {words}", wanted
    return None


# ---------------------------------------------------------------------------- other leaves


def _condition(node: Condition, at: _At) -> Run:
    label = condition_label(node.condition, node.label)
    window = f"within {duration_text(node.within.value, node.within.unit)}" if node.within else None
    threshold = "current" if node.timing == "current" else ("history " + window if window else "history")
    window_days = node.within.value * DAYS_PER[node.within.unit] if node.within else 0.0
    condition, current = node.condition, node.timing == "current"
    unrecorded = at.share("condition", UNKNOWN, f"no record of {label} in the profile", threshold=threshold,
                          missing=[f"{label} (present, past or absent)"])
    present = at.share("condition", MET, f"{label} present: met", given="present", threshold=threshold)
    absent = at.share("condition", NOT_MET, f"{label} absent: not met", given="absent", threshold=threshold)
    if current:
        past = at.share("condition", NOT_MET, f"{label} in the past only, not current: not met", given="past",
                        threshold=threshold)
    elif window is None:
        past = at.share("condition", MET, f"history of {label}: met", given="past", threshold=threshold)
    fixed = {"present": (MET, present), "absent": (NOT_MET, absent)}
    if current or window is None:
        fixed["past"] = (past.status, past)

    def leaf(sink: list[NodeResult] | None, status: str, explanation: str, given: str | None = None,
             missing: list[str] | None = None) -> str:
        if sink is not None:
            sink.append(_node_result("condition", status, explanation, given=given, threshold=threshold, missing=missing))
        return status

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        state = f.conditions.get(condition)
        if state is None:
            if sink is not None:
                sink.append(unrecorded)
            return UNKNOWN
        decided = fixed.get(state.status)
        if decided is None:  # past, against a window
            return _past(node, state, f, label, window or "", window_days, sink, leaf)
        if sink is not None:
            sink.append(decided[1])
        return decided[0]

    return run


def _past(node: Condition, state, f: Facts, label: str, window: str, window_days: float,
          sink: list[NodeResult] | None, leaf: Callable[..., str]) -> str:
    """A past condition against "within N units": by its end date, else its diagnosis."""
    assert node.within is not None
    date, which = (state.ended, "ended") if state.ended else (state.diagnosed, "diagnosed")
    if date is None:
        return leaf(sink, UNKNOWN, f"{label} in the past, with no date to tell whether it was {window}", "past",
                    [f"date {label} ended"])
    elapsed_days = (f.as_of - date).days
    if sink is None:
        given = when = ""
    else:
        ago = elapsed_days / DAYS_PER[node.within.unit]
        given = f"past, {which} {date.isoformat()}"
        when = (f"{label} {which} {date.isoformat()}, {format_number(ago)} {plural(node.within.unit, ago)}"
                f" before {f.as_of.isoformat()}")
    if elapsed_days <= window_days or math.isclose(elapsed_days, window_days, rel_tol=REL_TOL):
        return leaf(sink, MET, f"{when}, {window}: met", given)
    if which == "ended":
        return leaf(sink, NOT_MET, f"{when}, not {window}: not met", given)
    # only the diagnosis is before the window: it may have ended within it
    return leaf(sink, UNKNOWN, f"{when}; its end date is needed to tell whether it was {window}", given,
                [f"date {label} ended"])


def _interval(node: Interval, at: _At) -> Run:
    start_label = event_label(node.start)
    end_label = event_label(node.end) if node.end else "the profile date"
    limit = duration_text(node.value, node.unit)
    threshold = f"{node.op} {limit}"
    subject = f"time from {start_label} to {end_label}"
    holds = _holds(node.op, node.value * DAYS_PER[node.unit])

    def unknown(sink: list[NodeResult] | None, explanation: str, missing: list[str]) -> str:
        if sink is not None:
            sink.append(_node_result("interval", UNKNOWN, explanation, threshold=threshold, missing=missing))
        return UNKNOWN

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        start = f.events.get(node.start)
        end = f.events.get(node.end) if node.end else f.as_of
        if start is None or end is None:
            missing = [f"date of {name}" for name, day in ((start_label, start), (end_label, end)) if day is None]
            return unknown(sink, f"{subject}: no " + " or ".join(missing) + " in the profile", missing)
        days = (end - start).days
        if days < 0:
            return unknown(sink, f"{subject}: {end_label} ({end.isoformat()}) is before {start_label} ({start.isoformat()}); "
                           "check the dates", [f"correct dates of {start_label} and {end_label}"])
        status = MET if holds(float(days)) else NOT_MET
        if sink is not None:
            given = duration_text(days, "day")
            converted = None
            if node.unit != "day":
                in_unit = days / DAYS_PER[node.unit]
                converted = f"{shown_number(in_unit, node.value)} {plural(node.unit, in_unit)}"
            text = f"{subject} {given}" + (f" = {converted}" if converted else "")
            sink.append(_node_result("interval", status, sentence(text, status, node.op, limit), given=given,
                                     converted=converted, threshold=threshold))
        return status

    return run


def _manual(node: Manual, at: _At) -> Run:
    answer_id = node.id or at.criterion_id
    question = question_text(node.question)
    results = {
        None: at.share("manual", UNKNOWN, f"needs review: {question}", missing=[f"answer to {answer_id}: {question}"]),
        True: at.share("manual", MET, f"{question} answered yes: met", given="yes"),
        False: at.share("manual", NOT_MET, f"{question} answered no: not met", given="no"),
    }

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        result = results[f.answers.get(answer_id)]
        if sink is not None:
            sink.append(result)
        return result.status

    return run


def _sex(node: Sex, at: _At) -> Run:
    threshold = f"{node.sex} only"
    results: dict[str | None, NodeResult] = {
        None: at.share("sex", UNKNOWN, "no sex in the profile", threshold=threshold, missing=["sex"]),
        **{sex: at.share("sex", MET if sex == node.sex else NOT_MET,
                         f"patient is {node.sex}: met" if sex == node.sex else f"patient is not {node.sex}: not met",
                         given=sex, threshold=threshold) for sex in ("female", "male")},
    }

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        result = results[f.sex]
        if sink is not None:
            sink.append(result)
        return result.status

    return run


def _no_requirement(node: NoRequirement, at: _At) -> Run:
    """Nothing is asked: the criterion passes whichever section it stands in."""
    result = at.share("none", MET if at.section == "inclusion" else NOT_MET, "no requirement stated")

    def run(f: Facts, sink: list[NodeResult] | None) -> str:
        if sink is not None:
            sink.append(result)
        return result.status

    return run


_BUILDERS: dict[type, Callable[..., Run]] = {
    AllOf: _group, AnyOf: _group, Not: _not, Unless: _unless, Restrict: _restrict, Readings: _readings,
    Comparison: _comparison, Condition: _condition, Interval: _interval, Manual: _manual, Sex: _sex,
    NoRequirement: _no_requirement,
}


def _build(node: Node, at: _At) -> Run:
    builder = _BUILDERS.get(type(node))
    if builder is None:
        raise TypeError(f"cannot evaluate a {type(node).__name__} node")
    return builder(node, at)


# ---------------------------------------------------------------------------- the plan


class Step:
    """One criterion of the plan: its rule as a function, what each status means, and the
    explained results made of shared leaves only (an unanswered question, an unrecorded
    condition), kept as they are the same for every patient they fit."""

    __slots__ = ("criterion", "id", "run", "outcomes", "answered", "shared", "made")

    def __init__(self, criterion: Criterion) -> None:
        self.criterion = criterion
        self.id = criterion.id
        at = _At(criterion.section, criterion.id)
        self.run = _build(criterion.rule, at)
        self.outcomes: dict[str, Outcome] = {s: outcome_of(criterion.section, s) for s in (MET, NOT_MET, UNKNOWN)}  # type: ignore[arg-type]
        self.answered = {answer: at.share("answer", MET if answer else NOT_MET,
                                          f"answered: the criterion as written {'holds' if answer else 'does not hold'}",
                                          given="yes" if answer else "no") for answer in (True, False)}
        self.shared = at.shared
        self.made: dict[tuple[int, ...], CriterionResult] = {}

    def outcome(self, f: Facts, sink: list[NodeResult] | None = None) -> tuple[str, Outcome]:
        """(status, outcome) for the patient; a reviewer's answer to the whole criterion
        decides it, and a result resting on a default range goes to review."""
        answer = f.answers.get(self.id)
        if answer is not None:
            leaf = self.answered[answer]
            if sink is not None:
                sink.append(leaf)
            return leaf.status, self.outcomes[leaf.status]
        f.assumed = False
        status = self.run(f, sink)
        return status, ("review" if f.assumed else self.outcomes[status])

    def explain(self, f: Facts) -> CriterionResult:
        """The criterion's result with every leaf explained."""
        leaves: list[NodeResult] = []
        status, outcome = self.outcome(f, leaves)
        key = tuple(map(id, leaves))
        if self.shared.issuperset(key):
            made = self.made.get(key)
            if made is None:
                made = self._result(status, outcome, leaves)
                if len(self.made) < MADE_LIMIT:
                    self.made[key] = made
            return made
        return self._result(status, outcome, leaves)

    def _result(self, status: str, outcome: Outcome, leaves: list[NodeResult]) -> CriterionResult:
        criterion = self.criterion
        meaning = f"{criterion.section} {STATUS_WORDS[status]}"
        if status == UNKNOWN:
            meaning += " (needs review)"
        elif outcome == "review":  # a result that rests on a default reference range never decides
            meaning += " with a default range (needs review)"
        explanation = "; ".join(leaf.explanation for leaf in leaves)
        return built(CriterionResult, {
            "id": criterion.id, "section": criterion.section, "text": criterion.text, "status": status, "outcome": outcome,
            "explanation": f"{explanation} → {meaning}" if explanation else meaning, "manual": criterion.manual,
            "details": leaves,
        })

    def wanted(self, f: Facts) -> list[str]:
        """What to collect for this criterion: the missing data of its undecided leaves and
        the defaults it rests on."""
        leaves: list[NodeResult] = []
        self.outcome(f, leaves)
        return [w for leaf in leaves if leaf.status == UNKNOWN or leaf.assumed for w in (*leaf.missing, *leaf.assumed)]


class Plan:
    """A rule set prepared once, to run for any number of patients."""

    __slots__ = ("rules", "steps", "quick", "__weakref__")

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.steps = [Step(criterion) for criterion in rules.criteria]
        self.quick = tuple(sorted(self.steps, key=lambda step: step.criterion.manual))
        """The steps in the order that finds a failing criterion soonest: what data can
        decide before what only an answer can; the last one that failed first."""

    @property
    def trial_id(self) -> str | None:
        return self.rules.trial.id

    def verdict(self, patient: Patient | Facts, *, max_lab_age_days: float | None = None) -> Verdict:
        """The verdict alone: stops at the first criterion that fails."""
        f = patient if isinstance(patient, Facts) else Facts(patient, max_lab_age_days)
        review = False
        order = self.quick  # replaced, never changed in place: safe for other threads
        for index, step in enumerate(order):
            outcome = step.outcome(f)[1]
            if outcome == "fail":
                if index:
                    self.quick = (step, *order[:index], *order[index + 1:])
                return "ineligible"
            if outcome == "review":
                review = True
        return "needs_review" if review or not self.steps else "eligible"

    def check(self, patient: Patient, *, max_lab_age_days: float | None = None) -> Result:
        """Every criterion explained, the verdict, and the data to collect."""
        f = Facts(patient, max_lab_age_days)
        results = [step.explain(f) for step in self.steps]
        return built(Result, {
            "trial": built(TrialRef, {"id": self.rules.trial.id, "title": self.rules.trial.title}), "patient": built(PatientRef, {"id": patient.id, "source": patient.source}),
            "verdict": verdict_of_outcomes([r.outcome for r in results]), "criteria": results,
            "to_collect": _to_collect(results), "as_of": patient.as_of,
        })


def verdict_of_outcomes(outcomes: Iterable[str]) -> Verdict:
    """ineligible if any criterion fails, eligible only if all pass (and there is at least
    one criterion), needs_review otherwise."""
    seen = set(outcomes)
    if "fail" in seen:
        return "ineligible"
    return "eligible" if seen == {"pass"} else "needs_review"


def _to_collect(results: list[CriterionResult]) -> list[str]:
    """The missing data of the undecided criteria, in criterion order, each once."""
    wanted: dict[str, None] = {}
    for result in results:
        if result.outcome != "review":
            continue
        for leaf in result.details:
            if leaf.status == UNKNOWN or leaf.assumed:
                wanted.update(dict.fromkeys((*leaf.missing, *leaf.assumed)))
    return list(wanted)


_PLANS: dict[int, tuple[weakref.ref, tuple[int, ...], Plan]] = {}


def plan_for(rules: RuleSet) -> Plan:
    """The plan of a rule set, prepared on first use and kept while the rule set lives.  A
    rule set whose criteria or rules were replaced since is prepared again (a node changed
    in place is not seen: prepare such a rule set with ``Plan(rules)``)."""
    key = id(rules)
    shape = (id(rules.criteria), *(id(c.rule) for c in rules.criteria))
    entry = _PLANS.get(key)
    if entry is not None and entry[0]() is rules and entry[1] == shape:
        return entry[2]
    plan = Plan(rules)
    _PLANS[key] = (weakref.ref(rules, _forget(key)), shape, plan)
    return plan


def _forget(key: int, plans: dict = _PLANS) -> Callable[[weakref.ref], None]:
    """Drop a plan when its rule set is gone (and not the plan of a newer set at that id)."""
    def forget(ref: weakref.ref) -> None:
        entry = plans.get(key)
        if entry is not None and entry[0] is ref:
            del plans[key]
    return forget


__all__ = ["DISAGREEMENT_FACTOR", "Facts", "Plan", "Step", "measured_vs_derived", "plan_for", "verdict_of_outcomes"]

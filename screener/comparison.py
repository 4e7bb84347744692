"""The comparison leaf of the plan (``screener.plan``), and the patient's facts every leaf reads.

A comparison's limit is converted once into the measure's canonical unit (the lexicon's);
for each unit a patient's value comes in, the way to compare it (a conversion, a multiple
of a limit of normal, a value per body surface area) is found once and kept.  Run without a
sink a leaf returns its status; with a sink it also appends its explained result, worded by
``screener.wording``.  Missing, stale or unconvertible values are unknown, with what to
collect.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Callable, TypeVar

from pydantic import BaseModel

from .derive import FORMULAS, Derived, Missing, derive
from .errors import UnitError
from .lazy import built
from .evaluate import MET, NOT_MET, REL_TOL, UNKNOWN, Later, Leaf, NodeResult, completed
from .patient import Measurement, Patient
from .restated import unit_readings
from .rules import Comparison, Node, walk
from .unit_kinds import kind_problem
from .units import area_exponent, canonical, convert_with_area, converter, format_number
from .wording import (
    BSA_MISSING, DAYS_PER, canonical_unit, duration_text, event_label, is_lab, limit_number, limit_text, quantity_text,
    relative_of, same_unit, sentence, shown_number, variable_info, with_unit,
)

M = TypeVar("M", bound=BaseModel)
Run = Callable[["Facts", "list[Leaf] | None"], str]

DISAGREEMENT_FACTOR = 1.5
"""A measured value and the one a formula computes from the same profile (creatinine
clearance and Cockcroft-Gault) that differ by more than this factor either way point to
a typo, a wrong unit or a stale value: the criterion goes to review with both values."""


class At:
    """Where a node is built: its criterion, and the leaf results that depend on no
    patient value, made once here and shared by every check (results are read-only)."""

    __slots__ = ("section", "criterion_id", "shared")

    def __init__(self, section: str, criterion_id: str) -> None:
        self.section = section
        self.criterion_id = criterion_id
        self.shared: set[int] = set()

    def share(self, kind: str, status: str, explanation: str, **fields) -> NodeResult:
        result = node_result(kind, status, explanation, **fields)
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


# ---------------------------------------------------------------------------- shared helpers


def holds(op: str, limit: float) -> Callable[[float], bool]:
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


def may_assume(node: Node) -> bool:
    """Whether a default reference range may stand in somewhere in the tree: such a tree is
    evaluated whole, as the default sends the criterion to review wherever it is."""
    return any(isinstance(n, Comparison) and (relative_of(n.unit) or any(relative_of(q.unit) for q in n.alt))
               for n in walk(node))


def readings_of(parts: tuple[Run, ...], stop: bool, at: At) -> Run:
    """Readings of one limit: decided only where every reading agrees."""
    disagree = at.share("readings", UNKNOWN, "the readings of the limit disagree")

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        decided: set[str] = set()
        unknown = False
        for part in parts:
            status = part(f, sink)
            if status == UNKNOWN:
                unknown = True
            else:
                decided.add(status)
            if (unknown or len(decided) > 1) and stop and sink is None:
                return UNKNOWN
        if not unknown and len(decided) == 1:
            return decided.pop()
        if sink is not None and len(decided) > 1:  # a missing value is explained by its own reading
            sink.append(disagree)
        return UNKNOWN

    return run


def node_result(kind: str, status: str, explanation: str, **fields) -> NodeResult:
    """A leaf's result (every field is made here, so it is not validated again)."""
    return built(NodeResult, {
        "kind": kind, "status": status, "explanation": explanation, "variable": fields.get("variable"),
        "given": fields.get("given"), "converted": fields.get("converted"), "threshold": fields.get("threshold"),
        "missing": fields.get("missing") or [], "assumed": fields.get("assumed") or [],
    })


def made(leaf: Leaf) -> NodeResult:
    """The leaf's result, worded now (a fresh object for one worded later)."""
    return built(NodeResult, leaf.make(*leaf.args)) if isinstance(leaf, Later) else leaf


# ---------------------------------------------------------------------------- comparisons


class _Limit:
    """What one comparison needs, prepared once: names, limit in its own and in the
    canonical unit, and, per patient unit, how to read a value (``route``)."""

    __slots__ = ("node", "variable", "label", "analyte", "unit", "limit", "threshold", "holds", "holds_canonical",
                 "canonical", "relative", "routes", "tails", "context", "limit_number")

    def __init__(self, node: Comparison) -> None:
        self.node = node
        self.variable = node.variable
        self.label, self.analyte = variable_info(node.variable, node.label)
        self.unit = node.unit
        self.limit = limit_text(node.value, node.unit)
        self.limit_number = limit_number(node.value)
        self.threshold = f"{node.op} {self.limit}"
        self.holds = holds(node.op, float(node.value))
        self.relative = relative_of(node.unit)
        self.canonical, self.holds_canonical = self._canonical(node)
        self.routes: dict[str | None, tuple] = {}
        self.tails = self._tails()
        self.context = f" (assumes {self.label} measured {', '.join(node.context)})" if node.context else ""

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
        return unit, holds(node.op, value)

    def route(self, unit: str | None) -> tuple:
        """How a value in ``unit`` is compared: ("area", factor, exponent), ("convert",
        to compare, holds, to show, whether the units differ so the conversion is shown) or
        ("error", message); found once per unit."""
        found = self.routes.get(unit)
        if found is None:
            found = self.routes[unit] = self._route(unit)
        return found

    def _route(self, unit: str | None) -> tuple:
        wrong_kind = kind_problem(self.variable, unit)  # mm/h is no clearance, though pint converts it
        if wrong_kind is not None:
            return ("error", wrong_kind)
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
                return ("convert", converter(unit, self.canonical, self.analyte), self.holds_canonical, show,
                        not same_unit(unit, self.unit))
            except UnitError:
                pass
        return ("convert", show, self.holds, show, not same_unit(unit, self.unit))

    def unknown(self, sink: list[Leaf] | None, explanation: str, missing: list[str], given: str | None = None) -> str:
        if sink is not None:
            sink.append(node_result("comparison", UNKNOWN, explanation, variable=self.variable, given=given,
                                     threshold=self.threshold, missing=missing))
        return UNKNOWN

    def finish(self, sink: list[Leaf], status: str, given: tuple, converted: float, target: str | None, show: bool,
               note: str = "", via: str = "", assumed: list[str] | None = None) -> None:
        """Append the decided comparison, worded when read (``_worded``); ``given`` is how to
        word the patient's value: a function and its arguments."""
        sink.append(Later((status, self._worded, (status, given, converted, target, show, note, via, assumed), assumed or ())))

    def _worded(self, status: str, value: tuple, converted: float, target: str | None, show: bool, note: str, via: str,
                assumed: list[str] | None) -> dict:
        """The result's fields: "<label> <given><via> = <converted><note>, <op words> <limit>: met"."""
        given: str = value[0](value[1], value[2])  # (quantity_text, value, unit) or (_given, measurement, derivation)
        subject = f"{self.label} {given}{via}"
        converted_text = None
        if show:  # shown_number with the limit's number worded once (a value shown as the limit is rare)
            number = format_number(converted)
            if number == self.limit_number:
                number = shown_number(converted, self.node.value)
            converted_text = with_unit(number, converted, target)
            subject += f" = {converted_text}{note}"
        tail = self.tails.get(status)
        explanation = (subject + tail if tail is not None else sentence(subject, status, self.node.op, self.limit)) + self.context
        return {
            "kind": "comparison", "status": status, "explanation": explanation, "variable": self.variable, "given": given,
            "converted": converted_text, "threshold": self.threshold, "missing": [], "assumed": assumed or [],
        }

    def _tails(self) -> dict[str, str]:
        """What ``sentence`` adds after the subject, per status, where it only adds (worded
        once here rather than for every patient)."""
        tails: dict[str, str] = {}
        for status in (MET, NOT_MET):
            probe = sentence("\x00", status, self.node.op, self.limit)
            if probe.startswith("\x00") and probe.count("\x00") == 1:
                tails[status] = probe[1:]
        return tails


def comparison(node: Comparison, at: At) -> Run:
    """A comparison; one restated in other units ("< 8 kPa (< 60 mmHg)") compares a value in
    one of them with the limit written in it, and is otherwise decided only where every
    reading agrees (``screener.restated``)."""
    if not node.alt:
        return _reading(node, at)
    every = readings_of(tuple(_reading(item, at) for item in node.readings()), not may_assume(node), at)
    own = {unit: _reading(reading, at) for unit, reading in unit_readings(node).items()}
    if not own:
        return every
    variable, body = node.variable, node.variable in ("height", "weight")

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        measurement = f.patient.measurement(variable) if body else f.measurements.get(variable)
        unit = canonical(measurement.unit) if measurement is not None else None
        return own.get(unit or "", every)(f, sink)

    return run


def _reading(node: Comparison, at: At) -> Run:
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

    def run(f: Facts, sink: list[Leaf] | None) -> str:
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
    value = measurement.value  # quantity_text, inlined
    return (with_unit(format_number(value), value, measurement.unit) + derivation
            + (f" ({measurement.note})" if measurement.note else ""))


def _age(limit: _Limit) -> Run:
    target = limit.unit or "year"
    try:
        to_target: Callable[[float], float] | None = converter("year", target)
        problem = ""
    except UnitError as exc:
        to_target, problem = None, exc.message
    show = not same_unit("year", target)

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        age = f.age()
        if age is None:
            return limit.unknown(sink, "no age or birth date in the profile", ["age or birth date"])
        if to_target is None:
            given = quantity_text(age, "year")
            return limit.unknown(sink, f"age {given} cannot be compared with {limit.limit}: {problem}", [], given)
        value = completed(to_target(age))
        status = MET if limit.holds(value) else NOT_MET
        if sink is not None:
            limit.finish(sink, status, (quantity_text, age, "year"), value, target, show)
        return status

    return run


def _derived(limit: _Limit, f: Facts, sink: list[Leaf] | None) -> tuple[Measurement | None, str]:
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


def _value(limit: _Limit, f: Facts, measurement: Measurement, derivation: str, sink: list[Leaf] | None) -> str:
    """Compare a value with the limit: as a multiple of a limit of normal, per body surface
    area, or converted into the canonical unit."""
    value, unit = measurement.value, measurement.unit
    if limit.relative and relative_of(unit) != limit.relative:
        return _relative(limit, f, measurement, derivation, sink)
    route = limit.routes.get(unit) or limit.route(unit)
    if route[0] == "convert":
        status = MET if route[2](route[1](value)) else NOT_MET
        if sink is not None:
            limit.finish(sink, status, (_given, measurement, derivation), route[3](value), limit.unit, route[4])
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
        limit.finish(sink, status, (_given, measurement, derivation), converted, limit.unit, True,
                     via=f" with BSA {format_number(bsa)} m²")
    return status


def _relative(limit: _Limit, f: Facts, measurement: Measurement, derivation: str, sink: list[Leaf] | None) -> str:
    """A multiple of the lab's limit of normal, else of the default adult range (shown, and
    the criterion goes to review)."""
    value, unit = measurement.value, measurement.unit
    upper = limit.relative == "ULN"
    normal = measurement.uln if upper else measurement.lln
    if normal is not None and normal > 0:
        status = MET if limit.holds(value / normal) else NOT_MET
        if sink is not None:
            note = f" ({limit.relative} {quantity_text(normal, unit)})"
            limit.finish(sink, status, (_given, measurement, derivation), value / normal, limit.unit, True, note=note)
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
        limit.finish(sink, status, (_given, measurement, derivation), value / normal, limit.unit, True, note=note,
                     assumed=[f"{limit.label} {words} limit of normal from the lab"])
    return status


def measured_vs_derived(measurement: Measurement, patient: Patient, label: str) -> str | None:
    """Why the measured value is not trusted alone, or None when no formula contradicts it."""
    if measurement.variable not in FORMULAS or measurement.value <= 0:
        return None
    derived = derive(measurement.variable, patient, measured=False)
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
    if measurement.date is None:  # an undated value is taken as of the profile's date
        if dates[0] <= f.as_of <= dates[1]:
            return None
        return f"{label} has no date and the profile's date is outside the window ({span}): it does not count", wanted
    if not dates[0] <= measurement.date <= dates[1]:
        return f"{label} dated {measurement.date.isoformat()} is outside the window ({span}): it does not count", wanted
    return None


def _open_window(node: Comparison, f: Facts, status: str, sink: list[Leaf] | None) -> str:
    """A threshold not yet reached while the window is still open may still be reached: unknown."""
    dates = _window_dates(node, f)
    if status != NOT_MET or dates is None or f.as_of >= dates[1]:
        return status
    if sink is not None:
        leaf = sink[-1] = made(sink[-1])  # worded now: its words change (a result of its own, never shared)
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


__all__ = [
    "DISAGREEMENT_FACTOR", "At", "Facts", "Run", "built", "comparison", "holds", "may_assume", "measured_vs_derived",
    "node_result", "readings_of",
]

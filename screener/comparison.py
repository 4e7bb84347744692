"""The comparison leaf of the plan (``screener.plan``): a value read from the patient's facts
(``screener.facts``) and compared with its prepared limit (``screener.limit``).

A comparison's limit is converted once into the measure's canonical unit (the lexicon's);
for each unit a patient's value comes in, the way to compare it (a conversion, a multiple
of a limit of normal, a value per body surface area) is found once and kept.  Run without a
sink a leaf returns its status; with a sink it also appends its explained result, worded by
``screener.wording``.  Missing, stale or unconvertible values are unknown, with what to
collect.
"""

from __future__ import annotations

from typing import Callable

from .dated import EventWindow, open_window, stale
from .derive import FORMULAS, Derived, Missing
from .errors import UnitError
from .evaluate import MET, NOT_MET, UNKNOWN, Leaf, completed
from .facts import DISAGREEMENT_FACTOR, At, Facts, Run, holds, may_assume, measured_vs_derived, node_result, readings_of
from .lazy import built
from .limit import Limit, given_text
from .patient import Measurement
from .restated import unit_readings
from .rules import Comparison
from .units import canonical, converter, format_number
from .wording import BSA_MISSING, is_lab, quantity_text, same_unit


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
    limit = Limit(node)
    if node.variable == "age":
        return _age(limit)
    variable, label = node.variable, limit.label
    body = variable in ("height", "weight")
    derivable = variable in FORMULAS
    window = EventWindow(node.window, label) if node.window is not None else None
    dated = node.within is not None or window is not None
    lab = is_lab(variable)
    routes, said = limit.routes, limit.said
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
        dates = window.dates(f) if window is not None else None
        if dated or (lab and f.max_lab_age_days is not None):
            late = stale(node, measurement, label, f) or (window.outside(measurement, f, dates) if window is not None else None)
            if late is not None:
                return limit.unknown(sink, late[0], [late[1]], given_text(measurement, derivation))
        if derivable and not derivation:
            conflict = f.conflict(measurement, label)
            if conflict is not None:
                return limit.unknown(sink, conflict, [f"{label} confirmed (measured and computed values disagree)"],
                                     given_text(measurement, derivation))
        route = routes.get(measurement.unit) or limit.route(measurement.unit)
        if route[0] == "convert":  # _value's first case, inlined: most comparisons
            status: str = MET if route[2](route[1](measurement.value)) else NOT_MET
            if sink is not None:
                sink.append((status, said, (status, measurement, derivation, route), ()))
        else:
            status = _value(limit, f, measurement, derivation, route, sink)
        return open_window(f, status, sink, dates) if window is not None else status

    return run


def _age(limit: Limit) -> Run:
    target = limit.unit or "year"
    try:
        to_target: Callable[[float], float] | None = converter("year", target)
        problem = ""
    except UnitError as exc:
        to_target, problem = None, exc.message
    show = not same_unit("year", target)
    say, said, test = limit.say, limit.said_age, limit.holds
    years = target == "year" and not show  # worded by said_age

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        age = f.age()
        if age is None:
            return limit.unknown(sink, "no age or birth date in the profile", ["age or birth date"])
        if to_target is None:
            given = quantity_text(age, "year")
            return limit.unknown(sink, f"age {given} cannot be compared with {limit.limit}: {problem}", [], given)
        value = f.ages.get(target)
        if value is None:  # the same for every age limit in that unit
            value = f.ages[target] = completed(to_target(age))
        status = MET if test(value) else NOT_MET
        if sink is not None:
            if years:
                sink.append((status, said, (status, age), ()))
            else:
                sink.append((status, say, (status, (quantity_text, age, "year"), value, target, show, "", ""), ()))
        return status

    return run


def _derived(limit: Limit, f: Facts, sink: list[Leaf] | None) -> tuple[Measurement | None, str]:
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


def _value(limit: Limit, f: Facts, measurement: Measurement, derivation: str, route: tuple,
           sink: list[Leaf] | None) -> str:
    """Compare a value with the limit on its ``route``: as a multiple of a limit of normal,
    per body surface area, or converted into the canonical unit."""
    value = measurement.value
    if route[0] == "relative":
        return _relative(limit, f, measurement, derivation, sink)
    if route[0] == "convert":
        status = MET if route[2](route[1](value)) else NOT_MET
        if sink is not None:
            sink.append((status, limit.said, (status, measurement, derivation, route), ()))
        return status
    if route[0] == "error":
        wanted = f"{limit.label} in a unit comparable with {limit.unit}" if limit.unit else f"{limit.label} as a unitless value"
        given = given_text(measurement, derivation)
        return limit.unknown(sink, f"{limit.label} {given} cannot be compared with {limit.limit}: {route[1]}", [wanted], given)
    bsa = f.bsa()
    if bsa is None:
        given = given_text(measurement, derivation)
        return limit.unknown(sink, f"{limit.label} {given} against a limit in {limit.unit}: "
                             "needs height and weight to compute body surface area", [BSA_MISSING], given)
    converted = value * route[1] / bsa ** route[2]
    status = MET if limit.holds(converted) else NOT_MET
    if sink is not None:
        limit.finish(sink, status, (given_text, measurement, derivation), converted, limit.unit, True,
                     via=f" with BSA {format_number(bsa)} m²")
    return status


def _relative(limit: Limit, f: Facts, measurement: Measurement, derivation: str, sink: list[Leaf] | None) -> str:
    """A multiple of the lab's limit of normal, else of the default adult range (shown, and
    the criterion goes to review)."""
    value, unit = measurement.value, measurement.unit
    upper = limit.relative == "ULN"
    normal = measurement.uln if upper else measurement.lln
    if normal is not None and normal > 0:
        status = MET if limit.holds(value / normal) else NOT_MET
        if sink is not None:
            sink.append((status, limit.said_relative, (status, measurement, derivation, normal, None), ()))
        return status
    from .reference import default_range, limit as reference_limit  # default ranges: read only when needed

    words = "upper" if upper else "lower"
    default = reference_limit(limit.variable, "uln" if upper else "lln", unit, f.sex)
    if default is None:
        name = f"{limit.label} {words} limit of normal"
        sex_would_help = f.sex is None and default_range(limit.variable, "female") is not None
        given = given_text(measurement, derivation)
        return limit.unknown(sink, f"{limit.label} {given}: {name} not given and no default range applies",
                             [name] + (["sex"] if sex_would_help else []), given)
    normal, warning = default
    f.assumed = True
    status = MET if limit.holds(value / normal) else NOT_MET
    if sink is not None:
        sink.append((status, limit.said_relative, (status, measurement, derivation, normal, warning),
                     [f"{limit.label} {words} limit of normal from the lab"]))
    return status

__all__ = [
    "DISAGREEMENT_FACTOR", "At", "Facts", "Run", "built", "comparison", "holds", "may_assume", "measured_vs_derived",
    "node_result", "readings_of",
]

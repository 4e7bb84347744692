"""Shared by the SQL agreement tests: rules compiled from corpus trials, and random
patients aimed at those rules' limits (missing values, other units, values on the
boundaries, conditions and events with dates), compared with the Python engine."""

from __future__ import annotations

import datetime as dt
import json
import random
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

from screener import check
from screener.compiler import compile_source
from screener.lexicon import get_lexicon
from screener.patient import ConditionState, Measurement, Patient
from screener.rules import Comparison, Condition, Interval, Manual, RuleSet, load_rules, walk
from screener.sources import from_record
from screener.sql_units import conversion, known_units
from screener.units import converter

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "trials.jsonl"
AS_OF = dt.date(2026, 11, 20)


@lru_cache(maxsize=1)
def rule_pool() -> tuple[RuleSet, ...]:
    """The two seed trials and corpus trials (a fixed random sample) with computable rules."""
    pool = [load_rules(path) for path in sorted((ROOT / "rules").glob("*.yaml"))]
    if CORPUS.exists():
        lines = CORPUS.read_text(encoding="utf-8").splitlines()
        for line in random.Random(11).sample(lines, 60):
            rules = compile_source(from_record(json.loads(line)))
            kinds = {n.kind for c in rules.criteria for n in walk(c.rule)}
            if kinds & {"comparison", "condition", "interval"}:
                pool.append(rules)
    return tuple(pool)


def _units_of(variable: str) -> list[str | None]:
    term = get_lexicon().variables.get(variable)
    if term is None:
        return [None]
    found = [u for u in known_units() if conversion(variable, u) is not None]
    return [term.unit, *found] if found else [term.unit]


def _in_unit(node: Comparison, unit: str | None) -> float | None:
    """The rule's limit written in ``unit`` (None when it does not convert directly)."""
    term = get_lexicon().variables.get(node.variable)
    try:
        return converter(node.unit, unit, term.analyte if term else None)(node.value)
    except Exception:
        return None


FACTORS = [1.0, 1.0, 1.0 + 1e-12, 1.0 - 1e-12, 0.5, 0.9, 1.1, 2.0, 0.0]


@st.composite
def measurement(draw, node: Comparison) -> Measurement | None:
    term = get_lexicon().variables.get(node.variable)
    if term is None or draw(st.integers(0, 5)) == 0:
        return None
    date = draw(st.sampled_from([None, AS_OF, AS_OF - dt.timedelta(days=draw(st.sampled_from([1, 13, 14, 15, 29, 31, 100, 800])))]))
    relative = node.unit in ("ULN", "LLN")
    if relative:
        normal = draw(st.sampled_from([None, 40.0, 1.2, 0.0]))
        value = (normal or draw(st.sampled_from([40.0, 1.0, 56.0]))) * node.value * draw(st.sampled_from(FACTORS))
        unit = term.unit
        limits = {"uln" if node.unit == "ULN" else "lln": normal} if normal is not None else {}
        return Measurement(variable=node.variable, name=node.variable, value=value, unit=unit, date=date, **limits)
    unit = draw(st.sampled_from(_units_of(node.variable)))
    limit = _in_unit(node, unit)
    if limit is None:
        limit = float(node.value)
        unit = term.unit
    value = limit * draw(st.sampled_from(FACTORS))
    return Measurement(variable=node.variable, name=node.variable, value=value, unit=unit, date=date)


@st.composite
def patients(draw, rule_sets: list[RuleSet], number: int) -> Patient:
    nodes = [n for rules in rule_sets for c in rules.criteria for n in walk(c.rule)]
    ids = [f"{rules.trial.id}/{c.id}" for rules in rule_sets for c in rules.criteria]  # answers for one trial each
    ids += [f"{rules.trial.id}/{n.id}" for rules in rule_sets for c in rules.criteria for n in walk(c.rule)
            if isinstance(n, Manual) and n.id]
    age_limits = [n.value for n in nodes if isinstance(n, Comparison) and n.variable == "age" and n.unit in (None, "year")] or [50]
    measurements: dict[str, Measurement] = {}
    for node in nodes:
        if isinstance(node, Comparison) and node.variable not in ("age", "height", "weight") and node.variable not in measurements:
            found = draw(measurement(node))
            if found is not None:
                measurements[node.variable] = found
    for variable, unit, values in (("creatinine", "mg/dL", [0.6, 1.0, 1.5, 3.0]), ("creatinine", "umol/L", [60.0, 132.6]),
                                   ("qt", "ms", [420.0]), ("heart_rate", "1/min", [60.0, 90.0]), ("pao2", "kPa", [8.0])):
        if variable not in measurements and draw(st.booleans()):
            measurements[variable] = Measurement(variable=variable, name=variable, value=draw(st.sampled_from(values)), unit=unit)
    conditions = {}
    for node in nodes:
        if isinstance(node, Condition) and node.condition not in conditions:
            status = draw(st.sampled_from([None, "present", "past", "absent"]))
            if status:
                years = draw(st.sampled_from([None, 1, 3, 5, 10]))
                date = AS_OF - dt.timedelta(days=round(years * 365.25) + draw(st.sampled_from([-1, 0, 1]))) if years else None
                which = draw(st.sampled_from(["ended", "diagnosed"]))
                conditions[node.condition] = ConditionState(condition=node.condition, name=node.condition, status=status,
                                                            **({which: date} if status == "past" and date else {}))
    events = {}
    for node in nodes:
        for event in ((node.start, node.end) if isinstance(node, Interval) else ()):
            if event and event not in events and draw(st.integers(0, 4)):
                events[event] = AS_OF - dt.timedelta(days=draw(st.sampled_from([0, 1, 6, 7, 8, 13, 14, 15, 27, 28, 29, 30, 31, 60, 200])))
    age_kind = draw(st.sampled_from(["birth", "birth", "age", "none"]))
    limit = draw(st.sampled_from(age_limits))
    birth = AS_OF.replace(year=AS_OF.year - int(limit)) + dt.timedelta(days=draw(st.sampled_from([-400, -1, 0, 1, 400])))
    return Patient(
        id=f"P{number}", as_of=AS_OF, sex=draw(st.sampled_from(["female", "male", None])),
        birth_date=birth if age_kind == "birth" else None,
        age=float(limit) + draw(st.sampled_from([-0.5, 0.0, 0.5, 1.0])) if age_kind == "age" else None,
        height_cm=draw(st.sampled_from([None, 150.0, 175.0])), weight_kg=draw(st.sampled_from([None, 45.0, 80.0, 120.0])),
        measurements=measurements, conditions=conditions, events=events,
        answers={i: draw(st.booleans()) for i in ids if draw(st.integers(0, 9)) == 0},
    )


def cohorts(size: int, trials: int = 3):
    """(rule sets, patients): one to ``trials`` trials of the pool, ``size`` patients aimed at them."""
    return st.lists(st.sampled_from(rule_pool()), min_size=1, max_size=trials, unique_by=lambda r: r.trial.id).flatmap(
        lambda rule_sets: st.tuples(st.just(rule_sets), st.tuples(*(patients(rule_sets, n) for n in range(size))))
    )


def expected(rule_sets: list[RuleSet], people) -> dict[tuple[str, str], tuple]:
    """The Python engine's (verdict, failing, undecided, to_collect) by (patient, trial)."""
    out = {}
    for patient in people:
        for rules in rule_sets:
            result = check(rules, patient)
            out[(patient.id, rules.trial.id)] = (
                result.verdict, [c.id for c in result.criteria if c.outcome == "fail"],
                [c.id for c in result.criteria if c.outcome == "review"], sorted(result.to_collect),
            )
    return out


def patients_for(rules: RuleSet, size: int):
    """``size`` patients aimed at one trial's limits."""
    return st.tuples(*(patients([rules], n) for n in range(size)))

"""Screening many patients against many trials.

``check`` explains every criterion, which costs a few hundred microseconds per trial.
A clinic list against every open trial needs verdicts fast and explanations only where a
person reads them.  ``prepare`` turns each criterion's rule into closures over plain floats
(thresholds converted once per unit, patient values converted once per unit pair); a rule
the closures do not cover (derived values, default reference ranges, time windows, recency)
falls back to the full engine for that criterion, so both paths give the same answers
(``tests/test_screen.py`` checks that property).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from pydantic import BaseModel, Field

from .answers import AnswerIndex
from .derive import FORMULAS
from .errors import UnitError, escape_controls
from .evaluate import (
    DAYS_PER,
    MET,
    NOT_MET,
    REL_TOL,
    UNKNOWN,
    _condition_label,
    _Context,
    _event_label,
    _variable_info,
    agreed,
    check_criterion,
    completed,
    outcome_of,
    restricted,
)
from .pages import stream_page
from .patient import Patient
from .report import DISCLAIMER
from .rules import (
    AllOf, AnyOf, Comparison, Condition, Criterion, Interval, Manual, NoRequirement, Node, Not, Readings, Restrict,
    RuleSet, Sex, Unless,
)
from .provenance import Provenance
from .units import area_exponent, converter, unit_or_none

SLOW = "slow"
"""A leaf the fast path leaves to the full engine (statuses are interned strings: compared by identity)."""

Leaf = Callable[[Patient, list[str]], str]


class ScreenResult(BaseModel):
    """One patient against one trial: the verdict, why, and what to collect next."""

    patient: str
    trial: str | None
    as_of: str | None = None
    verdict: str = Field(description="eligible | ineligible | needs_review | error")
    reasons: list[str] = Field(default_factory=list, description="the criteria that exclude, with their explanation")
    to_collect: list[str] = Field(default_factory=list)
    unknown: int = Field(0, description="how many criteria could not be decided")
    error: str | None = None


@dataclass
class PreparedCriterion:
    criterion: Criterion
    fast: Callable[[Patient, list[str]], str] | None  # None: always the full engine
    outcomes: dict[str, str] = field(default_factory=dict)  # status -> pass / fail / review for its section

    def __post_init__(self) -> None:
        self.outcomes = {status: outcome_of(self.criterion.section, status) for status in (MET, NOT_MET, UNKNOWN)}


@dataclass
class PreparedRules:
    """A rule set ready for many patients."""

    rules: RuleSet
    criteria: list[PreparedCriterion] = field(default_factory=list)

    @property
    def trial_id(self) -> str | None:
        return self.rules.trial.id


def prepare(rules: RuleSet) -> PreparedRules:
    """Compile each criterion's rule into closures; done once per rule set."""
    return PreparedRules(rules, [PreparedCriterion(c, _compile(c.rule, c)) for c in rules.criteria])


# ---------------------------------------------------------------------------- compiling


def _compile(node: Node, criterion: Criterion) -> Callable[[Patient, list[str]], str] | None:
    if isinstance(node, (AllOf, AnyOf)):
        parts = [_compile(item, criterion) for item in node.items]
        compiled = [part for part in parts if part is not None]
        if not parts or len(compiled) != len(parts):
            return None
        return _group(compiled, isinstance(node, AllOf))
    if isinstance(node, Not):
        inner = _compile(node.item, criterion)
        return None if inner is None else _negated(inner)
    if isinstance(node, Unless):
        item, exception = _compile(node.item, criterion), _compile(node.exception, criterion)
        return None if item is None or exception is None else _group([item, _negated(exception)], True)
    if isinstance(node, Restrict):
        group, item = _compile(node.group, criterion), _compile(node.item, criterion)
        return None if group is None or item is None else _restricted(group, item, MET if node.outside else NOT_MET)
    if isinstance(node, Readings):
        parts = [_compile(item, criterion) for item in node.items]
        known = [part for part in parts if part is not None]
        return _agreed(known) if known and len(known) == len(parts) else None
    if isinstance(node, Comparison) and node.alt:
        return _compile(Readings(items=node.readings(), span=node.span), criterion)
    if isinstance(node, Comparison):
        return _comparison(node)
    if isinstance(node, Condition):
        return _condition(node)
    if isinstance(node, Manual):
        return _manual(node, node.id or criterion.id)
    if isinstance(node, Sex):
        return _sex(node)
    if isinstance(node, NoRequirement):
        passing = MET if criterion.section == "inclusion" else NOT_MET
        return lambda patient, missing: passing
    if isinstance(node, Interval):
        return _interval(node)
    return None


def _group(parts: list[Leaf], every: bool) -> Leaf:
    decisive, other = (NOT_MET, MET) if every else (MET, NOT_MET)

    def run(patient: Patient, missing: list[str]) -> str:
        decided = undecided = False
        for part in parts:  # every leaf runs, as the full engine reports them all
            status = part(patient, missing)
            if status is SLOW:
                return SLOW
            if status is decisive:
                decided = True
            elif status is not other:
                undecided = True
        return decisive if decided else (UNKNOWN if undecided else other)

    return run


def _restricted(group: Leaf, item: Leaf, outside: str) -> Leaf:
    def run(patient: Patient, missing: list[str]) -> str:
        in_group = group(patient, missing)
        if in_group is SLOW or in_group is NOT_MET:
            return SLOW if in_group is SLOW else outside
        status = item(patient, missing)
        return SLOW if status is SLOW else restricted(in_group, status, outside)  # type: ignore[arg-type]

    return run


def _agreed(parts: list[Leaf]) -> Leaf:
    def run(patient: Patient, missing: list[str]) -> str:
        statuses = [part(patient, missing) for part in parts]
        return SLOW if SLOW in statuses else agreed(statuses)

    return run


def _negated(inner: Leaf) -> Leaf:
    flip: dict[str, str] = {MET: NOT_MET, NOT_MET: MET}

    def run(patient: Patient, missing: list[str]) -> str:
        status = inner(patient, missing)
        return flip.get(status, status)

    return run


def _test(op: str, limit: float) -> Callable[[float], bool]:
    """``value op limit`` as one closure, with ``compare``'s tolerance (values within a
    relative 1e-9 are equal), so that no operator is looked up per patient."""
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


def _comparison(node: Comparison) -> Leaf | None:
    if node.within is not None or node.window is not None:
        return None
    holds = _test(node.op, float(node.value))
    label, analyte = _variable_info(node.variable, node.label)
    parsed = unit_or_none(node.unit)
    relative = parsed.relative if parsed is not None else None
    derivable = node.variable in FORMULAS
    conversions: dict[str | None, Callable[[float], float] | None] = {}

    def convert(unit: str | None) -> Callable[[float], float] | None:
        if unit not in conversions:
            try:
                conversions[unit] = None if area_exponent(unit, node.unit) else converter(unit, node.unit, analyte)
            except UnitError:
                conversions[unit] = None
        return conversions[unit]

    if node.variable == "age":
        def run_age(patient: Patient, missing: list[str]) -> str:
            age = patient.age_years()
            if age is None:
                missing.append("age or birth date")
                return UNKNOWN
            to_unit = convert("year")
            return SLOW if to_unit is None else (MET if holds(completed(to_unit(age))) else NOT_MET)
        return run_age

    def run(patient: Patient, missing: list[str]) -> str:
        if derivable:  # computed, or measured and checked against the formula: the full engine
            return SLOW
        measurement = patient.measurement(node.variable)
        if measurement is None:
            missing.append(label)
            return UNKNOWN
        if relative:
            normal = measurement.uln if relative == "ULN" else measurement.lln
            if not normal or normal <= 0 or measurement.unit in ("ULN", "LLN"):
                return SLOW
            return MET if holds(measurement.value / normal) else NOT_MET
        to_unit = convert(measurement.unit)
        if to_unit is None:
            return SLOW
        return MET if holds(to_unit(measurement.value)) else NOT_MET

    return run


def _condition(node: Condition) -> Leaf:
    label = _condition_label(node.condition, node.label)
    window_days = node.within.value * DAYS_PER[node.within.unit] if node.within else 0.0

    def run(patient: Patient, missing: list[str]) -> str:
        state = patient.conditions.get(node.condition)
        if state is None:
            missing.append(f"{label} (present, past or absent)")
            return UNKNOWN
        if state.status == "present":
            return MET
        if state.status == "absent" or node.timing == "current":
            return NOT_MET
        if node.within is None:
            return MET
        date = state.ended or state.diagnosed
        if date is None:
            missing.append(f"date {label} ended")
            return UNKNOWN
        elapsed = (patient.as_of - date).days
        if elapsed <= window_days or math.isclose(elapsed, window_days, rel_tol=REL_TOL):
            return MET
        if state.ended:
            return NOT_MET
        missing.append(f"date {label} ended")
        return UNKNOWN

    return run


def _interval(node: Interval) -> Leaf:
    start_label = _event_label(node.start)
    end_label = _event_label(node.end) if node.end else "the profile date"
    holds = _test(node.op, node.value * DAYS_PER[node.unit])

    def run(patient: Patient, missing: list[str]) -> str:
        start = patient.events.get(node.start)
        end = patient.events.get(node.end) if node.end else patient.as_of
        if start is None or end is None:
            missing += [f"date of {label}" for label, day in ((start_label, start), (end_label, end)) if day is None]
            return UNKNOWN
        days = (end - start).days
        if days < 0:
            missing.append(f"correct dates of {start_label} and {end_label}")
            return UNKNOWN
        return MET if holds(float(days)) else NOT_MET

    return run


def _manual(node: Manual, criterion_id: str) -> Leaf:
    question = re.sub(r"\s+", " ", node.question).strip()
    wanted = f"answer to {criterion_id}: {question}"

    def run(patient: Patient, missing: list[str]) -> str:
        answer = patient.answers.get(criterion_id)
        if answer is None:
            missing.append(wanted)
            return UNKNOWN
        return MET if answer else NOT_MET

    return run


def _sex(node: Sex) -> Leaf:
    def run(patient: Patient, missing: list[str]) -> str:
        if patient.sex is None:
            missing.append("sex")
            return UNKNOWN
        return MET if patient.sex == node.sex else NOT_MET

    return run


# ---------------------------------------------------------------------------- screening


def screen_one(prepared: PreparedRules, patient: Patient, *, explain: bool = True) -> ScreenResult:
    """One patient against one prepared rule set.  With ``explain`` the failing criteria
    are explained by the full engine (only those: they are few)."""
    ctx: _Context | None = None  # the full engine's state, made only if a criterion needs it
    to_collect: dict[str, None] = {}  # ordered and without repeats
    failing: list[Criterion] = []
    unknown = 0
    for item in prepared.criteria:
        missing: list[str] = []
        answer = patient.answers.get(item.criterion.id) if patient.answers else None
        status: str
        if answer is not None:
            status = MET if answer else NOT_MET
        else:
            status = item.fast(patient, missing) if item.fast is not None else SLOW
        if status is SLOW:
            ctx = ctx or _Context(patient)
            outcome = _full_outcome(item, patient, ctx, missing)
        else:
            outcome = item.outcomes[status]
        if outcome == "fail":
            failing.append(item.criterion)
        elif outcome == "review":
            unknown += 1
            to_collect.update(dict.fromkeys(missing))
    if failing:
        verdict = "ineligible"
    elif unknown or not prepared.criteria:
        verdict = "needs_review"
    else:
        verdict = "eligible"
    if explain and failing:
        ctx = ctx or _Context(patient)
    reasons = [f"{c.id}: {check_criterion(c, patient, ctx).explanation}" if explain else c.id for c in failing]
    return ScreenResult.model_construct(  # fields are built here, no validation needed
        patient=patient.id, trial=prepared.trial_id, as_of=patient.as_of.isoformat(), verdict=verdict,
        reasons=reasons, to_collect=list(to_collect), unknown=unknown, error=None,
    )


def _full_outcome(item: PreparedCriterion, patient: Patient, ctx: _Context, missing: list[str]) -> str:
    """The outcome of a criterion the fast path left to the full engine; fills ``missing``."""
    result = check_criterion(item.criterion, patient, ctx)
    missing[:] = [w for leaf in result.details if leaf.status == UNKNOWN or leaf.assumed for w in leaf.missing + leaf.assumed]
    return result.outcome


def screen(rule_sets: Iterable[RuleSet | PreparedRules], patients: Iterable[Patient], *, explain: bool = True) -> Iterator[ScreenResult]:
    """Every patient against every rule set, streamed: one result at a time, patient by patient."""
    prepared = [r if isinstance(r, PreparedRules) else prepare(r) for r in rule_sets]
    index = AnswerIndex([r.rules for r in prepared])
    for patient in patients:
        for rules, answered in zip(prepared, index.for_rule_sets(patient)):
            yield screen_one(rules, answered, explain=explain)


def error_result(name: str, message: str, trial: str | None = None) -> ScreenResult:
    """The row of a patient that could not be read: the others go on."""
    return ScreenResult(patient=name, trial=trial, verdict="error", error=message)


LOG_COLUMNS = ["patient", "trial", "date", "verdict", "reasons for ineligibility", "data to collect next", "error"]
PROVENANCE_COLUMNS = ["screener", "made", "rules sha256"]

CELL_ITEM_LIMIT = 60
"""Longest reason or item in a screening-log cell; the full texts are in the JSONL."""


def _short_item(text: str) -> str:
    """"answer to I4: <the criterion's words>" -> "answer to I4"; others cut at a word."""
    text = re.sub(r"^(answer to [^:]+):.*$", r"\1", re.sub(r"\s+", " ", text).strip())
    if len(text) <= CELL_ITEM_LIMIT:
        return text
    cut = text[: CELL_ITEM_LIMIT - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


def log_row(result: ScreenResult) -> list[str]:
    """A screening-log line as coordinators keep one: ids and names, short cells; nothing to
    collect once the patient is ineligible on decided criteria."""
    to_collect = [] if result.verdict == "ineligible" else list(dict.fromkeys(map(_short_item, result.to_collect)))
    cells = [result.patient, result.trial or "", result.as_of or "", result.verdict,
             " | ".join(map(_short_item, result.reasons)), " | ".join(to_collect), result.error or ""]
    return [_inert(cell) for cell in cells]


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula (``=HYPERLINK(...)``
    in an id) gets a leading apostrophe, as OWASP advises for CSV exports."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def log_csv(results: Iterable[ScreenResult], provenance: Provenance | None = None) -> Iterator[str]:
    """The screening log as CSV text, a line at a time (no pandas); with ``provenance``,
    three more columns: screener version, time made, the trial's rules file SHA-256."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LOG_COLUMNS + (PROVENANCE_COLUMNS if provenance else []))
    for result in results:
        extra = [provenance.screener, provenance.made, provenance.rules.get(result.trial or "", "")] if provenance else []
        writer.writerow(log_row(result) + extra)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def rank_matches(results: Iterable[ScreenResult], rule_sets: Iterable[RuleSet] = (),
                 patient: Patient | None = None) -> list[ScreenResult]:
    """One patient's trials as ``screener match`` ranks them (``matching.rank_results``):
    eligible, then needs review where the patient has a disease the trial's inclusions ask
    for (given the rule sets and the patient), then the others; ineligible ones left out."""
    from .matching import rank_results

    return rank_results(results, rule_sets, patient)


VERDICT_WORDS = {"eligible": "eligible", "ineligible": "INELIGIBLE", "needs_review": "review", "error": "ERROR"}


def _by_patient(results: Iterable[ScreenResult]) -> Iterator[list[ScreenResult]]:
    """Consecutive results of the same patient (``screen`` yields them patient by patient)."""
    group: list[ScreenResult] = []
    for result in results:
        if group and result.patient != group[0].patient:
            yield group
            group = []
        group.append(result)
    if group:
        yield group


def matrix_table(results: Iterable[ScreenResult], trials: list[str], provenance: Provenance | None = None) -> Iterator[str]:
    """A patient x trial matrix of verdicts, for a terminal, a line per patient."""
    width = max([12, *(len(t) for t in trials)])
    yield "PATIENT".ljust(20) + "".join(escape_controls(t).ljust(width + 2) for t in trials) + "\n"
    for group in _by_patient(results):
        cells = {r.trial: r for r in group}
        line = escape_controls(group[0].patient)[:19].ljust(20)
        line += "".join(VERDICT_WORDS[cells[t].verdict].ljust(width + 2) if t in cells else "".ljust(width + 2) for t in trials)
        errors = [r.error for r in group if r.error]
        yield line.rstrip() + (f"  ({escape_controls(errors[0])})" if errors else "") + "\n"
    if provenance is not None:
        yield "\n" + provenance.line() + "\n"


def results_jsonl(results: Iterable[ScreenResult], provenance: Provenance | None = None) -> Iterator[str]:
    """One JSON object per line; with ``provenance``, each carries a ``report`` key (screener
    version, time made, the SHA-256 of its trial's rules file)."""
    for result in results:
        if provenance is None:
            yield result.model_dump_json() + "\n"
        else:
            report = {"screener": provenance.screener, "made": provenance.made,
                      "rules_sha256": provenance.rules.get(result.trial or "", "")}
            yield json.dumps({**result.model_dump(mode="json"), "report": report}, ensure_ascii=False) + "\n"


def matrix_html(results: Iterable[ScreenResult], trials: list[str], provenance: Provenance | None = None) -> Iterator[str]:
    """A static, printable page (``templates/screen.html.j2``): the patient x trial matrix,
    with reasons and data to collect on lines of their own; streamed patient by patient."""
    def rows() -> Iterator[dict]:
        for group in _by_patient(results):
            cells = {r.trial: r for r in group}
            yield {"patient": group[0].patient, "cells": [_matrix_cell(cells.get(t)) for t in trials]}

    return stream_page("screen.html.j2", title="Screening", disclaimer=DISCLAIMER, trials=trials, rows=rows(),
                       provenance=provenance.line() if provenance else None)


def _matrix_cell(result: ScreenResult | None) -> dict | None:
    if result is None:
        return None
    notes = result.reasons or ([result.error] if result.error else [f"to collect: {w}" for w in result.to_collect[:5]])
    return {"verdict": result.verdict, "word": VERDICT_WORDS[result.verdict], "notes": notes}

"""Screening many patients against many trials.

A clinic list against every open trial needs verdicts fast and explanations only where a
person reads them.  Each rule set is prepared once into its plan (``screener.plan``, the
engine ``check`` runs too); a patient's criteria are evaluated without words, and only
the criteria that exclude (their explanation) and those left undecided (what to collect)
are run again with a sink for the words, by the same code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import lru_cache
from typing import Iterable, Iterator

from pydantic import BaseModel, Field

from .answers import AnswerIndex
from .errors import escape_controls
from .pages import stream_page
from .patient import Patient
from .comparison import built
from .plan import Facts, Plan, Step, plan_for
from .provenance import Provenance
from .report import DISCLAIMER
from .rules import RuleSet

PreparedRules = Plan
"""A rule set ready for many patients (its plan)."""


class ScreenResult(BaseModel):
    """One patient against one trial: the verdict, why, and what to collect next."""

    patient: str
    trial: str | None
    as_of: str | None = None
    verdict: str = Field(description="eligible | ineligible | needs_review | error")
    reasons: list[str] = Field(default_factory=list, description="the criteria that exclude, with their explanation")
    to_collect: list[str] = Field(default_factory=list, description="empty once ineligible on decided criteria")
    unknown: int = Field(0, description="how many criteria could not be decided")
    error: str | None = None


def prepare(rules: RuleSet) -> Plan:
    """The rule set's plan, prepared once (and kept while the rule set lives)."""
    return plan_for(rules)


def screen_one(prepared: Plan, patient: Patient | Facts, *, explain: bool = True,
               max_lab_age_days: float | None = None) -> ScreenResult:
    """One patient against one prepared rule set.  With ``explain`` the failing criteria
    are explained (only those: they are few); ``max_lab_age_days`` as for ``check``."""
    f = patient if isinstance(patient, Facts) else Facts(patient, max_lab_age_days)
    to_collect: dict[str, None] = {}  # ordered and without repeats
    failing: list[Step] = []
    undecided: list[Step] = []
    for step in prepared.steps:
        outcome = step.outcome(f)[1]
        if outcome == "fail":
            failing.append(step)
        elif outcome == "review":
            undecided.append(step)
    if failing:
        verdict = "ineligible"  # nothing to collect: no missing value can undo a decided failure
    else:
        verdict = "needs_review" if undecided or not prepared.steps else "eligible"
        for step in undecided:
            to_collect.update(dict.fromkeys(step.wanted(f)))
    reasons = [f"{step.id}: {step.explain(f).explanation}" if explain else step.id for step in failing]
    return built(ScreenResult, {  # every field is made here: no validation needed
        "patient": f.patient.id, "trial": prepared.trial_id, "as_of": f.as_of.isoformat(), "verdict": verdict,
        "reasons": reasons, "to_collect": list(to_collect), "unknown": len(undecided), "error": None,
    })


def screen(rule_sets: Iterable[RuleSet | Plan], patients: Iterable[Patient], *, explain: bool = True,
           max_lab_age_days: float | None = None) -> Iterator[ScreenResult]:
    """Every patient against every rule set, streamed: one result at a time, patient by patient."""
    prepared = [r if isinstance(r, Plan) else plan_for(r) for r in rule_sets]
    index = AnswerIndex([r.rules for r in prepared])
    for patient in patients:
        answered = index.for_rule_sets(patient)  # the same object for every trial when there are no answers
        facts: dict[int, Facts] = {}  # read once, shared by every trial that sees the same answers
        for rules, one in zip(prepared, answered):
            f = facts.setdefault(id(one), Facts(one, max_lab_age_days))
            yield screen_one(rules, f, explain=explain)


def error_result(name: str, message: str, trial: str | None = None) -> ScreenResult:
    """The row of a patient that could not be read: the others go on."""
    return ScreenResult(patient=name, trial=trial, verdict="error", error=message)


LOG_COLUMNS = ["patient", "trial", "date", "verdict", "reasons for ineligibility", "data to collect next", "error"]
PROVENANCE_COLUMNS = ["screener", "made", "rules sha256"]

CELL_ITEM_LIMIT = 60
"""Longest reason or item in a screening-log cell; the full texts are in the JSONL."""


@lru_cache(maxsize=8192)
def _short_item(text: str) -> str:
    """"answer to I4: <the criterion's words>" -> "answer to I4"; others cut at a word.
    (Cached: a cohort repeats the same few items.)"""
    text = " ".join(text.split())  # runs of white space as one space, as ``\s+`` reads them
    if text.startswith("answer to "):
        text = re.sub(r"^(answer to [^:]+):.*$", r"\1", text)
    if len(text) <= CELL_ITEM_LIMIT:
        return text
    cut = text[: CELL_ITEM_LIMIT - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


def collect_cell(verdict: str, items: Iterable[str]) -> str:
    """The log's "data to collect next" cell: short items, each once, none once ineligible
    (the SQL engines build it once per distinct state with this)."""
    return "" if verdict == "ineligible" else " | ".join(dict.fromkeys(map(_short_item, items)))


def log_row(result: ScreenResult) -> list[str]:
    """A screening-log line as coordinators keep one: ids and names, short cells; nothing to
    collect once the patient is ineligible on decided criteria."""
    cells = [result.patient, result.trial or "", result.as_of or "", result.verdict,
             " | ".join(map(_short_item, result.reasons)), collect_cell(result.verdict, result.to_collect), result.error or ""]
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

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
from .collect import confirm_failing, rank_undecided
from .errors import escape_controls
from .pages import stream_page
from .patient import Patient
from .comparison import built
from .plan import Facts, Plan, Step, plan_for
from .provenance import Provenance
from .report import DISCLAIMER, deciding_leaves
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
    to_collect: list[str] = Field(default_factory=list, description=(
        "what would decide the verdict, ranked: items that alone could change it first (\"(for I3; decisive)\"); once "
        "ineligible, only the decided data the verdict rests on, to confirm (\"(for E1; to confirm)\")"))
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
    failing: list[Step] = []
    undecided: list[Step] = []
    recall = not f.answers
    for step, key, memo, _, _ in prepared.parts:
        record = memo.get(key(f)) if recall and key is not None else None  # step.outcome's look-up, inlined
        outcome = record[1] if record is not None else step.outcome(f)[1]
        if outcome == "fail":
            failing.append(step)
        elif outcome == "review":
            undecided.append(step)
    if failing:
        verdict = "ineligible"  # no missing value can undo a decided failure: only the data it rests on may
        reasons, lines = _words(prepared, failing, f, explain, True)
    else:
        verdict = "needs_review" if undecided or not prepared.steps else "eligible"
        reasons, lines = _words(prepared, undecided, f, explain, False) if undecided else ([], [])
    return built(ScreenResult, {  # every field is made here: no validation needed
        "patient": f.patient.id, "trial": prepared.trial_id, "as_of": f.as_of.isoformat(), "verdict": verdict,
        "reasons": reasons, "to_collect": lines, "unknown": len(undecided), "error": None,
    })


SCREENED_KEPT = 4096
"""Sets of shared results whose reasons and items a plan keeps for ``screen``."""


def _words(prepared: Plan, steps: list[Step], f: Facts, explain: bool, failing: bool) -> tuple[list[str], list[str]]:
    """(reasons, items to collect) of the failing criteria (what could overturn the
    verdict), or of the undecided ones (ranked).  Where every result is one the plan keeps
    (the same facts, shared between patients: an unanswered question), they are made once."""
    results = [step.explain(f) for step in steps]
    ids = tuple(map(id, results))
    key = (failing, explain, f.sex, *ids) if all(i in step.kept for step, i in zip(steps, ids)) else None
    made = prepared.screened.get(key) if key is not None else None
    if made is None:
        if failing:
            items = confirm_failing(prepared.rules, results)
            reasons = [f"{r.id}: {'; '.join(leaf.explanation for leaf in deciding_leaves(r))}" if explain else r.id
                       for r in results]  # what fails it, not every leaf: the log's cell shows the first words
        else:
            kept = [i for step, i in zip(steps, ids) if i in step.kept]
            items, reasons = rank_undecided(prepared.rules, results, f.sex, kept=kept), []
        made = (reasons, [item.line() for item in items])
        if key is not None and len(prepared.screened) < SCREENED_KEPT:
            prepared.screened[key] = made
    return made


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


_LINE = re.compile(r"^(?P<text>.*) \(for (?P<ids>[^()]*?)(?:; (?P<note>decisive|to confirm))?\)$")
_PRESENCE = " (present, past or absent)"


@lru_cache(maxsize=8192)
def _short_item(text: str) -> tuple[str, str]:
    """(cell text, note) of an item: "answer yes/no to I-...-c7d3 (for I1; decisive)" ->
    ("answer I-...-c7d3", "decisive"); "answer to I4: <the criterion's words>" (from the SQL
    engines) -> ("answer to I4", ""); a condition without "(present, past or absent)"; texts cut at a word.  (Cached: a cohort repeats the same few items.)"""
    text = " ".join(text.split())  # runs of white space as one space, as ``\s+`` reads them
    note = ""
    ranked = _LINE.match(text)
    if ranked:
        text, note = ranked["text"].replace("answer yes/no to ", "answer ", 1).removesuffix(_PRESENCE), ranked["note"] or ""
        text = ("confirm " + text) if note == "to confirm" else text
    elif text.startswith("answer to "):
        text = re.sub(r"^(answer to [^:]+):.*$", r"\1", text)
    else:  # "<condition> (present, past or absent)" from the SQL engines: the name is enough
        text = text.removesuffix(_PRESENCE)
    return _cut(text, CELL_ITEM_LIMIT - len("decisive: ")), note


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


def collect_cell(verdict: str, items: Iterable[str]) -> str:
    """The log's "data to collect next" cell: the ranked items, each once, "decisive: a | b |
    then: c" (the items that alone could change the verdict, then the others); once the
    patient is ineligible only the data the verdict rests on, to confirm.  The SQL engines
    build it once per distinct state with this."""
    cells: dict[str, None] = {}
    previous = ""
    for text, note in map(_short_item, items):
        if verdict == "ineligible" and note != "to confirm":
            continue
        if note == "decisive" and not previous:
            text = "decisive: " + text
        elif not note and previous == "decisive":
            text = "then: " + text
        previous = note or "other"
        cells.setdefault(text, None)
    return " | ".join(cells)


def log_row(result: ScreenResult) -> list[str]:
    """A screening-log line as coordinators keep one: ids and names, short cells; the data
    to collect most decisive first, and once the patient is ineligible only the data its
    verdict rests on, to confirm."""
    cells = [result.patient, result.trial or "", result.as_of or "", result.verdict,
             " | ".join(_cut(" ".join(r.split()), CELL_ITEM_LIMIT) for r in result.reasons),
             collect_cell(result.verdict, result.to_collect), result.error or ""]
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
    if result.reasons:  # and what the verdict rests on, to confirm
        notes = [*result.reasons, *(text for text, _ in map(_short_item, result.to_collect))]
    else:
        notes = [result.error] if result.error else [
            f"to collect: {text}" + (" (decisive)" if note == "decisive" else "") for text, note in map(_short_item, result.to_collect[:5])]
    return {"verdict": result.verdict, "word": VERDICT_WORDS[result.verdict], "notes": notes}

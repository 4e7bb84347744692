"""Screening many patients: results stream, the log and the ranking say what coordinators
need (that screen and check agree is ``test_plan.py``'s)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from screener import load_patient, load_rules
from screener.screen import LOG_COLUMNS, error_result, log_csv, rank_matches, screen

ROOT = Path(__file__).resolve().parents[1]


def test_screen_streams_patient_by_patient():
    rules = [load_rules(ROOT / "rules" / "NCT02213705.yaml"), load_rules(ROOT / "rules" / "NCT04711200.yaml")]
    seen = []

    def patients():
        for name in ("ssc-ineligible", "ten-ineligible"):
            seen.append(name)
            yield load_patient(ROOT / "examples" / "patients" / f"{name}.yaml")

    results = screen(rules, patients())
    first = next(results)
    assert seen == ["ssc-ineligible"] and first.patient == "SSC-002" and first.verdict == "ineligible"
    assert first.reasons[0].startswith("E1: PASP 61 mmHg")
    assert [r.trial for r in results] == ["NCT04711200", "NCT02213705", "NCT04711200"]


def test_screening_log_is_csv_with_reasons_and_what_to_collect():
    rules = [load_rules(ROOT / "rules" / "NCT04711200.yaml")]
    patients = [load_patient(ROOT / "examples" / "patients" / f"{n}.yaml") for n in ("ten-ineligible", "ten-needs-review")]
    results = list(screen(rules, patients)) + [error_result("broken.yaml", "broken.yaml:3: sex: unknown value")]
    rows = list(csv.reader(io.StringIO("".join(log_csv(results)))))
    assert rows[0] == LOG_COLUMNS
    assert rows[1][:4] == ["TEN-002", "NCT04711200", "2026-11-20", "ineligible"] and rows[1][4].startswith("I2: ")
    assert rows[2][3] == "needs_review" and rows[2][5].startswith("decisive: ")  # ranked, asked by stable key
    assert rows[2][5].startswith("decisive: answer I-confirmed-sjs-ten-2675 | ")  # the SJS/TEN diagnosis, by key
    assert rows[3][3] == "error" and "broken.yaml:3" in rows[3][6]


def test_match_ranks_eligible_first_then_fewest_unknowns():
    rules = [load_rules(ROOT / "rules" / "NCT02213705.yaml"), load_rules(ROOT / "rules" / "NCT04711200.yaml")]
    ranked = rank_matches(screen(rules, [load_patient(ROOT / "examples" / "patients" / "ten-eligible.yaml")]))
    assert [(r.trial, r.verdict) for r in ranked] == [("NCT04711200", "eligible"), ("NCT02213705", "needs_review")]
    excluded = rank_matches(screen(rules, [load_patient(ROOT / "examples" / "patients" / "ten-ineligible.yaml")]))
    assert all(r.verdict != "ineligible" for r in excluded)

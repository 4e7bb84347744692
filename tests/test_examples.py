"""The example patients: each seed trial has an eligible, an ineligible and a needs-review patient."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener import check, load_patient, load_rules

ROOT = Path(__file__).resolve().parents[1]

CASES = [
    # rules, patient, verdict, criteria that decide it (failing, or unknown)
    ("NCT02213705", "ssc-eligible", "eligible", set()),
    ("NCT02213705", "ssc-ineligible", "ineligible", {"E1", "E3"}),
    ("NCT02213705", "ssc-needs-review", "needs_review", {"I1", "E3", "E15"}),
    ("NCT04711200", "ten-eligible", "eligible", set()),
    ("NCT04711200", "ten-ineligible", "ineligible", {"I2", "E2"}),
    ("NCT04711200", "ten-needs-review", "needs_review", {"I4", "E3"}),  # E1 (pregnant women) does not apply to a man
]


@pytest.mark.parametrize("trial, patient, verdict, deciding", CASES)
def test_example_verdicts(trial: str, patient: str, verdict: str, deciding: set[str]) -> None:
    result = check(load_rules(ROOT / "rules" / f"{trial}.yaml"), load_patient(ROOT / "examples" / "patients" / f"{patient}.yaml"))
    assert result.verdict == verdict
    assert deciding <= {c.id for c in result.deciding()}


def test_every_example_patient_is_used() -> None:
    used = {patient for _, patient, _, _ in CASES}
    assert {p.stem for p in (ROOT / "examples" / "patients").glob("*.yaml")} == used


def test_the_ineligible_explanation_states_value_and_the_limit_in_its_unit() -> None:
    result = check(load_rules(ROOT / "rules" / "NCT02213705.yaml"), load_patient(ROOT / "examples" / "patients" / "ssc-ineligible.yaml"))
    explanation = next(c for c in result.criteria if c.id == "E3").explanation
    # "< 8 kPa (< 60 mmHg)": a value in mmHg is compared with the limit written in mmHg
    assert "PaO2 55 mmHg, below 60 mmHg: met" in explanation


def test_a_past_malignancy_inside_the_window_excludes() -> None:
    result = check(load_rules(ROOT / "rules" / "NCT04711200.yaml"), load_patient(ROOT / "examples" / "patients" / "ten-ineligible.yaml"))
    e2 = next(c for c in result.criteria if c.id == "E2")
    assert e2.status == "met" and e2.outcome == "fail"


def test_cohort_script_writes_a_screening_log(tmp_path) -> None:
    import csv
    import runpy

    script = runpy.run_path(str(ROOT / "examples" / "scripts" / "screen_cohort.py"))
    out = tmp_path / "log.csv"
    assert script["main"](["screen_cohort.py", str(ROOT / "examples" / "patients"), str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    patients = len(list((ROOT / "examples" / "patients").glob("*.yaml")))
    assert len(rows) == 2 * patients
    assert {r["verdict"] for r in rows} == {"eligible", "ineligible", "needs_review"}

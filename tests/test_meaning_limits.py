"""Limits written twice or under a condition, end to end: compile one criterion, check small patients.

Each row: the section, the criterion, a patient profile (YAML text) and the status a careful
coordinator expects.  Covers a limit restated in molar units ("micromoles/L", mmol/L beside
g/dL), a stricter limit under a condition ("1.5 mg/dL in patients under 50 kg"), multiples
of the upper limit of normal spelt UNL or ULRR, and a multiple of something not read.
"""

from __future__ import annotations

import pytest

from screener import check, compile_criteria
from screener.patient import parse_patient

CASES = [
    # a restatement in molar units is the same limit for readers of that unit: a value in one
    # of the units is compared with the limit written in it; in a third unit both must agree
    ("inclusion", "Serum creatinine < 1.5 mg/dL (133 micromoles/L)", "measurements: {creatinine: 1.2 mg/dL}", "met"),
    ("inclusion", "Serum creatinine < 1.5 mg/dL (133 micromoles/L)", "measurements: {creatinine: 160 umol/L}", "not_met"),
    ("inclusion", "Serum creatinine < 1.5 mg/dL (133 micromoles/L)", "measurements: {creatinine: 132.8 umol/L}", "met"),
    ("inclusion", "Serum creatinine < 1.5 mg/dL (133 micromoles/L)", "measurements: {creatinine: 0.1328 mmol/L}", "unknown"),
    ("inclusion", "Bilirubin below 1.5 mg/dL (26 umol/L)", "measurements: {bilirubin: 1.52 mg/dL}", "not_met"),
    ("inclusion", "Bilirubin below 1.5 mg/dL (26 umol/L)", "measurements: {bilirubin: 25.8 umol/L}", "met"),
    ("exclusion", "Respiratory failure defined by oxygen arterial pressure at rest (PaO2) <8 kPa (<60 mmHg)", "measurements: {PaO2: 60 mmHg}", "not_met"),
    ("exclusion", "Respiratory failure defined by oxygen arterial pressure at rest (PaO2) <8 kPa (<60 mmHg)", "measurements: {PaO2: 59 mmHg}", "met"),
    ("exclusion", "Respiratory failure defined by oxygen arterial pressure at rest (PaO2) <8 kPa (<60 mmHg)", "measurements: {PaO2: 7.99 kPa}", "met"),
    ("exclusion", "Respiratory failure defined by oxygen arterial pressure at rest (PaO2) <8 kPa (<60 mmHg)", "measurements: {PaO2: 8 kPa}", "not_met"),
    # "approximately": a looser restatement is a second reading, decided only where both agree
    ("inclusion", "Haemoglobin of at least 6 mmol/L (approximately 10 g/dL)", "measurements: {hemoglobin: 9.8 g/dL}",
     "unknown"),
    ("inclusion", "Haemoglobin of at least 6 mmol/L (approximately 10 g/dL)", "measurements: {hemoglobin: 8 g/dL}",
     "not_met"),
    # a stricter limit under a condition is required under it as well
    ("inclusion", "Bilirubin less than 2 mg/dL (1.5 mg/dL in patients with diabetes)",
     "conditions: {diabetes: true}\nmeasurements: {bilirubin: 1.8 mg/dL}", "not_met"),
    ("inclusion", "Bilirubin less than 2 mg/dL (1.5 mg/dL in patients with diabetes)",
     "conditions: {diabetes: false}\nmeasurements: {bilirubin: 1.8 mg/dL}", "met"),
    ("inclusion", "Bilirubin less than 2 mg/dL (1.5 mg/dL in patients with diabetes)",
     "measurements: {bilirubin: 1.8 mg/dL}", "unknown"),
    ("inclusion", "Bilirubin less than 2 mg/dL (1.5 mg/dL in patients with diabetes)",
     "measurements: {bilirubin: 1.2 mg/dL}", "met"),
    ("inclusion", "Creatinine < 2 mg/dL (< 1.6 mg/dL for patients older than 70)",
     "measurements: {creatinine: 1.8 mg/dL}", "unknown"),
    # a looser limit under a condition stays enough under it
    ("inclusion", "AST <= 2.5 x ULN (<= 5 x ULN if liver metastases)",
     "conditions: {liver metastases: true}\nmeasurements: {AST: {value: 160, unit: U/L, uln: 40 U/L}}", "met"),
    # UNL and ULRR are the upper limit of normal; a multiple of something not read is a question
    ("inclusion", "serum creatinine <= 1.5 x UNL", "measurements: {creatinine: {value: 1.6, unit: mg/dL, uln: 1.2 mg/dL}}",
     "met"),
    ("inclusion", "bilirubin <= 1.5 x ULRR", "measurements: {bilirubin: {value: 2.0, unit: mg/dL, uln: 1.2 mg/dL}}",
     "not_met"),
    ("inclusion", "serum creatinine <= 2 x ABCD", "measurements: {creatinine: 2.4 mg/dL}", "unknown"),
]


@pytest.mark.parametrize("section, text, profile, expected", CASES, ids=[f"{c[1][:40]}|{c[3]}" for c in CASES])
def test_limit_means_what_it_says(section: str, text: str, profile: str, expected: str) -> None:
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    rules = compile_criteria(f"{heading}\n\n- {text}\n")
    patient = parse_patient(f"id: P\nas_of: 2026-11-20\n{profile}\n")
    statuses = {c.status for c in check(rules, patient).criteria}
    assert statuses == {expected}, check(rules, patient).criteria

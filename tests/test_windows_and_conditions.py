"""Windows counted back from study entry, ages written "under age N", and limits under a condition
that is itself a known quantity or history: corpus sentences checked on small patients.

In a pre-screen the profile's date (as_of) stands for study entry, screening, randomisation or
first dose, so "within 6 weeks prior to study entry" counts back from as_of.
"""

from __future__ import annotations

import pytest

from sentence_cases import assert_status, case_ids


CASES = [
    # an event within a window before the study's own timeline
    ("exclusion", "Radiotherapy within 6 weeks prior to study entry.", "events: {radiotherapy: 2026-10-09}", "met"),
    ("exclusion", "Radiotherapy within 6 weeks prior to study entry.", "events: {radiotherapy: 2026-08-01}", "not_met"),
    ("exclusion", "Major surgery within 30 days of study entry.", "events: {major surgery: 2026-11-01}", "met"),
    ("exclusion", "investigational drug within 90 days prior to study entry",
     "events: {investigational drug: 2026-05-01}", "not_met"),
    ("exclusion", "Radiotherapy within 6 weeks prior to study entry.", "sex: male", "unknown"),
    # a condition within a window before study entry: the anchor is read with the window
    ("exclusion", "Myocardial infarction within 3 months prior to study entry.",
     "conditions: {myocardial infarction: {status: past, diagnosed: 2026-09-15, ended: 2026-09-15}}", "met"),
    ("exclusion", "Myocardial infarction within 3 months prior to study entry.",
     "conditions: {myocardial infarction: {status: past, diagnosed: 2025-01-15, ended: 2025-01-15}}", "not_met"),
    # the comparator before the word age
    ("inclusion", "Men and women, under age 75.", "age: 80", "not_met"),
    ("inclusion", "Men and women, under age 75.", "age: 60", "met"),
    ("exclusion", "Patients less than age 18 or over 70 years of age.", "age: 17.9", "met"),
    ("exclusion", "Patients less than 6 or greater than 65 years of age.", "age: 65.5", "not_met"),
    ("exclusion", "Patients less than 6 or greater than 65 years of age.", "age: 5", "met"),
    # a stricter limit under a known quantity; a looser one after a treatment
    ("inclusion", "Renal: Creatinine less than 2 mg/dL (1.5 mg/dL in patients under 50 kg)",
     "weight: 70 kg\nmeasurements: {creatinine: 1.8 mg/dL}", "met"),
    ("inclusion", "Renal: Creatinine less than 2 mg/dL (1.5 mg/dL in patients under 50 kg)",
     "weight: 45 kg\nmeasurements: {creatinine: 1.8 mg/dL}", "not_met"),
    ("inclusion", "Renal: Creatinine less than 2 mg/dL (1.5 mg/dL in patients under 50 kg)",
     "measurements: {creatinine: 1.8 mg/dL}", "unknown"),
    ("inclusion", "Platelet count at least 100,000/mm3 (50,000/mm3 if post bone marrow transplantation)",
     "measurements: {platelets: 70000 /mm3}\nconditions: {bone marrow transplantation: false}", "not_met"),
    ("inclusion", "Platelet count at least 100,000/mm3 (50,000/mm3 if post bone marrow transplantation)",
     "measurements: {platelets: 70000 /mm3}\nconditions: {bone marrow transplantation: {status: past}}", "met"),
    # a limit "only required if" a condition: met by the value, or by being outside the condition
    ("inclusion", "DLCO greater than 55% of predicted (only required if there is clinical evidence of pulmonary "
     "dysfunction)", "measurements: {DLCO: 60 %}", "met"),
    ("inclusion", "DLCO greater than 55% of predicted (only required if there is clinical evidence of pulmonary "
     "dysfunction)", "measurements: {DLCO: 50 %}", "unknown"),
    ("inclusion", "FEV1 > 50% predicted (only required in case of COPD)", "conditions: {COPD: false}", "met"),
    ("inclusion", "FEV1 > 50% predicted (only required in case of COPD)",
     "conditions: {COPD: true}\nmeasurements: {FEV1: 40 %}", "not_met"),
    # "If C, X": X is asked only under C; outside it the sentence asks nothing of the patient
    ("inclusion", "If HIV positive, CD4 count must be documented.", "conditions: {HIV: false}", "met"),
    ("inclusion", "If HIV positive, CD4 count must be documented.", "conditions: {HIV: true}", "unknown"),
    # examples of what must be ruled out must be absent
    ("inclusion", "It is necessary to ensure that non-related etiologies to scleroderma were eliminated; example: "
     "chronic obstructive pulmonary disease.", "conditions: {COPD: false}", "unknown"),
    ("inclusion", "Other causes must be ruled out; e.g. chronic obstructive pulmonary disease.",
     "conditions: {COPD: true}", "not_met"),
    # an undated value is taken as measured on the profile's date, inside the event window or not
    ("inclusion", "At least 10 % of detachable-detached body surface area at any time during the first 10 days after "
     "the index date (date of the first symptoms of the disease)",
     "events: {reaction onset: 2026-11-15}\nmeasurements: {detached body surface area: 12 %}", "met"),
    ("inclusion", "At least 10 % of detachable-detached body surface area at any time during the first 10 days after "
     "the index date (date of the first symptoms of the disease)",
     "events: {reaction onset: 2026-10-01}\nmeasurements: {detached body surface area: 12 %}", "unknown"),
]


@pytest.mark.parametrize("section, text, profile, expected", CASES, ids=case_ids(CASES))
def test_window_age_and_condition(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)

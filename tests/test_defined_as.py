"""A condition "defined as" a threshold is tested by its definition: the broader condition
is not a second way to be excluded (real corpus sentences, table-driven)."""

from __future__ import annotations

import pytest

from sentence_cases import assert_status, case_ids


CASES = [
    # (section, text, profile, expected status)
    ("exclusion", "Renal insufficiency defined as creatinine > 2 mg/dl",
     "conditions: {chronic kidney disease: true}\nmeasurements: {creatinine: 1.0 mg/dL}", "not_met"),
    ("exclusion", "Renal insufficiency defined as creatinine > 2 mg/dl",
     "measurements: {creatinine: 2.5 mg/dL}", "met"),
    ("exclusion", "Subjects with severe heart failure, defined as NYHA (New York Heart Association) class IV",
     "conditions: {heart failure: true}\nmeasurements: {NYHA class: 2}", "not_met"),
    ("exclusion", "Subjects with severe heart failure, defined as NYHA (New York Heart Association) class IV",
     "conditions: {heart failure: true}\nmeasurements: {NYHA class: 4}", "met"),
    ("exclusion", "Significant renal disease as defined by an estimated creatinine clearance < 50 ml/min.",
     "conditions: {chronic kidney disease: true}\nmeasurements: {creatinine clearance: 80 mL/min}", "not_met"),
    ("exclusion", "Severe AIDS dementia complex defined by a score of < 23 on the Mini-Mental State Exam.",
     "conditions: {HIV: true}\nmeasurements: {MMSE: 28}", "not_met"),
]


@pytest.mark.parametrize("section, text, profile, expected", CASES, ids=case_ids(CASES))
def test_a_defined_condition_is_its_definition(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)



MARKED = [
    # "as evidenced by" introduces the definition as "defined as" does (NCT00004138, NCT00004867)
    ("Patient has uncontrolled diabetes mellitus, as evidenced by a fasting blood glucose value >200 mg/dL",
     "conditions: {diabetes: true}\nmeasurements: {fasting blood glucose: 110 mg/dL}", "not_met"),
    ("Patient has uncontrolled diabetes mellitus, as evidenced by a fasting blood glucose value >200 mg/dL",
     "measurements: {fasting blood glucose: 250 mg/dL}", "met"),
]


@pytest.mark.parametrize("text, profile, expected", MARKED)
def test_other_definition_cues(text: str, profile: str, expected: str) -> None:
    test_a_defined_condition_is_its_definition("exclusion", text, profile, expected)

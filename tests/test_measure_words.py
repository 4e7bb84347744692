"""Sentences whose limits are fully read are decided, whatever words name only how or where the
value is measured, a scale's name, or the measure's own lead-in; truly unread words stay a question.

Each row is a corpus sentence (section, text), a small profile and the status a careful
coordinator expects.
"""

from __future__ import annotations

import pytest

from sentence_cases import assert_status, case_ids

from screener import compile_criteria

CASES = [
    # "resting", "by pulse oximetry", "transcutaneous": how the value is measured (a note, not a question)
    ("inclusion", "Resting pO_2 greater than 70 mm Hg on room air", "measurements: {PaO2: 80 mmHg}", "met"),
    ("inclusion", "Resting blood pressure below 140/90",
     "measurements: {systolic blood pressure: 130 mmHg, diastolic blood pressure: 95 mmHg}", "not_met"),
    ("inclusion", "Baseline resting heart rate less than 65 beats per minute", "measurements: {heart rate: 60 /min}", "met"),
    ("inclusion", "Resting oxygen saturation on room air at least 90% by pulse oximetry", "measurements: {SpO2: 85 %}",
     "not_met"),
    ("inclusion", "Resting transcutaneous oxygen saturation greater than 90 percent on room air",
     "measurements: {SpO2: 95 %}", "met"),
    ("inclusion", "Oxygen saturation more than 94% by pulse oximetry on room air", "measurements: {SpO2: 97 %}", "met"),
    # a scale's name is the variable's, not a requirement
    ("inclusion", "score of 60 or more on the Karnofsky scale.", "measurements: {Karnofsky: 50}", "not_met"),
    # enzymes written without a unit are in U/L when the number lies where U/L limits lie
    ("exclusion", "Alkaline Phosphatase >= 150", "measurements: {alkaline phosphatase: 150 U/L}", "met"),
    ("exclusion", "ALT >35 (men) or ALT >25 (women)", "sex: male\nmeasurements: {ALT: 30 U/L}", "not_met"),
    # the upper limit of normal spelt "normal upper limit" or "age/sex adjusted normal values"
    ("exclusion", "Impaired hepatic function as defined by an alanine transaminase (ALT) level greater than 3 times "
     "the normal upper limit.", "measurements: {ALT: {value: 150, unit: U/L, uln: 40 U/L}}", "met"),
    ("exclusion", "Alkaline phosphatase greater than 2 times age/sex adjusted normal values",
     "measurements: {alkaline phosphatase: {value: 200, unit: U/L, uln: 120 U/L}}", "not_met"),
    ("inclusion", "Bilirubin within normal limits for institution",
     "measurements: {bilirubin: {value: 0.8, unit: mg/dL, uln: 1.2 mg/dL, lln: 0.1 mg/dL}}", "met"),
    # per-sex limits: a value missing both limits is decided whatever the sex
    ("exclusion", "Hemoglobin < 11 (women) or hemoglobin < 12 (men)", "measurements: {hemoglobin: 13 g/dL}", "not_met"),
    ("exclusion", "Hemoglobin < 11 (women) or hemoglobin < 12 (men)", "measurements: {hemoglobin: 11.5 g/dL}", "unknown"),
    # words that are not measurement context stay a question
    ("inclusion", "Resting pO_2 greater than 70 mm Hg on room air after surgery", "measurements: {PaO2: 80 mmHg}",
     "unknown"),
    # a negation inside the sentence, and "male or female" followed by a qualifier, are not lost
    ("inclusion", "Are male or female without child-bearing potential (i.e., surgically sterilized, at least one year "
     "postmenopausal, or using adequate birth control).", "sex: female\nconditions: {childbearing potential: true}",
     "unknown"),
    ("inclusion", "Non-smokers (never smoked or no smoking within the previous 2 years) who are 21 years of age or older",
     "age: 50\nconditions: {smoking: {status: past, ended: 2025-12-01}}", "not_met"),
]


@pytest.mark.parametrize("section, text, profile, expected", CASES, ids=case_ids(CASES))
def test_read_sentence_is_decided(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


def test_context_is_a_note_on_the_comparison() -> None:
    rule = compile_criteria("Inclusion Criteria:\n\n- Resting pO_2 greater than 70 mm Hg on room air\n").criteria[0].rule
    assert rule.kind == "comparison" and rule.context == ["at rest", "on room air"]

"""Limits per sex for a patient whose sex is not recorded, and conditions that are the other
side of one another (premenopausal / postmenopausal), end to end on corpus sentences.

Each row: the section, the criterion, a patient profile (YAML text) and the status a careful
coordinator expects.  Every patient is one sex or the other, so limits per sex that agree
decide without it; a profile that states a woman postmenopausal (or pregnant) says she is
not premenopausal.
"""

from __future__ import annotations

import pytest

from sentence_cases import assert_status, case_ids

SEX_SIDES = [
    ("exclusion", "Hemoglobin < 11 (women) or hemoglobin < 12 (men)", "measurements: {hemoglobin: 10 g/dL}", "met"),
    ("exclusion", "Hemoglobin < 11 (women) or hemoglobin < 12 (men)", "measurements: {hemoglobin: 11.5 g/dL}", "unknown"),
    ("exclusion", "Hemoglobin < 11 (women) or hemoglobin < 12 (men)", "measurements: {hemoglobin: 12.5 g/dL}", "not_met"),
    ("exclusion", "Hemoglobin < 11 (women) or hemoglobin < 12 (men)", "sex: male\nmeasurements: {hemoglobin: 11.5 g/dL}",
     "met"),
    ("exclusion", "ALT >35 (men) or ALT >25 (women)", "measurements: {ALT: 40 U/L}", "met"),
    ("exclusion", "ALT >35 (men) or ALT >25 (women)", "measurements: {ALT: 30 U/L}", "unknown"),
    ("exclusion", "ALT >35 (men) or ALT >25 (women)", "sex: female\nmeasurements: {ALT: 30 U/L}", "met"),
    ("inclusion", "Hb: >=12 g/dL (women) or >= 13 g/dL (men)", "measurements: {hemoglobin: 13.5 g/dL}", "met"),
    ("inclusion", "Hb: >=12 g/dL (women) or >= 13 g/dL (men)", "measurements: {hemoglobin: 11 g/dL}", "not_met"),
    ("inclusion", "Hb: >=12 g/dL (women) or >= 13 g/dL (men)", "measurements: {hemoglobin: 12.5 g/dL}", "unknown"),
    ("inclusion", "Hb: >=12 g/dL (women) or >= 13 g/dL (men)", "sex: female\nmeasurements: {hemoglobin: 12.5 g/dL}", "met"),
]

OPPOSITES = [
    ("exclusion", "Premenopausal status.", "sex: female\nconditions: {postmenopausal: true}", "not_met"),
    ("exclusion", "Premenopausal status.", "sex: female\nconditions: {postmenopausal: false}", "met"),
    ("exclusion", "Premenopausal status.", "sex: female", "unknown"),
    ("exclusion", "Premenopausal status.", "sex: male", "not_met"),
    ("exclusion", "Premenopausal status (unless subject has had a hysterectomy).",
     "sex: female\nconditions: {postmenopausal: false, hysterectomy: true}", "not_met"),
    ("inclusion", "Premenopausal", "sex: female\nconditions: {premenopausal: true}", "met"),
    ("inclusion", "Premenopausal", "sex: female\nconditions: {postmenopausal: true}", "not_met"),
    ("inclusion", "Premenopausal", "sex: male", "not_met"),
    # a pregnant woman is neither postmenopausal nor after a hysterectomy
    ("inclusion", "Post-menopausal women", "sex: female\nconditions: {pregnancy: true}", "not_met"),
    ("inclusion", "Premenopausal", "sex: female\nconditions: {pregnancy: true}", "met"),
]

CONTEXT = [
    # "on a room air ABG" says how the values are measured; it is no requirement of its own
    ("inclusion", "On a room air ABG, the PO2 value greater than or equal to 70 mm Hg and the (A-a) DO2 less than 35 mm Hg.",
     "measurements: {PaO2: 75 mmHg, A-a gradient: 30 mmHg}", "met"),
    ("inclusion", "On a room air ABG, the PO2 value greater than or equal to 70 mm Hg and the (A-a) DO2 less than 35 mm Hg.",
     "measurements: {PaO2: 65 mmHg, A-a gradient: 30 mmHg}", "not_met"),
]


@pytest.mark.parametrize("section, text, profile, expected", SEX_SIDES, ids=case_ids(SEX_SIDES))
def test_limits_per_sex_agreeing_decide_without_the_sex(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


@pytest.mark.parametrize("section, text, profile, expected", OPPOSITES, ids=case_ids(OPPOSITES))
def test_one_side_of_a_state_says_the_other(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


@pytest.mark.parametrize("section, text, profile, expected", CONTEXT, ids=case_ids(CONTEXT))
def test_sample_context_is_a_note(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


NEG_TEST = "For females: Negative urine pregnancy test OR post-menopausal for at least 2 years OR patient has had a hysterectomy"
RESULTS = [
    # a negated test result ends with the test's name: what follows "or" is another alternative, not negated
    ("inclusion", NEG_TEST, "sex: female\nconditions: {pregnancy: false}", "met"),
    ("inclusion", NEG_TEST, "sex: female\nconditions: {pregnancy: true}", "not_met"),
    ("inclusion", NEG_TEST, "sex: male", "met"),
    ("inclusion", "Negative pregnancy test, documented sterilization, or postmenopausal",
     "sex: female\nconditions: {postmenopausal: true}", "unknown"),  # was "not postmenopausal": a wrong exclusion
    ("inclusion", "Negative pregnancy test, documented sterilization, or postmenopausal",
     "sex: female\nconditions: {pregnancy: false}", "met"),
    ("inclusion", "Negative serum or urine pregnancy test", "sex: female\nconditions: {pregnancy: false}", "met"),
    ("inclusion", "Negative serum or urine pregnancy test", "sex: female\nconditions: {pregnancy: true}", "not_met"),
    # two conditions side by side, the second in lower case, are one phrase: both are meant
    ("exclusion", "Premenopausal myocardial infarction", "sex: female\nconditions: {postmenopausal: false}", "unknown"),
    ("exclusion", "Premenopausal myocardial infarction",
     "sex: female\nconditions: {postmenopausal: false, myocardial infarction: false}", "not_met"),
    ("exclusion", "AIDS dementia.", "conditions: {HIV: true, dementia: false}", "not_met"),
]


@pytest.mark.parametrize("section, text, profile, expected", RESULTS, ids=case_ids(RESULTS))
def test_negated_test_results_and_one_phrase_conditions(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


DIAGNOSTIC_CRITERIA = [
    # "meets DSM-IV criteria for X" says how X is diagnosed: it is X
    ("inclusion", "Currently meets DSM-IV criteria for Major Depression or Dysthymia.",
     "conditions: {major depression: true}", "met"),
    ("inclusion", "Currently meets DSM-IV criteria for Major Depression or Dysthymia.",
     "conditions: {major depression: false, dysthymia: false}", "not_met"),
    ("inclusion", "Diagnosis of major depression according to DSM-IV", "conditions: {major depression: false}", "not_met"),
]


@pytest.mark.parametrize("section, text, profile, expected", DIAGNOSTIC_CRITERIA, ids=case_ids(DIAGNOSTIC_CRITERIA))
def test_diagnostic_criteria_name_the_diagnosis(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)

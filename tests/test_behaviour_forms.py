"""General phrase forms behind the behaviour set's cautious cases, each on real corpus sentences.

Every row: a criterion as the corpus writes it, a small profile, the status a careful
coordinator expects.
"""

from __future__ import annotations

import pytest

from sentence_cases import assert_status, case_ids


POSTMENOPAUSAL = "sex: female\nconditions: {postmenopausal: true}"
HYSTERECTOMY = "sex: female\nconditions: {hysterectomy: {status: past, ended: 2010-01-01}}"

CASES = [
    # postmenopausal, or after a hysterectomy: no childbearing potential (lexicon `rules_out`)
    ("inclusion", "Negative pregnancy test (females of childbearing potential)", POSTMENOPAUSAL, "met"),  # NCT00000142
    ("inclusion", "Patients must have a negative urine pregnancy test (women of childbearing potential).",  # NCT00001354
     HYSTERECTOMY, "met"),
    ("inclusion", "Women of childbearing potential must not be pregnant or lactating.", POSTMENOPAUSAL, "met"),  # NCT00001509
    ("inclusion", "A negative pregnancy test result in women of childbearing potential.",  # NCT00001731
     "sex: female\nconditions: {childbearing_potential: true, postmenopausal: true}", "unknown"),  # stated wins
    ("inclusion", "A negative pregnancy test result in women of childbearing potential.",
     "sex: female\nconditions: {postmenopausal: false}", "unknown"),
]


@pytest.mark.parametrize("section, text, profile, expected", CASES, ids=case_ids(CASES))
def test_criterion_means_what_it_says(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


AGE_CASES = [
    # a comparator word before "age", the number after "is" / ":"; "for males" restricts (NCT00000110)
    ("inclusion", "Maximum age for males is 39", "sex: male\nage: 39.5", "met"),  # completed years
    ("inclusion", "Maximum age for males is 39", "sex: male\nage: 40", "not_met"),
    ("inclusion", "Maximum age for males is 39", "sex: female\nage: 45", "met"),  # only for males
    ("inclusion", "Maximum age for females is 49", "sex: female\nage: 50", "not_met"),
    ("inclusion", "Maximum age for females is 49", "age: 30", "met"),  # either sex meets it
    ("inclusion", "Maximum age is 85 years", "age: 86", "not_met"),
    ("inclusion", "Minimum age: 18 years", "age: 17", "not_met"),
    ("inclusion", "Minimum age: 18 years", "age: 18", "met"),
]

UNIT_CASES = [
    # one-symbol molar units: 133 uM is 133 umol/L; "serum creatine" with a limit is creatinine
    ("exclusion", "Impaired real function as defined by serum creatine greater than 1.5 mg/dl (133uM).",  # NCT00005924
     "measurements: {creatinine: 140 umol/L}", "met"),
    ("exclusion", "Impaired real function as defined by serum creatine greater than 1.5 mg/dl (133uM).",
     "measurements: {creatinine: 1.2 mg/dL}", "not_met"),
    ("exclusion", "serum bilirubin > 25 μM (1.5 mg/dL)", "measurements: {bilirubin: 30 umol/L}", "met"),  # NCT00499499
    ("exclusion", "serum bilirubin > 25 μM (1.5 mg/dL)", "measurements: {bilirubin: 0.8 mg/dL}", "not_met"),
    ("inclusion", "Adequate organ function as defined by serum creatine less than 2.0 mg/dl",  # NCT00001398
     "measurements: {creatinine: 2.5 mg/dL}", "not_met"),
    ("exclusion", "Elevated serum creatine kinase", "measurements: {creatinine: 2.5 mg/dL}", "unknown"),  # not creatinine
]


@pytest.mark.parametrize("section, text, profile, expected", AGE_CASES + UNIT_CASES,
                         ids=[f"{c[1][:40]}|{c[2][:20]}" for c in AGE_CASES + UNIT_CASES])
def test_limit_forms(section: str, text: str, profile: str, expected: str) -> None:
    test_criterion_means_what_it_says(section, text, profile, expected)


RESP = ("Respiratory failure defined by oxygen arterial pressure at rest (PaO2) <8 kPa (<60 mmHg) and / or a blood "
        "pressure of carbon dioxide at rest (PaCO2)> 6.7 kPa (> 50 mmHg) without oxygen therapy.")  # NCT02213705 E3

DEFINITION_CASES = [
    # a measured definition of a qualified term decides alone: in brackets at the end, or after "defined as"
    ("exclusion", "Evidence of clinically significant cardiac dysfunction (New York Heart Association grade III or IV).",
     "measurements: {NYHA class: 4}", "met"),  # NCT00000695
    ("exclusion", "Evidence of clinically significant cardiac dysfunction (New York Heart Association grade III or IV).",
     "conditions: {heart failure: true}\nmeasurements: {NYHA class: 2}", "not_met"),
    ("exclusion", "Significant cardiac disease (New York Heart Association Stage III or IV).",  # NCT00002017
     "conditions: {cardiac disease: true}\nmeasurements: {NYHA class: 1}", "not_met"),
    ("exclusion", "Significant cardiac dysfunction (NYHA grade 3 or 4).", "measurements: {NYHA class: 3}", "met"),  # NCT00002086
    ("inclusion", "No significant heart disease (NYHA class III or IV)",  # NCT00003023
     "conditions: {cardiac disease: true}\nmeasurements: {NYHA class: 2}", "met"),
    ("exclusion", "Significant cardiac disease defined as NYHA class III or IV", "conditions: {cardiac disease: true}",
     "unknown"),  # the class decides, and it is not known
    # words spelling out a bracketed name are read with it
    ("exclusion", RESP, "measurements: {PaO2: 75 mmHg, PaCO2: 45 mmHg}", "not_met"),
    ("exclusion", RESP, "measurements: {PaO2: 7 kPa}", "met"),
    ("exclusion", RESP, "measurements: {PaO2: 60 mmHg, PaCO2: 40 mmHg}", "not_met"),  # read in mmHg as written: not < 60
    ("inclusion", "Stable absolute neutrophil count (ANC) > 1000", "measurements: {ANC: 1500 /uL}", "unknown"),  # NCT00002787
]


@pytest.mark.parametrize("section, text, profile, expected", DEFINITION_CASES,
                         ids=[f"{c[1][:40]}|{c[2][:20]}" for c in DEFINITION_CASES])
def test_definitions_and_spelled_out_names(section: str, text: str, profile: str, expected: str) -> None:
    test_criterion_means_what_it_says(section, text, profile, expected)


NEOPLASIA = "Active neoplasia or concomitant myelodysplasia, antecedent of neoplasia."  # seed NCT02213705

QUALIFIER_SCOPE_CASES = [
    # a qualifier before the first alternative narrows it alone when the next ones have words of their own
    ("exclusion", NEOPLASIA, "conditions: {myelodysplasia: true}", "met"),
    ("exclusion", NEOPLASIA, "conditions: {malignancy: {status: past, ended: 2016-09-01}}", "met"),
    ("exclusion", NEOPLASIA, "conditions: {malignancy: false, myelodysplasia: false}", "not_met"),
    ("exclusion", "Active malignancy or concomitant myelodysplasia", "conditions: {malignancy: true}", "unknown"),
    # "active hepatitis B or C" (NCT00002680): the qualifier is read with both
    ("exclusion", "Active hepatitis B or C", "conditions: {hepatitis C: true}", "met"),
    ("exclusion", "Active hepatitis B or C", "conditions: {hepatitis B: false, hepatitis C: false}", "not_met"),
    # ejection fraction written without "left" (NCT00003135)
    ("inclusion", "Resting ventricular ejection fraction greater than 40%", "measurements: {LVEF: 55 %}", "met"),
    ("inclusion", "Resting ventricular ejection fraction greater than 40%", "measurements: {LVEF: 35 %}", "not_met"),
]


@pytest.mark.parametrize("section, text, profile, expected", QUALIFIER_SCOPE_CASES,
                         ids=[f"{c[1][:40]}|{c[2][:30]}" for c in QUALIFIER_SCOPE_CASES])
def test_qualifier_scope(section: str, text: str, profile: str, expected: str) -> None:
    test_criterion_means_what_it_says(section, text, profile, expected)

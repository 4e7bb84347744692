"""Two readings of limits beside a condition, on real corpus sentences:

- a limit followed by the patients it is for ("minimum age is 45 for patients with
  Alzheimer's disease") holds for that group only: a patient outside it is not held to it,
  a patient whose membership is unknown is decided where the limit decides anyway;
- a condition with limits bracketed after it ("kidney disease (creatinine > 2.0 mg/dl)")
  means a patient with the condition who meets the limits: both must hold, in an exclusion
  too (never either one).
"""

from __future__ import annotations

import pytest
from sentence_cases import assert_status, case_ids

from screener import compile_criteria
from screener.rules import AllOf, AnyOf, Condition, Restrict, walk

FOR_GROUP = [  # (section, corpus sentence (trial), profile, expected status)
    ("inclusion", "minimum age is 45 for patients with Alzheimer's disease",  # NCT00006399
     "age: 30\nconditions:\n  alzheimers_disease: false", "met"),
    ("inclusion", "minimum age is 45 for patients with Alzheimer's disease",
     "age: 30\nconditions:\n  alzheimers_disease: true", "not_met"),
    ("inclusion", "minimum age is 45 for patients with Alzheimer's disease", "age: 50", "met"),
    ("inclusion", "minimum age is 45 for patients with Alzheimer's disease", "age: 30", "unknown"),
    ("inclusion", "Maximum age is 85 for patients with Alzheimer's disease",  # NCT00006399
     "age: 90\nconditions:\n  alzheimers_disease: false", "met"),
    ("inclusion", "Maximum age is 85 for patients with Alzheimer's disease",
     "age: 90\nconditions:\n  alzheimers_disease: true", "not_met"),
    ("inclusion", "Performance status (Karnofsky scale) must be greater than 30 for patients with metastatic disease",
     "measurements:\n  Karnofsky: 20\nconditions:\n  metastasis: false", "met"),  # NCT00001193
    ("inclusion", "Performance status (Karnofsky scale) must be greater than 30 for patients with metastatic disease",
     "measurements:\n  Karnofsky: 20\nconditions:\n  metastasis: true", "not_met"),
    ("inclusion", "Oxygen saturation must be greater than 90% for patients with risk of respiratory symptoms",
     "measurements:\n  SpO2: 95 %", "met"),  # NCT00003091: the group is a question; the limit met decides
    ("inclusion", "Oxygen saturation must be greater than 90% for patients with risk of respiratory symptoms",
     "measurements:\n  SpO2: 85 %", "unknown"),
    ("inclusion", "7 and 65 years old for patients with CGD", "age: 30", "met"),  # NCT03921515
    ("inclusion", "7 and 65 years old for patients with CGD", "age: 70", "unknown"),
    ("exclusion", "Age less than 18 (less than 13 for patients with PTLDS)", "age: 15", "unknown"),  # NCT00001539
    ("exclusion", "Age less than 18 (less than 13 for patients with PTLDS)", "age: 30", "not_met"),
]


@pytest.mark.parametrize("section,text,profile,expected", FOR_GROUP, ids=case_ids(FOR_GROUP))
def test_a_limit_for_a_group_holds_for_that_group_only(section, text, profile, expected):
    assert_status(section, text, profile, expected)


QUALIFIED = [
    ("exclusion", "kidney disease (creatinine > 2.0 mg/dl)",  # NCT00005005
     "conditions:\n  kidney_disease: true\nmeasurements:\n  creatinine: 1.2 mg/dL", "not_met"),
    ("exclusion", "kidney disease (creatinine > 2.0 mg/dl)",
     "conditions:\n  kidney_disease: true\nmeasurements:\n  creatinine: 2.5 mg/dL", "met"),
    ("exclusion", "kidney disease (creatinine > 2.0 mg/dl)", "measurements:\n  creatinine: 1.0 mg/dL", "not_met"),
    ("exclusion", "kidney disease (creatinine > 2.0 mg/dl)", "measurements:\n  creatinine: 2.5 mg/dL", "unknown"),
    ("exclusion", "Hypertension (diastolic blood pressure greater than 90 mmHg)",  # NCT00009581
     "conditions:\n  hypertension: true\nmeasurements:\n  diastolic blood pressure: 80 mmHg", "not_met"),
    ("exclusion", "obesity (BMI> 35 Kg/m2)",  # NCT03936790
     "conditions:\n  obesity: true\nmeasurements:\n  BMI: 31 kg/m2", "not_met"),
    ("exclusion", "congestive heart failure (NYHA Class III or IV), unstable angina",  # NCT00491855
     "conditions:\n  heart_failure: true\n  unstable_angina: false\nmeasurements:\n  NYHA: 2", "not_met"),
    ("exclusion", "congestive heart failure (NYHA Class III or IV), unstable angina",
     "conditions:\n  heart_failure: false\n  unstable_angina: true", "met"),
    ("inclusion", "HIV-infected individual (CD4 = or > 100)",  # NCT00002000
     "conditions:\n  hiv: true\nmeasurements:\n  CD4: 50 /mm3", "not_met"),
    # a bracket without limits, the limit after it: the default joint
    ("exclusion", "HIV infection (documented) and CD4 < 200 /mm3",
     "conditions:\n  hiv: false\nmeasurements:\n  CD4: 50 /mm3", "not_met"),
    # one limit of the bracket unread ("Tot Chol"): both are not known, so the condition alone still excludes
    ("exclusion", "hyperlipidemia (Tot Chol > 300 mg/dl or Triglycerides > 300 mg/dl)",  # NCT00493194
     "conditions:\n  dyslipidemia: true\nmeasurements:\n  triglycerides: 200 mg/dL", "met"),
]


@pytest.mark.parametrize("section,text,profile,expected", QUALIFIED, ids=case_ids(QUALIFIED))
def test_a_condition_with_bracketed_limits_needs_both(section, text, profile, expected):
    assert_status(section, text, profile, expected)


def test_the_bracket_joins_its_own_limits_by_their_connector():
    rules = compile_criteria("Exclusion Criteria:\n\n- hyperlipidemia (cholesterol > 300 mg/dl or Triglycerides > 300 mg/dl)\n")
    rule = rules.criteria[0].rule
    assert isinstance(rule, AllOf) and isinstance(rule.items[0], Condition) and isinstance(rule.items[1], AnyOf)


@pytest.mark.parametrize("text", [
    "Platelet count greater than 100,000/mm(3) (at least 75,000/mm(3) in patients with prior radiotherapy)",  # NCT00001502
    "Bilirubin less than 2 mg/dl (total) except less than 5 mg/dl in patients with Gilbert's syndrome",  # NCT00005780
])
def test_a_variant_limit_for_a_group_stays_a_variant(text):
    rules = compile_criteria(f"Inclusion Criteria:\n\n- {text}\n")
    top = rules.criteria[0].rule
    assert not isinstance(top, Restrict), top
    assert any(isinstance(n, Restrict) or isinstance(n, AnyOf) for n in walk(top))

"""What a sentence means, end to end: compile one real criterion, check small patients.

Each row: the section, the criterion as the registry writes it, a patient profile (YAML
text) and the status a careful coordinator expects.  Covers negation scope, questions
never inverted, coordination across bullets, example lists, exceptions, qualifiers,
groups, measurement context, two readings of one limit and ages in completed years.
"""

from __future__ import annotations

import pytest

from sentence_cases import assert_status, case_ids

from screener import compile_criteria
from screener.rules import Manual, Not, walk

CASES = [
    # negation: the condition is forbidden, a man is not pregnant
    ("inclusion", "Are not pregnant.", "sex: female\nconditions: {pregnancy: false}", "met"),
    ("inclusion", "Are not pregnant.", "sex: female\nconditions: {pregnancy: true}", "not_met"),
    ("inclusion", "Are not pregnant.", "sex: male", "met"),
    ("inclusion", "No pregnant or nursing women.", "sex: male", "met"),
    ("inclusion", "Not pregnant HIV negative", "sex: male\nconditions: {HIV: false}", "met"),  # two statements
    ("inclusion", "Not pregnant HIV negative", "sex: male\nconditions: {HIV: true}", "not_met"),
    # a qualified condition under a negation: absent decides, present is a question
    ("inclusion", "No significant heart failure", "conditions: {heart failure: false}", "met"),
    ("inclusion", "No significant heart failure", "conditions: {heart failure: true}", "unknown"),
    ("inclusion", "No significant heart failure", "conditions: {heart failure: true}\nanswers: {I1: true}", "met"),
    ("exclusion", "Active infection for hepatitis B or C", "conditions: {hepatitis B: false, hepatitis C: false}", "not_met"),
    ("exclusion", "Active infection for hepatitis B or C", "conditions: {hepatitis B: true}", "unknown"),
    # coordination across bullets
    ("inclusion", "Creatinine <= 2.0 mg/dL OR\n- Creatinine clearance >= 50 mL/min",
     "measurements: {creatinine: 2.5 mg/dL, creatinine clearance: 60 mL/min}", "met"),
    ("inclusion", "Creatinine <= 2.0 mg/dL OR\n- Creatinine clearance >= 50 mL/min",
     "measurements: {creatinine: 2.5 mg/dL, creatinine clearance: 40 mL/min}", "not_met"),
    # examples explain, never require
    ("inclusion", "No cardiovascular disease (e.g., angina or congestive heart failure)",
     "conditions: {angina: true}", "not_met"),
    ("inclusion", "No cardiovascular disease (e.g., angina or congestive heart failure)",
     "conditions: {angina: false, congestive heart failure: false}", "unknown"),
    ("exclusion", "Clinically apparent vascular disease (including a prior history of pulmonary embolus, deep venous "
     "thrombosis, or peripheral arterial occlusive disease).", "conditions: {deep vein thrombosis: true}", "met"),
    # exceptions are escapes
    ("inclusion", "SGOT and SGPT no greater than 2.5 times the ULN (unless liver involvement by tumor)",
     "measurements: {AST: {value: 150, unit: U/L, uln: 40 U/L}, ALT: {value: 60, unit: U/L, uln: 40 U/L}}", "unknown"),
    ("inclusion", "SGOT and SGPT no greater than 2.5 times the ULN (unless liver involvement by tumor)",
     "measurements: {AST: {value: 50, unit: U/L, uln: 40 U/L}, ALT: {value: 60, unit: U/L, uln: 40 U/L}}", "met"),
    # groups: restricted to women, or required
    ("inclusion", "For females, not pregnant.", "sex: male", "met"),
    ("inclusion", "For females, not pregnant.", "sex: female\nconditions: {pregnancy: true}", "not_met"),
    ("exclusion", "Pregnant or breast-feeding women.", "sex: male", "not_met"),
    ("inclusion", "Women at least 60 years of age.", "sex: male\nage: 65", "not_met"),
    ("exclusion", "Hemoglobin < 11 (women) or hemoglobin < 12 (men)", "sex: female\nmeasurements: {hemoglobin: 11.5 g/dL}",
     "not_met"),
    # one limit written in two units, read in the unit of the value; measurement context as a note
    ("exclusion", "PaO2 < 8 kPa (< 60 mmHg) at rest", "measurements: {PaO2: 60 mmHg}", "not_met"),
    ("exclusion", "PaO2 < 8 kPa (< 60 mmHg) at rest", "measurements: {PaO2: 55 mmHg}", "met"),
    # limits no value meets together are either one
    ("exclusion", "Age less than 18 years and over 70 years.", "age: 16", "met"),
    ("exclusion", "Age less than 18 years and over 70 years.", "age: 40", "not_met"),
    # a window anchored on an event: open, a value not yet reached is unknown
    ("inclusion", "At least 10 % of detached body surface area at any time during the first 10 days after the index date",
     "events: {reaction onset: 2026-11-15}\nmeasurements: {detached body surface area: {value: 8, unit: '%', date: 2026-11-17}}",
     "unknown"),
    ("inclusion", "At least 10 % of detached body surface area at any time during the first 10 days after the index date",
     "events: {reaction onset: 2026-11-01}\nmeasurements: {detached body surface area: {value: 8, unit: '%', date: 2026-11-05}}",
     "not_met"),
    ("inclusion", "At least 10 % of detached body surface area at any time during the first 10 days after the index date",
     "events: {reaction onset: 2026-11-15}\nmeasurements: {detached body surface area: {value: 35, unit: '%', date: 2026-11-18}}",
     "met"),
    # ages in completed years
    ("inclusion", "Age 18 to 70 years", "age: 70.5", "met"),
]


@pytest.mark.parametrize("section, text, profile, expected", CASES, ids=case_ids(CASES))
def test_criterion_means_what_it_says(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


@pytest.mark.parametrize("text", [
    "No history of myocardial infarction or unstable angina within the past 6 months",
    "No significant heart failure",
    "No active infection requiring antibiotics",
    "Not pregnant or nursing",
])
def test_no_question_is_ever_under_a_not(text: str) -> None:
    rules = compile_criteria(f"Inclusion Criteria:\n\n- {text}\n")
    for criterion in rules.criteria:
        for node in walk(criterion.rule):
            if isinstance(node, Not):
                assert not any(isinstance(n, Manual) for n in walk(node.item))


def test_each_question_has_its_own_id() -> None:
    rules = compile_criteria("Inclusion Criteria:\n\n- Significant heart failure. Able to swallow tablets.\n")
    ids = [n.id for n in walk(rules.criteria[0].rule) if isinstance(n, Manual)]
    assert ids == ["I1.1", "I1.2"]

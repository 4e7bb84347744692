"""Negation, exception and history forms on real corpus sentences, end to end.

Each row: the section, a criterion as the registry writes it (trial id in the comment), a
patient profile (YAML text) and the status a careful coordinator expects.  Also the
condition hierarchy of the lexicon (``broader``) as it reaches a patient.
"""

from __future__ import annotations

import pytest

from sentence_cases import assert_status, case_ids

from screener.implied import broader_ids, with_implied
from screener.lexicon import get_lexicon
from screener.patient import parse_patient

CASES = [
    # a negation fused to the condition: "Nonsmoker" (NCT00000399), "Non-smokers" (NCT00499928)
    ("inclusion", "Nonsmoker.", "conditions: {smoking: false}", "met"),
    ("inclusion", "Nonsmoker.", "conditions: {smoking: true}", "not_met"),
    ("inclusion", "Non-smokers", "conditions: {smoking: true}", "not_met"),
    ("inclusion", "non-smoking", "conditions: {smoking: false}", "met"),  # NCT03868631
    ("inclusion", "If female, non-pregnant and non-lactating", "sex: female\nconditions: {pregnancy: true}", "not_met"),  # NCT00498914
    ("inclusion", "If female, non-pregnant and non-lactating", "sex: male", "met"),
    # a prefix that names a kind is no negation: "non-melanoma skin cancer" is a cancer, not "no melanoma"
    ("exclusion", "Any concurrent malignancy (other than non-melanoma skin cancers) in the last 3 years",  # NCT00496119
     "conditions: {melanoma: true}", "met"),
    ("exclusion", "Any concurrent malignancy (other than non-melanoma skin cancers) in the last 3 years",
     "conditions: {malignancy: false}", "not_met"),
    # a negation inside the clause: one condition, the group before it stays outside
    ("inclusion", "Are male or female without child-bearing potential (i.e., surgically sterilized, at least 1 year "  # NCT00000936
     "postmenopausal, or using adequate birth control).", "sex: male", "met"),
    # "in the last N years" is a window on the condition, as "within" is
    ("exclusion", "Prior malignancy within the last 3 years with the exception of non-melanoma skin cancer or cervical "
     "cancer in situ", "conditions: {malignancy: {status: past, ended: 2015-01-01}}", "not_met"),  # NCT00499655
    ("exclusion", "History of other malignancy diagnosed within the past 3 years",  # NCT03861676
     "conditions: {lymphoma: {status: past, ended: 2025-01-01}}", "met"),
    ("exclusion", "Have received a diagnosis for cancer in the last 5 years",  # NCT05389774
     "conditions: {malignancy: {status: past, ended: 2010-01-01}}", "not_met"),
    # the lexicon's hierarchy: a lymphoma is a malignancy; no angina at all is no unstable angina
    ("exclusion", "Unstable angina.", "conditions: {angina: false}", "not_met"),  # NCT00000430
    ("exclusion", "Unstable angina.", "conditions: {angina: true}", "unknown"),
    ("exclusion", "Uncontrolled hypertension.", "conditions: {hypertension: false}", "not_met"),  # NCT00000430
    # broad classes decided by the kinds the profile names; none of the named kinds absent leaves them open
    ("exclusion", "history of cardiovascular disease", "conditions: {myocardial infarction: past}", "met"),  # NCT00000102
    ("exclusion", "history of cardiovascular disease", "conditions: {myocardial infarction: false}", "unknown"),
    ("exclusion", "Heart disease.", "conditions: {atrial fibrillation: true}", "met"),  # NCT00000656
    ("exclusion", "history of cardiac arrhythmia", "conditions: {atrial fibrillation: {status: past, ended: 2020-01-01}}",
     "met"),  # NCT00004980
    ("exclusion", "kidney disease", "conditions: {chronic kidney disease: true}", "met"),  # NCT00000512
    ("exclusion", "liver disease", "conditions: {hepatitis C: true}", "met"),  # NCT00000512
    ("inclusion", "Current cigarette smokers", "conditions: {smoking: {status: past, ended: 2024-01-01}}", "not_met"),  # NCT00006457
    # an exception naming kinds of the condition: any other known kind decides
    ("exclusion", "Malignancy other than Kaposi's sarcoma.", "conditions: {lymphoma: true}", "met"),  # NCT00002008
    ("exclusion", "Malignancy other than Kaposi's sarcoma.", "conditions: {malignancy: true}", "unknown"),
    ("exclusion", "Malignancy other than Kaposi's sarcoma.", "conditions: {Kaposi's sarcoma: true}", "unknown"),
    ("exclusion", "Malignancy other than Kaposi's sarcoma.", "conditions: {malignancy: false}", "not_met"),
    ("exclusion", "Malignancy other than limited cutaneous basal cell carcinoma.",  # NCT00002323
     "conditions: {melanoma: true}", "met"),
    ("exclusion", "Malignancy other than limited cutaneous basal cell carcinoma.",
     "conditions: {non-melanoma skin cancer: true}", "unknown"),  # may be the basal cell carcinoma
    ("inclusion", "No other malignancy within the past 5 years except for nonmelanoma skin cancer",  # NCT00499252
     "conditions: {leukemia: true}", "not_met"),
    ("inclusion", "No other malignancy within the past 5 years except for nonmelanoma skin cancer",
     "conditions: {lymphoma: {status: past, ended: 2015-01-01}}", "met"),
]


@pytest.mark.parametrize("section, text, profile, expected", CASES, ids=case_ids(CASES))
def test_criterion_means_what_it_says(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


@pytest.mark.parametrize("condition, broader", [
    ("lymphoma", ["malignancy"]),
    ("brain_metastases", ["metastasis", "malignancy"]),
    ("basal_cell_carcinoma", ["nonmelanoma_skin_cancer", "malignancy"]),
    ("unstable_angina", ["angina", "cardiac_disease", "cardiovascular_disease"]),
    ("malignancy", []),
])
def test_broader_conditions_nearest_first(condition: str, broader: list[str]) -> None:
    assert broader_ids(get_lexicon(), condition) == broader


@pytest.mark.parametrize("profile, expected", [
    # present or past narrower -> broader with the same status; the latest of two past ones
    ("conditions: {lymphoma: {status: past, ended: 2020-01-01}, leukemia: {status: past, ended: 2024-01-01}}",
     {"malignancy": ("past", "2024-01-01")}),
    ("conditions: {lymphoma: past, leukemia: true}", {"malignancy": ("present", None)}),
    # absent broader -> absent narrower
    ("conditions: {angina: false}", {"unstable_angina": ("absent", None)}),
    # what the profile states wins over what is implied
    ("conditions: {lymphoma: true, malignancy: false}", {"malignancy": ("absent", None), "lymphoma": ("present", None)}),
])
def test_implied_conditions(profile: str, expected: dict[str, tuple[str, str | None]]) -> None:
    patient = parse_patient(f"id: P\nas_of: 2026-11-20\n{profile}\n")
    for condition, (status, ended) in expected.items():
        state = patient.conditions[condition]
        assert (state.status, str(state.ended) if state.ended else None) == (status, ended)


def test_implied_changes_nothing_without_links() -> None:
    patient = parse_patient("id: P\nas_of: 2026-11-20\nconditions: {asthma: true}\n")
    assert with_implied(patient.conditions, get_lexicon()) == patient.conditions

"""A sentence that allows what it names ("... is allowed.", "... are eligible.") requires nothing;
after another sentence of the item it is an exception to it, end to end on corpus sentences.

Each row: the section, the criterion, a patient profile (YAML text) and the status a careful
coordinator expects.
"""

from __future__ import annotations

import pytest

from sentence_cases import assert_status, case_ids

CASES = [
    # alone, an allowance asks nothing (it was read as a requirement: Kaposi's sarcoma required)
    ("inclusion", "Minimal Kaposi's sarcoma is allowed.", "conditions: {Kaposi's sarcoma: false}", "met"),
    ("exclusion", "Patients who have hepatitis B virus (HBV) (+) are eligible.", "conditions: {hepatitis B: true}", "not_met"),
    ("exclusion", "History of transient ischemic attack is allowed.", "conditions: {TIA: true}", "not_met"),
    # after an exclusion: a kind of what is excluded escapes it, another kind still excludes
    ("exclusion", "Prior malignancy. Patients with basal cell carcinoma of the skin are eligible.",
     "conditions: {basal cell carcinoma: true, malignancy: true}", "unknown"),
    ("exclusion", "Prior malignancy. Patients with basal cell carcinoma of the skin are eligible.",
     "conditions: {basal cell carcinoma: false, malignancy: true}", "met"),
    ("exclusion", "Prior malignancy. Patients with basal cell carcinoma of the skin are eligible.",
     "conditions: {lymphoma: true}", "met"),
    ("exclusion", "Prior malignancy. Patients with basal cell carcinoma of the skin are eligible.",
     "conditions: {malignancy: false}", "not_met"),
    # something that is no kind of what is excluded does not exclude by itself, and frees no one
    ("exclusion", "History of stroke or pulmonary embolism. History of transient ischemic attack is allowed.",
     "conditions: {stroke: true, TIA: true}", "met"),
    ("exclusion", "History of stroke or pulmonary embolism. History of transient ischemic attack is allowed.",
     "conditions: {stroke: false, pulmonary embolism: false, TIA: true}", "not_met"),
    # what cannot be read is asked as written: "yes" (it holds) frees the patient from the exclusion
    ("exclusion", "Have cancer requiring chemotherapy. Local radiation therapy is allowed.",
     "conditions: {malignancy: false}", "not_met"),
]


@pytest.mark.parametrize("section, text, profile, expected", CASES, ids=case_ids(CASES))
def test_an_allowance_is_no_requirement(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)

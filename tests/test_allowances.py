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


LISTS = [
    # "heart, lung, or kidney disease": the listed words share the last word of the name
    ("inclusion", "Not have any heart, lung, or kidney disease, or bleeding disorders.", "conditions: {heart failure: true}",
     "not_met"),
    ("inclusion", "Not have any heart, lung, or kidney disease, or bleeding disorders.", "conditions: {COPD: true}", "not_met"),
    ("inclusion", "Not have any heart, lung, or kidney disease, or bleeding disorders.",
     "conditions: {heart disease: false, lung disease: false, kidney disease: false, bleeding disorder: false}", "met"),
    ("exclusion", "Active drug or alcohol abuse.", "conditions: {substance abuse: false, alcohol abuse: false}", "not_met"),
    ("exclusion", "Active drug or alcohol abuse.", "conditions: {substance abuse: true}", "unknown"),  # "active": asked
    # sentences of one exclusion item that each read something exclude each on its own: one not met
    # leaves the other to decide (they were joined with AND: "not met" although the first is unknown)
    ("exclusion", "Significant cardiac disease, including a recent history of myocardial infarction or significant current "
     "cardiac arrhythmias. Active drug or alcohol abuse.", "conditions: {alcohol abuse: true}", "unknown"),
    ("exclusion", "Significant cardiac disease, including a recent history of myocardial infarction or significant current "
     "cardiac arrhythmias. Active drug or alcohol abuse.", "conditions: {alcohol abuse: false, substance abuse: false}",
     "unknown"),
]


@pytest.mark.parametrize("section, text, profile, expected", LISTS, ids=case_ids(LISTS))
def test_shared_heads_and_sentences_of_an_exclusion(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)


ALONE = [
    # in an inclusion, "are eligible" alone says who is included: a requirement as read
    ("inclusion", "Patients with ANC >= 1500/mm3 are eligible.", "measurements: {ANC: 1000 /mm3}", "not_met"),
    ("inclusion", "Patients with ANC >= 1500/mm3 are eligible.", "measurements: {ANC: 2000 /mm3}", "met"),
]


@pytest.mark.parametrize("section, text, profile, expected", ALONE, ids=case_ids(ALONE))
def test_eligible_alone_in_an_inclusion_is_a_requirement(section: str, text: str, profile: str, expected: str) -> None:
    assert_status(section, text, profile, expected)

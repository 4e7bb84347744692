"""Class values of a scale (screener.classes) and shares of a normal limit (screener.text), on
real registry sentences (trial ids in the comments)."""

from __future__ import annotations

import pytest

from screener import compile_criteria
from screener.rules import Comparison, walk


def _limits(section: str, text: str) -> set[tuple]:
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    rules = compile_criteria(f"{heading}\n\n- {text}\n")
    return {(n.variable, n.op, n.value, n.unit) for c in rules.criteria for n in walk(c.rule) if isinstance(n, Comparison)}


@pytest.mark.parametrize("section, text, expected", [
    # NCT00001428, NCT00001894: classes joined by a slash
    ("exclusion", "NYHA class III/IV status.", {("nyha_class", ">=", 3, None)}),
    ("inclusion", "NYHA functional class III/IV", {("nyha_class", ">=", 3, None)}),
    # NCT00739843: one class alone
    ("exclusion", "New York Heart Association (NYHA) class III", {("nyha_class", "==", 3, None)}),
    ("exclusion", "severe heart failure (NYHA class IV)", {("nyha_class", ">=", 4, None)}),
    # LCT dev: ASA physical status written alone
    ("inclusion", "ASA physical status I", {("asa_physical_status", "<=", 1, None)}),
    ("inclusion", "ASA class 2", {("asa_physical_status", "==", 2, None)}),
])
def test_a_class_alone_is_that_class(section: str, text: str, expected: set[tuple]) -> None:
    assert _limits(section, text) == expected


@pytest.mark.parametrize("text", [
    # NCT03920046: the end of a range "I- ASA II", not class II alone
    "ASA ( American Society of Anesthesiologists) I- ASA II patients",
    # NCT00492986: a comparator before the class word: a limit this reader leaves alone
    "Patients with congestive heart failure greater than NYHA functional class II",
    # "or worse": the class opens a range
    "No grade 2 or worse peripheral neuropathy",
])
def test_no_class_is_read_where_the_text_states_a_range(text: str) -> None:
    assert not any(op == "==" for _, op, _, _ in _limits("exclusion", text))


def test_an_explained_class_is_no_requirement() -> None:
    # LCT dev NCT03867071: the bracket explains what ASA 1 and ASA 2 are
    text = ("Patient with an ASA 1 or 2 (ASA 1 corresponding to a patient in perfect health and ASA 2 to a patient with "
            "moderate involvement and well controlled organ function)")
    assert _limits("inclusion", text) == {("asa_physical_status", "<=", 2, None)}


@pytest.mark.parametrize("text, expected", [
    # NCT00007956
    ("Albumin greater than 75% lower limit of normal", {("albumin", ">", 0.75, "LLN")}),
    ("AST <= 150% of ULN", {("ast", "<=", 1.5, "ULN")}),
    ("Platelets greater than 1/3 of the lower limit of normal", {("platelets", ">", 0.3333, "LLN")}),
    ("creatinine no greater than one-half the upper limit of normal", {("creatinine", "<=", 0.5, "ULN")}),
    # a share of something else stays a percentage
    ("DLCO >= 50% of predicted", {("dlco", ">=", 50, "%")}),
])
def test_a_share_of_a_normal_limit_is_a_multiple_of_it(text: str, expected: set[tuple]) -> None:
    assert _limits("inclusion", text) == expected


@pytest.mark.parametrize("section, text, expected", [
    # LCT dev NCT03868709, NCT03863236; NCT05809934
    ("exclusion", "Child-Pugh grade C);", {("child_pugh_score", ">=", 10, None)}),
    ("exclusion", "child pugh B or worse", {("child_pugh_score", ">=", 7, None)}),
    ("exclusion", "Child-Pugh class B", {("child_pugh_score", ">=", 7, None), ("child_pugh_score", "<=", 9, None)}),
    ("inclusion", "Child-Pugh A", {("child_pugh_score", "<=", 6, None)}),
    ("inclusion", "Presence of fibrosis stage F2 or F3 according to the NASH CRN fibrosis staging system",
     {("liver_fibrosis_stage", ">=", 2, None), ("liver_fibrosis_stage", "<=", 3, None)}),
    ("exclusion", "METAVIR F4", {("liver_fibrosis_stage", ">=", 4, None)}),
])
def test_a_letter_class_is_the_range_of_its_score(section: str, text: str, expected: set[tuple]) -> None:
    assert _limits(section, text) == expected


@pytest.mark.parametrize("text", [
    "Child-Pugh A or C",  # no run of classes: left to review
    "Child-Pugh score of a patient with ascites",  # an article, not class A
])
def test_no_letter_class_is_read_where_none_is_written(text: str) -> None:
    assert not any(v == "child_pugh_score" for v, _, _, _ in _limits("exclusion", text))

"""screener.inherit and the segmenter's headings: a row inherits the age range of the heading
above it (as a condition) and the variable of the bullet it hangs from.  Texts are excerpts of
real registry records (trial ids in the comments)."""

from __future__ import annotations

import pytest

from screener import check, compile_criteria
from screener.patient import parse_patient
from screener.rules import Comparison, Restrict, walk
from screener.segment import segment

# NCT00005984, NCT00005987: age bands as sub-headings, the rows below them at the same indent
BANDS = """Inclusion Criteria:

          -  Performance status:

               -  Age 65-70 years:

               -  Karnofsky 80-100%

               -  Under 65 years:

               -  Karnofsky 90-100%

          -  Normal organ function (excluding bone marrow)
"""
# NCT00002718: age bands one indent above their rows
BANDS_NESTED = """Inclusion Criteria:

          -  Age 16 and over:

               -  Karnofsky 70-100%

          -  Under age 16:

               -  Lansky 50-100%
"""
# NCT00000881, NCT00002391: a comparator in the band heading
BAND_COMPARATOR = """Inclusion Criteria:

        < 18 months of age:

          -  a positive viral culture and a second confirmatory test

        >= 18 months of age:

          -  CD4 count greater than 200 cells/mm3
"""
# NCT00006263: the range before the colon of the row itself
ROW_PREFIX = "Inclusion Criteria:\n\n  -  Age over 15 years: Creatinine less than 2.4 mg/dL\n"
# NCT00001392: a section heading for one group of two, with the group's ages
SECTION_RANGE = """INCLUSION CRITERIA FOR ADULT PATIENTS PARTICIPATING IN PILOT STUDY OF COMBINATION
             RITUXIMAB AND CYCLOSPORINE:

               -  Subjects with eGFR greater than or equal to 50 mL/min/1.73 m^2 at screening

          -  INCLUSION CRITERIA FOR MINORS (BETWEEN AGES 4 AND 18 YEARS):

               -  Hemoglobin at least 9 g/dL
"""


def _rules(text: str) -> dict[str, object]:
    return {c.text.strip(): c.rule for c in compile_criteria(text).criteria}


def _condition(rule: object) -> set[tuple]:
    assert isinstance(rule, Restrict), rule
    return {(n.variable, n.op, n.value, n.unit) for n in walk(rule.group) if isinstance(n, Comparison)}


@pytest.mark.parametrize("text, row, condition", [
    (BANDS, "Karnofsky 80-100%", {("age", ">=", 65, "year"), ("age", "<=", 70, "year")}),
    (BANDS, "Karnofsky 90-100%", {("age", "<", 65, "year")}),
    (BANDS_NESTED, "Karnofsky 70-100%", {("age", ">=", 16, "year")}),
    (BAND_COMPARATOR, "CD4 count greater than 200 cells/mm3", {("age", ">=", 18, "month")}),
    (ROW_PREFIX, "Age over 15 years: Creatinine less than 2.4 mg/dL", {("age", ">", 15, "year")}),
    (SECTION_RANGE, "Hemoglobin at least 9 g/dL", {("age", ">=", 4, "year"), ("age", "<=", 18, "year")}),
])
def test_a_range_above_a_row_is_its_condition(text: str, row: str, condition: set[tuple]) -> None:
    assert _condition(_rules(text)[row]) == condition


@pytest.mark.parametrize("text, row", [
    (BANDS, "Normal organ function (excluding bone marrow)"),  # back at the outer indent: the band has ended
    (SECTION_RANGE, "Subjects with eGFR greater than or equal to 50 mL/min/1.73 m^2 at screening"),  # adults: no range
    # NCT00463294: a heading that requires more than a range is no band
    ("Inclusion Criteria:\n\n  -  >60 years of age and one of the following:\n\n       -  Diabetes mellitus\n", None),
])
def test_no_condition_where_no_range_heads_the_row(text: str, row: str | None) -> None:
    rules = _rules(text)
    for text_, rule in rules.items():
        if row is None or text_ == row:
            assert not any(isinstance(n, Restrict) for n in walk(rule)), (text_, rule)


def test_a_requirement_heading_stays_a_requirement() -> None:
    rules = _rules("Inclusion Criteria:\n\n  -  >60 years of age and one of the following:\n\n       -  Diabetes mellitus\n")
    ages = [n for rule in rules.values() for n in walk(rule) if isinstance(n, Comparison) and n.variable == "age"]
    assert [(n.op, n.value) for n in ages] == [(">", 60)]


@pytest.mark.parametrize("age, kps, expected", [
    (30, 85, "not_met"),  # under 65: Karnofsky 90-100% holds
    (30, 95, "met"),
    (67, 85, "met"),  # 65-70: Karnofsky 80-100% holds, the under-65 row does not apply
    (67, 75, "not_met"),
])
def test_age_bands_apply_to_their_ages_only(age: int, kps: int, expected: str) -> None:
    rules = compile_criteria(BANDS.replace("Normal organ function (excluding bone marrow)", "Signed consent"))
    patient = parse_patient(f"id: P\nas_of: 2026-11-20\nage: {age}\nmeasurements: {{karnofsky: {kps}}}\n")
    statuses = {c.text.strip(): c.status for c in check(rules, patient).criteria}
    karnofsky = {s for t, s in statuses.items() if t.startswith("Karnofsky")}
    assert ("not_met" if "not_met" in karnofsky else "met") == expected, statuses


def test_an_exclusion_band_excludes_inside_its_range_only() -> None:
    text = "Exclusion Criteria:\n\n        Under 18 years:\n\n          -  Hemoglobin less than 10 g/dL\n"
    rules = compile_criteria(text)
    for age, expected in ((12, "met"), (40, "not_met")):
        patient = parse_patient(f"id: P\nas_of: 2026-11-20\nage: {age}\nmeasurements: {{hemoglobin: 9 g/dL}}\n")
        assert {c.status for c in check(rules, patient).criteria} == {expected}


@pytest.mark.parametrize("text, row, variable", [
    # NCT00006486: the lesion the bullet above names is what the row measures
    ("Inclusion Criteria:\n  -  At least 1 unidimensionally measurable lesion\n\n"
     "       -  At least 20 mm by conventional techniques\n", "At least 20 mm by conventional techniques", "tumor_size"),
    # legacy layout: the lab on the bullet, its limit on the row below
    ("Inclusion Criteria:\n  -  Serum creatinine\n\n       -  no greater than 2.0 mg/dL\n", "no greater than 2.0 mg/dL",
     "creatinine"),
])
def test_a_row_reads_its_variable_from_the_bullet_above(text: str, row: str, variable: str) -> None:
    rule = _rules(text)[row]
    assert [n.variable for n in walk(rule) if isinstance(n, Comparison)] == [variable]


@pytest.mark.parametrize("text", [
    # the parent names two variables: which one is limited is not said
    "Inclusion Criteria:\n  -  Creatinine or creatinine clearance\n\n       -  no greater than 2.0 mg/dL\n",
    # the row names its own variable
    "Inclusion Criteria:\n  -  Serum creatinine\n\n       -  Bilirubin no greater than 2.0 mg/dL\n",
])
def test_a_row_takes_no_variable_that_is_not_unambiguously_above_it(text: str) -> None:
    rules = _rules(text)
    assert not any(n.variable == "creatinine" and n.value == 2 for r in rules.values() for n in walk(r)
                   if isinstance(n, Comparison))


@pytest.mark.parametrize("text, sections", [
    # NCT00001392, NCT00001539: a section heading broken over two lines
    (SECTION_RANGE, ["inclusion", "inclusion"]),
    ("EXCLUSION CRITERIA FOR RECOVERED, SEROPOSITIVE, OSPA VACCINATED AND HEALTHY VOLUNTEERS\n        CONTROLS:\n\n"
     "        1. Pre-existing or concurrent serious chronic medical illness\n", ["exclusion"]),
])
def test_a_heading_wrapped_over_two_lines_is_one_heading(text: str, sections: list[str]) -> None:
    items = segment(text)
    assert [i.section for i in items] == sections
    assert not any("CYCLOSPORINE" in text[i.start:i.end] or "CONTROLS" in text[i.start:i.end] for i in items)


def test_a_sentence_wrapped_over_two_lines_is_no_heading() -> None:
    # NCT00001539: "exclusion criteria for ..." inside a sentence, continued by a line ending in a colon
    text = ("Exclusion Criteria:\n\n        In addition to the above applicable exclusion criteria (general exclusion criteria and\n"
            "        exclusion criteria for PTLDS patients and Lyme arthritis controls), these individuals will\n"
            "        be excluded for:\n\n        1. Pregnancy\n")
    assert [i.section for i in segment(text)][-1] == "exclusion"
    assert all(i.section == "exclusion" for i in segment(text))

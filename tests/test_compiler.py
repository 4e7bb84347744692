"""The compiler, table-driven: criteria text in, rules out; and properties over any text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener import compile_criteria, dump_rules, parse_rules
from screener.rules import Restrict, AnyOf, Comparison, Condition, Interval, Manual, Not, walk


def leaves(text: str, kind=Comparison) -> list:
    rules = compile_criteria(text)
    return [(c.section, n) for c in rules.criteria for n in walk(c.rule) if isinstance(n, kind)]


def thresholds(text: str) -> set[tuple]:
    return {(section, n.variable, n.op, n.value, n.unit) for section, n in leaves(text)}


THRESHOLD_CASES = [
    # markdown escapes, unicode comparators, units glued to numbers
    ("Exclusion Criteria:\n* systolic Pulmonary arterial pressure (PASP)\\>55mmHg", {("exclusion", "pasp", ">", 55, "mmHg")}),
    ("* FVC ≤70% of the theoretical value", {("inclusion", "fvc", "<=", 70, "%")}),
    ("* a score of Rodnan\\> 15", {("inclusion", "mrss", ">", 15, None)}),
    # lost superscripts and spaced units
    ("Exclusion Criteria:\n* neutropenia \\<0.5 x 109 / L", {("exclusion", "neutrophils", "<", 0.5, "10^9/L")}),
    ("Exclusion Criteria:\n* CD4 lymphopenia \\<200 x 106 / L", {("exclusion", "cd4_count", "<", 200, "10^6/L")}),
    ("Exclusion Criteria:\n* anemia \\<8 g / dL", {("exclusion", "hemoglobin", "<", 8, "g/dL")}),
    # French minutes, per-area units
    ("Exclusion Criteria:\n* Calculated creatinine clearance \\<20 ml/mn/m2", {("exclusion", "creatinine_clearance", "<", 20, "mL/min/m2")}),
    ("* Creatinine clearance >= 60 mL/min/1.73 m2", {("inclusion", "creatinine_clearance", ">=", 60, "mL/min/1.73m2")}),
    # comparators in words, before and after the number
    ("* Bilirubin no greater than 1.5 mg/dL", {("inclusion", "bilirubin", "<=", 1.5, "mg/dL")}),
    ("* WBC at least 3,000/mm3", {("inclusion", "wbc", ">=", 3000, "/mm3")}),
    ("* Platelet count greater than 100,000/mm(3)", {("inclusion", "platelets", ">", 100000, "/mm3")}),
    ("* Hemoglobin 9 g/dL or more", {("inclusion", "hemoglobin", ">=", 9, "g/dL")}),
    ("* Age: 18 and over", {("inclusion", "age", ">=", 18, "year")}),
    # ranges, and scale edges that say nothing
    ("* Patients aged from 18 to 75 years-old", {("inclusion", "age", ">=", 18, "year"), ("inclusion", "age", "<=", 75, "year")}),
    ("* Age 6 months to 17 years", {("inclusion", "age", ">=", 6, "month"), ("inclusion", "age", "<=", 17, "year")}),
    ("* Performance status: ECOG 0-1", {("inclusion", "ecog", "<=", 1, None)}),
    ("* Karnofsky 60-100%", {("inclusion", "karnofsky", ">=", 60, None)}),
    # multiples of the upper limit of normal, one comparison per variable
    ("* SGOT/SGPT no greater than 5 times upper limit of normal", {("inclusion", "ast", "<=", 5, "ULN"), ("inclusion", "alt", "<=", 5, "ULN")}),
    ("Exclusion Criteria:\n* a persistent increase in transaminases or bilirubin to 3 times normal",
     {("exclusion", "ast", ">=", 3, "ULN"), ("exclusion", "alt", ">=", 3, "ULN"), ("exclusion", "bilirubin", ">=", 3, "ULN")}),
    # the value in front of its variable
    ("* At least 10 % of detachable-detached body surface area", {("inclusion", "detached_bsa", ">=", 10, "%")}),
]


@pytest.mark.parametrize("text, expected", THRESHOLD_CASES)
def test_thresholds(text: str, expected: set[tuple]) -> None:
    assert thresholds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "* Life expectancy greater than 3 months",  # a duration, not a measurement
        "* At least 4 weeks since prior chemotherapy",
        "* Platelet count at least 100,00/mm3",  # a typo: neither 100 nor 100,000 can be trusted
        "* EGFR mutation in exon 19",  # the gene, not the filtration rate
        "* No more than 2 prior regimens",
        "* Adult (or the legal age of adulthood if > 18 years) who can consent",
    ],
)
def test_no_threshold_is_guessed(text: str) -> None:
    assert thresholds(text) == set()


def test_dual_units_make_one_comparison_with_its_restatement() -> None:
    [(section, pao2)] = leaves("Exclusion Criteria:\n* oxygen arterial pressure at rest (PaO2) \\<8 kPa (\\<60 mmHg)")
    assert (section, pao2.variable, pao2.op, pao2.value, pao2.unit) == ("exclusion", "pao2", "<", 8, "kPa")
    assert [(a.value, a.unit) for a in pao2.alt] == [(60, "mmHg")]
    assert pao2.context == ["at rest"]


def test_or_between_measurements_is_any() -> None:
    rules = compile_criteria("* DLCO \\<60% or FVC ≤70% of the theoretical value")
    assert isinstance(rules.criteria[0].rule, AnyOf)


def test_conditional_limit_applies_under_its_condition() -> None:
    rules = compile_criteria("* AST <= 2.5 x ULN (<= 5 x ULN if liver metastases)")
    rule = rules.criteria[0].rule
    assert isinstance(rule, AnyOf)
    strict, relaxed = rule.items
    assert (strict.variable, strict.op, strict.value, strict.unit) == ("ast", "<=", 2.5, "ULN")
    assert any(isinstance(n, Comparison) and n.value == 5 for n in walk(relaxed))


def test_conditions_with_history_window_and_elliptic_lists() -> None:
    found = {(n.condition, n.timing, n.within.value if n.within else None) for _, n in leaves(
        "Exclusion Criteria:\n- History of malignant disease within the past ten years and or presence of metastasis\n"
        "- Active infection for hepatitis B or C", Condition)}
    assert found == {("malignancy", "history", 10), ("metastasis", "current", None), ("hepatitis_b", "current", None), ("hepatitis_c", "current", None)}


def test_time_between_two_events() -> None:
    [(_, interval)] = leaves("* Admission less than 10 days after onset of the reaction", Interval)
    assert (interval.start, interval.end, interval.op, interval.value, interval.unit) == ("reaction_onset", "hospital_admission", "<", 10, "day")


def test_no_item_under_a_legacy_heading_is_a_negation() -> None:
    rules = compile_criteria("PATIENT CHARACTERISTICS:\n  -  No bilirubin > 2 mg/dL\n")
    assert isinstance(rules.criteria[0].rule, Not) and rules.criteria[0].section == "inclusion"


def test_qualified_condition_needs_review_of_the_qualifier() -> None:
    rule = compile_criteria("Exclusion Criteria:\n* Uncontrolled epilepsia").criteria[0].rule
    kinds = {type(n) for n in walk(rule)}
    assert Condition in kinds and Manual in kinds


def test_suspected_is_not_a_diagnosis() -> None:
    assert leaves("Exclusion Criteria:\n* suspected pulmonary hypertension", Condition) == []


def test_unreadable_sentences_are_kept_as_manual_criteria() -> None:
    rules = compile_criteria("Inclusion Criteria:\n* Signed informed consent.\n* Affiliation to social security.")
    assert [c.manual for c in rules.criteria] == [True, True]
    assert [c.rule.question for c in rules.criteria] == ["Signed informed consent.", "Affiliation to social security."]


def test_and_or_line_joins_two_items_into_alternatives() -> None:
    text = "Inclusion Criteria\n1. Respiratory disease :\nDLCO \\<60%\nAnd/or\n2. Heart disease:\nLVEF < 40 %\n"
    rules = compile_criteria(text)
    assert len(rules.criteria) == 1 and isinstance(rules.criteria[0].rule, AnyOf)


SOURCE_PIECES = st.sampled_from([
    "Inclusion Criteria:", "Exclusion Criteria", "\n", "\n* ", "\n  -  ", "And/or", "DLCO", "\\<", "≤", ">=", " 60%",
    " 0.5 x 109 / L", " mg/dL", " x ULN", " or ", " and ", "(", ")", "age", " 18 to 75 years", "HIV", " No ", "within",
    " 10 days after onset", "hepatitis B or C", ",", ";", ". ", "1,5", "100,000", "µmol/L", "Rodnan",
])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(SOURCE_PIECES, st.text(max_size=8)), max_size=30).map("".join))
def test_compiler_never_raises_and_keeps_text_verbatim(text: str) -> None:
    rules = compile_criteria(text)
    for criterion in rules.criteria:
        start, end = criterion.span
        assert text[start:end] == criterion.text
    assert parse_rules(dump_rules(rules)) == rules
    assert parse_rules(dump_rules(rules, "json")) == rules


@pytest.mark.parametrize("sex, expected", [("Female", "female"), ("MALE", "male"), ("All", None)])
def test_registry_sex_field_becomes_a_criterion(sex: str, expected: str | None) -> None:
    from screener.compiler import compile_source
    from screener.sources import from_record

    rules = compile_source(from_record({"nct_id": "NCT1", "eligibility_criteria": "* Adults", "sex": sex, "minimum_age": "18 Years"}))
    sexes = [c for c in rules.criteria if c.field == "sex"]
    assert [c.rule.sex for c in sexes] == ([expected] if expected else [])
    assert [c.id for c in rules.criteria if c.field == "minimum_age"] == ["AGE_MIN"]


@pytest.mark.parametrize("text", ["Surgery:\n  -  Not specified", "* See Disease Characteristics"])
def test_items_stating_no_requirement_are_not_questions(text: str) -> None:
    from screener.rules import NoRequirement

    [criterion] = compile_criteria(text).criteria
    assert isinstance(criterion.rule, NoRequirement) and not criterion.manual


@pytest.mark.parametrize("text", ["* HIV negative", "* Negative serology for HIV", "* Negative pregnancy test"])
def test_negative_findings_are_negated_conditions(text: str) -> None:
    rule = compile_criteria(text).criteria[0].rule
    assert isinstance(rule, Not)
    inner = rule.item.item if isinstance(rule.item, Restrict) else rule.item  # pregnancy: for women only
    assert isinstance(inner, Condition)


def test_sex_specific_limits_each_apply_to_their_group() -> None:
    from screener.rules import AllOf

    rule = compile_criteria("* Hemoglobin greater than 12.0 g/dL for men, greater than 11.0 g/dL for women").criteria[0].rule
    assert isinstance(rule, AllOf)  # an inclusion: each limit holds for its group, and does not apply to the other
    assert [(r.group.sex, r.item.value, r.outside) for r in rule.items] == [("male", 12, True), ("female", 11, True)]
    rule = compile_criteria("Exclusion Criteria:\n* Hemoglobin < 11 (women) or hemoglobin < 12 (men)").criteria[0].rule
    assert isinstance(rule, AnyOf)
    assert [(r.group.sex, r.item.value, r.outside) for r in rule.items] == [("female", 11, False), ("male", 12, False)]


@pytest.mark.parametrize("text, expected", [
    ("* Creatinine less than 1.5", ("creatinine", "<", 1.5, "mg/dL")),
    ("* Platelets greater than 100,000", ("platelets", ">", 100000, "/mm3")),
    ("* Platelets greater than 100", ("platelets", ">", 100, "10^9/L")),
    ("* Body mass index >30 or <18.5 Kg/m2", ("bmi", ">", 30, "kg/m2")),
    ("* NYHA class III or IV", ("nyha_class", ">=", 3, None)),
    ("* LVEF less than 50% or the lower limit of normal", ("lvef", "<", 1, "LLN")),
])
def test_units_and_limits_read_from_context(text: str, expected: tuple) -> None:
    assert ("inclusion", *expected) in thresholds(text)


@pytest.mark.parametrize("text", [
    "* Tumor macroscopically within 15 cm of anal margin",
    "* Target lesion is >= 3 mm distant from the fovea",
    "* Consent of parent or guardian if less than 18 years old",
    "* Chronic neck pain with more than 6 months of evolution, aged adults",
    "* Bilirubin between 10 and 12",  # a unitless value that could be mg/dL or umol/L
])
def test_places_conditions_and_ambiguous_units_are_not_thresholds(text: str) -> None:
    assert thresholds(text) == set()


def test_legacy_table_rows_are_implications() -> None:
    text = ("RENAL:\n\n        Age (in years) -- Creatinine (in mg/dL):\n\n        Younger than 5 -- no greater than 1.2;\n\n"
            "        5-10 -- no greater than 1.5;\n")
    first, second = compile_criteria(text).criteria
    assert isinstance(first.rule, AnyOf) and isinstance(first.rule.items[0], Not)
    condition, requirement = first.rule.items[0].item, first.rule.items[1]
    assert (condition.variable, condition.op, condition.value, condition.unit) == ("age", "<", 5, "year")
    assert (requirement.variable, requirement.op, requirement.value, requirement.unit) == ("creatinine", "<=", 1.2, "mg/dL")
    assert {(n.variable, n.op, n.value) for n in walk(second.rule) if isinstance(n, Comparison)} == {
        ("age", ">=", 5), ("age", "<=", 10), ("creatinine", "<=", 1.5)}


@pytest.mark.parametrize("text, expected", [
    ("Exclusion Criteria:\n* Unintentional weight loss of greater than 10 lbs", ("exclusion", "weight_loss_amount", ">", 10, "lb")),
    ("Exclusion Criteria:\n* weight loss of more than 10 percent of usual body weight", ("exclusion", "weight_loss", ">", 10, "%")),
    ("Exclusion Criteria:\n* 24-hour urinary protein ≥ 1.0g", ("exclusion", "urine_protein_24h_amount", ">=", 1, "g")),
])
def test_the_unit_chooses_between_variants(text: str, expected: tuple) -> None:
    assert thresholds(text) == {expected}


@pytest.mark.parametrize("text, expected", [
    ("* Bilirubin within normal limits", {("inclusion", "bilirubin", ">=", 1, "LLN"), ("inclusion", "bilirubin", "<=", 1, "ULN")}),
    ("* Platelets > 100.000/mm3", {("inclusion", "platelets", ">", 100000, "/mm3")}),
    ("* ANC ≥ 1.500/µL", {("inclusion", "neutrophils", ">=", 1500, "/uL")}),
    ("* Creatinine 1.500 mg/dL", set()),  # not a count: no European thousands here
])
def test_normal_limits_and_european_thousands(text: str, expected: set) -> None:
    assert thresholds(text) == expected

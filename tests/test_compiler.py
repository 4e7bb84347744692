"""The compiler, table-driven: criteria text in, rules out; and properties over any text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener import compile_criteria, dump_rules, parse_rules
from screener.rules import AllOf, Restrict, AnyOf, Comparison, Condition, Interval, Manual, Not, walk


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
    assert (interval.start, interval.end, interval.op, interval.value, interval.unit) == ("symptom_onset", "hospital_admission", "<", 10, "day")


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


# Keep what was read: unread words joined by "or" to a read limit are an alternative in
# either section (the limit decides when it holds, the question stays for review); an "or"
# between two read limits joins them and makes no alternative of the unread qualifier.
KEEP_WHAT_WAS_READ = [
    ("Inclusion", "Hemoglobin >= 9 g/dL or other evidence of adequate marrow reserve", AnyOf),
    ("Exclusion", "Hemoglobin < 9 g/dL or other evidence of poor marrow reserve", AnyOf),
    ("Inclusion", "CST > 300 microns on OCT or CST > 250 microns with definite cystic fluid", AllOf),
]


@pytest.mark.parametrize("section, text, shape", KEEP_WHAT_WAS_READ)
def test_read_limits_are_kept_beside_the_question(section, text, shape):
    rule = compile_criteria(f"{section} Criteria:\n- {text}\n").criteria[0].rule
    assert isinstance(rule, shape)
    assert any(isinstance(n, Comparison) for n in walk(rule)) and any(isinstance(n, Manual) for n in walk(rule))


# Measures and spellings of unseen registry text: (criterion, (variable, op, value, unit)).
VOCABULARY = [
    ("ASA physical status I or II", ("asa_physical_status", "<=", 2, None)),
    ("ASA I - IV", ("asa_physical_status", "<=", 4, None)),
    ("Poor general health (ASA class>3)", ("asa_physical_status", ">", 3, None)),
    ("AHI > 15", ("ahi", ">", 15, None)),
    ("MELD-Na >= 15", ("meld_na", ">=", 15, None)),
    ("waist circumference >= 88 cm", ("waist_circumference", ">=", 88, "cm")),
    ("Respiratory rate > 25 breaths/minute", ("respiratory_rate", ">", 25, "1/min")),
    ("axillary temperature >= 38 ℃", ("temperature", ">=", 38, "degC")),
    ("Trombocytes < 40 x 10^9/L", ("platelets", "<", 40, "10^9/L")),
    ("Pulse > 100 bpm", ("heart_rate", ">", 100, "1/min")),
    ("pO(2) < 60 mmHg", ("pao2", "<", 60, "mmHg")),
    ("Platelets >= 100 K/uL", ("platelets", ">=", 100, "10^3/uL")),
    ("Cobb angle > 40 degrees", ("cobb_angle", ">", 40, "degree")),
    ("IgA < 7 mg/dL", ("iga", "<", 7, "mg/dL")),
    ("Modified Bishop's score < 5", ("bishop_score", "<", 5, None)),
]


@pytest.mark.parametrize("text, expected", VOCABULARY, ids=[v[0] for v in VOCABULARY])
def test_vocabulary_of_unseen_text(text, expected):
    rule = compile_criteria(f"Inclusion Criteria:\n- {text}\n").criteria[0].rule
    assert [(n.variable, n.op, n.value, n.unit) for n in walk(rule) if isinstance(n, Comparison)] == [expected]


def test_liver_function_tests_are_ast_and_alt():
    rule = compile_criteria("Exclusion Criteria:\n- liver function tests > 2.5 x ULN\n").criteria[0].rule
    assert sorted(n.variable for n in walk(rule) if isinstance(n, Comparison)) == ["alt", "ast"]


# Blood-pressure pairs: systolic over diastolic; "<" needs both under, ">" either above.
BP_PAIRS = [
    ("Inclusion", "Normal blood pressure <140/90 mmHg", AllOf, [("systolic_bp", "<", 140), ("diastolic_bp", "<", 90)]),
    ("Exclusion", "uncontrolled hypertension (BP > 160/100 mmHg)", AnyOf, [("systolic_bp", ">", 160), ("diastolic_bp", ">", 100)]),
    ("Inclusion", "Systolic/diastolic blood pressure < 140/90", AllOf, [("systolic_bp", "<", 140), ("diastolic_bp", "<", 90)]),
    ("Inclusion", "blood pressure 140/90 mmHg or higher", AnyOf, [("systolic_bp", ">=", 140), ("diastolic_bp", ">=", 90)]),
]


@pytest.mark.parametrize("section, text, shape, expected", BP_PAIRS, ids=[b[1] for b in BP_PAIRS])
def test_blood_pressure_pairs(section, text, shape, expected):
    rule = compile_criteria(f"{section} Criteria:\n- {text}\n").criteria[0].rule
    pair = next(n for n in walk(rule) if isinstance(n, shape) and all(isinstance(i, Comparison) for i in n.items))
    assert [(n.variable, n.op, n.value) for n in pair.items] == expected
    assert all(n.unit == "mmHg" for n in pair.items)


@pytest.mark.parametrize("text", ["blood pressure > 160 mmHg", "BCVA ranging from 20/40 to 20/320 Snellen equivalent"])
def test_no_pair_no_blood_pressure_reading(text):
    rule = compile_criteria(f"Inclusion Criteria:\n- {text}\n").criteria[0].rule
    assert not [n for n in walk(rule) if isinstance(n, Comparison)]


# A lesion's size is its own variable, read only with a length; a number before the noun counts it.
LESIONS = [
    ("lesions > 25 mm", [("lesion_size", ">", 25, "mm")]),
    ("at least 1 lesion of at least 12 mm maximal diameter", [("lesion_size", ">=", 12, "mm")]),
    ("Those lesions must be more than 2 mm deep", []),
    ("Individuals who weigh less than 110 pounds", [("weight", "<", 110, "lb")]),
]


@pytest.mark.parametrize("text, expected", LESIONS, ids=[l[0] for l in LESIONS])
def test_lesion_sizes_and_weights(text, expected):
    rule = compile_criteria(f"Inclusion Criteria:\n- {text}\n").criteria[0].rule
    assert [(n.variable, n.op, n.value, n.unit) for n in walk(rule) if isinstance(n, Comparison)] == expected


def test_sex_in_parentheses_makes_alternatives():
    rule = compile_criteria("Exclusion Criteria:\n- QTc values >440 ms (men) and >450 ms (women)\n").criteria[0].rule
    sexes = [n.sex for n in walk(rule) if n.kind == "sex"]
    assert sorted(sexes) == ["female", "male"]
    assert sorted(n.value for n in walk(rule) if isinstance(n, Comparison)) == [440, 450]


@pytest.mark.parametrize("text, variable", [
    ("Center for Epidemiologic Studies Depression Scale score >= 16", "ces_d"),
    ("Boston Bowel Prep Scale, total score <= 2", "boston_bowel_preparation_scale"),
    ("DAS28 > 3.2", "das28"),
    ("GAD-7 score >= 10", "gad_7"),
])
def test_rating_scales(text, variable):
    rule = compile_criteria(f"Inclusion Criteria:\n- {text}\n").criteria[0].rule
    assert [n.variable for n in walk(rule) if isinstance(n, Comparison)] == [variable]


@pytest.mark.parametrize("text, question", [
    ("PATIENTS:\n  Age 10 to 50.\nDONOR:\n  Family donor, up to 80 years old.",
     "about the donor, not the patient: Family donor, up to 80 years old."),
    ("Inclusion Criteria for patients:\n* Age 18-60\nExclusion criteria for donors:\n* Age > 65",
     "about the donors, not the patient: Age > 65"),
])
def test_another_persons_criteria_are_questions_never_patient_rules(text: str, question: str) -> None:
    rules = compile_criteria(text, "X")
    assert any(getattr(n, "variable", None) == "age" for n in walk(rules.criteria[0].rule))  # the patient's own age
    last = rules.criteria[-1]
    assert last.manual and last.rule.question == question
    assert not any(getattr(n, "variable", None) for n in walk(last.rule))


SCORE_LIST_CASES = [
    # a list of scale values from one end of the scale, with or without "or"
    ("* ECOG 0, 1 or 2", {("inclusion", "ecog", "<=", 2, None)}),
    ("* ASA status I, II, or III.", {("inclusion", "asa_physical_status", "<=", 3, None)}),
    ("* American Society of Anesthesiologists Physical Status I, II, III, or IV", {("inclusion", "asa_physical_status", "<=", 4, None)}),
    ("* ASA status 1,2", {("inclusion", "asa_physical_status", "<=", 2, None)}),
    ("* ECOG 0,1, life expectancy of at least 12 weeks", {("inclusion", "ecog", "<=", 1, None)}),
    ("Exclusion Criteria:\n* NYHA class III, IV", {("exclusion", "nyha_class", ">=", 3, None)}),
    # a decimal comma is still a decimal on a measurement
    ("* creatinine < 1,2 mg/dL", {("inclusion", "creatinine", "<", 1.2, "mg/dL")}),
    # the value before the scale it is read on
    ("* moderate pain (> 3 on a 0-10 pain intensity numeric scale)", {("inclusion", "pain_nrs", ">", 3, None)}),
    ("* score of at least 4 on the numeric rating scale", {("inclusion", "pain_nrs", ">=", 4, None)}),
]


@pytest.mark.parametrize("text, expected", SCORE_LIST_CASES)
def test_score_lists_and_values_read_on_a_scale(text: str, expected: set[tuple]) -> None:
    assert thresholds(text) == expected


@pytest.mark.parametrize("text", [
    "* ECOG 1, 2 weeks after surgery",  # no run from one end of the scale: no threshold
    "Exclusion Criteria:\n* NYHA class 2,3",
])
def test_score_lists_from_neither_end_are_no_threshold(text: str) -> None:
    assert thresholds(text) == set()


@pytest.mark.parametrize("text, expected", [
    ("Exclusion Criteria:\n* ALT more than twice the highest reference value", {("exclusion", "alt", ">", 2, "ULN")}),
    ("Exclusion Criteria:\n* ALT > 3 times the upper normal value", {("exclusion", "alt", ">", 3, "ULN")}),
    ("Exclusion Criteria:\n* CK > 5 x upper limit of the reference range", {("exclusion", "creatine_kinase", ">", 5, "ULN")}),
    ("Exclusion Criteria:\n* bilirubin twice higher than normal", {("exclusion", "bilirubin", ">", 2, "ULN")}),
    ("* ALT less than 3 times greater than normal", {("inclusion", "alt", "<", 3, "ULN")}),
    ("* elevated tumor markers at least 3 times above normal", set()),  # no multiple of normal on a tumour size
])
def test_multiples_of_the_upper_reference_limit(text: str, expected: set[tuple]) -> None:
    assert thresholds(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("* average pain score of greater than 4/10 in severity on the NRS", {("inclusion", "pain_nrs", ">", 4, None)}),
    ("* pain greater than or equal to 2/10 on the numeric pain rating scale", {("inclusion", "pain_nrs", ">=", 2, None)}),
    ("* VAS pain > 4/10", set()),  # a 0-100 mm scale: 4 out of 10 is not 4 mm, left to review
])
def test_pain_scores_out_of_ten(text: str, expected: set[tuple]) -> None:
    assert thresholds(text) == expected

"""General forms of registry wording that the compiler reads into limits (issue 9: unseen text).

Each row is a sentence of the corpus (section, text) and every comparison it must compile to,
written "variable op value unit": the set must be exactly that, so that a form read with the
wrong comparator, on the wrong variable or with a stray extra limit fails.
"""

from __future__ import annotations

import pytest

from screener import compile_criteria
from screener.rules import Comparison, Not, walk


def readings(section: str, text: str) -> set[str]:
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    rules = compile_criteria(f"{heading}\n\n- {text}\n")
    return {f"{n.variable} {n.op} {n.value:g} {n.unit}" for c in rules.criteria for n in walk(c.rule)
            if isinstance(n, Comparison)}


CASES = [
    # the "or equal" on either side of the comparator word, with or without "than"
    ("inclusion", "Subjects were asymptomatic or symptomatic and had ejection fractions equal to or below 35 percent.",
     {"lvef <= 35 %"}),
    ("inclusion", "HDL-cholesterol below or equal to 59 mg/dL.", {"hdl_cholesterol <= 59 mg/dL"}),
    ("inclusion", "Diastolic blood pressure equal to or above 95 mm Hg", {"diastolic_bp >= 95 mmHg"}),
    ("inclusion", "Age equal or above 18 years", {"age >= 18 year"}),
    # a negated age comparator: "no older than" is an upper bound, "not younger than" a lower one
    ("inclusion", "No older than 65 years", {"age <= 65 year"}),
    ("inclusion", "Male or female subjects who are at least 18 years of age, but no older than 60 years of age",
     {"age >= 18 year", "age <= 60 year"}),
    # a negated comparator word is the opposite bound ("does not exceed", "not over", "no larger than")
    ("inclusion", "Hepatic transaminase levels that do not exceed 5 times the normal levels", {"ast <= 5 ULN", "alt <= 5 ULN"}),
    ("inclusion", "Not over 35 years of age", {"age <= 35 year"}),
    ("inclusion", "Stage IIIA limited to spleen and lesions no larger than 6 cm", {"lesion_size <= 6 cm"}),
    ("exclusion", "Renal impairment with estimated glomerular filtration rate (eGFR) lesser than 30 mL/min/1.73 m2",
     {"egfr < 30 mL/min/1.73m2"}),
    ("exclusion", "No bilirubin > 2 mg/dL", {"bilirubin > 2 mg/dL"}),  # under the item's negation, as before
    # "then" for "than"
    ("inclusion", "bilirubin less then 2", {"bilirubin < 2 mg/dL"}),
    ("inclusion", "Renal: Creatinine less then 1.5 mg/dL", {"creatinine < 1.5 mg/dL"}),
    # a number glued to the comparator word
    ("inclusion", "platelets greater than or equal to150,000.", {"platelets >= 150000 /mm3"}),
    # units: per 100 mL is per decilitre; "m(2)" is m2
    ("inclusion", "Preserved renal function (creatinine less than or equal to 2.0 mg/100 mL)",
     {"creatinine <= 2 mg/dL"}),
    ("inclusion", "Creatinine clearance greater than or equal to 45 cc/min/m(2)",
     {"creatinine_clearance >= 45 mL/min/m2"}),
    # eGFR without a unit is in mL/min/1.73 m2
    ("exclusion", "Patients with eGFR < 45", {"egfr < 45 mL/min/1.73m2"}),
    ("exclusion", "Must not have glomerular filtration rate less than 40.", {"egfr < 40 mL/min/1.73m2"}),
    # creatinine phosphokinase is creatine kinase, never creatinine
    ("exclusion", "Baseline creatinine phosphokinase (CPK) values >3X ULN (upper limit of normal);",
     {"creatine_kinase > 3 ULN"}),
    # the prothrombin time as a share of normal is the prothrombin activity; its ratio the INR
    ("exclusion", "Prothrombin time activity < 40% or prothrombin time international ratio > 1.5",
     {"prothrombin_activity < 40 %", "inr > 1.5 None"}),
    # a reticulocyte count with a count unit is the absolute count
    ("exclusion", "Reticulocyte count less than 60,000/mm(3).", {"reticulocytes_absolute < 60000 /mm3"}),
    # measures that were missing from the lexicon
    ("inclusion", "MCV less than 80 fl", {"mcv < 80 fL"}),
    ("exclusion", "Women with Hyperprolactinemia defined as prolactin greater than 30 ng/mL.",
     {"prolactin > 30 ng/mL"}),
    ("inclusion", "T2, PSA greater than 20 µg/L AND Gleason score at least 8",
     {"psa > 20 ug/L", "gleason_score >= 8 None"}),
    ("inclusion", "Marrow cellularity greater than 20 percent", {"bone_marrow_cellularity > 20 %"}),
    ("inclusion", "Bone marrow plasmacytosis with >= 10% plasma cells", {"bone_marrow_plasma_cells >= 10 %"}),
    ("inclusion", "Arterial pH >7.35", {"arterial_ph > 7.35 None"}),
    ("exclusion", "Mallampati score> 3", {"mallampati_class > 3 None"}),
    ("inclusion", "Patients with ABI between 0.4-1.4",
     {"ankle_brachial_index >= 0.4 None", "ankle_brachial_index <= 1.4 None"}),
    ("inclusion", "Tricuspid annular plane systolic excursion (TAPSE) <16 mm", {"tapse < 16 mm"}),
    ("inclusion", "Left atrium size < 45mm", {"left_atrial_diameter < 45 mm"}),
    ("exclusion", "Hypertrophic cardiomyopathy (diastolic septal thickness> 15 mm)", {"septal_thickness > 15 mm"}),
    ("exclusion", "Acute withdrawal state and CIWA score > 9", {"ciwa_ar > 9 None"}),
    ("inclusion", "Presence of prenatal depression (EPDS score >= 10);", {"epds >= 10 None"}),
    ("inclusion", "16-item Quick Inventory of Depressive Symptomatology, self-rated > 10", {"qids > 10 None"}),
    # FEV1 and FVC in a volume unit are the volumes, not shares of predicted
    ("inclusion", "FEV1 at least 1.2 L", {"fev1_volume >= 1.2 L"}),
    ("inclusion", "FEV_1 greater than 2.0 liters or at least 75% of predicted", {"fev1_volume > 2 L", "fev1 >= 75 %"}),
    ("inclusion", "FEV1 greater than 800 mL", {"fev1_volume > 800 mL"}),
    ("exclusion", "Severe chronic obstructive lung disease (forced vital capacity less than 1000 ml).",
     {"fvc_volume < 1000 mL"}),
    # "per 1.73 square meters" spelt out is the body-surface normalisation
    ("inclusion", "Creatinine clearance at least 65 mL/min per 1.73 square meters",
     {"creatinine_clearance >= 65 mL/min/1.73m2"}),
    ("exclusion", "Have an estimated glomerular filtration rate <45 milliliters per minute per 1.73 meters squared",
     {"egfr < 45 mL/min/1.73m2"}),
    # a limit whose own measure the lexicon does not name is never given to the next name, which heads
    # its own limit; a duration after a name is no limit of its own
    ("inclusion", "17-hydroxyprogesterone no greater than 3.3 ng/mL in follicular phase Prolactin no greater than 18 ng/dL",
     {"prolactin <= 18 ng/dL"}),
    ("inclusion", "SWOG 0-2 Karnofsky 70-100%", {"karnofsky >= 70 None"}),
    ("inclusion", "Creatine less than 2 times ULN Creatinine clearance at least 50 mL/min",
     {"creatinine_clearance >= 50 mL/min"}),
    ("inclusion", ">= 140 mmHg SBP and/or >= 90 mmHg DBP", {"systolic_bp >= 140 mmHg", "diastolic_bp >= 90 mmHg"}),
    ("inclusion", "At least 10% weight loss within 6 months of study", {"weight_loss >= 10 %"}),
    # an age after a comma, when only words naming the patient stand before it
    ("inclusion", "Male or female, greater than or equal to 19 years at the time of signing informed consent",
     {"age >= 19 year"}),
    ("inclusion", "Male and Female, between 18 and 80 years, ASA 1-3, Scheduled for open thoracotomy",
     {"age >= 18 year", "age <= 80 year", "asa_physical_status <= 3 None"}),
    ("inclusion", "Every patient more than 18 years who was administered antibiotherapy for urinary infection",
     {"age > 18 year"}),
    ("inclusion", "Diagnosed with diabetes, more than 5 years", set()),  # a duration, not an age
    ("inclusion", "Current smokers, at least 10 years", set()),
    # a condition closed in brackets before a limit is a remark on the limits, not a condition on them
    ("inclusion", "(unless tumor involvement of kidney is documented) Creatinine no greater than 2.0 mg/dL "
     "Creatinine clearance at least 50 mL/min", {"creatinine <= 2 mg/dL", "creatinine_clearance >= 50 mL/min"}),
    ("inclusion", "(unless bone marrow involvement by tumor) Absolute neutrophil count greater than 1,000/mm3 "
     "Platelet count greater than 100,000/mm3", {"neutrophils > 1000 /mm3", "platelets > 100000 /mm3"}),
    ("inclusion", "Bilirubin no greater than 1.5 times upper limit of normal (ULN) AST and ALT no greater than 3 times ULN "
     "(no greater than 5 times ULN if liver metastases present) Albumin greater than 2.5 g/dL",
     {"bilirubin <= 1.5 ULN", "ast <= 3 ULN", "alt <= 3 ULN", "ast <= 5 ULN", "alt <= 5 ULN", "albumin > 2.5 g/dL"}),
    ("inclusion", "Consent of a guardian if less than 18 years old", set()),  # an open condition still governs
    # laboratory words that were missing
    ("inclusion", "Hyperinsulinemia (i.e. fasting insulin >30microunits/mL)", {"insulin > 30 uIU/mL"}),
    ("inclusion", "Fasting C-peptide level greater than or equal to 0.7 ng/mL.", {"c_peptide >= 0.7 ng/mL"}),
    ("exclusion", "preoperative HB < 13 g/dl", {"hemoglobin < 13 g/dL"}),
    # another person's measure is not the patient's
    ("inclusion", "Normal weight children with both parents' current body mass index above 25 kg/m(2)", set()),
    # a share "above normal" is a rise over the limit, not a value of the measure
    ("inclusion", "PT no greater than 50% above normal", set()),
    ("inclusion", "Creatinine no greater than 0.3 mg/dL above normal", set()),
]


@pytest.mark.parametrize("section, text, expected", CASES, ids=[c[1][:50] for c in CASES])
def test_form_reads_as_expected(section: str, text: str, expected: set[str]) -> None:
    assert readings(section, text) == expected


# Words that name no measure of the patient's blood, or another scale: never read as one.
UNREAD = [
    ("inclusion", "Gleason grade group >= 2", "gleason_score"),  # a grade group (1-5) is no Gleason sum
    ("inclusion", "saliva pH 6.75-7.25", "arterial_ph"),  # a bare pH may be of any fluid
    ("exclusion", "urine pH > 7", "arterial_ph"),
    ("inclusion", "tumour cellularity of at least 30%", "bone_marrow_cellularity"),  # bare "cellularity": any tissue
]


@pytest.mark.parametrize("section, text, variable", UNREAD, ids=[c[1][:50] for c in UNREAD])
def test_words_not_read_as_the_variable(section: str, text: str, variable: str) -> None:
    assert not any(r.startswith(variable + " ") for r in readings(section, text))


def checked(section: str, text: str, profile: str) -> set[str]:
    from sentence_cases import checked as check_one
    return {c.status for c in check_one(section, text, profile).criteria}


# A run-on legacy paragraph: "No <condition>" then a limit of its own, capitalised, with no connector
# between: the limit is a requirement of its own, never inside the negation (read there, a patient
# meeting it would be excluded).
RUN_ON = [
    ("inclusion", "No significant cardiac disease Ejection fraction at least 40%",
     "conditions: {cardiac disease: absent}\nmeasurements: {LVEF: 55 %}", {"met"}),
    ("inclusion", "No significant cardiac disease Ejection fraction at least 40%",
     "conditions: {cardiac disease: absent}\nmeasurements: {LVEF: 30 %}", {"not_met"}),
    ("inclusion", "No active liver disease Transaminases no greater than 3 times upper limit of normal (ULN)",
     "conditions: {liver disease: absent}\nmeasurements: {AST: {value: 50, unit: U/L, uln: 40 U/L}, "
     "ALT: {value: 45, unit: U/L, uln: 40 U/L}}", {"met"}),
    # each limit of the run of items after the first is a requirement of its own too
    ("inclusion", "No severe renal disease Creatinine no greater than 1.5 mg/dL Creatinine clearance at least 60 mL/min",
     "conditions: {kidney disease: absent}\nmeasurements: {creatinine: 1.0 mg/dL, creatinine clearance: 90 mL/min}", {"met"}),
    ("inclusion", "No severe renal disease Creatinine no greater than 1.5 mg/dL Creatinine clearance at least 60 mL/min",
     "conditions: {kidney disease: absent}\nmeasurements: {creatinine: 1.0 mg/dL, creatinine clearance: 40 mL/min}", {"not_met"}),
    # a list of findings after "as evidenced by the following:" describes what is negated: it stays inside
    ("inclusion", "No inadequate bone marrow function as evidenced by the following: Absolute neutrophil count less than "
     "2000/mm3 Platelet count less than 100,000/mm3",
     "measurements: {ANC: 3000 /mm3, platelets: 250000 /mm3}", {"met"}),
]


@pytest.mark.parametrize("section, text, profile, expected", RUN_ON, ids=[c[1][:40] + "|" + str(c[3]) for c in RUN_ON])
def test_run_on_limit_outside_negation(section: str, text: str, profile: str, expected: set[str]) -> None:
    assert checked(section, text, profile) == expected


def legacy_readings(paragraph: str) -> set[str]:
    rules = compile_criteria(f"Inclusion Criteria:\n\n        PATIENT CHARACTERISTICS: {paragraph}\n")
    return {f"{n.variable} {n.op} {n.value:g} {n.unit}" for c in rules.criteria for n in walk(c.rule)
            if isinstance(n, Comparison)}


# Legacy "PATIENT CHARACTERISTICS:" paragraphs run field after field: a bare limit under a field of its own
# ("Performance Status: WHO 0-2", "Life Expectancy: At least 3 months") never takes the "Age:" field's
# variable, and a field left open ("Not specified") negates nothing after it.
LEGACY_FIELDS = [
    ("Age: 18 and over Performance Status: WHO 0-2 Life Expectancy: At least 3 months", {"age >= 18 year"}),
    ("Age: 16 to 70 Performance Status: ECOG 0-1 Life Expectancy: Not specified",
     {"age >= 16 year", "age <= 70 year", "ecog <= 1 None"}),
    ("Age: Not specified Performance Status: ECOG 0-2 Life Expectancy: Not specified", {"ecog <= 2 None"}),
]


@pytest.mark.parametrize("paragraph, expected", LEGACY_FIELDS, ids=[c[0][:50] for c in LEGACY_FIELDS])
def test_legacy_fields(paragraph: str, expected: set[str]) -> None:
    assert legacy_readings(paragraph) == expected


def test_field_left_open_negates_nothing() -> None:
    rules = compile_criteria("Inclusion Criteria:\n\n        PATIENT CHARACTERISTICS: Age: Not specified Performance Status: "
                             "ECOG 0-2 Life Expectancy: Not specified\n")
    assert not any(isinstance(n, Not) for c in rules.criteria for n in walk(c.rule))

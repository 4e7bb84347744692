"""The package lexicon (screener/data/lexicon.yaml): it loads, its units and ranges are
usable, molar masses convert correctly, names resolve, risky short forms are
case-sensitive, and the loader rejects bad input with its line."""

from __future__ import annotations

import math
import re

import pytest

from screener.errors import InputError
from screener.lexicon import Lexicon, get_lexicon, parse_lexicon
from screener.units import convert, parse_unit

LEX = get_lexicon()
VARIABLES = sorted(LEX.variables.values(), key=lambda v: v.id)
WITH_UNIT = [v for v in VARIABLES if v.unit]
WITH_RANGE = [v for v in VARIABLES if v.range]
WITH_MOLAR_MASS = [v for v in VARIABLES if v.molar_mass]
ALL_TERMS = [*LEX.variables.values(), *LEX.conditions.values(), *LEX.events.values()]


def _ids(terms):
    return [t.id for t in terms]


# ------------------------------------------------------------------------ loading


def test_package_lexicon_loads_with_a_broad_vocabulary() -> None:
    assert isinstance(LEX, Lexicon)
    assert get_lexicon() is LEX  # cached
    assert len(LEX.variables) >= 100
    assert len(LEX.conditions) >= 50
    assert len(LEX.events) >= 10


REQUIRED_VARIABLES = """
age creatinine bilirubin direct_bilirubin platelets ast alt neutrophils hemoglobin creatinine_clearance lvef wbc
alkaline_phosphatase systolic_bp diastolic_bp qtc ecog karnofsky lansky who_performance_status cd4_count weight
height bmi bsa egfr fev1 fvc dlco hba1c inr prothrombin_time aptt albumin glucose viral_load psa triglycerides
ldl_cholesterol hdl_cholesterol total_cholesterol calcium potassium sodium magnesium phosphate chloride bicarbonate
lipase amylase hematocrit lymphocytes troponin bnp nt_probnp tsh free_t4 heart_rate oxygen_saturation temperature
respiratory_rate mmse moca nyha_class tumor_size ldh creatine_kinase ggt urea bun uric_acid ferritin crp esr
fibrinogen d_dimer blasts pasi scorten fev1_fvc_ratio six_minute_walk_distance glasgow_coma_scale apache_ii
child_pugh_score meld_score edss nihss pain_vas ham_d phq_9 proteinuria urine_protein_creatinine_ratio igg
vitamin_d testosterone estradiol fsh beta_hcg mrss pasp pao2 paco2 detached_bsa
""".split()

REQUIRED_CONDITIONS = """
diabetes type_1_diabetes type_2_diabetes hypertension coronary_artery_disease myocardial_infarction stroke copd
asthma chronic_kidney_disease cirrhosis tuberculosis autoimmune_disease organ_transplant dementia depression
substance_abuse alcohol_abuse hiv hepatitis_b hepatitis_c brain_metastases bleeding_disorder systemic_sclerosis
interstitial_lung_disease heart_failure sjs_ten pregnancy breastfeeding
""".split()

REQUIRED_EVENTS = """
diagnosis randomization enrollment surgery last_chemotherapy transplantation screening symptom_onset
hospital_admission
""".split()


@pytest.mark.parametrize("kind, ids", [
    ("variables", REQUIRED_VARIABLES), ("conditions", REQUIRED_CONDITIONS), ("events", REQUIRED_EVENTS),
])
def test_required_entries_exist(kind: str, ids: list[str]) -> None:
    missing = [i for i in ids if i not in getattr(LEX, kind)]
    assert not missing


# ------------------------------------------------------------------------ units and ranges


@pytest.mark.parametrize("variable", WITH_UNIT, ids=_ids(WITH_UNIT))
def test_canonical_unit_parses(variable) -> None:
    unit = parse_unit(variable.unit)
    assert unit is not None
    assert unit.relative is None, "a canonical unit cannot be a multiple of ULN/LLN"
    assert unit.units is not None


@pytest.mark.parametrize("variable", WITH_RANGE, ids=_ids(WITH_RANGE))
def test_range_is_ordered_and_finite(variable) -> None:
    low, high = variable.range
    assert math.isfinite(low) and math.isfinite(high)
    assert low < high


def test_every_measured_variable_has_a_range() -> None:
    assert [v.id for v in VARIABLES if v.range is None] == []


@pytest.mark.parametrize("variable_id, unit", [
    ("creatinine", "mg/dL"), ("bilirubin", "mg/dL"), ("direct_bilirubin", "mg/dL"), ("glucose", "mg/dL"),
    ("hemoglobin", "g/dL"), ("albumin", "g/dL"), ("platelets", "10^9/L"), ("neutrophils", "10^9/L"), ("wbc", "10^9/L"),
    ("alt", "U/L"), ("ast", "U/L"), ("alkaline_phosphatase", "U/L"), ("creatinine_clearance", "mL/min"),
    ("egfr", "mL/min/1.73m2"), ("bsa", "m2"), ("hba1c", "%"), ("lvef", "%"), ("prothrombin_time", "s"), ("aptt", "s"),
    ("viral_load", "copies/mL"), ("psa", "ng/mL"), ("heart_rate", "1/min"), ("oxygen_saturation", "%"),
    ("temperature", "degC"), ("tumor_size", "mm"), ("blasts", "%"), ("six_minute_walk_distance", "m"),
    ("hematocrit", "%"), ("qtc", "ms"), ("systolic_bp", "mmHg"), ("weight", "kg"), ("height", "cm"), ("bmi", "kg/m2"),
])
def test_canonical_units_are_the_conventional_ones(variable_id: str, unit: str) -> None:
    assert LEX.variables[variable_id].unit == unit


@pytest.mark.parametrize("variable_id", [
    "ecog", "karnofsky", "lansky", "who_performance_status", "mmse", "moca", "nyha_class", "inr", "pasi", "scorten",
    "glasgow_coma_scale", "apache_ii", "child_pugh_score", "meld_score", "edss", "nihss", "ham_d", "phq_9", "mrss",
])
def test_scores_are_unitless(variable_id: str) -> None:
    assert LEX.variables[variable_id].unit is None


@pytest.mark.parametrize("variable_id, typo, real", [
    ("lvef", -61, 15),                     # a negative ejection fraction; 15 % is a real failing heart
    ("pasp", 3200, 120),
    ("ecog", 6, 4),
    ("nyha_class", 0, 4),
    ("hemoglobin", 125, 4.2),              # g/L typed where g/dL is expected
    ("temperature", 370, 41.5),
    ("oxygen_saturation", 101, 62),
    ("creatinine", -1, 14),
    ("platelets", 150000, 3),              # per mm3 typed as 10^9/L; 3 is real (ITP)
    ("sodium", 14, 112),
    ("potassium", 45, 8.9),
    ("glucose", -5, 1800),                 # hyperosmolar state
    ("wbc", 5000, 400),                    # hyperleukocytosis is real
    ("fev1_fvc_ratio", 70, 0.3),           # a percentage where a fraction is expected
])
def test_range_catches_typos_but_keeps_real_sick_values(variable_id: str, typo: float, real: float) -> None:
    low, high = LEX.variables[variable_id].range
    assert not low <= typo <= high
    assert low <= real <= high


# ------------------------------------------------------------------------ molar masses and valences


@pytest.mark.parametrize("variable_id, value, source, target, expected", [
    ("creatinine", 1, "mg/dL", "umol/L", 88.4),
    ("creatinine", 88.4, "umol/L", "mg/dL", 1.0),
    ("glucose", 100, "mg/dL", "mmol/L", 5.55),
    ("glucose", 7.0, "mmol/L", "mg/dL", 126.1),
    ("bilirubin", 1, "mg/dL", "umol/L", 17.1),
    ("direct_bilirubin", 0.3, "mg/dL", "umol/L", 5.13),
    ("uric_acid", 6, "mg/dL", "umol/L", 357),
    ("calcium", 10, "mg/dL", "mmol/L", 2.495),
    ("magnesium", 2.4, "mg/dL", "mmol/L", 0.987),
    ("phosphate", 3.1, "mg/dL", "mmol/L", 1.0),
    ("total_cholesterol", 200, "mg/dL", "mmol/L", 5.17),
    ("ldl_cholesterol", 100, "mg/dL", "mmol/L", 2.59),
    ("triglycerides", 150, "mg/dL", "mmol/L", 1.69),
    ("urea", 60.06, "mg/dL", "mmol/L", 10.0),
    ("bun", 28.02, "mg/dL", "mmol/L", 10.0),
    ("hemoglobin", 8, "mmol/L", "g/dL", 12.9),       # Dutch and Scandinavian labs report Hb in mmol/L
    ("free_t4", 1, "ng/dL", "pmol/L", 12.87),
    ("vitamin_d", 30, "ng/mL", "nmol/L", 74.9),
    ("testosterone", 50, "ng/dL", "nmol/L", 1.73),
    ("estradiol", 100, "pg/mL", "pmol/L", 367),
    ("lactate", 1, "mmol/L", "mg/dL", 9.01),
])
def test_molar_mass_converts_mass_and_amount(variable_id, value, source, target, expected) -> None:
    molar_mass = LEX.variables[variable_id].molar_mass
    assert molar_mass
    assert convert(value, source, target, molar_mass) == pytest.approx(expected, rel=5e-3)


@pytest.mark.parametrize("variable", WITH_MOLAR_MASS, ids=_ids(WITH_MOLAR_MASS))
def test_every_molar_mass_converts_consistently(variable) -> None:
    """1 mg/dL is 10 mg/L, i.e. 10/M mmol/L or 10,000/M umol/L, and back again."""
    mass = variable.molar_mass
    assert 1 < mass < 100_000
    in_mg_dl = convert(1.0, variable.unit, "mg/dL", mass)
    in_umol_l = convert(1.0, variable.unit, "umol/L", mass)
    assert in_umol_l == pytest.approx(in_mg_dl * 10_000 / mass, rel=1e-9)
    assert convert(in_umol_l, "umol/L", variable.unit, mass) == pytest.approx(1.0, rel=1e-9)
    assert convert(convert(1.0, "mg/dL", "umol/L", mass), "umol/L", "mg/dL", mass) == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("variable_id, valence", [
    ("sodium", 1), ("potassium", 1), ("chloride", 1), ("bicarbonate", 1), ("calcium", 2), ("magnesium", 2),
])
def test_electrolyte_valence(variable_id: str, valence: int) -> None:
    assert LEX.variables[variable_id].valence == valence


# ------------------------------------------------------------------------ names


VARIABLE_SPELLINGS = {
    "CrCl": "creatinine_clearance", "creatinine clearance": "creatinine_clearance", "CLcr": "creatinine_clearance",
    "Rodnan": "mrss", "mRSS": "mrss", "modified Rodnan skin score": "mrss",
    "sPAP": "pasp", "PAPs": "pasp", "pulmonary artery systolic pressure": "pasp",
    "haemoglobin": "hemoglobin", "Hb": "hemoglobin", "Hgb": "hemoglobin",
    "serum creatinine": "creatinine", "SCr": "creatinine", "Cr": "creatinine",
    "total bilirubin": "bilirubin", "Tbili": "bilirubin",
    "direct bilirubin": "direct_bilirubin", "conjugated bilirubin": "direct_bilirubin",
    "platelet count": "platelets", "thrombocytes": "platelets", "PLT": "platelets",
    "SGOT": "ast", "aspartate aminotransferase": "ast", "ASAT": "ast",
    "SGPT": "alt", "alanine transaminase": "alt", "ALAT": "alt",
    "ANC": "neutrophils", "absolute neutrophil count": "neutrophils", "PNN": "neutrophils",
    "LVEF": "lvef", "ejection fraction": "lvef", "EF": "lvef",
    "WBC": "wbc", "white blood cell count": "wbc", "leucocytes": "wbc", "leukocytes": "wbc",
    "alkaline phosphatase": "alkaline_phosphatase", "ALP": "alkaline_phosphatase",
    "SBP": "systolic_bp", "systolic blood pressure": "systolic_bp",
    "DBP": "diastolic_bp", "diastolic blood pressure": "diastolic_bp",
    "QTc": "qtc", "QTcF": "qtc", "corrected QT interval": "qtc",
    "ECOG": "ecog", "ECOG performance status": "ecog", "Zubrod": "ecog",
    "KPS": "karnofsky", "Karnofsky performance status": "karnofsky",
    "Lansky play-performance scale": "lansky", "WHO performance status": "who_performance_status",
    "CD4+ count": "cd4_count", "body weight": "weight", "stature": "height", "body mass index": "bmi",
    "body surface area": "bsa", "BSA": "bsa",
    "eGFR": "egfr", "estimated glomerular filtration rate": "egfr", "GFR": "egfr",
    "FEV1": "fev1", "forced expiratory volume in 1 second": "fev1", "forced vital capacity": "fvc",
    "DLCO": "dlco", "TLCO": "dlco",
    "HbA1c": "hba1c", "glycated haemoglobin": "hba1c", "A1c": "hba1c",
    "INR": "inr", "international normalised ratio": "inr",
    "PT": "prothrombin_time", "prothrombin time": "prothrombin_time",
    "aPTT": "aptt", "PTT": "aptt", "activated partial thromboplastin time": "aptt",
    "serum albumin": "albumin",
    "fasting glucose": "glucose", "random blood glucose": "glucose", "fasting plasma glucose": "glucose",
    "glycaemia": "glucose",
    "HIV viral load": "viral_load", "HIV-1 RNA": "viral_load",
    "prostate-specific antigen": "psa", "PSA": "psa",
    "triglycerides": "triglycerides", "LDL-C": "ldl_cholesterol", "LDL cholesterol": "ldl_cholesterol",
    "HDL-C": "hdl_cholesterol", "total cholesterol": "total_cholesterol",
    "Ca": "calcium", "serum calcium": "calcium", "K+": "potassium", "kalaemia": "potassium",
    "Na": "sodium", "natremia": "sodium", "Mg": "magnesium", "phosphorus": "phosphate", "Cl": "chloride",
    "HCO3": "bicarbonate", "lipase": "lipase", "amylase": "amylase",
    "haematocrit": "hematocrit", "Hct": "hematocrit",
    "absolute lymphocyte count": "lymphocytes", "ALC": "lymphocytes",
    "hs-cTnT": "troponin", "troponin I": "troponin", "BNP": "bnp", "brain natriuretic peptide": "bnp",
    "NT-proBNP": "nt_probnp", "NT pro BNP": "nt_probnp",
    "thyroid-stimulating hormone": "tsh", "FT4": "free_t4", "free thyroxine": "free_t4",
    "pulse rate": "heart_rate", "heart rate": "heart_rate", "SpO2": "oxygen_saturation",
    "body temperature": "temperature", "respiratory rate": "respiratory_rate",
    "Mini-Mental State Examination": "mmse", "Montreal Cognitive Assessment": "moca",
    "NYHA class": "nyha_class", "New York Heart Association functional class": "nyha_class",
    "tumour size": "tumor_size", "lesion size": "lesion_size",
    "lactate dehydrogenase": "ldh", "CPK": "creatine_kinase", "CK": "creatine_kinase",
    "gamma-glutamyl transferase": "ggt", "γ-GT": "ggt",
    "serum urea": "urea", "BUN": "bun", "blood urea nitrogen": "bun",
    "serum urate": "uric_acid", "serum ferritin": "ferritin", "C-reactive protein": "crp",
    "erythrocyte sedimentation rate": "esr", "fibrinogen": "fibrinogen", "D-dimer": "d_dimer",
    "bone marrow blasts": "blasts", "blast percentage": "blasts",
    "Psoriasis Area and Severity Index": "pasi", "SCORTEN": "scorten",
    "FEV1/FVC": "fev1_fvc_ratio", "Tiffeneau index": "fev1_fvc_ratio",
    "6MWD": "six_minute_walk_distance", "six-minute walk distance": "six_minute_walk_distance",
    "GCS": "glasgow_coma_scale", "APACHE II": "apache_ii", "Child-Pugh score": "child_pugh_score",
    "MELD": "meld_score", "Model for End-Stage Liver Disease": "meld_score",
    "Expanded Disability Status Scale": "edss", "NIH Stroke Scale": "nihss",
    "VAS": "pain_vas", "visual analogue scale": "pain_vas",
    "HAM-D": "ham_d", "HDRS": "ham_d", "Hamilton Depression Rating Scale": "ham_d", "PHQ-9": "phq_9",
    "24-hour urine protein": "proteinuria", "proteinuria": "proteinuria",
    "UPCR": "urine_protein_creatinine_ratio", "urine protein/creatinine ratio": "urine_protein_creatinine_ratio",
    "immunoglobulin G": "igg", "IgG": "igg", "25(OH)D": "vitamin_d", "25-hydroxyvitamin D": "vitamin_d",
    "testosterone": "testosterone", "oestradiol": "estradiol", "E2": "estradiol",
    "follicle-stimulating hormone": "fsh", "beta-hCG": "beta_hcg", "β-hCG": "beta_hcg", "hCG": "beta_hcg",
    "diffusing capacity": "dlco", "PaO2": "pao2", "pCO2": "paco2", "age": "age",
}

CONDITION_SPELLINGS = {
    "diabetes mellitus": "diabetes", "type 1 diabetes": "type_1_diabetes", "T1DM": "type_1_diabetes",
    "type 2 diabetes mellitus": "type_2_diabetes", "T2DM": "type_2_diabetes", "NIDDM": "type_2_diabetes",
    "hypertension": "hypertension", "arterial hypertension": "hypertension",
    "uncontrolled hypertension": "uncontrolled_hypertension",
    "coronary artery disease": "coronary_artery_disease", "ischaemic heart disease": "coronary_artery_disease",
    "CAD": "coronary_artery_disease",
    "myocardial infarction": "myocardial_infarction", "MI": "myocardial_infarction", "heart attack": "myocardial_infarction",
    "stroke": "stroke", "cerebrovascular accident": "stroke", "CVA": "stroke",
    "COPD": "copd", "chronic obstructive pulmonary disease": "copd",
    "asthma": "asthma", "chronic kidney disease": "chronic_kidney_disease", "CKD": "chronic_kidney_disease",
    "liver cirrhosis": "cirrhosis", "tuberculosis": "tuberculosis", "TB": "tuberculosis",
    "autoimmune disease": "autoimmune_disease", "solid organ transplant": "organ_transplant",
    "dementia": "dementia", "major depressive disorder": "depression", "depression": "depression",
    "substance abuse": "substance_abuse", "drug abuse": "substance_abuse", "alcohol abuse": "alcohol_abuse",
    "alcoholism": "alcohol_abuse",
    "HIV": "hiv", "HIV-1": "hiv", "human immunodeficiency virus": "hiv", "AIDS": "hiv",
    "hepatitis B": "hepatitis_b", "HBV": "hepatitis_b", "HCV": "hepatitis_c",
    "brain metastases": "brain_metastases", "CNS metastases": "brain_metastases",
    "bleeding disorder": "bleeding_disorder", "bleeding diathesis": "bleeding_disorder",
    "haemophilia": "bleeding_disorder",
    "SSc": "systemic_sclerosis", "scleroderma": "systemic_sclerosis", "ILD": "interstitial_lung_disease",
    "PAH": "pulmonary_arterial_hypertension", "CHF": "heart_failure", "AF": "atrial_fibrillation",
    "MDS": "myelodysplasia", "TEN": "sjs_ten", "SJS": "sjs_ten", "toxic epidermal necrolysis": "sjs_ten",
    "breast-feeding": "breastfeeding", "pregnant": "pregnancy",
    "nursing home": "long_term_care_residence", "lupus anticoagulant": "antiphospholipid_syndrome",
}

EVENT_SPELLINGS = {
    "diagnosis": "diagnosis", "date of diagnosis": "diagnosis", "randomisation": "randomization",
    "randomization": "randomization", "enrolment": "enrollment", "registration": "enrollment",
    "study entry": "enrollment", "surgery": "surgery", "major surgery": "surgery",
    "last chemotherapy": "last_chemotherapy", "last dose of chemotherapy": "last_chemotherapy",
    "transplantation": "transplantation", "transplant": "transplantation", "screening": "screening",
    "first dose of study treatment": "first_dose", "onset": "symptom_onset", "hospitalisation": "hospital_admission",
}


def _forms(spelling: str) -> list[str]:
    return sorted({spelling, spelling.lower(), spelling.upper(), f"  {spelling} "})


@pytest.mark.parametrize("spelling, expected", sorted(VARIABLE_SPELLINGS.items()))
def test_variable_spellings_resolve(spelling: str, expected: str) -> None:
    for form in _forms(spelling):
        term = LEX.variable(form)
        assert term is not None and term.id == expected, form


@pytest.mark.parametrize("spelling, expected", sorted(CONDITION_SPELLINGS.items()))
def test_condition_spellings_resolve(spelling: str, expected: str) -> None:
    for form in _forms(spelling):
        term = LEX.condition(form)
        assert term is not None and term.id == expected, form


@pytest.mark.parametrize("spelling, expected", sorted(EVENT_SPELLINGS.items()))
def test_event_spellings_resolve(spelling: str, expected: str) -> None:
    for form in _forms(spelling):
        term = LEX.event(form)
        assert term is not None and term.id == expected, form


def test_spaces_hyphens_and_underscores_are_alike() -> None:
    assert LEX.variable("six minute walk distance").id == "six_minute_walk_distance"
    assert LEX.variable("ham_d").id == "ham_d"
    assert LEX.variable("d dimer").id == "d_dimer"
    assert LEX.variable("Child Pugh score").id == "child_pugh_score"


def test_lists_are_separate() -> None:
    """HIV is a condition; HIV viral load a variable; hypertension never a variable."""
    assert LEX.condition("HIV").id == "hiv"
    assert LEX.variable("HIV") is None
    assert LEX.variable("HIV viral load").id == "viral_load"
    assert LEX.variable("hypertension") is None
    assert LEX.condition("transplant") is None and LEX.event("transplant").id == "transplantation"


def test_unknown_names_do_not_resolve_but_get_suggestions() -> None:
    assert LEX.variable("creatinin") is None
    assert LEX.suggest("variable", "creatinin") is not None
    assert LEX.variable("") is None


# ------------------------------------------------------------------------ cues


EXPECTED_CUES = {
    "neutropenia": "neutrophils", "thrombocytopenia": "platelets", "anemia": "hemoglobin", "anaemia": "hemoglobin",
    "leukopenia": "wbc", "lymphopenia": "lymphocytes", "hypokalemia": "potassium", "hyperkalaemia": "potassium",
    "hyponatremia": "sodium", "hypercalcemia": "calcium", "hypoalbuminemia": "albumin",
    "hyperbilirubinemia": "bilirubin", "hypoxemia": "oxygen_saturation", "tachycardia": "heart_rate",
    "bradycardia": "heart_rate", "fever": "temperature", "hypomagnesemia": "magnesium",
    "hypophosphatemia": "phosphate", "hyperglycemia": "glucose", "hyperuricemia": "uric_acid",
    "hypertriglyceridemia": "triglycerides", "eosinophilia": "eosinophils", "QTc prolongation": "qtc",
    "hypogammaglobulinemia": "igg",
}


@pytest.mark.parametrize("cue, expected", sorted(EXPECTED_CUES.items()))
def test_cue_belongs_to_its_variable(cue: str, expected: str) -> None:
    assert cue in LEX.variables[expected].cues


def test_cues_are_unique_and_not_names() -> None:
    seen: dict[str, str] = {}
    for variable in VARIABLES:
        for cue in variable.cues:
            key = re.sub(r"[\s_\-]+", " ", cue.casefold())
            assert key not in seen, f"cue {cue!r} in both {seen[key]} and {variable.id}"
            seen[key] = variable.id
            assert LEX.variable(cue) is None, f"cue {cue!r} is also a variable name"
            assert LEX.condition(cue) is None, f"cue {cue!r} is also a condition name"


def test_hypertension_is_a_condition_not_a_cue() -> None:
    cues = {c.casefold() for v in VARIABLES for c in v.cues}
    assert "hypertension" not in cues
    assert LEX.condition("hypertension").id == "hypertension"


# ------------------------------------------------------------------------ case sensitivity


# Short forms that, matched case-insensitively as whole words, hit ordinary words or other
# common abbreviations; they may only be abbreviations (matched case-sensitively).
RISKY = {
    "ten", "af", "ef", "pt", "hb", "ca", "k", "na", "mg", "cr", "bp", "hr", "t", "alt", "ast", "bun", "meld", "vas",
    "pad", "cad", "all", "aids", "got", "pe", "ms", "dm", "ph", "p", "cl", "tg", "ck", "e2", "mi", "tb", "hf", "egfr",
    "cva", "tia", "acs", "sua", "alb", "plt", "hct", "ssc", "pah", "sjs", "chf", "mds", "ild", "anc", "hgb", "hbv",
    "hcv", "pnn", "agc", "alat", "asat", "sgot", "sgpt", "paps", "creat", "apache", "lh", "rrt", "sct", "bmt",
}


@pytest.mark.parametrize("term", ALL_TERMS, ids=[f"{type(t).__name__}:{t.id}" for t in ALL_TERMS])
def test_risky_short_forms_are_not_case_insensitive_names(term) -> None:
    risky = [n for n in (term.label, *term.names) if n.casefold() in RISKY]
    assert not risky, f"move {risky} to abbreviations"


@pytest.mark.parametrize("variable_id, abbreviation", [
    ("lvef", "EF"), ("hemoglobin", "Hb"), ("prothrombin_time", "PT"), ("calcium", "Ca"), ("sodium", "Na"),
    ("magnesium", "Mg"), ("creatinine", "Cr"), ("alt", "ALT"), ("ast", "AST"), ("bun", "BUN"), ("egfr", "eGFR"),
])
def test_short_variable_forms_are_abbreviations(variable_id: str, abbreviation: str) -> None:
    assert abbreviation in LEX.variables[variable_id].abbreviations


@pytest.mark.parametrize("condition_id, abbreviation", [
    ("sjs_ten", "TEN"), ("sjs_ten", "SJS"), ("atrial_fibrillation", "AF"), ("systemic_sclerosis", "SSc"),
    ("hepatitis_b", "HBV"), ("hepatitis_c", "HCV"), ("hiv", "AIDS"),
])
def test_short_condition_forms_are_abbreviations(condition_id: str, abbreviation: str) -> None:
    assert abbreviation in LEX.conditions[condition_id].abbreviations


def test_spellings_are_clean() -> None:
    for term in ALL_TERMS:
        for spelling in (term.label, *term.names, *term.abbreviations, *getattr(term, "cues", ())):
            assert spelling == spelling.strip() and spelling, (term.id, spelling)
            assert "  " not in spelling, (term.id, spelling)


def test_codes_look_like_icd10() -> None:
    icd10 = re.compile(r"^[A-Z]\d\d(?:\.\d{1,2})?(?:-[A-Z]\d\d(?:\.\d{1,2})?)?$")
    for condition in LEX.conditions.values():
        if "icd10" in condition.codes:
            assert icd10.match(condition.codes["icd10"]), (condition.id, condition.codes)


def test_loinc_codes_are_well_formed_and_unique() -> None:
    seen: dict[str, str] = {}
    for variable in VARIABLES:
        if variable.loinc:
            assert re.fullmatch(r"\d{1,7}-\d", variable.loinc), variable.id
            assert variable.loinc not in seen, f"{variable.loinc} on {seen.get(variable.loinc)} and {variable.id}"
            seen[variable.loinc] = variable.id


# ------------------------------------------------------------------------ the loader


def test_parse_lexicon_reads_a_small_file() -> None:
    lexicon = parse_lexicon(
        "variables:\n"
        "- id: foo_level\n"
        "  label: foo level\n"
        "  unit: mg/dL\n"
        "  range: [0, 10]\n"
        "  molar_mass: 100\n"
        "  names: [serum foo]\n"
        "  abbreviations: [FOO]\n"
        "  cues: [hyperfooemia]\n"
        "conditions:\n"
        "- id: foo_disease\n"
        "  label: foo disease\n"
        "  codes: {icd10: X99}\n"
        "events:\n"
        "- id: foo_onset\n"
        "  label: foo onset\n"
    )
    assert lexicon.variable("Serum-Foo").id == "foo_level"
    assert lexicon.variable("foo").id == "foo_level"  # abbreviations are case-insensitive as keys
    assert lexicon.variable("hyperfooemia") is None   # cues are not names
    assert lexicon.variables["foo_level"].range == (0.0, 10.0)
    assert lexicon.condition("FOO DISEASE").codes == {"icd10": "X99"}
    assert lexicon.event("foo_onset").label == "foo onset"


@pytest.mark.parametrize("first, second", [
    ("names: [Thing]", "names: [thing]"),
    ("names: [Thing]", "abbreviations: [THING]"),
    ("names: [D-dimer]", "names: [d dimer]"),
    ("names: [foo_bar]", "names: [Foo Bar]"),
    ("label: same", "label: SAME"),
])
def test_parse_lexicon_rejects_a_duplicate_spelling(first: str, second: str) -> None:
    text = (
        "variables:\n"
        "- id: one\n"
        + ("  label: one\n" if not first.startswith("label") else "")
        + f"  {first}\n"
        "- id: two\n"
        + ("  label: two\n" if not second.startswith("label") else "")
        + f"  {second}\n"
    )
    with pytest.raises(InputError) as info:
        parse_lexicon(text, file="lex.yaml")
    assert "one" in info.value.message and "two" in info.value.message
    assert info.value.file == "lex.yaml"


def test_parse_lexicon_rejects_a_duplicate_id() -> None:
    text = "conditions:\n- id: same\n  label: first\n- id: same\n  label: second\n"
    with pytest.raises(InputError, match="defined twice"):
        parse_lexicon(text)


def test_package_ids_are_unique_within_each_list() -> None:
    """The shipped file passes the loader's own check; this names the offending id if not."""
    from importlib.resources import files

    from screener.yamlio import parse_yaml

    data = parse_yaml((files("screener") / "data" / "lexicon.yaml").read_text(encoding="utf-8")).data
    for section in ("variables", "conditions", "events"):
        ids = [entry["id"] for entry in data[section]]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        assert len(ids) == len(getattr(LEX, section))


def test_same_spelling_in_different_lists_is_allowed() -> None:
    lexicon = parse_lexicon(
        "variables:\n- id: hiv_load\n  label: HIV load\n  names: [HIV]\n"
        "conditions:\n- id: hiv\n  label: HIV infection\n  names: [HIV]\n"
    )
    assert lexicon.variable("HIV").id == "hiv_load"
    assert lexicon.condition("HIV").id == "hiv"


@pytest.mark.parametrize("entry, line, field", [
    # an unknown key (a typo of unit) is reported at its own line
    ("- id: bar\n  label: bar\n  unti: mg/dL\n", 6, "variables.1.unti"),
    # an id that is not snake_case
    ("- id: Bar-Level\n  label: bar\n", 4, "variables.1.id"),
    # a missing label: the line of the entry
    ("- id: bar\n  unit: mg/dL\n", 4, "variables.1.label"),
    # a range that is not numbers
    ("- id: bar\n  label: bar\n  range: [low, 5]\n", 6, "variables.1.range.0"),
    # a range with one bound
    ("- id: bar\n  label: bar\n  range: [5]\n", 6, "variables.1.range.1"),
    # a kind outside the list
    ("- id: bar\n  label: bar\n  kind: blood\n", 6, "variables.1.kind"),
])
def test_parse_lexicon_reports_a_malformed_entry_with_its_line(entry: str, line: int, field: str) -> None:
    text = "variables:\n- id: foo\n  label: foo\n" + entry
    with pytest.raises(InputError) as info:
        parse_lexicon(text, file="lex.yaml")
    error = info.value
    assert (error.file, error.line, error.field) == ("lex.yaml", line, field), str(error)
    assert str(error).startswith(f"lex.yaml:{line}: ")


def test_cues_are_refused_on_conditions() -> None:
    with pytest.raises(InputError) as info:
        parse_lexicon("conditions:\n- id: foo\n  label: foo\n  cues: [bar]\n", file="lex.yaml")
    assert info.value.line == 4

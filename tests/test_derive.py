"""screener.derive: calculators against published vectors, the derive() entry point
(measured value wins, Missing inputs, unit conversion), and monotonicity properties."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screener.derive import (
    FORMULAS,
    SCORTEN_OBSERVED_MORTALITY,
    Derived,
    Missing,
    bmi,
    bsa_dubois,
    bsa_mosteller,
    ckd_epi_2021,
    cockcroft_gault,
    derive,
    formulas_for,
    mdrd,
    pf_ratio,
    qtc_bazett,
    qtc_fridericia,
    scorten,
    scorten_mortality,
)
from screener.patient import ConditionState, Measurement, Patient, parse_patient


def meas(variable: str, value: float, unit: str | None, **kw) -> Measurement:
    return Measurement(variable=variable, name=variable, value=value, unit=unit, **kw)


def person(*measurements: Measurement, conditions: dict[str, str] | None = None, **kw) -> Patient:
    states = {
        name: ConditionState(condition=name, name=name, status=status)  # type: ignore[arg-type]
        for name, status in (conditions or {}).items()
    }
    return Patient(id="P", as_of=dt.date(2026, 1, 1), measurements={m.variable: m for m in measurements},
                   conditions=states, **kw)


# ----------------------------------------------------------------- published vectors

VECTORS = [
    # (calculator, args, expected, absolute tolerance)
    # Cockcroft-Gault: (140-50) x 80 / (72 x 1.0) = 100 mL/min; x 0.85 for a woman
    (cockcroft_gault, (50, 80, 1.0, "male"), 100.0, 1e-9),
    (cockcroft_gault, (50, 80, 1.0, "female"), 85.0, 1e-9),
    (cockcroft_gault, (80, 60, 2.0, "male"), 25.0, 1e-9),
    # CKD-EPI 2021: 55 y woman, 0.9 mg/dL -> 75.5 (NKF calculator: 75)
    (ckd_epi_2021, (55, 0.9, "female"), 75.5, 0.1),
    # at the knot (Scr = k) only age and sex remain: 142 x 0.9938^age (x 1.012 female)
    (ckd_epi_2021, (40, 0.9, "male"), 142 * 0.9938**40, 1e-9),
    (ckd_epi_2021, (40, 0.7, "female"), 142 * 0.9938**40 * 1.012, 1e-9),
    # MDRD (IDMS, 175): 50 y man, 1.0 mg/dL -> 175 x 50^-0.203 = 79.1
    (mdrd, (50, 1.0, "male"), 79.1, 0.05),
    (mdrd, (50, 1.0, "female"), 79.1 * 0.742, 0.05),
    # BSA 180 cm 80 kg: Mosteller sqrt(180 x 80 / 3600) = 2.00; DuBois 1.996
    (bsa_mosteller, (180, 80), 2.0, 1e-12),
    (bsa_dubois, (180, 80), 1.996, 0.001),
    (bmi, (80, 180), 24.69, 0.01),
    # QTc: at 60/min RR = 1 s and both equal QT; at 90/min RR = 0.667 s
    (qtc_fridericia, (400, 60), 400.0, 1e-9),
    (qtc_fridericia, (400, 90), 457.9, 0.05),
    (qtc_bazett, (400, 60), 400.0, 1e-9),
    (qtc_bazett, (400, 90), 489.9, 0.05),
    (qtc_bazett, (400, 80), 461.9, 0.05),
    (pf_ratio, (80, 0.4), 200.0, 1e-9),
    (pf_ratio, (95, 0.21), 452.4, 0.05),
]


@pytest.mark.parametrize("calculator, args, expected, tolerance", VECTORS,
                         ids=[f"{v[0].__name__}{v[1]}" for v in VECTORS])
def test_published_vectors(calculator, args, expected, tolerance):
    assert calculator(*args) == pytest.approx(expected, abs=tolerance)


def test_ckd_epi_2021_matches_the_issue_example_within_one_unit():
    assert abs(ckd_epi_2021(55, 0.9, "female") - 75) < 1


@pytest.mark.parametrize("score, expected", [(0, 1.2), (1, 3.9), (2, 12.2), (3, 32.4), (4, 62.2), (5, 85.0)])
def test_scorten_mortality_is_the_logistic_model(score, expected):
    # logit = -4.448 + 1.237 x SCORTEN; SCORTEN 3 -> 32.4 % (the table's observed 35.3 % is a note)
    assert scorten_mortality(score) * 100 == pytest.approx(expected, abs=0.05)


def test_scorten_observed_table():
    assert SCORTEN_OBSERVED_MORTALITY[3] == 0.353
    assert SCORTEN_OBSERVED_MORTALITY[1] == SCORTEN_OBSERVED_MORTALITY[0] == 0.032


SCORTEN_CASES = [
    # age, malignancy, HR, detached %, urea mmol/L, HCO3 mmol/L, glucose mmol/L -> points
    ((39, False, 119, 10, 10, 20, 14), 0),  # every criterion exactly at its cut-off, not met
    ((40, False, 119, 10, 10, 20, 14), 1),  # age >= 40
    ((40, True, 120, 10, 10, 20, 14), 3),  # malignancy, HR >= 120
    ((40, True, 120, 10.1, 10.1, 19.9, 14.1), 7),
    ((25, False, 80, 30, 5, 24, 6), 1),  # detached > 10 %
]


@pytest.mark.parametrize("args, expected", SCORTEN_CASES)
def test_scorten_points(args, expected):
    assert scorten(*args) == expected


@pytest.mark.parametrize("call", [
    lambda: cockcroft_gault(50, 80, 0, "male"),
    lambda: cockcroft_gault(50, -1, 1, "male"),
    lambda: cockcroft_gault(50, 80, 1, "other"),
    lambda: ckd_epi_2021(50, 0, "female"),
    lambda: pf_ratio(80, 40),  # FiO2 as a percentage: the pure function wants a fraction
    lambda: pf_ratio(80, 0.1),
    lambda: qtc_fridericia(400, 0),
    lambda: scorten_mortality(8),
])
def test_calculators_reject_inputs_outside_their_domain(call):
    with pytest.raises(ValueError):
        call()


# ----------------------------------------------------------------- derive()

ADULT = dict(sex="male", age=50.0, weight_kg=80.0, height_cm=180.0)


def test_cockcroft_gault_derived_with_readable_inputs():
    result = derive("creatinine_clearance", person(meas("creatinine", 1.0, "mg/dL"), **ADULT))
    assert isinstance(result, Derived)
    assert result.value == pytest.approx(100.0)
    assert (result.variable, result.unit, result.formula) == ("creatinine_clearance", "mL/min", "Cockcroft-Gault")
    assert result.inputs == {"age": "50 years", "weight": "80 kg", "serum creatinine": "1 mg/dL", "sex": "male"}
    assert "Cockcroft-Gault" in result.explanation() and "100 mL/min" in result.explanation()


def test_creatinine_in_umol_per_litre_gives_the_same():
    result = derive("creatinine_clearance", person(meas("creatinine", 88.4, "umol/L"), **ADULT))
    assert isinstance(result, Derived)
    assert result.value == pytest.approx(100.0, rel=1e-3)
    assert result.inputs["serum creatinine"] == "88.4 umol/L = 1 mg/dL"


def test_female_cockcroft_gault_and_ckd_epi():
    woman = person(meas("creatinine", 0.9, "mg/dL"), sex="female", age=55.0, weight_kg=80.0)
    crcl = derive("creatinine_clearance", woman)
    egfr = derive("egfr", woman)
    assert isinstance(crcl, Derived) and isinstance(egfr, Derived)
    assert crcl.value == pytest.approx((140 - 55) * 80 / (72 * 0.9) * 0.85)
    assert abs(egfr.value - 75) < 1
    assert (egfr.unit, egfr.formula) == ("mL/min/1.73m2", "CKD-EPI 2021")


def test_alternative_formulas_by_name():
    patient = person(meas("creatinine", 1.0, "mg/dL"), **ADULT)
    assert derive("egfr", patient, formula="mdrd").value == pytest.approx(mdrd(50, 1.0, "male"))  # type: ignore[union-attr]
    assert derive("bsa", patient, formula="DuBois").value == pytest.approx(bsa_dubois(180, 80))  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="known: CKD-EPI 2021, MDRD"):
        derive("egfr", patient, formula="Schwartz")


def test_formula_table():
    assert FORMULAS["egfr"][0] == "CKD-EPI 2021"
    assert FORMULAS["qtc"] == ("Fridericia", "Bazett")
    assert FORMULAS["bsa"][0] == "Mosteller"
    assert formulas_for("alt") == ()


def test_body_measures():
    patient = person(**ADULT)
    bsa, body_mass = derive("bsa", patient), derive("bmi", patient)
    assert isinstance(bsa, Derived) and isinstance(body_mass, Derived)
    assert bsa.value == pytest.approx(2.0) and bsa.unit == "m2" and bsa.formula == "Mosteller"
    assert round(body_mass.value, 1) == 24.7 and body_mass.unit == "kg/m2"


def test_body_measures_from_a_parsed_profile():
    patient = parse_patient("id: X\nsex: male\nage: 50\nheight: 1.8 m\nweight: 176.37 lb\n")
    result = derive("bmi", patient)
    assert isinstance(result, Derived)
    assert result.value == pytest.approx(24.69, abs=0.01)


@pytest.mark.parametrize("formula, rate, expected", [
    ("Fridericia", 60, 400.0), ("Fridericia", 90, 457.9), ("Bazett", 90, 489.9), ("Bazett", 80, 461.9),
])
def test_qtc_from_qt_and_heart_rate(formula, rate, expected):
    patient = person(meas("qt", 0.4, "s"), meas("heart_rate", rate, "1/min"))
    result = derive("qtc", patient, formula=formula)
    assert isinstance(result, Derived)
    assert result.value == pytest.approx(expected, abs=0.05)
    assert result.unit == "ms" and result.inputs["QT interval"] == "0.4 s = 400 ms"


def test_qtc_default_is_fridericia_and_notes_different_dates():
    patient = person(meas("qt", 400, "ms", date=dt.date(2025, 12, 1)),
                     meas("heart_rate", 90, "1/min", date=dt.date(2025, 12, 20)))
    result = derive("qtc", patient)
    assert isinstance(result, Derived) and result.formula == "Fridericia"
    assert result.note and "same ECG" in result.note


@pytest.mark.parametrize("fio2, unit", [(0.4, None), (40, None), (40, "%")])
def test_pf_ratio_reads_fio2_as_fraction_or_percent(fio2, unit):
    result = derive("pf_ratio", person(meas("pao2", 80, "mmHg"), meas("fio2", fio2, unit)))
    assert isinstance(result, Derived)
    assert result.value == pytest.approx(200.0) and result.unit == "mmHg"


def test_pf_ratio_converts_kpa():
    result = derive("pf_ratio", person(meas("pao2", 10.67, "kPa"), meas("fio2", 0.5, None)))
    assert isinstance(result, Derived)
    assert result.value == pytest.approx(160.0, abs=0.1)


def test_fio2_out_of_range_is_missing_with_a_reason():
    result = derive("pf_ratio", person(meas("pao2", 80, "mmHg"), meas("fio2", 0.1, None)))
    assert isinstance(result, Missing)
    assert result.inputs == [] and "FiO2" in (result.reason or "")


def scorten_patient(**changes) -> Patient:
    values = dict(heart_rate=(125, "1/min"), detached_bsa=(5, "%"), urea=(12, "mmol/L"),
                  bicarbonate=(22, "mmol/L"), glucose=(8, "mmol/L"))
    values.update(changes)
    measurements = [meas(name, *given) for name, given in values.items() if given is not None]
    return person(*measurements, conditions={"malignancy": "present"}, sex="female", age=45.0)


def test_scorten_3_predicts_32_4_percent():
    # age >= 40, malignancy, HR >= 120: 3 points; urea 12 mmol/L is a fourth: drop it to 8
    result = derive("scorten", scorten_patient(urea=(8, "mmol/L")))
    assert isinstance(result, Derived)
    assert result.value == 3 and result.unit is None and result.formula == "SCORTEN"
    assert result.note is not None
    assert "SCORTEN 3: predicted mortality 32.4 %" in result.note and "35.3 %" in result.note


def test_scorten_converts_conventional_units():
    # BUN 30 mg/dL = 10.7 mmol/L urea (> 10), glucose 260 mg/dL = 14.4 mmol/L (> 14),
    # bicarbonate 18 mEq/L = 18 mmol/L (< 20): 3 + 3 = 6
    result = derive("scorten", scorten_patient(urea=None, bun=(30, "mg/dL"), glucose=(260, "mg/dL"),
                                               bicarbonate=(18, "mEq/L")))
    assert isinstance(result, Derived) and result.value == 6
    assert result.inputs["BUN"] == "30 mg/dL = 10.7 mmol/L"
    # BUN 28 mg/dL is 10 mmol/L (not above), glucose 252 mg/dL is 13.99 mmol/L (not above)
    result = derive("scorten", scorten_patient(urea=None, bun=(28, "mg/dL"), glucose=(252, "mg/dL")))
    assert isinstance(result, Derived) and result.value == 3


def test_scorten_past_malignancy_scores_no_point():
    patient = scorten_patient(urea=(8, "mmol/L"))
    past = patient.model_copy(update={"conditions": {
        "malignancy": ConditionState(condition="malignancy", name="malignancy", status="past")}})
    result = derive("scorten", past)
    assert isinstance(result, Derived) and result.value == 2


def test_scorten_never_counts_a_missing_input_as_zero_points():
    patient = scorten_patient(glucose=None, bicarbonate=None)
    patient = patient.model_copy(update={"conditions": {}})
    result = derive("scorten", patient)
    assert isinstance(result, Missing)
    assert result.inputs == ["malignancy (present or absent)", "serum bicarbonate", "serum glucose"]
    assert result.formula == "SCORTEN"
    assert derive("scorten", scorten_patient(urea=None)).inputs == ["serum urea or BUN"]  # type: ignore[union-attr]


# ----------------------------------------------------------------- measured wins, missing, none


@pytest.mark.parametrize("variable, measurement", [
    ("creatinine_clearance", meas("creatinine_clearance", 55, "mL/min")),
    ("egfr", meas("egfr", 40, "mL/min/1.73m2")),
    ("bsa", meas("bsa", 1.5, "m2")),
    ("bmi", meas("bmi", 31, "kg/m2")),
    ("qtc", meas("qtc", 470, "ms")),
    ("scorten", meas("scorten", 2, None)),
])
def test_measured_value_wins(variable, measurement):
    patient = person(meas("creatinine", 1.0, "mg/dL"), meas("qt", 400, "ms"), meas("heart_rate", 70, "1/min"),
                     measurement, **ADULT)
    assert derive(variable, patient) is None


@pytest.mark.parametrize("variable, patient, inputs", [
    ("creatinine_clearance", person(sex="male", age=50.0), ["weight", "serum creatinine"]),
    ("creatinine_clearance", person(meas("creatinine", 1.0, "mg/dL")), ["age", "weight", "sex"]),
    ("egfr", person(meas("creatinine", 1.0, "mg/dL"), age=50.0), ["sex"]),
    ("bsa", person(weight_kg=70.0), ["height"]),
    ("bmi", person(), ["weight", "height"]),
    ("qtc", person(meas("qt", 400, "ms")), ["heart rate"]),
    ("pf_ratio", person(meas("pao2", 80, "mmHg")), ["FiO2"]),
])
def test_missing_inputs_are_listed(variable, patient, inputs):
    result = derive(variable, patient)
    assert isinstance(result, Missing)
    assert result.inputs == inputs and result.variable == variable
    assert "needs " + ", ".join(inputs) in result.explanation()


def test_weight_and_height_may_be_measurements():
    patient = person(meas("weight", 80, "kg"), meas("height", 1.8, "m"))
    result = derive("bsa", patient)
    assert isinstance(result, Derived) and result.value == pytest.approx(2.0)
    assert result.inputs == {"height": "1.8 m = 180 cm", "weight": "80 kg"}


def test_adult_formulas_refuse_children():
    child = person(meas("creatinine", 0.5, "mg/dL"), sex="female", age=12.0, weight_kg=40.0)
    for variable in ("creatinine_clearance", "egfr"):
        result = derive(variable, child)
        assert isinstance(result, Missing)
        assert result.inputs == [] and "adults" in (result.reason or "")


def test_no_formula_gives_none():
    patient = person(**ADULT)
    for variable in ("alt", "age", "hemoglobin", "not_a_variable"):
        assert derive(variable, patient) is None


def test_incompatible_unit_on_a_hand_built_patient_is_missing_with_the_reason():
    result = derive("creatinine_clearance", person(meas("creatinine", 1.0, "mmHg"), **ADULT))
    assert isinstance(result, Missing)
    assert result.reason == "mmHg cannot be converted to mg/dL"


# ----------------------------------------------------------------- properties

ages = st.floats(18, 120)
weights = st.floats(30, 250)
heights = st.floats(100, 230)
creatinines = st.floats(0.2, 15)
sexes = st.sampled_from(["female", "male"])


@given(ages, ages, weights, creatinines, sexes)
def test_cockcroft_gault_decreases_with_age(a1, a2, weight, creatinine, sex):
    young, old = sorted((a1, a2))
    assert cockcroft_gault(old, weight, creatinine, sex) <= cockcroft_gault(young, weight, creatinine, sex)


@given(ages, weights, creatinines, creatinines, sexes)
def test_cockcroft_gault_decreases_with_creatinine(age, weight, c1, c2, sex):
    low, high = sorted((c1, c2))
    assert cockcroft_gault(age, weight, high, sex) <= cockcroft_gault(age, weight, low, sex)


@given(ages, weights, weights, creatinines, sexes)
def test_cockcroft_gault_increases_with_weight(age, w1, w2, creatinine, sex):
    light, heavy = sorted((w1, w2))
    assert cockcroft_gault(age, heavy, creatinine, sex) >= cockcroft_gault(age, light, creatinine, sex)


@given(ages, creatinines, creatinines, sexes)
def test_ckd_epi_decreases_with_creatinine(age, c1, c2, sex):
    low, high = sorted((c1, c2))
    assert ckd_epi_2021(age, high, sex) <= ckd_epi_2021(age, low, sex)


@given(ages, creatinines, sexes)
def test_ckd_epi_is_continuous_at_the_knot(age, creatinine, sex):
    kappa = 0.7 if sex == "female" else 0.9
    below, above = ckd_epi_2021(age, kappa * (1 - 1e-9), sex), ckd_epi_2021(age, kappa * (1 + 1e-9), sex)
    assert math.isclose(below, above, rel_tol=1e-6)


@given(heights, heights, weights, weights)
def test_bsa_increases_with_height_and_weight(h1, h2, w1, w2):
    short, tall = sorted((h1, h2))
    light, heavy = sorted((w1, w2))
    for bsa in (bsa_mosteller, bsa_dubois):
        assert bsa(tall, light) >= bsa(short, light)
        assert bsa(short, heavy) >= bsa(short, light)


@given(st.floats(200, 700), st.floats(40, 150), st.floats(40, 150))
def test_qtc_corrections_order_with_heart_rate(qt, r1, r2):
    slow, fast = sorted((r1, r2))
    for correction in (qtc_fridericia, qtc_bazett):
        assert correction(qt, fast) >= correction(qt, slow)
    # above 60/min Bazett corrects more than Fridericia, below less
    if fast > 60:
        assert qtc_bazett(qt, fast) >= qtc_fridericia(qt, fast)


@given(st.integers(0, 6))
def test_scorten_mortality_increases(score):
    assert scorten_mortality(score + 1) > scorten_mortality(score)

"""Patient profiles: a good profile loads to lexicon ids and canonical units; every kind of
bad input is a PatientError with its file, line and field, never a traceback."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.errors import InputError, PatientError
from screener.lexicon import get_lexicon
from screener.patient import Patient, load_patient, parse_number, parse_patient
from screener.units import canonical, convert

FIXTURES = Path(__file__).parent / "fixtures" / "patients"


@pytest.fixture(scope="module")
def good() -> Patient:
    return load_patient(FIXTURES / "ssc_001.yaml")


# -- a good profile -----------------------------------------------------------------------


def test_good_profile_top_level(good: Patient) -> None:
    assert good.id == "SSC-001"
    assert good.sex == "female"
    assert good.birth_date == dt.date(1971, 3, 9)
    assert good.as_of == dt.date(2026, 11, 20)
    assert good.age_years() == 55.0
    assert good.height_cm == pytest.approx(164.0)
    assert good.weight_kg == 58.0
    assert good.bsa_m2() == pytest.approx(math.sqrt(164 * 58 / 3600))
    assert good.source == str(FIXTURES / "ssc_001.yaml")
    assert good.answers == {"I3": True, "E2": False}


@pytest.mark.parametrize(
    "variable, name, value, unit, line",
    [
        ("dlco", "DLCO", 52.0, "%", 9),
        ("pasp", "PASP", 32.0, "mmHg", 10),
        ("pao2", "PaO2", 10.9, "kPa", 11),
        ("creatinine_clearance", "creatinine clearance", 78.0, "mL/min/1.73m2", 12),
        ("mrss", "mRSS", 24.0, None, 13),
        ("alt", "ALT", 28.0, "U/L", 14),
        ("bilirubin", "bilirubin", 1.2, "mg/dL", 15),
        ("neutrophils", "neutrophils", 4.2, "10^9/L", 16),  # decimal comma, display spelling
        ("platelets", "platelets", 150000.0, "/uL", 17),  # space as thousands separator
        ("hemoglobin", "hemoglobin", 11.5, "g/dL", 18),
    ],
)
def test_good_profile_measurements(good: Patient, variable, name, value, unit, line) -> None:
    measurement = good.measurements[variable]
    assert (measurement.variable, measurement.name, measurement.unit, measurement.line) == (variable, name, unit, line)
    assert measurement.value == pytest.approx(value)


def test_good_profile_limits_and_dates(good: Patient) -> None:
    assert good.measurements["alt"].uln == 40.0
    # 21 umol/L of bilirubin (584.66 g/mol) in mg/dL
    assert good.measurements["bilirubin"].uln == pytest.approx(21 * 584.66 / 10_000)
    assert good.measurements["bilirubin"].date == dt.date(2026, 11, 18)
    assert "lvef" not in good.measurements  # blank means unknown


def test_good_profile_conditions_and_events(good: Patient) -> None:
    states = {cid: state.status for cid, state in good.conditions.items()}
    assert states == {
        "systemic_sclerosis": "present",
        "hiv": "absent",
        "malignancy": "past",
        "pulmonary_arterial_hypertension": "past",
        "autoimmune_disease": "present",  # implied: systemic sclerosis is an autoimmune disease (lexicon `broader`)
    }  # pregnancy: unknown and a blank epilepsy are left out
    malignancy = good.conditions["malignancy"]
    assert (malignancy.diagnosed, malignancy.ended, malignancy.line) == (dt.date(2019, 2, 1), dt.date(2021, 5, 1), 23)
    assert good.conditions["hiv"].name == "HIV"
    assert good.events == {"symptom_onset": dt.date(2026, 11, 12), "hospital_admission": dt.date(2026, 11, 15)}


@pytest.mark.parametrize(
    "text, check",
    [
        ("id: A\nage: 55", lambda p: p.age_years() == 55.0 and p.birth_date is None),
        ("id: A\nage: 55 years", lambda p: p.age == 55.0),
        ("id: A\nage: 18 months", lambda p: p.age == pytest.approx(1.5)),
        ("id: A\nage: 55\nbirth_date: 1971-03-09\nas_of: 2026-11-20", lambda p: p.age_years() == 55.0),
        ("id: A\nbirth_date: 1971-03-09\nas_of: 2026-03-08", lambda p: p.age_years() == 54.0),
        ("id: A", lambda p: p.as_of == dt.date.today() and p.measurements == {} and p.sex is None),
        ("id: 1234", lambda p: p.id == "1234"),
        ("id: 007", lambda p: p.id == "007"),
        ("id: A\nsex: Man", lambda p: p.sex == "male"),
        ("id: A\nsex: WOMAN", lambda p: p.sex == "female"),
        ("id: A\nsex: m", lambda p: p.sex == "male"),
        ("id: A\nweight: 132 lb\nheight: 170 cm", lambda p: p.weight_kg == pytest.approx(59.874, rel=1e-4)),
        ("id: A\nmeasurements:\n  diffusing capacity: 52 %", lambda p: p.measurements["dlco"].name == "diffusing capacity"),
        ("id: A\nmeasurements:\n  dlco: 52 %", lambda p: p.measurements["dlco"].line == 3),
        ("id: A\nmeasurements:\n  Hb: 12 g/L", lambda p: p.measurements["hemoglobin"].value == 12.0),
        ("id: A\nmeasurements:\n  platelets: 1,500 x10^9/L", lambda p: p.measurements["platelets"].value == 1500.0),
        ("id: A\nmeasurements:\n  ALT: {value: 28 U/L, uln: 40}", lambda p: p.measurements["alt"].uln == 40.0),
        ("id: A\nmeasurements:\n  ALT: {value: 28, unit: U/L, lln: 7, uln: 0.67 ukat/L}",
         lambda p: p.measurements["alt"].uln == pytest.approx(40.2) and p.measurements["alt"].lln == 7.0),
        ("id: A\nmeasurements:\n  bilirubin: 20 umol/L", lambda p: p.measurements["bilirubin"].unit == "umol/L"),
        ("id: A\nmeasurements:\n  creatinine clearance: 78 mL/min", lambda p: p.measurements["creatinine_clearance"].value == 78),
        ("id: A\nconditions:\n  HIV: {status: absent}", lambda p: p.conditions["hiv"].status == "absent"),
        ("id: A\nevents:\n  onset: 2026-11-12 08:30:00", lambda p: p.events["symptom_onset"] == dt.date(2026, 11, 12)),
        ("id: A\nmeasurements:\nconditions:\nevents:\nanswers:", lambda p: p.conditions == {} and p.answers == {}),
    ],
)
def test_good_variants(text: str, check) -> None:
    assert check(parse_patient(text, "p.yaml"))


def test_missing_id_defaults_to_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "P-042.yaml"
    path.write_text("sex: male\n")
    assert load_patient(path).id == "P-042"


def test_error_str_is_one_line() -> None:
    with pytest.raises(PatientError) as info:
        parse_patient("id: A\nmeasurements:\n  PASP: 32 kg\n", "p.yaml")
    assert str(info.value) == "p.yaml:3: measurements.PASP: 32 kg is not compatible with mmHg"
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("4.2", 4.2, None), ("1,5", 1.5, None), ("1,500", 1500.0, None), ("1,500.5", 1500.5, None),
        ("150 000", 150000.0, None), ("0,125", 0.125, None), ("-61 %", -61.0, "%"), ("52%", 52.0, "%"),
        ("4,2 x10^9/L", 4.2, "x10^9/L"), ("1e-05 g/L", 1e-05, "g/L"), ("\u22125", -5.0, None),
    ],
)
def test_parse_number(text: str, value: float, unit: str | None) -> None:
    assert parse_number(text) == (pytest.approx(value), unit)


@pytest.mark.parametrize("text", ["", "abc", "< 5", "about 3", "nan"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


# -- bad input: one row per case ----------------------------------------------------------

M = "id: A\nmeasurements:\n  "  # a measurement goes on line 3
C = "id: A\nconditions:\n  "
E = "id: A\nevents:\n  "

BAD = [
    # (text, line, field, phrase)
    ("id: A\nmeasurments:\n  DLCO: 52 %\n", 2, "measurments", "did you mean measurements?"),
    ("id: A\nDLCO: 52 %\n", 2, "DLCO", "put it under measurements"),
    ("id: A\nHIV: false\n", 2, "HIV", "put it under conditions"),
    ("id: A\nfavourite colour: blue\n", 2, "favourite colour", "unknown key"),
    (M + "DLOC: 52 %", 3, "measurements.DLOC", "did you mean dlco?"),
    (M + "foo bar baz: 3", 3, "measurements.foo bar baz", "unknown measurement"),
    (C + "sclerodrema: true", 3, "conditions.sclerodrema", "did you mean scleroderma?"),
    (E + "admision: 2026-11-15", 3, "events.admision", "did you mean admission?"),
    (M + "PASP: 32 kg", 3, "measurements.PASP", "32 kg is not compatible with mmHg"),
    (M + "neutrophils: 4.2 g/L", 3, "measurements.neutrophils", "not compatible with 10^9/L"),
    (M + "DLCO: 52", 3, "measurements.DLCO", "expected %"),
    (M + "PASP: 32", 3, "measurements.PASP", "has no unit; expected mmHg"),
    (M + "mRSS: 24 mmHg", 3, "measurements.mRSS", "unitless score"),
    (M + "PASP: abc mmHg", 3, "measurements.PASP", "cannot read 'abc mmHg' as a number"),
    (M + "PASP: < 5 mmHg", 3, "measurements.PASP", "cannot read"),
    (M + "PASP: 32 furlongs", 3, "measurements.PASP", "unknown unit 'furlongs'"),
    (M + "platelets: 150 000/uL", 3, "measurements.platelets", "unknown unit"),
    (M + "PASP: .nan", 3, "measurements.PASP", "not a finite number"),
    (M + "PASP: true", 3, "measurements.PASP", "expected a number"),
    (M + "PASP: [32, mmHg]", 3, "measurements.PASP", "expected a number"),
    (M + "ALT: 2 x ULN", 3, "measurements.ALT", "give the measured value in U/L"),
    (M + "PASP: 3200 mmHg", 3, "measurements.PASP", "3200 mmHg is outside the plausible range 5 to 200 mmHg"),
    (M + "LVEF: -61 %", 3, "measurements.LVEF", "-61 % is outside the plausible range 1 to 95 %"),
    (M + "PaO2: 200 kPa", 3, "measurements.PaO2", "200 kPa (1500.1"),
    (M + "mRSS: 60", 3, "measurements.mRSS", "60 is outside the plausible range 0 to 51"),
    (M + "age: 55 years", 3, "measurements.age", "top level"),
    (M + "ALT: {value: 28, unit: U/L, uln: 40 kg}", 3, "measurements.ALT.uln", "40 kg is not compatible with U/L"),
    (M + "ALT: {value: 28, unit: U/L, uln: high}", 3, "measurements.ALT.uln", "cannot read 'high'"),
    (M + "ALT: {value: 28 U/L, unit: U/L}", 3, "measurements.ALT.unit", "unit is given twice"),
    (M + "ALT: {value: 28, unit: U/L, ulm: 40}", 3, "measurements.ALT.ulm", "unknown key 'ulm'"),
    (M + "ALT: {unit: U/L, uln: 40}", 3, "measurements.ALT", "value is missing"),
    (M + "ALT: {value: 28, unit: U/L, lln: 40, uln: 40}", 3, "measurements.ALT.lln", "not below uln"),
    (M + "mRSS: {value: 24, uln: 10 U/L}", 3, "measurements.mRSS.uln", "unitless"),
    (M + "ALT:\n    value: 28\n    unit: U/L\n    date: 2026-13-01", 6, "measurements.ALT.date", "impossible date"),
    (M + "ALT: {value: 28, unit: U/L, date: '2026-02-30'}", 3, "measurements.ALT.date", "impossible date 2026-02-30"),
    (M + "DLCO: 52 %\n  diffusing capacity: 50 %", 4, "measurements.diffusing capacity", "same measurement as DLCO (line 3)"),
    (M + "DLCO: 52 %\n  DLCO: 50 %", 4, None, "duplicate key"),
    ("id: A\nmeasurements: [DLCO, 52]", 2, "measurements", "must be a mapping"),
    ("id: A\nbirth_date: 1971-02-30", 2, "birth_date", "impossible date 1971-02-30"),
    ("id: A\nbirth_date: '1971-02-30'", 2, "birth_date", "impossible date 1971-02-30"),
    ("id: A\nbirth_date: 09/03/1971", 2, "birth_date", "YYYY-MM-DD"),
    ("id: A\nas_of: next week", 2, "as_of", "YYYY-MM-DD"),
    (E + "onset: yesterday", 3, "events.onset", "YYYY-MM-DD"),
    (E + "onset: 2026-11-12\n  reaction onset: 2026-11-13", 4, "events.reaction onset", "same event"),
    ("id: A\nbirth_date: 1971-03-09\nas_of: 1970-01-01", 3, "as_of", "as_of 1970-01-01 is before birth_date 1971-03-09"),
    ("id: A\nbirth_date: 2999-01-01", 2, "birth_date", "is after as_of (today"),
    ("id: A\nage: 40\nbirth_date: 1971-03-09\nas_of: 2026-11-20", 2, "age", "does not match birth_date"),
    ("id: A\nage: 150", 2, "age", "150 year is outside the plausible range 0 to 120 year"),
    ("id: A\nage: 55 kg", 2, "age", "is not a duration"),
    ("id: A\nheight: 164", 2, "height", "needs a unit, e.g. 164 cm"),
    ("id: A\nheight: 164 kg", 2, "height", "is not a length"),
    ("id: A\nheight: 164 m", 2, "height", "16400 cm) is outside the plausible range"),
    ("id: A\nweight: 5800 kg", 2, "weight", "outside the plausible range"),
    ("sex: female\n", 1, "id", "missing id"),
    ("id: ''\nsex: female\n", 1, "id", "missing id"),
    ("id: [A, B]", 1, "id", "id must be text"),
    ("id: A\nsex: other", 2, "sex", "female or male"),
    ("id: A\nsex: true", 2, "sex", "female or male"),
    (C + "malignancy: {status: cured}", 3, "conditions.malignancy.status", "present, past or absent"),
    (C + "malignancy: {ended: 2021-05-01}", 3, "conditions.malignancy", "status is missing"),
    (C + "malignancy: {status: present, ended: 2021-05-01}", 3, "conditions.malignancy.ended", "use status: past"),
    (C + "malignancy: {status: absent, diagnosed: 2021-05-01}", 3, "conditions.malignancy.diagnosed", "absent"),
    (C + "malignancy: {status: past, diagnosed: 2022-01-01, ended: 2021-05-01}", 3,
     "conditions.malignancy.ended", "before diagnosed"),
    (C + "malignancy: {status: past, since: 2021-05-01}", 3, "conditions.malignancy.since", "unknown key"),
    (C + "HIV: 3", 3, "conditions.HIV", "expected true, false"),
    (C + "HIV: yes", 3, "conditions.HIV", "present, past or absent, not 'yes'"),
    ("id: A\nanswers:\n  I3: yes", 3, "answers.I3", "true or false"),
    ("id: A\nanswers:\n  I3: 1", 3, "answers.I3", "true or false"),
    ("id: A\nanswers: [I3]", 2, "answers", "must be a mapping"),
    ("", 1, None, "empty"),
    ("# nothing but a comment\n", 1, None, "empty"),
    ("- id: A\n- id: B\n", 1, None, "top level must be a mapping"),
    ("just text", 1, None, "top level must be a mapping"),
    ("id: &x A\nsex: *x\n", 1, None, "anchors and aliases"),
    ("id: A\nmeasurements:\n  PASP: [32\n", 4, None, ""),  # YAML syntax error
]


@pytest.mark.parametrize("text, line, field, phrase", BAD, ids=[f"{i}:{row[3][:30]}" for i, row in enumerate(BAD)])
def test_bad_input(text: str, line: int, field: str | None, phrase: str) -> None:
    with pytest.raises(PatientError) as info:
        parse_patient(text, "p.yaml")
    error = info.value
    assert (error.file, error.line, error.field) == ("p.yaml", line, field), str(error)
    assert phrase in error.message


@pytest.mark.parametrize(
    "content, phrase",
    [(b"id: A\n\x00\x01\x02", "binary"), (b"id: \xff\xfe A\n", "not UTF-8")],
)
def test_bad_file(tmp_path: Path, content: bytes, phrase: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(content)
    with pytest.raises(PatientError) as info:
        load_patient(path)
    assert info.value.file == str(path) and phrase in info.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PatientError, match="no such file"):
        load_patient(tmp_path / "absent.yaml")


# -- property: equivalent units load to the same canonical value ---------------------------

EQUIVALENT = {
    "PaO2": ["mmHg", "kPa", "mm Hg"],
    "hemoglobin": ["g/dL", "g/L", "mg/dL", "g/dl"],
    "neutrophils": ["x10^9/L", "10^9/L", "G/L", "/uL", "cells/mm3", "10^3/uL", "cells/uL", "/mm3"],
    "bilirubin": ["mg/dL", "umol/L", "µmol/L", "mg/L"],
    "creatinine clearance": ["mL/min", "mL/s", "L/h"],
    "ALT": ["U/L", "IU/L", "ukat/L"],
}


@st.composite
def written_measurement(draw):
    name = draw(st.sampled_from(sorted(EQUIVALENT)))
    variable = get_lexicon().variable(name)
    unit = draw(st.sampled_from(EQUIVALENT[name]))
    low, high = variable.range
    value = draw(
        st.floats(low, high, allow_nan=False, allow_subnormal=False).filter(lambda x: x == 0 or abs(x) >= 1e-6)
    )
    return name, variable, unit, value, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(written_measurement())
def test_equivalent_units_load_to_same_value(case) -> None:
    name, variable, unit, value, as_mapping = case
    written = convert(value, variable.unit, unit, variable.molar_mass)
    entry = f"{{value: {written!r}, unit: '{unit}'}}" if as_mapping else f"{written!r} {unit}"
    patient = parse_patient(f"id: A\nmeasurements:\n  {name}: {entry}\n", "p.yaml")
    measurement = patient.measurements[variable.id]
    assert measurement.unit == canonical(unit)
    back = convert(measurement.value, measurement.unit, variable.unit, variable.molar_mass)
    assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-12)


def test_electrolytes_in_meq_and_hba1c_in_mmol_per_mol_are_accepted() -> None:
    from screener.patient import parse_patient

    patient = parse_patient("id: P\nmeasurements:\n  sodium: 140 mEq/L\n  calcium: 4.8 mEq/L\n  HbA1c: 53 mmol/mol\n")
    assert patient.measurements["sodium"].unit == "mEq/L"
    assert patient.measurements["hba1c"].unit == "mmol/mol"

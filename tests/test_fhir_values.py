"""FHIR Observation value[x] types: what is read as an exact value (titres as their
reciprocal dilution), and what is listed as not used with its reason (censored values,
ranges, text, yes/no answers, dataAbsentReason), checked end to end against criteria.

The shapes follow FHIR R4 (https://hl7.org/fhir/R4/observation.html#value; Ratio for
titres, https://hl7.org/fhir/R4/datatypes.html#Ratio; Quantity.comparator,
https://hl7.org/fhir/R4/valueset-quantity-comparator.html; obs-6 for dataAbsentReason)
and the Synthea bundles' Observation layout (LOINC coding, UCUM valueQuantity).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from screener import compile_criteria
from screener.evaluate import check
from screener.fhir import read_fhir
from screener.fhir_values import Reading, read_value
from screener.patient import load_patient
from screener.profile_yaml import profile_yaml

UCUM = "http://unitsofmeasure.org"
AS_OF = dt.date(2026, 12, 1)
ANA, AMA, CREATININE, ECOG_FREE, HBA1C = "5048-4", "20483-4", "2160-0", "72514-3", "4548-4"


def _q(value: float, code: str | None = None, **extra) -> dict:
    quantity = {"value": value, **extra}
    if code is not None:
        quantity.update(system=UCUM, code=code)
    return quantity


def _ratio(top: float, bottom: float, **denominator) -> dict:
    return {"numerator": {"value": top}, "denominator": {"value": bottom, **denominator}}


def _absent(code: str) -> dict:
    return {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": code}]}


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"valueQuantity": _q(1.1, "mg/dL")}, Reading(1.1, "mg/dL")),
        ({"valueQuantity": {"value": 1.1, "unit": "mg/dL"}}, Reading(1.1, "mg/dL")),
        ({"valueQuantity": _q(160, "{titer}")}, Reading(160, "titer")),
        ({"valueQuantity": _q(0.5, "mg/dL", comparator="<")}, "censored value < 0.5 mg/dL"),
        ({"valueQuantity": _q(1280, "{titer}", comparator=">=")}, "censored value >= 1:1280 (only known to be at or above it)"),
        ({"valueQuantity": {"unit": "mg/dL"}}, "no value"),
        ({"valueInteger": 3}, Reading(3, None)),
        ({"valueString": "5.2"}, Reading(5.2, None)),
        ({"valueString": " 1.4 mg/dL "}, Reading(1.4, "mg/dL")),
        ({"valueString": "1:160"}, Reading(160, "titer")),
        ({"valueString": "1 : 80 titer"}, Reading(80, "titer")),
        ({"valueString": "<5"}, "censored value < 5"),
        ({"valueString": ">=10 mg/L"}, "censored value >= 10 mg/L"),
        ({"valueString": "<1:40"}, "censored value < 1:40"),
        ({"valueString": "\u22651:1280"}, "censored value >= 1:1280"),
        ({"valueString": "2-5"}, "is a range"),
        ({"valueString": "Negative"}, "text 'Negative', not a number"),
        ({"valueString": "1+"}, "not a number"),
        ({"valueString": "5 2"}, "not a number"),
        ({"valueString": "5.2 <"}, "not a number"),
        ({"valueRatio": _ratio(1, 160)}, Reading(160, "titer")),
        ({"valueRatio": _ratio(1, 40, code="{titer}", system=UCUM)}, Reading(40, "titer")),
        ({"valueRatio": _ratio(2, 3)}, "ratio 2:3 is not a 1:N dilution"),
        ({"valueRatio": _ratio(1, 160, code="mL", system=UCUM)}, "ratio 1:160 mL is not a 1:N dilution"),
        ({"valueRatio": {"numerator": {"value": 1}, "denominator": {"value": 1280, "comparator": ">"}}}, "censored value > ratio 1:1280"),
        ({"valueRatio": {"numerator": {"value": 1}}}, "ratio without a numerator or denominator value"),
        ({"valueRange": {"low": _q(2, "mg/dL"), "high": _q(5, "mg/dL")}}, "a range 2-5 mg/dL, not one value"),
        ({"valueBoolean": True}, "a yes/no answer (true), not a quantity"),
        ({"valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "260385009"}]}}, "coded answer"),
        ({"valueDateTime": "2026-01-01"}, "a DateTime value, not a quantity"),
        ({"dataAbsentReason": _absent("not-performed")}, "no value: data absent (not-performed)"),
        ({"dataAbsentReason": {"text": "specimen haemolysed"}}, "no value: data absent (specimen haemolysed)"),
        ({"dataAbsentReason": _absent("error"), "valueQuantity": _q(1.1, "mg/dL")}, "no value: data absent (error)"),
        ({}, "no value"),
    ],
)
def test_read_value(value, expected):
    found = read_value(value, UCUM)
    if isinstance(expected, Reading):
        assert found == expected
    else:
        assert isinstance(found, str) and expected in found, found


# ---------------------------------------------------------------- through a bundle, against criteria

def _obs(code: str, when: str = "2026-01-10", **value) -> dict:
    return {"resourceType": "Observation", "id": f"o-{code}-{len(json.dumps(value))}-{when}", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": "urn:uuid:p1"}, "effectiveDateTime": when + "T08:00:00+00:00", **value}


def _record(tmp_path: Path, *observations: dict):
    patient = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1970-01-02"}
    bundle = {"resourceType": "Bundle", "type": "transaction",
              "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r, "request": {"method": "POST", "url": r["resourceType"]}}
                        for r in (patient, *observations)]}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    return read_fhir(path, as_of=AS_OF)


def _status(record, criterion: str) -> str:
    rules = compile_criteria(f"Inclusion Criteria:\n- {criterion}\n", trial_id="T")
    return check(rules, record.patient).criteria[0].status


@pytest.mark.parametrize(
    "observation, criterion, status",
    [
        (_obs(ANA, valueRatio=_ratio(1, 160)), "ANA titer >= 1:160", "met"),
        (_obs(ANA, valueRatio=_ratio(1, 80)), "ANA titer >= 1:160", "not_met"),
        (_obs(ANA, valueString="1:320"), "ANA titer >= 1:160", "met"),
        (_obs(ANA, valueQuantity=_q(40, "{titer}")), "ANA titer >= 1:160", "not_met"),
        (_obs(ANA, valueInteger=640), "ANA titer >= 1:160", "met"),  # a bare number under a titre code
        (_obs(AMA, valueRatio=_ratio(1, 20)), "AMA titer < 1:40", "met"),
        (_obs(ANA, valueString="<1:40"), "ANA titer >= 1:160", "unknown"),  # censored: never read as 40
        (_obs(ANA, valueRatio=_ratio(2, 3)), "ANA titer >= 1:160", "unknown"),
        (_obs(CREATININE, valueQuantity=_q(0.5, "mg/dL", comparator="<")), "creatinine < 1.5 mg/dL", "unknown"),
        (_obs(CREATININE, valueString="1.2 mg/dL"), "creatinine < 1.5 mg/dL", "met"),
        (_obs(CREATININE, valueString="1.2"), "creatinine < 1.5 mg/dL", "unknown"),  # no unit: not guessed
        (_obs(CREATININE, valueString="1:160"), "creatinine < 1.5 mg/dL", "unknown"),  # a titre is no concentration
        (_obs(CREATININE, valueRange={"low": _q(0.8, "mg/dL"), "high": _q(1.0, "mg/dL")}), "creatinine < 1.5 mg/dL", "unknown"),
        (_obs(CREATININE, dataAbsentReason=_absent("not-performed")), "creatinine < 1.5 mg/dL", "unknown"),
        (_obs(CREATININE, valueBoolean=True), "creatinine < 1.5 mg/dL", "unknown"),
        (_obs(HBA1C, valueInteger=7), "HbA1c < 8%", "unknown"),  # an integer without its unit is not guessed
    ],
)
def test_value_types_against_criteria(tmp_path, observation, criterion, status):
    assert _status(_record(tmp_path, observation), criterion) == status


@pytest.mark.parametrize(
    "observation, reason",
    [
        (_obs(ANA, valueRatio=_ratio(2, 3)), "ratio 2:3 is not a 1:N dilution (titre); other ratios are not read"),
        (_obs(ANA, valueRatio=_ratio(1, 0.5)), "ratio 1:0.5 is not a 1:N dilution (titre); other ratios are not read"),
        (_obs(ANA, valueRatio=_ratio(1, 10**7)), "10,000,000 titer is outside the plausible range 1-100,000 titer"),
        (_obs(CREATININE, valueQuantity=_q(0.5, "mg/dL", comparator="<")),
         "censored value < 0.5 mg/dL (only known to be below it): the profile holds exact values, so criteria on it stay unknown"),
        (_obs(CREATININE, valueString="1.2"), "no unit (expected mg/dL)"),
        (_obs(CREATININE, valueString="1:160"), "titer is not compatible with mg/dL"),
        (_obs(CREATININE, dataAbsentReason=_absent("not-performed")), "no value: data absent (not-performed)"),
    ],
)
def test_unused_reason_names_what_was_not_read(tmp_path, observation, reason):
    record = _record(tmp_path, observation)
    assert not record.patient.measurements
    assert [u.reason for u in record.unused if u.resource == "Observation"] == [reason]


@pytest.mark.parametrize(
    "newer, older_is_used",
    [
        ({"valueQuantity": _q(0.5, "mg/dL", comparator="<")}, False),  # censored: the older exact value is stale
        ({"valueString": "<0.5 mg/dL"}, False),
        ({"valueRange": {"low": _q(0.8, "mg/dL"), "high": _q(1.0, "mg/dL")}}, False),
        ({"valueString": "not detected"}, False),  # text may be a result: the older value is not trusted
        ({"valueQuantity": _q(1.1, "g")}, False),  # a unit that does not fit
        ({"dataAbsentReason": _absent("not-performed")}, True),  # no result: the older value is still the latest
        ({"valueQuantity": {"unit": "mg/dL"}}, True),
    ],
)
def test_a_newer_result_that_cannot_be_read_makes_older_values_stale(tmp_path, newer, older_is_used):
    """Falling back to an older exact value when the latest result is "<0.5" would
    decide "creatinine > 1.0" on a value the lab has since contradicted."""
    record = _record(tmp_path, _obs(CREATININE, "2026-01-10", valueQuantity=_q(1.3, "mg/dL")),
                     _obs(CREATININE, "2026-03-01", **newer))
    assert ("creatinine" in record.patient.measurements) is older_is_used
    stale = [u for u in record.unused if "could not be read" in u.reason]
    assert len(stale) == (0 if older_is_used else 1)
    if not older_is_used:
        assert stale[0].reason == "a newer serum creatinine result (2026-03-01, loinc.org|2160-0) could not be read: left unknown"
        assert _status(record, "creatinine > 1.0 mg/dL") == "unknown"


@pytest.mark.parametrize("censored_day, used", [("2026-01-10", False), ("2025-12-01", True)])
def test_an_older_or_same_day_censored_result(tmp_path, censored_day, used):
    """An older censored result leaves the newer exact value in use; one on the same day
    is as new as it, so neither decides."""
    record = _record(tmp_path, _obs(CREATININE, "2026-01-10", valueQuantity=_q(1.3, "mg/dL")),
                     _obs(CREATININE, censored_day, valueQuantity=_q(0.5, "mg/dL", comparator="<")))
    assert ("creatinine" in record.patient.measurements) is used


def test_components_are_read_beside_the_panels_own_value(tmp_path):
    """A blood pressure panel (no value of its own) is read by its components; a
    component may be absent (dataAbsentReason) while the other is read."""
    panel = _obs("85354-9", component=[
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": _q(128, "mm[Hg]")},
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "dataAbsentReason": _absent("not-performed")},
    ])
    record = _record(tmp_path, panel)
    assert set(record.patient.measurements) == {"systolic_bp"}
    assert [u.reason for u in record.unused] == ["no value: data absent (not-performed)"]


@pytest.mark.parametrize("value", [{"valueRatio": _ratio(1, 160)}, {"valueString": "1:160"}, {"valueQuantity": _q(160, "{titer}")}])
def test_a_titre_converts_to_yaml_and_checks_the_same(tmp_path, value):
    record = _record(tmp_path, _obs(ANA, **value))
    measurement = record.patient.measurements["ana_titre"]
    assert (measurement.value, measurement.unit) == (160, "titer")
    path = tmp_path / "p.yaml"
    path.write_text(profile_yaml(record.patient, []))
    again = load_patient(path)
    rules = compile_criteria("Inclusion Criteria:\n- ANA titer >= 1:160\n- ANA titer < 1:320\n", trial_id="T")
    assert [c.status for c in check(rules, again).criteria] == [c.status for c in check(rules, record.patient).criteria] == ["met", "met"]


@pytest.mark.parametrize(
    "field, bad, message",
    [("valueInteger", "many", "valid integer"), ("valueString", 5, "valid string"), ("valueBoolean", "maybe", "valid boolean")],
)
def test_malformed_value_is_an_error_naming_the_field(tmp_path, field, bad, message):
    from screener.errors import PatientError

    obs = _obs(CREATININE, **{field: bad})
    with pytest.raises(PatientError) as error:
        _record(tmp_path, obs)
    assert error.value.field.endswith(f"{obs['id']}.{field}") and message in error.value.message


# ---------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_is_a_value_or_a_reason_and_a_comparator_is_never_a_value(text):
    found = read_value({"valueString": text}, UCUM)
    assert isinstance(found, (Reading, str))
    if any(mark in text for mark in "<>\u2264\u2265"):
        assert not isinstance(found, Reading)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["<", "<=", ">=", ">", "ad"]), st.floats(0.001, 1e5), st.sampled_from(["mg/dL", "{titer}", "%", None]))
def test_a_censored_quantity_is_never_read(comparator, value, unit):
    found = read_value({"valueQuantity": _q(value, unit, comparator=comparator)}, UCUM)
    assert isinstance(found, str) and found.startswith(f"censored value {comparator} ")


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 100000), st.sampled_from(["ratio", "string", "quantity"]))
def test_every_way_of_writing_a_titre_reads_its_dilution(dilution, form):
    value = {"ratio": {"valueRatio": _ratio(1, dilution)}, "string": {"valueString": f"1:{dilution}"},
             "quantity": {"valueQuantity": _q(dilution, "{titer}")}}[form]
    assert read_value(value, UCUM) == Reading(dilution, "titer")


def test_an_undated_result_that_cannot_be_read_leaves_the_variable_unknown(tmp_path):
    """Whether it is newer than the dated exact value is not known: neither decides."""
    undated = _obs(CREATININE, valueString="<0.5 mg/dL")
    del undated["effectiveDateTime"]
    record = _record(tmp_path, _obs(CREATININE, "2026-01-10", valueQuantity=_q(1.3, "mg/dL")), undated,
                     _obs(CREATININE, "2025-01-10", valueString="<0.4 mg/dL"))
    assert "creatinine" not in record.patient.measurements

"""FHIR R4 input: the five Synthea bundles load with the values the JSON holds (read here
independently), check runs against the seed and corpus trials, convert-to-YAML checks the
same, statuses are filtered, malformed resources are clean errors, NDJSON one at a time."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest

from screener import load_rules
from screener.codes import get_codes
from screener.cohort import iter_patients
from screener.compiler import compile_source
from screener.errors import PatientError
from screener.evaluate import check
from screener.fhir import iter_fhir, load_fhir, read_fhir
from screener.patient import load_patient
from screener.profile_yaml import profile_yaml
from screener.sources import from_record

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "data" / "fhir").exists()), ROOT.parent / "shared")
BUNDLES = sorted((SHARED / "data" / "fhir").glob("*.json"))
AS_OF = dt.date(2026, 12, 1)
needs_data = pytest.mark.skipif(not BUNDLES, reason="../shared/data/fhir not available")

KEY_LABS = {  # LOINC code in these bundles -> lexicon variable
    "38483-4": "creatinine", "718-7": "hemoglobin", "777-3": "platelets", "6690-2": "wbc",
    "1742-6": "alt", "1920-8": "ast", "1975-2": "bilirubin", "2339-0": "glucose", "4548-4": "hba1c",
    "33914-3": "egfr", "33762-6": "nt_probnp", "10230-1": "lvef", "8480-6": "systolic_bp",
}


def _resources(path: Path) -> list[dict]:
    return [e["resource"] for e in json.loads(path.read_text())["entry"]]


def _expected_latest(resources: list[dict]) -> dict[str, tuple[float, str]]:
    """LOINC -> (value, date) of the last-dated value, read straight from the JSON
    (components included; ties on the date: the last in the file)."""
    latest: dict[str, tuple[str, float]] = {}
    for r in resources:
        if r["resourceType"] != "Observation" or r["status"] not in ("final", "amended", "corrected"):
            continue
        parts = [r] + r.get("component", [])
        for part in parts:
            code = part["code"]["coding"][0]["code"]
            if "valueQuantity" in part and code in KEY_LABS:
                when = r["effectiveDateTime"][:10]
                if code not in latest or when >= latest[code][0]:
                    latest[code] = (when, part["valueQuantity"]["value"])
    return {code: (value, when) for code, (when, value) in latest.items()}


@needs_data
@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name.split("_")[0])
def test_bundle_loads_the_values_the_json_holds(path):
    resources = _resources(path)
    patient = load_fhir(path, as_of=AS_OF)
    person = next(r for r in resources if r["resourceType"] == "Patient")
    assert patient.id == person["id"]
    assert patient.sex == person["gender"]
    assert patient.birth_date.isoformat() == person["birthDate"]
    expected = _expected_latest(resources)
    assert expected, "the bundle has key labs"
    for code, (value, when) in expected.items():
        measurement = patient.measurements[KEY_LABS[code]]
        assert measurement.value == pytest.approx(value), code
        assert measurement.date.isoformat() == when, code
        assert f"LOINC {code}" in measurement.note


@needs_data
@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name.split("_")[0])
def test_bundle_conditions_and_dates(path):
    """Every SNOMED condition the code map knows is present (active) or past (resolved,
    ended at its latest abatement), diagnosed at its earliest onset."""
    codes = get_codes()
    patient = load_fhir(path, as_of=AS_OF)
    expected: dict[str, list[tuple[str, str, str | None]]] = {}
    for r in _resources(path):
        if r["resourceType"] != "Condition":
            continue
        status = r["clinicalStatus"]["coding"][0]["code"]
        for condition in codes.snomed.get(r["code"]["coding"][0]["code"], ()):
            expected.setdefault(condition, []).append((status, r["onsetDateTime"][:10], r.get("abatementDateTime", "")[:10] or None))
    assert set(patient.conditions) >= set(expected)
    for condition, records in expected.items():
        state = patient.conditions[condition]
        active = [r for r in records if r[0] == "active"]
        assert state.status == ("present" if active else "past"), condition
        assert state.diagnosed.isoformat() == min(r[1] for r in records)
        if not active:
            assert state.ended.isoformat() == max(r[2] for r in records)


def _corpus_trials(n: int = 10) -> list:
    """The first ``n`` corpus trials whose criteria name labs a record holds."""
    corpus = SHARED / "corpus" / "trials.jsonl"
    if not corpus.exists():
        return []
    chosen = []
    with corpus.open() as handle:
        for line in handle:
            record = json.loads(line)
            text = (record.get("eligibility_criteria") or "").lower()
            if "creatinine" in text and ("hemoglobin" in text or "platelet" in text):
                chosen.append(compile_source(from_record(record)))
            if len(chosen) == n:
                break
    return chosen


@pytest.fixture(scope="module")
def rule_sets():
    seeds = [load_rules(p) for p in sorted((ROOT / "rules").glob("*.yaml"))]
    return seeds + _corpus_trials()


@needs_data
def test_check_runs_against_seed_and_corpus_trials(rule_sets):
    assert len(rule_sets) == 12
    patients = [load_fhir(p, as_of=AS_OF) for p in BUNDLES]
    verdicts = set()
    for rules, patient in itertools.product(rule_sets, patients):
        result = check(rules, patient)
        assert len(result.criteria) == len(rules.criteria)
        verdicts.add(result.verdict)
    assert verdicts <= {"eligible", "ineligible", "needs_review"}


@needs_data
@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name.split("_")[0])
def test_converted_yaml_checks_the_same_as_the_bundle(path, tmp_path, rule_sets):
    record = read_fhir(path, as_of=AS_OF)
    converted = tmp_path / "p.yaml"
    converted.write_text(profile_yaml(record.patient, [f"from {path.name}"]))
    again = load_patient(converted)
    for rules in rule_sets:
        a, b = check(rules, record.patient), check(rules, again)
        assert a.verdict == b.verdict
        assert [(c.id, c.status) for c in a.criteria] == [(c.id, c.status) for c in b.criteria]


@needs_data
def test_explanation_names_the_value_used():
    patient = load_fhir(BUNDLES[0], as_of=AS_OF)
    rules = _rules_with("creatinine < 1.5 mg/dL")
    explanation = check(rules, patient).criteria[0].explanation
    creatinine = patient.measurements["creatinine"]
    assert "latest of" in explanation and creatinine.date.isoformat() in explanation and "LOINC 38483-4" in explanation


def _rules_with(text: str):
    from screener import compile_criteria

    return compile_criteria(f"Inclusion Criteria:\n- {text}\n", trial_id="T")


# ---------------------------------------------------------------- small hand-made records

def _bundle(*resources: dict) -> dict:
    patient = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1970-01-02"}
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": r} for r in (patient, *resources)]}


def _obs(code: str, value: float | None, unit: str, when: str = "2026-01-10", status: str = "final", **extra) -> dict:
    obs = {"resourceType": "Observation", "id": f"o-{code}-{when}", "status": status,
           "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
           "subject": {"reference": "Patient/p1"}, "effectiveDateTime": when + "T08:00:00+00:00"}
    if value is not None:
        obs["valueQuantity"] = {"value": value, "system": "http://unitsofmeasure.org", "code": unit}
    obs.update(extra)
    return obs


def _cond(code: str, clinical: str | None = "active", verification: str = "confirmed", system: str = "http://snomed.info/sct", **extra) -> dict:
    cond = {"resourceType": "Condition", "id": f"c-{code}", "code": {"coding": [{"system": system, "code": code}]},
            "subject": {"reference": "Patient/p1"},
            "verificationStatus": {"coding": [{"code": verification}]}, "onsetDateTime": "2020-03-04"}
    if clinical:
        cond["clinicalStatus"] = {"coding": [{"code": clinical}]}
    cond.update(extra)
    return cond


def _load(tmp_path: Path, bundle: dict):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    return read_fhir(path, as_of=AS_OF)


@pytest.mark.parametrize(
    "observations, variable, value",
    [
        ([_obs("2160-0", 1.1, "mg/dL"), _obs("2160-0", 1.4, "mg/dL", "2026-02-01")], "creatinine", 1.4),
        ([_obs("2160-0", 1.4, "mg/dL", "2026-02-01", status="entered-in-error"), _obs("2160-0", 1.1, "mg/dL")], "creatinine", 1.1),
        ([_obs("2160-0", 1.4, "mg/dL", "2026-02-01", status="preliminary"), _obs("2160-0", 1.1, "mg/dL")], "creatinine", 1.1),
        ([_obs("2160-0", 9.9, "mg/dL", "2027-02-01"), _obs("2160-0", 1.1, "mg/dL")], "creatinine", 1.1),  # after as_of
        ([_obs("14682-9", 97, "umol/L")], "creatinine", 97),
        ([_obs("777-3", 150, "10*3/uL")], "platelets", 150),
        ([_obs("8331-1", 37.2, "Cel")], "temperature", 37.2),
        ([_obs("62238-1", 55, "mL/min/{1.73_m2}")], "egfr", 55),
    ],
)
def test_observation_status_dates_and_codes(tmp_path, observations, variable, value):
    patient = _load(tmp_path, _bundle(*observations)).patient
    assert patient.measurements[variable].value == value


def test_blood_pressure_panel_components_and_reference_range(tmp_path):
    bp = _obs("85354-9", None, "", component=[
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": {"value": 141, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "valueQuantity": {"value": 88, "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
    ])
    alt = _obs("1742-6", 50, "U/L", referenceRange=[{"low": {"value": 7, "code": "U/L"}, "high": {"value": 40, "code": "U/L"}}])
    hb = _obs("718-7", 12, "g/dL", referenceRange=[{"low": {"value": 120, "code": "g/L"}, "high": {"value": 160, "code": "g/L"}}])
    patient = _load(tmp_path, _bundle(bp, alt, hb)).patient
    assert (patient.measurements["systolic_bp"].value, patient.measurements["systolic_bp"].unit) == (141, "mmHg")
    assert patient.measurements["diastolic_bp"].value == 88
    assert (patient.measurements["alt"].lln, patient.measurements["alt"].uln) == (7, 40)
    assert patient.measurements["hemoglobin"].uln == pytest.approx(16)
    result = check(_rules_with("ALT <= 2.5 x ULN"), patient)
    assert result.criteria[0].status == "met"


def test_height_weight_in_us_units(tmp_path):
    record = _load(tmp_path, _bundle(_obs("8302-2", 68, "[in_i]"), _obs("29463-7", 150, "[lb_av]")))
    assert record.patient.height_cm == pytest.approx(172.72)
    assert record.patient.weight_kg == pytest.approx(68.0389, rel=1e-5)


@pytest.mark.parametrize(
    "condition, expected",
    [
        (_cond("44054006"), {"type_2_diabetes": "present", "diabetes": "present"}),
        (_cond("E11.9", system="http://hl7.org/fhir/sid/icd-10-cm"), {"type_2_diabetes": "present", "diabetes": "present"}),
        (_cond("38341003", clinical="resolved", abatementDateTime="2021-01-01"), {"hypertension": "past"}),
        (_cond("38341003", clinical="remission"), {"hypertension": "past"}),
        (_cond("38341003", clinical="relapse"), {"hypertension": "present"}),
        (_cond("38341003", verification="refuted"), {}),
        (_cond("38341003", verification="entered-in-error"), {}),
        (_cond("38341003", verification="unconfirmed"), {}),
        (_cond("38341003", verification="provisional"), {}),
        (_cond("15777000"), {}),  # prediabetes: not diabetes, listed as not used
    ],
)
def test_condition_status_mapping(tmp_path, condition, expected):
    record = _load(tmp_path, _bundle(condition))
    assert {k: v.status for k, v in record.patient.conditions.items()} == expected
    if not expected:
        assert any(u.resource == "Condition" for u in record.unused)


def test_procedures_medications_and_pregnancy(tmp_path):
    chemo = {"resourceType": "MedicationRequest", "id": "m1", "status": "completed", "authoredOn": "2026-09-01",
             "subject": {"reference": "Patient/p1"}, "dispenseRequest": {"validityPeriod": {"end": "2026-10-01"}},
             "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "L01XA03"}]}}
    open_order = dict(chemo, id="m2", status="active", authoredOn="2025-01-01", dispenseRequest={})
    cancelled = dict(chemo, id="m3", status="cancelled", authoredOn="2026-11-30")
    stopped_no_end = dict(chemo, id="m4", status="stopped", authoredOn="2026-01-01", dispenseRequest={})
    surgery = {"resourceType": "Procedure", "id": "s1", "status": "completed", "subject": {"reference": "Patient/p1"},
               "code": {"coding": [{"system": "http://snomed.info/sct", "code": "43075005"}]},
               "performedPeriod": {"start": "2026-09-01T08:00:00Z", "end": "2026-09-01T10:00:00Z"}}
    pregnant = _obs("82810-3", None, "", "2026-11-01", valueCodeableConcept={"coding": [{"system": "http://snomed.info/sct", "code": "77386006"}]})
    record = _load(tmp_path, _bundle(chemo, cancelled, surgery, pregnant))
    assert record.patient.events == {"last_chemotherapy": dt.date(2026, 10, 1), "surgery": dt.date(2026, 9, 1)}
    assert record.patient.conditions["pregnancy"].status == "present"
    ongoing = _load(tmp_path, _bundle(open_order)).patient
    assert ongoing.events["last_chemotherapy"] == AS_OF  # an open order is taken as ongoing
    unknown = _load(tmp_path, _bundle(stopped_no_end))
    assert "last_chemotherapy" not in unknown.patient.events  # its start is not its last dose
    assert any("last taken is not known" in u.reason for u in unknown.unused)


@pytest.mark.parametrize(
    "change, field, message",
    [
        (lambda o: o["valueQuantity"].update(value="high"), "Observation/bad.valueQuantity.value", "valid number"),
        (lambda o: o.update(effectiveDateTime="yesterday"), "Observation/bad.effectiveDateTime", "not a FHIR date"),
        (lambda o: o.pop("code"), "Observation/bad.code", "Field required"),
        (lambda o: o.pop("status"), "Observation/bad.status", "Field required"),
    ],
)
def test_malformed_resource_error_names_file_resource_and_field(tmp_path, change, field, message):
    obs = _obs("2160-0", 1.1, "mg/dL")
    obs["id"] = "bad"
    change(obs)
    with pytest.raises(PatientError) as error:
        _load(tmp_path, _bundle(obs))
    assert error.value.file.endswith("b.json")
    assert error.value.field.endswith(field)
    assert message in error.value.message


def test_not_json_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "b.json"
    path.write_text('{\n  "resourceType": "Bundle",\n  oops\n}')
    with pytest.raises(PatientError) as error:
        load_fhir(path)
    assert error.value.line == 3


def test_ndjson_one_bad_patient_never_loses_the_others(tmp_path):
    lines = []
    for pid in ("a", "b", "c"):
        lines.append({"resourceType": "Patient", "id": pid, "gender": "male", "birthDate": "1960-05-05"})
        obs = _obs("2160-0", 1.0, "mg/dL")
        obs["subject"] = {"reference": f"Patient/{pid}"}
        if pid == "b":
            obs["valueQuantity"]["value"] = "x"
        lines.append(obs)
        lines.append({"resourceType": "Claim", "id": "cl" + pid, "patient": {"reference": f"Patient/{pid}"}})
    path = tmp_path / "export.ndjson"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    records = list(iter_fhir([path], as_of=AS_OF))
    assert [r.patient.id if not isinstance(r, PatientError) else "error" for r in records] == ["a", "error", "c"]
    assert records[1].line == 5 and "valueQuantity.value" in records[1].field
    entries = list(iter_patients([path]))
    assert [e.error is None for e in entries] == [True, False, True]


def test_bulk_export_folder_of_per_type_files(tmp_path):
    (tmp_path / "Patient.ndjson").write_text(json.dumps({"resourceType": "Patient", "id": "z", "gender": "female"}) + "\n")
    obs = _obs("2160-0", 0.8, "mg/dL")
    obs["subject"] = {"reference": "Patient/z"}
    (tmp_path / "Observation.ndjson").write_text(json.dumps(obs) + "\n")
    [entry] = list(iter_patients([tmp_path]))
    assert entry.patient.measurements["creatinine"].value == 0.8


# ---------------------------------------------------------------- codes in YAML and CSV profiles

@pytest.mark.parametrize(
    "key, value, section, expected",
    [
        ('"2160-0"', "1.1 mg/dL", "measurements", {"creatinine"}),
        ('"LOINC 38483-4"', "97 umol/L", "measurements", {"creatinine"}),
        ('"777-3"', "150 10*3/uL", "measurements", {"platelets"}),
        ('"33914-3"', "55 mL/min/{1.73_m2}", "measurements", {"egfr"}),
        ("E11.9", "true", "conditions", {"type_2_diabetes", "diabetes"}),
        ('"88805009"', "past", "conditions", {"heart_failure", "cardiac_disease", "cardiovascular_disease"}),  # and implied
        ("C18.7", "true", "conditions", {"malignancy"}),
    ],
)
def test_standard_codes_as_profile_keys(tmp_path, key, value, section, expected):
    path = tmp_path / "p.yaml"
    path.write_text(f"id: X\n{section}:\n  {key}: {value}\n")
    assert set(getattr(load_patient(path), section)) == expected


def test_unknown_code_key_is_an_error_with_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text('id: X\nmeasurements:\n  "99999-9": 1 mg/dL\n')
    with pytest.raises(PatientError) as error:
        load_patient(path)
    assert error.value.line == 3


def test_csv_column_named_by_loinc_code(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,2160-0 (mg/dL),E11.9\nP1,1.2,true\n")
    [entry] = list(iter_patients([path]))
    assert entry.patient.measurements["creatinine"].value == 1.2
    assert entry.patient.conditions["type_2_diabetes"].status == "present"


def test_bulk_folder_bad_resource_makes_its_patient_an_error(tmp_path):
    patients = [{"resourceType": "Patient", "id": pid, "gender": "female"} for pid in ("y", "z")]
    (tmp_path / "Patient.ndjson").write_text("\n".join(json.dumps(p) for p in patients) + "\n")
    good, bad = _obs("2160-0", 0.8, "mg/dL"), _obs("2160-0", 0.9, "mg/dL", "2026-01-11")
    good["subject"], bad["subject"] = {"reference": "Patient/y"}, {"reference": "Patient/z"}
    bad["effectiveDateTime"] = "soon"
    (tmp_path / "Observation.ndjson").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    entries = list(iter_patients([tmp_path]))
    assert [e.patient.id if e.patient else e.error.line for e in entries] == ["y", 2]


# ---------------------------------------------------------------- command line

def _cli(*args: str):
    from typer.testing import CliRunner

    from screener.cli import app

    return CliRunner().invoke(app, list(args))


@needs_data
def test_cli_check_convert_and_show_unmapped(tmp_path):
    bundle = str(BUNDLES[0])
    rules = str(ROOT / "rules" / "NCT04711200.yaml")
    checked = _cli("check", rules, bundle, "--format", "json", "--show-unmapped")
    assert checked.exit_code == 0, checked.output
    out = tmp_path / "p.yaml"
    converted = _cli("convert", bundle, "--to", "yaml", "--out", str(out))
    assert converted.exit_code == 0, converted.output
    again = _cli("check", rules, str(out), "--format", "json")
    first, second = json.loads(checked.stdout[checked.stdout.index("{"):]), json.loads(again.stdout)
    assert [(c["id"], c["status"]) for c in first["criteria"]] == [(c["id"], c["status"]) for c in second["criteria"]]
    assert "not used from" in checked.stderr and "resource type not used" in checked.stderr


@needs_data
def test_cli_screen_and_match_take_fhir(tmp_path):
    screened = _cli("screen", str(BUNDLES[0]), str(BUNDLES[1]), "--rules", str(ROOT / "rules"), "--format", "csv")
    assert screened.exit_code == 0, screened.output
    assert len([line for line in screened.stdout.splitlines() if line.strip()]) == 1 + 2 * 2
    matched = _cli("match", str(BUNDLES[0]), "--rules", str(ROOT / "rules"))
    assert matched.exit_code == 0, matched.output


def test_cli_malformed_bundle_is_one_line_exit_2(tmp_path):
    obs = _obs("2160-0", 1.1, "mg/dL")
    obs["id"] = "bad"
    obs["valueQuantity"]["value"] = "high"
    path = tmp_path / "b.json"
    path.write_text(json.dumps(_bundle(obs)))
    result = _cli("check", str(ROOT / "rules" / "NCT04711200.yaml"), str(path))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "b.json" in result.stderr and "Observation/bad.valueQuantity.value" in result.stderr


# ---------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(2000, 1, 1), dt.date(2026, 11, 30)), st.floats(0.3, 12.0)), min_size=1, max_size=8))
def test_latest_value_is_used_whatever_the_order(tmp_path_factory, values):
    observations = []
    for number, (day, value) in enumerate(values):
        obs = _obs("2160-0", round(value, 3), "mg/dL", day.isoformat())
        obs["id"] = f"o{number}"
        observations.append(obs)
    record = _load(tmp_path_factory.mktemp("p"), _bundle(*observations))
    latest = max(day for day, _ in values)
    expected = [round(v, 3) for day, v in values if day == latest][-1]
    measurement = record.patient.measurements["creatinine"]
    assert (measurement.date, measurement.value) == (latest, expected)
    assert f"latest of {len(values)}" in measurement.note or len(values) == 1


@needs_data
def test_deceased_patient_is_noted_in_check_and_an_error_row_in_a_cohort():
    parker = next(p for p in BUNDLES if p.name.startswith("Parker"))
    record = read_fhir(parker, as_of=AS_OF)
    assert record.deceased == "on 2021-02-21" and "deceased" in record.notes[0]
    [entry] = list(iter_patients([parker]))
    assert entry.error is not None and "deceased on 2021-02-21" in str(entry.error)


def test_cli_convert_keeps_the_good_patients_and_exits_2(tmp_path):
    lines = []
    for pid in ("a", "b"):
        lines.append({"resourceType": "Patient", "id": pid, "gender": "male", "birthDate": "1960-05-05"})
        obs = _obs("2160-0", 1.0 if pid == "a" else "x", "mg/dL")
        obs["subject"] = {"reference": f"Patient/{pid}"}
        lines.append(obs)
    source, out = tmp_path / "e.ndjson", tmp_path / "e.yaml"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = _cli("convert", str(source), "--out", str(out))
    assert result.exit_code == 2 and "e.ndjson:4" in result.stderr
    [entry] = list(iter_patients([out]))
    assert entry.patient.id == "a" and entry.patient.measurements["creatinine"].value == 1.0

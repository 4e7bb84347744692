"""Coded status answers (tobacco smoking status, LOINC 72166-2, as Synthea and US Core
send it: valueCodeableConcept with a SNOMED CT answer) as the smoking condition: the latest
answer decides, an old or non-committal one leaves it unknown; and the five Synthea
bundles read the answers the JSON holds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from screener import compile_criteria
from screener.evaluate import check
from screener.fhir import read_fhir
from screener.fhir_answers import answer_specs
from screener.patient import load_patient
from screener.profile_yaml import profile_yaml

AS_OF = dt.date(2026, 12, 1)
SHARED = next((p for p in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")) if (p / "data" / "fhir").exists()), None)
BUNDLES = sorted((SHARED / "data" / "fhir").glob("*.json")) if SHARED else []
CURRENT, SOME_DAY, FORMER, NEVER, SMOKER_UNKNOWN, EVER_UNKNOWN = (
    "449868002", "428041000124106", "8517006", "266919005", "77176002", "266927001")


def _status_obs(answer: str, when: str, number: int = 0) -> dict:
    return {"resourceType": "Observation", "id": f"s{number}", "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}]}],
            "code": {"coding": [{"system": "http://loinc.org", "code": "72166-2", "display": "Tobacco smoking status NHIS"}]},
            "subject": {"reference": "urn:uuid:p1"}, "effectiveDateTime": f"{when}T10:00:00+00:00",
            "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": answer}]}}


def _record(tmp_path: Path, *answers: tuple[str, str], extra: tuple[dict, ...] = ()):
    patient = {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1960-01-02"}
    resources = [patient, *(_status_obs(a, w, i) for i, (a, w) in enumerate(answers)), *extra]
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": r} for r in resources]}))
    return read_fhir(path, as_of=AS_OF)


@pytest.mark.parametrize(
    "answers, state",
    [
        ([(CURRENT, "2026-06-01")], "present"),
        ([(SOME_DAY, "2026-06-01")], "present"),
        ([(FORMER, "2026-06-01")], "past"),
        ([(NEVER, "2026-06-01")], "absent"),
        ([(CURRENT, "2020-01-01"), (FORMER, "2026-06-01")], "past"),  # the latest decides, not the union
        ([(FORMER, "2026-06-01"), (CURRENT, "2026-09-01")], "present"),  # relapsed
        ([(NEVER, "2026-06-01"), (CURRENT, "2026-06-01")], "present"),  # same day: the last in the record
        ([(NEVER, "2024-06-01")], None),  # older than 365 days: no longer describes the patient
        ([(CURRENT, "2026-06-01"), (SMOKER_UNKNOWN, "2026-09-01")], None),  # the latest does not say
        ([(EVER_UNKNOWN, "2026-09-01")], None),
        ([("999999999", "2026-09-01")], None),  # an answer the maps do not know is never guessed
        ([(NEVER, "2027-01-01")], None),  # after as_of
    ],
)
def test_latest_answer_decides(tmp_path, answers, state):
    record = _record(tmp_path, *answers)
    found = record.patient.conditions.get("smoking")
    assert (found.status if found else None) == state
    if state is None:
        assert sum(u.count for u in record.unused if u.code == "loinc.org|72166-2") == len(answers)


@pytest.mark.parametrize(
    "answer, nonsmoker, current_smokers_excluded",
    [(NEVER, "met", "not_met"), (FORMER, "met", "not_met"), (CURRENT, "not_met", "met"), (SMOKER_UNKNOWN, "unknown", "unknown")],
)
def test_answers_against_criteria_and_through_yaml(tmp_path, answer, nonsmoker, current_smokers_excluded):
    """"Nonsmoker" and "Current smokers" (exclusion) read the answer; a converted YAML
    profile checks the same."""
    record = _record(tmp_path, (answer, "2026-10-01"))
    rules = compile_criteria("Inclusion Criteria:\n- Nonsmoker\nExclusion Criteria:\n- Current smokers\n", trial_id="T")
    statuses = [c.status for c in check(rules, record.patient).criteria]
    assert statuses == [nonsmoker, current_smokers_excluded]
    path = tmp_path / "p.yaml"
    path.write_text(profile_yaml(record.patient, []))
    assert [c.status for c in check(rules, load_patient(path)).criteria] == statuses


def test_an_active_condition_wins_over_a_never_answer(tmp_path):
    """A Condition resource for tobacco use (ICD-10-CM F17) still counts: present wins,
    as for every condition read from several records."""
    condition = {"resourceType": "Condition", "id": "c1", "subject": {"reference": "urn:uuid:p1"},
                 "clinicalStatus": {"coding": [{"code": "active"}]}, "onsetDateTime": "2026-01-01",
                 "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F17.210"}]}}
    record = _record(tmp_path, (NEVER, "2026-10-01"), extra=(condition,))
    assert record.patient.conditions["smoking"].status == "present"


def test_ndjson_prefilter_keeps_status_answers(tmp_path):
    lines = [{"resourceType": "Patient", "id": "p1", "gender": "male"}, _status_obs(CURRENT, "2026-10-01")]
    lines[1]["subject"] = {"reference": "Patient/p1"}
    path = tmp_path / "e.ndjson"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert read_fhir(path, as_of=AS_OF).patient.conditions["smoking"].status == "present"


def test_every_entry_names_a_known_condition_and_states():
    specs = answer_specs()
    assert specs and all(spec.answers and spec.loinc for spec in specs)


@pytest.mark.skipif(not BUNDLES, reason="../shared/data/fhir not available")
@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name.split("_")[0])
def test_synthea_bundles_read_their_latest_smoking_answer(path):
    """On the day after each bundle's latest smoking answer, the state is that answer's
    (read here from the JSON); five years later it is unknown and every answer is listed."""
    entries = [e["resource"] for e in json.loads(path.read_text())["entry"]]
    answers = [(r["effectiveDateTime"][:10], r["valueCodeableConcept"]["coding"][0]["code"]) for r in entries
               if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "72166-2"]
    when, answer = max(answers)
    day = dt.date.fromisoformat(when) + dt.timedelta(days=1)
    expected = {FORMER: "past", NEVER: "absent", CURRENT: "present"}[answer]
    assert read_fhir(path, as_of=day).patient.conditions["smoking"].status == expected
    later = read_fhir(path, as_of=day + dt.timedelta(days=5 * 365))
    assert "smoking" not in later.patient.conditions
    assert sum(u.count for u in later.unused if u.code == "loinc.org|72166-2") == len(answers)

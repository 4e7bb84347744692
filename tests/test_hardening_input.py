"""Hostile input ends in one clear error (file, line, limit), never a crash or a silent
wrong verdict: bounded YAML/JSON parsing and the meaning checks of rules files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener.cli import app

from screener.errors import InputError, PatientError, RulesError, quote
from screener.patient import parse_patient
from screener.rules import parse_rules

RULES_HEAD = "schema_version: 1\ntrial: {id: T}\ncriteria:\n"


def comparison_rules(value: str = "55", unit: str = "mmHg", variable: str = "pasp", extra: str = "") -> str:
    return (RULES_HEAD + "- id: E1\n  section: exclusion\n  text: PASP > 55 mmHg\n  rule:\n"
            f"    kind: comparison\n    variable: {variable}\n    op: '>'\n    value: {value}\n    unit: {unit}\n{extra}")


def nested(depth: int) -> str:
    return "id: A\nmeasurements: " + "[" * depth + "]" * depth + "\n"


PATIENT_CASES = [
    # text, line, phrase
    (nested(1_000), 2, "nested more than 64 levels"),
    (nested(40_000), 2, "nested more than 64 levels"),
    ("id: A\nage: " + "9" * 5000 + "\n", 2, "more than 50 digits"),
    ("id: A\nmeasurements:\n  ALT: " + "1" * 400 + " U/L\n", None, "not a finite number"),
    ("id: A\nas_of: 2026-02-30T10:00:00\n", 2, "YYYY-MM-DD"),
    ("id: A\n? [a, b]\n: 1\n", 2, "a key must be a plain value"),
    ("id: A\nevents:\n  reaction onset: 2026-13-45\n", 3, "impossible date"),
    ("id: A\n" + "".join(f"k{i}: 1\n" for i in range(10_001)), 10_001, "more than 10,000 keys"),
    ("id: A\nnotes: " + "x" * 100_001 + "\n", 2, "longer than the limit"),
    ("~: 1\nid: A\n", 1, "unknown key 'None'"),
    ("id: A\ntrue: 1\n", 2, "unknown key 'True'"),
    ("id: A\nmeasurements:\n  ALT: .nan\n", 3, "not a finite number"),
    ("id: A\nmeasurements:\n  ALT: .inf U/L\n", 3, "number"),
]


@pytest.mark.parametrize("text, line, phrase", PATIENT_CASES, ids=[c[2][:30] for c in PATIENT_CASES])
def test_hostile_profiles_are_one_located_error(text: str, line: int | None, phrase: str) -> None:
    with pytest.raises(PatientError) as info:
        parse_patient(text, "p.yaml")
    assert info.value.file == "p.yaml" and phrase in info.value.message, str(info.value)
    if line is not None:
        assert info.value.line == line, str(info.value)
    assert len(str(info.value)) < 300


RULES_CASES = [
    # text, field, phrase
    (comparison_rules(".nan"), "criteria.0.rule.value", "finite"),
    (comparison_rules(".inf"), "criteria.0.rule.value", "finite"),
    (comparison_rules("-.inf"), "criteria.0.rule.value", "finite"),
    (comparison_rules("true"), "criteria.0.rule.value", "number"),
    (comparison_rules("'55'"), "criteria.0.rule.value", "number"),
    (comparison_rules(variable="no_such_variable"), "criteria.0.rule.variable", "unknown variable id"),
    (comparison_rules(unit="furlongs"), "criteria.0.rule.unit", "unknown unit"),
    (comparison_rules(unit="kg"), "criteria.0.rule.unit", "not compatible with mmHg"),
    (comparison_rules(extra="    within: {value: -3, unit: day}\n"), "criteria.0.rule.within.value", "positive"),
    (comparison_rules().replace("schema_version: 1", "schema_version: 7"), "schema_version", "unknown schema_version"),
    (comparison_rules() + "- id: E1\n  section: exclusion\n  text: x\n  rule: {kind: manual, question: x}\n",
     "criteria.1.id", "used twice"),
    (RULES_HEAD + "- id: E1\n  section: exclusion\n  text: x\n  rule:\n    kind: condition\n    condition: nonsense\n",
     "criteria.0.rule.condition", "unknown condition id"),
    (RULES_HEAD + "- id: E1\n  section: exclusion\n  text: x\n  rule:\n    kind: interval\n    start: nonsense\n"
     "    op: '<'\n    value: 3\n    unit: day\n", "criteria.0.rule.start", "unknown event id"),
    ("trial: {id: T}\nid: A\n", None, "not a rules file"),
]


@pytest.mark.parametrize("text, field, phrase", RULES_CASES, ids=[c[2] for c in RULES_CASES])
def test_wrong_rules_are_refused_with_their_field(text: str, field: str | None, phrase: str) -> None:
    with pytest.raises(RulesError) as info:
        parse_rules(text, "r.yaml")
    assert phrase in info.value.message and info.value.field == field, str(info.value)


@pytest.mark.parametrize("text, phrase", [
    ('{"schema_version": 1, "trial": {}, "criteria": [{"id": "E1", "section": "exclusion", "text": "x",'
     ' "rule": {"kind": "comparison", "variable": "pasp", "op": ">", "value": NaN, "unit": "mmHg"}}]}', "NaN"),
    ('{"criteria": ' + "[" * 5000 + "]" * 5000 + "}", "nested"),
    ('{"criteria": [' + "1" * 5000 + "]}", "digits"),
])
def test_hostile_json_rules_are_refused(text: str, phrase: str) -> None:
    with pytest.raises(RulesError) as info:
        parse_rules(text, "r.json")
    assert phrase in info.value.message


def test_a_valid_comparison_reads() -> None:
    assert parse_rules(comparison_rules(), "r.yaml").criteria[0].rule.value == 55


@pytest.mark.parametrize("value, shown", [
    ("abc", "'abc'"),
    ("x" * 1_000_000, "'" + "x" * 60 + "…' (1,000,000 characters)"),
    ("a\x1b[31mb", "'a\\x1b[31mb'"),
])
def test_quoted_values_are_short_and_escaped(value: str, shown: str) -> None:
    assert quote(value) == shown


def test_a_huge_free_text_value_is_not_echoed() -> None:
    with pytest.raises(InputError) as info:
        parse_patient("id: A\nsex: " + "y" * 90_000 + "\n", "p.yaml")
    assert len(str(info.value)) < 300


AS_OF = "id: A\nas_of: 2026-11-20\n"

SEMANTIC_CASES = [
    # text, field, phrase
    (AS_OF + "events:\n  reaction onset: 2026-11-21\n", "events.reaction onset", "after as_of 2026-11-20"),
    (AS_OF + "measurements:\n  ALT: {value: 28, unit: U/L, date: 2027-01-05}\n", "measurements.ALT.date", "after as_of"),
    (AS_OF + "conditions:\n  malignancy: {status: past, ended: 2027-01-01}\n", "conditions.malignancy.ended", "after as_of"),
    (AS_OF + "measurements:\n  ALT: {value: 28, unit: U/L, uln: 1e9 U/L}\n", "measurements.ALT.uln", "plausible range"),
    (AS_OF + "birth_date: 1800-03-09\n", "birth_date", "age of 226"),
    (AS_OF + "measurements:\n  platelets: 150.000 /uL\n", "measurements.platelets", "ambiguous"),
    (AS_OF + "measurements:\n  PSAP: 30 mmHg\n", "measurements.PSAP", "did you mean pasp?"),
]


@pytest.mark.parametrize("text, field, phrase", SEMANTIC_CASES, ids=[c[2] for c in SEMANTIC_CASES])
def test_values_that_would_decide_wrongly_are_refused(text: str, field: str, phrase: str) -> None:
    with pytest.raises(PatientError) as info:
        parse_patient(text, "p.yaml")
    assert phrase in info.value.message and info.value.field == field, str(info.value)


def test_dates_on_the_as_of_day_are_fine() -> None:
    patient = parse_patient(AS_OF + "events:\n  reaction onset: 2026-11-20\n"
                            "measurements:\n  ALT: {value: 28, unit: U/L, uln: 40 U/L, date: 2026-11-20}\n")
    assert patient.events["symptom_onset"].isoformat() == "2026-11-20"
    assert patient.measurements["alt"].uln == 40


# ---------------------------------------------------------------------------- the command line

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.mark.parametrize("text, phrases", [
    (comparison_rules(unit="furlongs"), ["unknown unit", "read as a rules file"]),
    (comparison_rules(".nan"), ["finite", "read as a rules file"]),
    ("schema_version: 1\ntrial: {id: T}\ncriterias: []\n", ["not a rules file", "read as a rules file"]),
    ("id: A\nmeasurments: {}\n", ["did you mean measurements?", "read as a patient file"]),
    ("id: A\nmeasurements: " + "[" * 40_000 + "]" * 40_000 + "\n", ["nested more than"]),
])
def test_validate_names_the_problem_and_the_kind_of_file_it_expected(tmp_path: Path, text: str, phrases: list[str]) -> None:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert all(phrase in result.output for phrase in phrases), result.output


def test_a_non_utf8_file_name_is_written_and_named_readably(tmp_path: Path) -> None:
    out = Path(os.fsdecode(bytes(tmp_path) + b"/r\xe9gles.yaml"))
    seed = ROOT / "tests" / "fixtures" / "seeds" / "NCT02213705.txt"
    result = runner.invoke(app, ["compile", str(seed), "--out", str(out)])
    assert result.exit_code == 0 and out.exists()
    missing = Path(os.fsdecode(bytes(tmp_path) + b"/abs\xe9nt.yaml"))
    result = runner.invoke(app, ["check", str(ROOT / "rules" / "NCT02213705.yaml"), str(missing)])
    assert result.exit_code == 2 and "abs\\xe9nt.yaml" in result.output


def test_a_huge_or_hostile_key_is_not_echoed_whole() -> None:
    with pytest.raises(PatientError) as info:
        parse_patient("id: A\nmeasurements:\n  " + "\x1b[2J" + "k" * 50_000 + ": 1\n", "p.yaml")
    message = str(info.value)
    assert len(message) < 400 and "\x1b" not in message

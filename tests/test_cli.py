"""The command line: help with examples, outputs, exit codes, clean errors, atomic files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener.cli import app

ROOT = Path(__file__).resolve().parents[1]
RULES = str(ROOT / "rules" / "NCT02213705.yaml")
ELIGIBLE = str(ROOT / "examples" / "patients" / "ssc-eligible.yaml")
INELIGIBLE = str(ROOT / "examples" / "patients" / "ssc-ineligible.yaml")
SEED = str(ROOT / "tests" / "fixtures" / "seeds" / "NCT02213705.txt")

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


@pytest.mark.parametrize("command", ["compile", "check", "validate", "schema", "stats", "screen", "match"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and f"screener {command}" in result.output


def test_check_prints_a_table_with_the_verdict() -> None:
    result = run("check", RULES, ELIGIBLE)
    assert result.exit_code == 0
    assert "Verdict: ELIGIBLE" in result.output and "PASP 32 mmHg" not in result.output
    every = run("check", RULES, ELIGIBLE, "--all")
    assert "Verdict: ELIGIBLE" in every.output and "PASP 32 mmHg" in every.output


def test_check_json_has_the_documented_shape() -> None:
    result = run("check", RULES, INELIGIBLE, "--format", "json")
    data = json.loads(result.output)
    assert data["verdict"] == "ineligible"
    assert data["trial"]["id"] == "NCT02213705" and data["patient"]["id"] == "SSC-002"
    first = data["criteria"][0]
    assert {"id", "section", "text", "status", "explanation"} <= first.keys()


@pytest.mark.parametrize("patient, code", [(ELIGIBLE, 0), (INELIGIBLE, 11)])
def test_exit_code_flag_maps_verdicts(patient: str, code: int) -> None:
    assert run("check", RULES, patient, "--exit-code").exit_code == code


def test_check_exits_zero_whatever_the_verdict_without_the_flag() -> None:
    assert run("check", RULES, INELIGIBLE).exit_code == 0


def test_compile_json_has_comparisons_the_scorer_reads() -> None:
    result = run("compile", SEED, "--format", "json", "--id", "NCT02213705")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["trial"]["id"] == "NCT02213705"
    nodes = json.dumps(data["criteria"])
    assert '"variable": "pasp", "label": "systolic pulmonary arterial pressure (PASP)", "op": ">", "value": 55' in nodes


def test_compile_reads_standard_input() -> None:
    result = run("compile", "-", "--format", "json", input="Inclusion Criteria:\n* Platelets >= 100 x 10^9/L\n")
    data = json.loads(result.output)
    assert data["criteria"][0]["rule"]["variable"] == "platelets"


def test_bad_patient_is_one_line_with_file_line_and_field(tmp_path: Path) -> None:
    patient = tmp_path / "bad.yaml"
    patient.write_text("id: X\nmeasurements:\n  PASP: 32 kg\n", encoding="utf-8")
    result = run("check", RULES, str(patient))
    assert result.exit_code == 2
    assert f"{patient}:3: measurements.PASP:" in result.output
    assert "Traceback" not in result.output


def test_missing_file_is_a_clean_error() -> None:
    result = run("check", RULES, "no-such-patient.yaml")
    assert result.exit_code == 2 and "no such file" in result.output


def test_out_file_is_not_written_when_the_check_fails(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: X\nsex: robot\n", encoding="utf-8")
    result = run("check", RULES, str(bad), "--format", "markdown", "--out", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert run("check", RULES, ELIGIBLE, "--format", "markdown", "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("#")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_validate_accepts_patients_and_rules_and_rejects_bad_files(tmp_path: Path) -> None:
    ok = run("validate", ELIGIBLE, RULES)
    assert ok.exit_code == 0 and "patient SSC-001" in ok.output and "rules for NCT02213705" in ok.output
    bad = tmp_path / "rules.yaml"
    bad.write_text("trial: {id: X}\ncriteria:\n- id: I1\n  section: maybe\n  text: t\n  rule: {kind: manual, question: q}\n")
    result = run("validate", str(bad))
    assert result.exit_code == 2 and ":4: criteria.0.section:" in result.output


def test_schema_is_json_schema_of_rule_sets() -> None:
    schema = json.loads(run("schema").output)
    assert schema["title"] == "RuleSet" and "criteria" in schema["properties"]


def test_batch_reports_a_bad_file_and_compiles_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "trials"
    folder.mkdir()
    (folder / "a.txt").write_text("Inclusion Criteria:\n* Age >= 18 years\n* Signed consent\n", encoding="utf-8")
    (folder / "b.json").write_text("{not json", encoding="utf-8")
    (folder / "c.json").write_text(json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT00000042"},
                                   "eligibilityModule": {"eligibilityCriteria": "* ECOG 0-1"}}}), encoding="utf-8")
    result = run("compile", str(folder), "--out-dir", str(tmp_path / "rules"))
    assert result.exit_code == 2
    assert "trials 2, criteria 3: compiled fully 2" in result.output and "manual 1" in result.output
    assert "b.json" in result.output and "failures 1" in result.output
    assert sorted(p.name for p in (tmp_path / "rules").iterdir()) == ["NCT00000042.yaml", "trial-1.yaml"]


def test_stats_lists_what_is_left_to_review(tmp_path: Path) -> None:
    source = tmp_path / "t.txt"
    source.write_text("Inclusion Criteria:\n* Signed informed consent\n* Signed informed consent form\n* Age >= 18 years\n")
    result = run("stats", str(source), "--top", "5")
    assert result.exit_code == 0
    assert "compiled fully 1 (33.3%)" in result.output
    assert "      2  signed informed consent" in result.output


def test_many_trials_need_an_output_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "trials.jsonl"
    records = [{"nct_id": f"NCT0000000{i}", "eligibility_criteria": f"Inclusion Criteria:\n* Age >= {18 + i} years"} for i in range(3)]
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    assert run("compile", str(corpus)).exit_code == 2
    result = run("compile", str(corpus), "--out-dir", str(tmp_path / "rules"))
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "rules").iterdir()) == [f"NCT0000000{i}.yaml" for i in range(3)]


def test_screen_matrix_log_and_error_rows(tmp_path: Path) -> None:
    folder = tmp_path / "patients"
    folder.mkdir()
    for name in ("ssc-ineligible.yaml", "ten-eligible.yaml"):
        (folder / name).write_text((ROOT / "examples" / "patients" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "broken.yaml").write_text("id: B\nsex: robot\n", encoding="utf-8")
    rules = str(ROOT / "rules")
    table = run("screen", str(folder), "--rules", rules)
    assert table.exit_code == 2  # a row failed: the output is complete, the exit code says so
    lines = [line.split() for line in table.stdout.splitlines()]
    assert lines[0] == ["PATIENT", "NCT02213705", "NCT04711200"]
    assert ["SSC-002", "INELIGIBLE", "review"] in lines and ["TEN-001", "review", "eligible"] in lines
    assert any(line[:3] == ["B", "ERROR", "ERROR"] for line in lines)
    out = tmp_path / "log.csv"
    assert run("screen", str(folder), "--rules", rules, "--format", "csv", "--out", str(out)).exit_code == 2
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][:4] == ["patient", "trial", "date", "verdict"] and len(rows) == 1 + 3 * 2
    jsonl = run("screen", str(folder), "--rules", rules, "--format", "jsonl")
    assert {json.loads(line)["verdict"] for line in jsonl.stdout.splitlines()} == {"ineligible", "needs_review", "eligible", "error"}
    page = run("screen", str(folder), "--rules", rules, "--format", "html")
    assert page.stdout.startswith("<!doctype html>") and "INELIGIBLE" in page.stdout


def test_match_lists_eligible_then_review_without_ineligible() -> None:
    result = run("match", str(ROOT / "examples" / "patients" / "ten-eligible.yaml"), "--rules", str(ROOT / "rules"), "--format", "json")
    data = json.loads(result.stdout)
    assert [(m["trial"], m["verdict"]) for m in data["matches"]] == [("NCT04711200", "eligible"), ("NCT02213705", "needs_review")]
    assert data["ineligible"] == []

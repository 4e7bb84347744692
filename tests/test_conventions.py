"""`-` is standard input for every command that reads a patient or rules file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener.cli import app

ROOT = Path(__file__).resolve().parent.parent
PATIENT = (ROOT / "examples" / "patients" / "ssc-eligible.yaml").read_text()
RULES = (ROOT / "rules" / "NCT02213705.yaml").read_text()
CSV = "id,age,PASP (mmHg)\nA,40,30\nB,50,3000\nA,41,31\n"


def _run(args: list[str], stdin: str):
    return CliRunner().invoke(app, args, input=stdin, env={"NO_COLOR": "1", "COLUMNS": "100"})


@pytest.mark.parametrize("stdin, expected", [
    (PATIENT, "-: patient SSC-001, 15 measurements"),
    (RULES, "-: rules for NCT02213705, 29 criteria"),
])
def test_validate_reads_standard_input(stdin, expected):
    result = _run(["validate", "-"], stdin)
    assert result.exit_code == 0 and expected in result.output


def test_validate_of_bad_standard_input_names_it():
    result = _run(["validate", "-"], "id: [\n")
    assert result.exit_code == 2 and "<stdin>:2" in result.output


def test_screen_reads_yaml_profiles_from_standard_input():
    result = _run(["screen", "-", "--rules", str(ROOT / "rules")], PATIENT)
    assert result.exit_code == 0
    assert "SSC-001             eligible      review" in result.output


def test_screen_reads_csv_from_standard_input_and_reports_bad_and_duplicate_rows_by_id():
    result = _run(["screen", "-", "--rules", str(ROOT / "rules" / "NCT04711200.yaml"), "--format", "csv"], CSV)
    assert result.exit_code == 2
    rows = [line.split(",")[:4] for line in result.output.splitlines()[1:] if line[:1] in "AB"]
    assert [row[0] for row in rows] == ["A", "B", "A (duplicate)"]
    assert rows[1][3] == "error" and rows[2][3] == "error"

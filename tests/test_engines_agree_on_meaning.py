"""The SQL engine decides limits written in two units and limits per sex as the Python engine
does: the verdict logs of both engines are the same for small patients on the edges."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener.cli import app

runner = CliRunner()

TRIALS = {
    "T-PAO2": "Exclusion Criteria:\n- PaO2 < 8 kPa (< 60 mmHg) at rest\n",
    "T-HB": "Exclusion Criteria:\n- Hemoglobin < 11 (women) or hemoglobin < 12 (men)\n",
    "T-HB-INC": "Inclusion Criteria:\n- Hb: >=12 g/dL (women) or >= 13 g/dL (men)\n",
}
PATIENTS = {
    "P1": "measurements: {PaO2: 60 mmHg, hemoglobin: 10 g/dL}",  # 60 mmHg is not < 60 mmHg; Hb below both
    "P2": "measurements: {PaO2: 7.99 kPa, hemoglobin: 11.5 g/dL}",
    "P3": "sex: male\nmeasurements: {PaO2: 59 mmHg, hemoglobin: 11.5 g/dL}",
    "P4": "measurements: {hemoglobin: 13.5 g/dL}",
    "P5": "measurements: {PaO2: 8 kPa, hemoglobin: 12.5 g/dL}",
}


def _log(path: Path) -> list[tuple[str, str, str]]:
    return sorted((r["patient"], r["trial"], r["verdict"]) for r in csv.DictReader(path.open(encoding="utf-8")))


@pytest.mark.parametrize("engine", ["duckdb"])
def test_sql_engine_reads_two_units_and_sex_limits_as_python(tmp_path: Path, engine: str) -> None:
    rules, folder = tmp_path / "rules", tmp_path / "patients"
    rules.mkdir()
    folder.mkdir()
    for trial, text in TRIALS.items():
        source = tmp_path / f"{trial}.txt"
        source.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["compile", str(source), "--id", trial, "--out", str(rules / f"{trial}.yaml")])
        assert result.exit_code == 0, result.output
    for patient, facts in PATIENTS.items():
        (folder / f"{patient}.yaml").write_text(f"id: {patient}\nas_of: 2026-11-20\n{facts}\n", encoding="utf-8")
    logs = {}
    for name in ("python", engine):
        out = tmp_path / f"{name}.csv"
        result = runner.invoke(app, ["screen", str(folder), "--rules", str(rules), "--engine", name, "--out", str(out)])
        assert result.exit_code == 0, result.output
        logs[name] = _log(out)
    assert logs[engine] == logs["python"]
    verdicts = {(p, t): v for p, t, v in logs["python"]}
    assert verdicts[("P1", "T-PAO2")] == "eligible" and verdicts[("P1", "T-HB")] == "ineligible"
    assert verdicts[("P2", "T-HB")] == "needs_review" and verdicts[("P3", "T-HB")] == "ineligible"
    assert verdicts[("P4", "T-HB-INC")] == "eligible" and verdicts[("P5", "T-HB-INC")] == "needs_review"
    assert verdicts[("P5", "T-PAO2")] == "eligible" and verdicts[("P2", "T-PAO2")] == "ineligible"

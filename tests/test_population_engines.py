"""Every engine writes the same screening log for the same population: unreadable and
duplicate profiles are error rows on the SQL engines as on the python engine."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from screener.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _log(path: Path) -> list[tuple[str, str, str, str]]:
    if path.suffix == ".parquet":
        rows = duckdb.sql(f"SELECT patient, trial, verdict, coalesce(error, '') FROM read_parquet('{path}')").fetchall()
    else:
        rows = [(r["patient"], r["trial"], r["verdict"], r["error"]) for r in csv.DictReader(path.open(encoding="utf-8"))]
    return sorted(tuple(r) for r in rows)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_unreadable_and_duplicate_profiles_are_error_rows_on_every_engine(tmp_path, suffix) -> None:
    folder = tmp_path / "patients"
    shutil.copytree(ROOT / "examples" / "patients", folder)
    (folder / "broken.yaml").write_text("id: P-broken\nsex: [female\n", encoding="utf-8")
    first = folder / "ssc-eligible.yaml"
    shutil.copy(first, folder / "zz-copy.yaml")  # the same id again
    logs = {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"{engine}{suffix}"
        result = runner.invoke(app, ["screen", str(folder), "--rules", str(ROOT / "rules"), "--engine", engine, "--out", str(out)])
        assert result.exit_code == 2, result.output
        logs[engine] = _log(out)
    errors = [row for row in logs["duckdb"] if row[2] == "error"]
    assert len(errors) == 2 * 2 and all(row[3] for row in errors)  # two profiles x two trials, each with its reason
    assert {row[0] for row in errors} == {"P-broken", f"{_id(first)} (duplicate)"}
    assert logs["duckdb"] == logs["python"]


def _id(path: Path) -> str:
    from screener.patient import load_patient

    return load_patient(path).id


EGFR_RULES = "Inclusion Criteria:\n- eGFR >= 60 mL/min/1.73 m2\n- Creatinine clearance >= 60 mL/min\n"


@pytest.mark.parametrize("loinc, unit, stored, verdict", [
    ("62238-1", "mL/min", "mL/min/1.73m2", "ineligible"),             # the eGFR code is per 1.73 m2: 55 < 60
    ("62238-1", "mL/min/{1.73_m2}", "mL/min/1.73m2", "ineligible"),
    ("2164-2", "mL/min", "mL/min", "ineligible"),                      # creatinine clearance stays per person
])
def test_egfr_codes_are_read_per_body_surface_area_on_every_engine(tmp_path, loinc, unit, stored, verdict) -> None:
    from test_omop import PERIOD, PERSON, _measurement, _write

    from screener import check, compile_criteria
    from screener.omop import load_omop
    from screener.population import iter_patients_from
    from screener.sql_run import run_duckdb

    folder = _write(tmp_path / "cdm", {"person": PERSON, "observation_period": PERIOD,
                                       "measurement": [_measurement(1, loinc, "55", unit)]})
    con = load_omop(folder)
    assert con.execute("SELECT unit FROM measurement").fetchall() == [(stored,)]
    rules = compile_criteria(EGFR_RULES, trial_id="T")
    python = check(rules, next(iter_patients_from(con)))
    sql = run_duckdb([rules], con).fetchall()[0]
    failing = [c.id for c in python.criteria if c.status == "not_met"]
    assert (python.verdict, failing) == (verdict, list(sql[4])) and sql[3] == verdict


def _collected(cell: str, keys: dict[str, str]) -> set[str]:
    """A log cell's data items without the python engine's ranking marks, answers named by
    criterion id (a stable key or a question id "I4.2" -> "I4"), "confirm" items left out."""
    items = set()
    for item in filter(None, cell.split(" | ")):
        item = item.removeprefix("decisive: ").removeprefix("then: ")
        if item.startswith("confirm "):
            continue
        if item.startswith("answer "):
            name = item.removeprefix("answer to ").removeprefix("answer ")
            item = "answer " + keys.get(name.split(".q")[0], name.split(".")[0])
        items.add(item)
    return items


def test_the_sql_log_collects_what_the_python_log_collects(tmp_path) -> None:
    """The same data to collect for every pair (the SQL engines list it unranked, answers by
    criterion id), and nothing but what to confirm once ineligible."""
    from screener.rules import load_rules

    keys = {c.key: c.id for path in (ROOT / "rules").glob("*.yaml") for c in load_rules(path).criteria if c.key}
    cells = {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"{engine}.csv"
        result = runner.invoke(app, ["screen", str(ROOT / "examples" / "patients"), "--rules", str(ROOT / "rules"),
                                     "--engine", engine, "--out", str(out)])
        assert result.exit_code == 0, result.output
        cells[engine] = {(r["patient"], r["trial"]): (r["verdict"], _collected(r["data to collect next"], keys))
                         for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert cells["duckdb"] == cells["python"]
    assert any(items for _, items in cells["python"].values())

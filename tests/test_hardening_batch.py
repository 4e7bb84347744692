"""Batches lose no one and files are written safely: error rows, duplicates, skipped
paths, safe output files, signals, spreadsheet formulas and terminal escapes."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener import batch
from screener.cli import app
from screener.cohort import iter_patients
from screener.output import OutputError, write_atomically
from screener.rules import load_rules
from screener.screen import prepare

ROOT = Path(__file__).resolve().parents[1]
RULES = str(ROOT / "rules" / "NCT02213705.yaml")
runner = CliRunner()


def screen(*args: str):
    return runner.invoke(app, ["screen", *args, "--rules", RULES])


def patient(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("text", [
    "id: DEEP\nmeasurements: " + "[" * 1_000 + "]" * 1_000 + "\n",
    "id: DEEP\nmeasurements: " + "[" * 40_000 + "]" * 40_000 + "\n",
    "id: DEEP\nage: " + "9" * 5_000 + "\n",
    "id: DEEP\nas_of: 2026-02-30T10:00:00\n",
    "id: DEEP\n? [a, b]\n: 1\n",
])
def test_one_hostile_profile_is_an_error_row_and_the_others_are_screened(tmp_path: Path, text: str) -> None:
    patient(tmp_path, "a.yaml", "id: GOOD\nsex: female\nage: 50\n")
    patient(tmp_path, "b.yaml", text)
    result = screen(str(tmp_path), "--format", "jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 2
    assert [(r["patient"], r["verdict"]) for r in rows] == [("GOOD", "needs_review"), ("DEEP", "error")]


def test_an_exception_while_screening_one_patient_is_its_error_row(monkeypatch: pytest.MonkeyPatch) -> None:
    real = batch.screen_one

    def flaky(rules, patient, explain=True, max_lab_age_days=None):
        if patient.id == "SSC-002":
            raise OverflowError("boom")
        return real(rules, patient, explain=explain, max_lab_age_days=max_lab_age_days)

    monkeypatch.setattr(batch, "screen_one", flaky)
    entries = iter_patients([ROOT / "examples" / "patients"])
    rows = list(batch.screen_entries([prepare(load_rules(RULES))], entries))
    assert len(rows) == 6
    (failed,) = [r for r in rows if r.verdict == "error"]
    assert failed.patient == "SSC-002" and "OverflowError: 'boom'" in (failed.error or "")


def test_duplicate_ids_are_reported_never_merged(tmp_path: Path) -> None:
    patient(tmp_path, "a.yaml", "id: P1\nsex: female\nage: 50\n")
    patient(tmp_path, "b.yaml", "id: P1\nsex: male\nage: 30\n")
    result = screen(str(tmp_path))
    lines = [line.split() for line in result.stdout.splitlines()]
    assert result.exit_code == 2
    assert lines[1][:2] == ["P1", "review"] and lines[2][:3] == ["P1", "(duplicate)", "ERROR"]
    assert "duplicate patient id 'P1'" in result.stdout


def test_an_unreadable_record_with_a_known_id_is_not_merged_with_it(tmp_path: Path) -> None:
    (tmp_path / "clinic.csv").write_text("id,sex,age\nP-1,F,55\nP-1,robot,61\n", encoding="utf-8")
    result = screen(str(tmp_path / "clinic.csv"))
    lines = [line.split() for line in result.stdout.splitlines()]
    assert lines[1][:2] == ["P-1", "review"] and lines[2][:3] == ["P-1", "(duplicate)", "ERROR"]


def test_error_rows_name_the_readable_patient_id(tmp_path: Path) -> None:
    (tmp_path / "clinic.csv").write_text("id,sex,age\nP-1,F,55\nP-2,robot,61\n", encoding="utf-8")
    result = screen(str(tmp_path / "clinic.csv"), "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [(r[0], r[3]) for r in rows[1:]] == [("P-1", "needs_review"), ("P-2", "error")]
    assert "clinic.csv:3" in rows[2][6]


def test_broken_and_looping_links_in_a_folder_are_error_rows(tmp_path: Path) -> None:
    patient(tmp_path, "a.yaml", "id: GOOD\n")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    (tmp_path / "self.yaml").symlink_to(tmp_path / "self.yaml")
    (tmp_path / "loop").symlink_to(tmp_path)
    result = screen(str(tmp_path), "--format", "jsonl")
    rows = {json.loads(line)["patient"]: json.loads(line) for line in result.stdout.splitlines()}
    assert result.exit_code == 2
    assert rows["GOOD"]["verdict"] == "needs_review"
    assert "broken or looping" in rows["gone.yaml"]["error"] and "symbolic links" in rows["self.yaml"]["error"]
    assert "loop" in rows["loop"]["error"]


def test_csv_cells_that_start_like_formulas_are_neutralised(tmp_path: Path) -> None:
    (tmp_path / "clinic.csv").write_text('id,sex,age\n"=HYPERLINK(""http://x"")",F,55\n+1,F,55\n', encoding="utf-8")
    result = screen(str(tmp_path / "clinic.csv"), "--format", "csv")
    ids = [row[0] for row in csv.reader(io.StringIO(result.stdout))][1:]
    assert ids == ["'=HYPERLINK(\"http://x\")", "'+1"]


def test_control_characters_in_ids_are_escaped_in_tables(tmp_path: Path) -> None:
    patient(tmp_path, "a.yaml", 'id: "X\\e[31mRED"\nsex: female\n')
    table = screen(str(tmp_path))
    assert "\x1b" not in table.stdout and "X\\x1b[31mRED" in table.stdout
    for fmt in ("table", "markdown"):
        report = runner.invoke(app, ["check", RULES, str(tmp_path / "a.yaml"), "--format", fmt])
        assert "\x1b" not in report.stdout and "\\x1b[31m" in report.stdout


# ---------------------------------------------------------------------------- output files


def test_output_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_atomically(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_an_existing_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    existing = tmp_path / "report.txt"
    existing.write_text("old")
    existing.chmod(0o644)
    write_atomically(existing, "new")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o644
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "fresh.txt", "x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "fresh.txt").stat().st_mode) == 0o644


@pytest.mark.parametrize("make", ["fifo", "directory", "loop"])
def test_anything_but_a_regular_file_is_not_replaced(tmp_path: Path, make: str) -> None:
    path = tmp_path / "out"
    if make == "fifo":
        os.mkfifo(path)
    elif make == "directory":
        path.mkdir()
    else:
        path.symlink_to(path)
    with pytest.raises(OutputError):
        write_atomically(path, "x")
    assert os.listdir(tmp_path) == ["out"]
    result = runner.invoke(app, ["check", RULES, str(ROOT / "examples" / "patients" / "ssc-eligible.yaml"), "--out", str(path)])
    assert result.exit_code == 2 and "error:" in result.output


WRITER = """
import sys, time
from pathlib import Path
from screener.output import write_atomically
def chunks():
    yield "patient data\\n"
    print("writing", flush=True)
    time.sleep(30)
    yield "more\\n"
write_atomically(Path(sys.argv[1]), chunks())
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_while_writing_leaves_no_temporary_file(tmp_path: Path, sig: int) -> None:
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "log.csv")],
                               stdout=subprocess.PIPE, cwd=ROOT, text=True)
    assert process.stdout is not None and process.stdout.readline() == "writing\n"
    time.sleep(0.1)
    process.send_signal(sig)
    assert process.wait(timeout=10) == 128 + sig
    assert os.listdir(tmp_path) == []


def test_one_bad_jsonl_record_is_an_error_for_that_record_only(tmp_path: Path) -> None:
    good = {"nct_id": "NCT00000001", "eligibility_criteria": "Inclusion Criteria:\n- age >= 18 years"}
    lines = [json.dumps(good), json.dumps({"nct_id": "NCT00000002"}), json.dumps({**good, "nct_id": 5}), "[1]",
             json.dumps({**good, "nct_id": "NCT00000003"})]
    (tmp_path / "trials.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["compile", str(tmp_path / "trials.jsonl"), "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert sorted(os.listdir(tmp_path / "out")) == ["NCT00000001.yaml", "NCT00000003.yaml"]
    assert "trials.jsonl:2" in result.output and "trials.jsonl:3" in result.output and "trials.jsonl:4" in result.output


@pytest.mark.parametrize("record, field", [
    ({"protocolSection": {"eligibilityModule": [1]}}, "eligibilityModule"),
    ({"protocolSection": {"identificationModule": 5, "eligibilityModule": {"eligibilityCriteria": "x"}}},
     "identificationModule"),
    ({"nct_id": 5, "eligibility_criteria": "x"}, "id"),
])
def test_registry_json_of_the_wrong_shape_is_one_line(tmp_path: Path, record: dict, field: str) -> None:
    path = tmp_path / "study.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    result = runner.invoke(app, ["compile", str(path)])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and field in result.output


def test_invalid_utf8_on_standard_input_is_one_line() -> None:
    result = runner.invoke(app, ["compile", "-"], input=b"Inclusion Criteria:\n- \xff\xfe age\n")
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_a_device_as_a_patient_is_refused() -> None:
    result = runner.invoke(app, ["check", RULES, "/dev/zero"])
    assert result.exit_code == 2 and "not a regular file" in result.output


def test_a_reader_that_leaves_early_stops_the_output_quietly(tmp_path: Path) -> None:
    for i in range(300):
        patient(tmp_path, f"p{i}.yaml", f"id: P{i}\nsex: female\nage: 50\n")
    process = subprocess.Popen([sys.executable, "-m", "screener", "screen", str(tmp_path), "--rules", RULES,
                                "--format", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None and process.stdout.readline()
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 141 and b"Traceback" not in stderr

"""Cohorts: directories, multi-document YAML and CSV clinic lists read one patient at a
time; a bad patient is an entry with its file, line and field, and the others still load."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

import pytest

import screener.cohort as cohort
from screener.errors import PatientError
from screener.cohort import PatientEntry, iter_patients
from screener.patient import Patient, load_patient

PROFILE_A = """\
id: A-1
sex: F
age: 55
as_of: 2026-11-20
measurements:
  PASP: 32 mmHg
"""

PROFILE_B = """\
id: B-1
sex: male
birth_date: 1960-01-02
as_of: 2026-11-20
conditions:
  HIV: false
"""

BROKEN = """\
id: X-1
sex: F
measurements:
  PASP: 32 mmHg
  DLCO: 520 %
"""

MULTI = """\
# a clinic's patients, one document each
---
id: M-1
sex: F
---
id: M-2
sex: F
measurements:
  platelets: lots
---
sex: M
age: 40
"""

CLINIC = """\
id,sex,age,as_of,height (cm),weight,PASP (mmHg),creatinine [umol/L],DLCO,HIV,malignancy,hospital admission
C-1,F,55,2026-11-20,164,58 kg,32,80,52 %,no,past,2026-11-15
C-2,M,61,2026-11-20,178,81 kg,,95,,yes,absent,
C-3,F,40,2026-11-20,160,60 kg,3200,80,,,,
,F,40,2026-11-20,160,60 kg,30,80 umol/L,,false,,2026-11-01
C-5,F,40,2026-11-20,160,60 kg,30,80,,maybe,,
C-6,F,40,2026-11-20,160,60 kg,30,80,,,,2026-13-01
"""

# one entry expected: (name relative to tmp_path, patient id) or (name, (line, field, words in the message))
CASES: dict[str, tuple[dict[str, str | bytes], list[str], list[tuple[str, Any]]]] = {
    "directory, recursive, sorted, one broken profile": (
        {"clinic/a.yaml": PROFILE_A, "clinic/b.yml": BROKEN, "clinic/sub/c.yaml": PROFILE_B,
         "clinic/notes.txt": "not a patient"},
        ["clinic"],
        [("clinic/a.yaml", "A-1"),
         ("clinic/b.yml", (5, "measurements.DLCO", "plausible range")),
         ("clinic/sub/c.yaml", "B-1")],
    ),
    "multi-document YAML: bad second document, line in the whole file": (
        {"cohort.yaml": MULTI},
        ["cohort.yaml"],
        [("cohort.yaml#1", "M-1"),
         ("cohort.yaml#2", (9, "measurements.platelets", "as a number")),
         ("cohort.yaml#3", "cohort#3")],  # no id: the file stem and document number
    ),
    "a single document with a leading --- is a plain profile": (
        {"one.yaml": "---\n" + PROFILE_A},
        ["one.yaml"],
        [("one.yaml", "A-1")],
    ),
    "CSV: a bad cell is an error for its row only": (
        {"clinic.csv": CLINIC},
        ["clinic.csv"],
        [("clinic.csv:2", "C-1"),
         ("clinic.csv:3", "C-2"),
         ("clinic.csv:4", (4, "PASP", "3200 mmHg is outside the plausible range")),
         ("clinic.csv:5", "clinic:5"),  # no id: the file stem and line
         ("clinic.csv:6", (6, "HIV", "'maybe'")),
         ("clinic.csv:7", (7, "hospital admission", "impossible date"))],
    ),
    "CSV: an unknown column is one error for the file, with a suggestion": (
        {"typo.csv": "id,sex,hemoglobn (g/dL)\nT-1,F,12\nT-2,F,13\n"},
        ["typo.csv"],
        [("typo.csv", (1, "hemoglobn (g/dL)", "unknown column 'hemoglobn (g/dL)'; did you mean hemoglobin?"))],
    ),
    "CSV: a unit on a condition column is an error for the file": (
        {"unit.csv": "id,HIV (mg)\nU-1,no\n"},
        ["unit.csv"],
        [("unit.csv", (1, "HIV (mg)", "takes none"))],
    ),
    "CSV: two columns for one measurement": (
        {"twice.csv": "id,PASP,pulmonary artery systolic pressure\nD-1,30 mmHg,31 mmHg\n"},
        ["twice.csv"],
        [("twice.csv", (1, "pulmonary artery systolic pressure", "same field"))],
    ),
    "CSV: a cell that repeats another unit than its header's": (
        {"units.csv": "id,creatinine [umol/L]\nU-1,80 umol/L\nU-2,1.1 mg/dL\n"},
        ["units.csv"],
        [("units.csv:2", "U-1"), ("units.csv:3", (3, "creatinine", "unit is given twice"))],
    ),
    "CSV: semicolons, decimal commas, blank lines and blank rows": (
        {"eu.csv": "\nid;sex;age;creatinine (mg/dL);hemoglobin\n\nE-1;F;55;1,1;11,5 g/dL\n;;;;\nE-2;M;60;0,9;\n"},
        ["eu.csv"],
        [("eu.csv:4", "E-1"), ("eu.csv:6", "E-2")],
    ),
    "CSV: a row with more cells than the header": (
        {"wide.csv": "id,sex\nW-1,F\nW-2,F,extra\n"},
        ["wide.csv"],
        [("wide.csv:2", "W-1"), ("wide.csv:3", (3, None, "3 cells"))],
    ),
    "CSV: a header unit that a lexicon name in brackets could be": (
        {"names.csv": "id,weight loss (%),body mass index (BMI),body weight (lb)\nN-1,5,22 kg/m2,130\n"},
        ["names.csv"],
        [("names.csv:2", "N-1")],
    ),
    "CSV: old Mac line endings": (
        {"cr.csv": "id,sex\rR-1,F\rR-2,M\r"},
        ["cr.csv"],
        [("cr.csv:2", "R-1"), ("cr.csv:3", "R-2")],
    ),
    "CSV: a bad byte ends the file on its own line; the rows before it stand": (
        {"latin1.csv": b"id,sex\nL-1,F\nL-2,\xe9\nL-3,M\n"},
        ["latin1.csv"],
        [("latin1.csv:2", "L-1"), ("latin1.csv", (3, None, "not UTF-8"))],
    ),
    "unreadable paths are errors, and the others go on": (
        {"empty/.keep.txt": "", "empty.csv": "", "a.yaml": PROFILE_A, "bin.yaml": "id: \x00"},
        ["missing.yaml", "empty", "empty.csv", "bin.yaml", "a.yaml"],
        [("missing.yaml", (None, None, "no such file")),
         ("empty", (None, None, "no patient files")),
         ("empty.csv", (None, None, "the file is empty")),
         ("bin.yaml", (None, None, "binary")),
         ("a.yaml", "A-1")],
    ),
}


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def _summary(entry: PatientEntry, root: Path) -> tuple[str, Any]:
    name = entry.name.removeprefix(str(root) + "/")
    if entry.patient is not None:
        return name, entry.patient.id
    assert entry.error is not None
    return name, (entry.error.line, entry.error.field, str(entry.error))


@pytest.mark.parametrize("files, paths, expected", CASES.values(), ids=list(CASES))
def test_cohort_entries(tmp_path: Path, files, paths, expected) -> None:
    _write(tmp_path, files)
    entries = list(iter_patients(tmp_path / p for p in paths))
    got = [_summary(entry, tmp_path) for entry in entries]
    assert [name for name, _ in got] == [name for name, _ in expected]
    for (name, value), (_, want), entry in zip(got, expected, entries):
        assert (entry.patient is None) != (entry.error is None)
        if isinstance(want, str):
            assert value == want, name
            continue
        line, field, words = want
        assert isinstance(entry.error, PatientError)
        assert value[:2] == (line, field), name
        assert words in value[2], value[2]
        # every error names its file ("cohort.yaml", not "cohort.yaml#2"), as the CLI prints it
        assert entry.error.file == str(tmp_path / re.sub(r"(#|:)\d+$", "", name))


def test_csv_values_units_conditions_events(tmp_path: Path) -> None:
    _write(tmp_path, {"clinic.csv": CLINIC})
    entries = list(itertools.islice(iter_patients([tmp_path / "clinic.csv"]), 2))
    first, second = (entry.patient for entry in entries)
    assert first is not None and second is not None
    assert (first.sex, first.age, first.height_cm, first.weight_kg) == ("female", 55.0, 164.0, 58.0)
    assert first.source == str(tmp_path / "clinic.csv")
    shown = {k: (m.name, m.value, m.unit, m.line) for k, m in first.measurements.items()}
    assert shown == {
        "pasp": ("PASP", 32.0, "mmHg", 2),  # unit from "PASP (mmHg)"
        "creatinine": ("creatinine", 80.0, "umol/L", 2),  # unit from "creatinine [umol/L]"
        "dlco": ("DLCO", 52.0, "%", 2),  # unit in the cell
    }
    stated = ("hiv", "malignancy")
    assert {k: c.status for k, c in first.conditions.items() if k in stated} == {"hiv": "absent", "malignancy": "past"}
    assert first.events == {"hospital_admission": dt.date(2026, 11, 15)}
    # empty cells are unknown: no PASP, DLCO or admission for the second patient
    assert set(second.measurements) == {"creatinine"}
    assert {k: c.status for k, c in second.conditions.items() if k in stated} == {"hiv": "present", "malignancy": "absent"}
    assert second.conditions["lymphoma"].status == "absent"  # implied: no malignancy, so no lymphoma
    assert second.events == {}


def test_yaml_and_csv_give_the_same_patient(tmp_path: Path) -> None:
    _write(tmp_path, {
        "p.yaml": """\
id: SAME-1
sex: female
birth_date: 1971-03-09
as_of: 2026-11-20
height: 1.64 m
weight: 58 kg
measurements:
  PASP: 32 mmHg
  creatinine: 80 umol/L
  neutrophils: 4,2 x10^9/L
  mRSS: 24
conditions:
  systemic sclerosis: true
  HIV: false
  malignancy: past
events:
  hospital admission: 2026-11-15
""",
        "p.csv": "ID,Sex,Birth-Date,as of,height,Weight (kg),PASP (mmHg),creatinine [umol/L],neutrophils,mRSS,"
                 "systemic sclerosis,HIV,malignancy,hospital admission\n"
                 'SAME-1,F,1971-03-09,2026-11-20,1.64 m,58,32,80,"4,2 x10^9/L",24,yes,no,past,2026-11-15\n',
    })
    from_yaml = load_patient(tmp_path / "p.yaml")
    [entry] = iter_patients([tmp_path / "p.csv"])
    assert entry.error is None and entry.patient is not None

    def comparable(patient: Patient) -> dict:
        data = patient.model_dump(exclude={"source"})
        for section in ("measurements", "conditions"):  # lines are where each file has them
            for item in data[section].values():
                item.pop("line")
        return data

    assert comparable(entry.patient) == comparable(from_yaml)
    assert entry.patient.source == str(tmp_path / "p.csv")


def test_a_large_csv_is_read_lazily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "".join(f"P{i},F,{20 + i % 60},2026-11-20,{20 + i % 100} mmHg\n" for i in range(5000))
    path = tmp_path / "big.csv"
    path.write_text("id,sex,age,as_of,PASP\n" + rows, encoding="utf-8")
    consumed = []

    class CountingFile:
        def __init__(self, handle):
            self.handle = handle

        def __iter__(self):
            for line in self.handle:
                consumed.append(line)
                yield line

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(cohort, "open", lambda *a, **k: CountingFile(open(*a, **k)), raising=False)
    entries = iter_patients([path])
    first = next(entries)
    assert first.patient is not None and first.patient.id == "P0"
    assert len(consumed) < 10  # the header and a row or two, not 5,000 rows
    more = list(itertools.islice(entries, 99))
    assert [e.patient.id for e in more if e.patient] == [f"P{i}" for i in range(1, 100)]
    assert len(consumed) < 110
    entries.close()


def test_an_entry_has_exactly_one_of_patient_and_error() -> None:
    with pytest.raises(ValueError):
        PatientEntry("x.yaml")
    with pytest.raises(ValueError):
        PatientEntry("x.yaml", patient=Patient(id="x"), error=PatientError("bad"))

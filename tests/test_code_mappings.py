"""The LOINC map (screener/data/codes.yaml): every code is well formed (LOINC's mod-10
check digit) and names a lexicon variable; codes the real Synthea bundles use fill their
variable in its unit, and the mapped lab codes they do not use fill theirs from a minimal
record."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from importlib import resources
from pathlib import Path

import duckdb
import pytest
from ruamel.yaml import YAML

from screener.fhir import load_fhir
from screener.lexicon import get_lexicon
from screener.omop import load_omop
from screener.units import converter

ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "data" / "fhir").exists()), ROOT.parent / "shared")
BUNDLES = sorted((SHARED / "data" / "fhir").glob("*.json"))
OMOP_SAMPLE = SHARED / "data" / "omop" / "synthea27nj_omop54.zip"
AS_OF = dt.date(2026, 12, 1)
CODES = YAML(typ="safe").load(resources.files("screener").joinpath("data/codes.yaml").read_text())


def loinc_check_digit(base: str) -> int:
    """LOINC's mod-10 check digit (Luhn): double every other digit from the right."""
    total = 0
    for i, char in enumerate(reversed(base)):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit // 10 + digit % 10
    return (10 - total % 10) % 10


def _variable(spec: str | dict) -> str:
    return spec if isinstance(spec, str) else spec["variable"]


@pytest.mark.parametrize("code, expected", [("2160-0", True), ("8480-6", True), ("20565-8", True),
                                            ("2160-1", False), ("20565-3", False), ("2160", False), ("x160-0", False)])
def test_check_digit(code: str, expected: bool) -> None:
    assert _well_formed(code) is expected


def _well_formed(code: str) -> bool:
    base, _, check = code.partition("-")
    return base.isdigit() and check.isdigit() and len(check) == 1 and loinc_check_digit(base) == int(check)


@pytest.mark.parametrize("code", [*CODES["loinc"], *CODES["pregnancy"]["loinc"]])
def test_every_loinc_code_is_well_formed(code: str) -> None:
    assert _well_formed(code), f"{code}: bad LOINC check digit"


@pytest.mark.parametrize("code, spec", CODES["loinc"].items())
def test_every_loinc_code_names_a_lexicon_variable(code: str, spec: str | dict) -> None:
    assert _variable(spec) in get_lexicon().variables, code


SYNTHEA = [  # LOINC code the bundles use -> variable, unit its values are read in
    ("20565-8", "bicarbonate", "mmol/L"),  # Carbon dioxide, total [Moles/volume] in Blood
]


def _latest(path: Path, code: str) -> tuple[dt.date, float]:
    """The latest value of a code, read from the JSON independently of screener: of two on
    the same day, the one later in the record."""
    values = [(dt.date.fromisoformat(r["effectiveDateTime"][:10]), r["valueQuantity"]["value"]) for r in
              (e["resource"] for e in json.loads(path.read_text())["entry"])
              if r["resourceType"] == "Observation" and any(c["code"] == code for c in r["code"]["coding"])]
    latest = max(date for date, _ in values)
    return latest, [value for date, value in values if date == latest][-1]


@pytest.mark.skipif(not BUNDLES, reason="../shared/data/fhir not available")
@pytest.mark.parametrize("code, variable, unit", SYNTHEA)
@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name.split("_")[0])
def test_synthea_observations_fill_their_variable(path: Path, code: str, variable: str, unit: str) -> None:
    measurement = load_fhir(path, as_of=AS_OF).measurements[variable]
    date, value = _latest(path, code)
    assert (measurement.unit, measurement.date) == (unit, date)
    assert measurement.value == pytest.approx(value)
    assert f"LOINC {code}" in (measurement.note or "")


def _ucum(value: float, code: str) -> dict:
    """value[x] as a UCUM quantity, its unit written as its code."""
    return {"valueQuantity": {"value": value, "unit": code, "system": "http://unitsofmeasure.org", "code": code}}


MINIMAL = [  # mapped codes absent from the bundles: value[x] -> variable, value, unit
    ("2028-9", _ucum(24, "mmol/L"), "bicarbonate", 24, "mmol/L"),
    ("4537-7", _ucum(32, "mm/h"), "esr", 32, "mm/h"),
    ("30341-2", _ucum(12, "mm/h"), "esr", 12, "mm/h"),
    ("62292-8", _ucum(18, "ng/mL"), "vitamin_d", 18, "ng/mL"),
    ("11013-0", {"valueRatio": {"numerator": {"value": 1}, "denominator": {"value": 160}}}, "anti_dsdna_titre", 160, "titer"),
    ("8095-2", {"valueString": "1:80"}, "smooth_muscle_antibody_titre", 80, "titer"),
    ("16362-6", _ucum(45, "umol/L"), "ammonia", 45, "umol/L"),
    ("89247-1", {"valueInteger": 2}, "ecog", 2, None),
    ("44261-6", _ucum(12, "{score}"), "phq_9", 12, None),
    ("70274-6", {"valueInteger": 9}, "gad_7", 9, None),
    ("72106-8", {"valueInteger": 27}, "mmse", 27, None),
    ("89579-7", _ucum(14, "ng/L"), "troponin", 14, "ng/L"),
    ("67151-1", _ucum(9, "ng/L"), "troponin", 9, "ng/L"),
    ("13969-1", _ucum(3.1, "ng/mL"), "ck_mb", 3.1, "ng/mL"),
    ("89243-0", {"valueInteger": 70}, "karnofsky", 70, None),
    ("72172-0", {"valueInteger": 24}, "moca", 24, None),
]


@pytest.mark.parametrize("code, value, variable, expected, unit", MINIMAL)
def test_mapped_codes_fill_their_variable(tmp_path: Path, code: str, value: dict, variable: str,
                                          expected: float, unit: str | None) -> None:
    observation = {"resourceType": "Observation", "id": "o1", "status": "final", "subject": {"reference": "Patient/p"},
                   "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                   "effectiveDateTime": "2026-11-01", **value}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p", "gender": "female", "birthDate": "1970-01-01"}},
        {"resource": observation}]}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle))
    measurement = load_fhir(path, as_of=AS_OF).measurements[variable]
    assert (measurement.value, measurement.unit) == (pytest.approx(expected), unit)


OMOP = [  # LOINC codes of the OMOP sample's MEASUREMENT rows -> variable (codes.yaml serves OMOP too)
    (("20565-8", "2028-9"), "bicarbonate"),
    (("89579-7",), "troponin"),
]


@pytest.fixture(scope="module")
def omop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, duckdb.DuckDBPyConnection]:
    folder = tmp_path_factory.mktemp("omop")
    with zipfile.ZipFile(OMOP_SAMPLE) as archive:
        archive.extractall(folder, [n for n in archive.namelist() if not n.startswith("__MACOSX")])
    return folder, load_omop(folder)


@pytest.mark.skipif(not OMOP_SAMPLE.exists(), reason="../shared/data/omop not available")
@pytest.mark.parametrize("codes, variable", OMOP)
def test_omop_sample_rows_fill_their_variable(omop: tuple[Path, duckdb.DuckDBPyConnection], codes: tuple[str, ...],
                                              variable: str) -> None:
    """Each person's kept value is one of their rows of these codes on their latest day,
    in a unit that converts to the lexicon's."""
    folder, con = omop
    listed = ", ".join(f"'{code}'" for code in codes)
    raw = duckdb.connect().execute(f"""WITH rows AS (SELECT CAST(person_id AS VARCHAR) AS person, measurement_date AS day, value_as_number
                                      FROM '{folder}/MEASUREMENT.csv' WHERE measurement_source_value IN ({listed})
                                      QUALIFY rank() OVER (PARTITION BY person_id ORDER BY measurement_date DESC) = 1)
                         SELECT person, day, list(value_as_number) FROM rows GROUP BY person, day""").fetchall()
    kept = {person: (value, day, unit) for person, value, day, unit in con.execute(
        "SELECT person_id, value, measured_on, unit FROM measurement WHERE variable = ?", [variable]).fetchall()}
    assert raw and sorted(kept) == sorted(person for person, _, _ in raw)
    target = get_lexicon().variables[variable].unit
    for person, day, values in raw:
        value, kept_day, unit = kept[person]
        assert kept_day == day and value in values
        converter(unit, target)(1.0)  # raises when the unit does not fit

"""OMOP CDM 5.4 input: the Synthea sample as it is, and small CDM folders for each rule of reading."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from screener import check, compile_criteria
from screener.cli import app
from screener.omop import OmopError, code_rows, load_omop, read_ucum
from screener.patient import load_patient, parse_patient
from screener.population import from_patients, iter_patients_from
from screener.profile_yaml import profile_yaml
from screener.rules import dump_rules, load_rules
from screener.units import parse_unit

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "data" / "omop" / "synthea27nj_omop54.zip"
if not SAMPLE.exists():
    SAMPLE = Path("/work/shared/data/omop/synthea27nj_omop54.zip")
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason=f"the Synthea OMOP sample is not at {SAMPLE}")
runner = CliRunner()


@pytest.fixture(scope="module")
def synthea(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("synthea")
    with zipfile.ZipFile(SAMPLE) as archive:
        archive.extractall(folder, [n for n in archive.namelist() if not n.startswith("__MACOSX")])
    return folder


@pytest.fixture(scope="module")
def synthea_con(synthea: Path) -> duckdb.DuckDBPyConnection:
    return load_omop(synthea)


# ------------------------------------------------------------------------ units


@pytest.mark.parametrize("ucum, unit", [
    ("mm[Hg]", "mmHg"), ("10*3/uL", "10^3/uL"), ("10*9/L", "10^9/L"), ("Cel", "degC"), ("{score}", None),
    ("mg/dL", "mg/dL"), ("[IU]/L", "IU/L"), ("kg/m2", "kg/m2"), ("n/a", "n/a"), ("", None), (None, None),
])
def test_ucum_units_are_read_as_screener_units(ucum: str | None, unit: str | None) -> None:
    assert read_ucum(ucum) == unit


def test_code_rows_expand_icd10_ranges_and_keep_lexicon_loinc() -> None:
    rows = set(code_rows())
    assert ("condition", "hypertension", "ICD10", "I12") in rows          # I10-I15
    assert ("condition", "sjs_ten", "ICD10", "L512") in rows              # L51.2
    assert ("variable", "creatinine", "LOINC", "2160-0") in rows          # lexicon
    assert ("variable", "creatinine", "LOINC", "38483-4") in rows         # codes.yaml
    assert ("event", "hospital_admission", "Visit", "IP") in rows         # omop_codes.yaml


# ------------------------------------------------------------------------ the Synthea sample


@needs_sample
def test_sample_persons_have_sex_birth_date_and_their_last_observation_as_date(synthea_con) -> None:
    people = {row[0]: row[1:] for row in synthea_con.execute("SELECT * FROM person").fetchall()}
    assert len(people) == 28
    assert people["1"] == ("male", dt.date(1998, 4, 9), None, dt.date(2022, 9, 30))
    assert people["2"][0] == "female"


@needs_sample
def test_sample_measurements_keep_the_latest_loinc_value_with_its_ucum_unit(synthea, synthea_con) -> None:
    raw = duckdb.sql(f"""SELECT CAST(person_id AS VARCHAR), value_as_number, measurement_date FROM '{synthea}/MEASUREMENT.csv'
                         WHERE measurement_source_value = '29463-7'
                         QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY measurement_date DESC) = 1""").fetchall()
    kept = synthea_con.execute("SELECT person_id, value, measured_on FROM measurement WHERE variable = 'weight'").fetchall()
    assert sorted(kept) == sorted(raw) and len(kept) == 28
    units = dict(synthea_con.execute("SELECT variable, any_value(unit) FROM measurement GROUP BY ALL").fetchall())
    assert units["systolic_bp"] == "mmHg" and units["platelets"] == "10^3/uL" and units["temperature"] == "degC"
    assert units["pain_nrs"] is None                                       # {score}: unitless
    assert units["creatinine"] == "mg/dL"                                  # 38483-4, blood, via codes.yaml
    for unit in units.values():
        assert unit is None or parse_unit(unit) is not None


@needs_sample
@pytest.mark.parametrize("variables", [("weight",), ("systolic_bp", "creatinine", "ecog"), ()])
def test_reading_only_some_variables_keeps_their_rows_as_they_are(synthea, synthea_con, variables) -> None:
    con = load_omop(synthea, variables=variables)
    every = "SELECT * FROM measurement WHERE list_contains(?, variable) ORDER BY ALL"
    rows = con.execute(every, [list(variables)]).fetchall()
    assert rows == synthea_con.execute(every, [list(variables)]).fetchall() and bool(rows) == bool(variables)
    assert con.execute("SELECT count(*) FROM measurement").fetchone() == con.execute(every.replace("*", "count(*)").replace(
        " ORDER BY ALL", ""), [list(variables)]).fetchone()
    assert con.execute("SELECT count(*) FROM condition").fetchone() == synthea_con.execute("SELECT count(*) FROM condition").fetchone()


@needs_sample
def test_sample_conditions_are_present_or_past_by_their_end_date(synthea_con) -> None:
    rows = synthea_con.execute("SELECT condition, status, count(DISTINCT person_id) FROM condition GROUP BY ALL").fetchall()
    found = {(c, s): n for c, s, n in rows}
    assert found[("hypertension", "present")] == 5                         # essential hypertension, no end date
    assert found[("pregnancy", "past")] >= 1                               # normal pregnancy, ended
    assert ("pregnancy", "present") not in found
    assert found[("type_2_diabetes", "present")] == 1
    assert found[("diabetes", "present")] == 1                             # type 2 is diabetes


@needs_sample
def test_sample_gives_the_same_profiles_through_yaml(synthea_con) -> None:
    for patient in iter_patients_from(synthea_con):
        again = _strip(parse_patient(profile_yaml(patient)))
        assert again.model_dump(exclude={"source"}) == patient.model_dump(exclude={"source"})


def _strip(patient):
    """The profile without the file lines its values were read from."""
    return patient.model_copy(update={
        "measurements": {k: m.model_copy(update={"line": None}) for k, m in patient.measurements.items()},
        "conditions": {k: c.model_copy(update={"line": None}) for k, c in patient.conditions.items()}})


CRITERIA = """Inclusion Criteria:
- Age 18 years or older
- Systolic blood pressure < 140 mmHg
- Hemoglobin >= 12 g/dL
- Body mass index between 18 and 30 kg/m2

Exclusion Criteria:
- Hypertension
- Pregnancy
- Serum creatinine > 1.5 mg/dL
- Platelets < 100,000/mm3
- Body temperature > 38 C
"""


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rules")
    for source in sorted((ROOT / "rules").glob("*.yaml")):
        (folder / source.name).write_text(source.read_text())
    (folder / "LOCAL-1.yaml").write_text(dump_rules(compile_criteria(CRITERIA, trial_id="LOCAL-1")))
    return folder


def _engines() -> list[str]:
    try:
        import screener.sql  # noqa: F401
        return ["python", "duckdb"]
    except ImportError:
        return ["python"]


@needs_sample
@pytest.mark.parametrize("engine", _engines())
def test_screen_omop_agrees_with_check_on_yaml_profiles(engine, synthea, synthea_con, rules_dir, tmp_path) -> None:
    out = tmp_path / "log.csv"
    result = runner.invoke(app, ["screen", "--omop", str(synthea), "--rules", str(rules_dir), "--engine", engine,
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    logged = {(r["patient"], r["trial"]): r for r in csv.DictReader(out.open())}
    rule_sets = [load_rules(p) for p in sorted(rules_dir.glob("*.yaml"))]
    verdicts = set()
    for patient in iter_patients_from(synthea_con):
        path = tmp_path / f"{patient.id}.yaml"
        path.write_text(profile_yaml(patient))
        for rules in rule_sets:
            expected = check(rules, load_patient(path))
            row = logged[(patient.id, rules.trial.id)]
            failing = {c.id for c in expected.criteria if c.outcome == "fail"}
            assert row["verdict"] == expected.verdict, (patient.id, rules.trial.id)
            assert {r.split(":")[0] for r in row["reasons for ineligibility"].split(" | ") if r} == failing
            verdicts.add(expected.verdict)
    assert {"ineligible", "needs_review"} <= verdicts                       # the local trial decides some


# ------------------------------------------------------------------------ small CDM folders


def _write(folder: Path, tables: dict[str, list[dict]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        with (folder / f"{name.upper()}.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


PERSON = [{"person_id": 7, "gender_concept_id": 8532, "year_of_birth": 1970, "month_of_birth": 3, "day_of_birth": 9,
           "birth_datetime": "", "gender_source_value": "F"}]
PERIOD = [{"person_id": 7, "observation_period_end_date": "2024-06-30"}]


def _measurement(mid: int, loinc: str, value: str, unit: str, day: str = "2024-06-01") -> dict:
    return {"measurement_id": mid, "person_id": 7, "measurement_concept_id": 0, "measurement_date": day,
            "value_as_number": value, "unit_concept_id": 0, "range_low": "", "range_high": "",
            "measurement_source_value": loinc, "unit_source_value": unit}


def _condition(cid: int, concept: int, source: str, start: str, end: str = "") -> dict:
    return {"condition_occurrence_id": cid, "person_id": 7, "condition_concept_id": concept, "condition_start_date": start,
            "condition_end_date": end, "condition_source_value": source}


def test_without_vocabulary_source_codes_are_read(tmp_path) -> None:
    folder = _write(tmp_path / "cdm", {
        "person": PERSON, "observation_period": PERIOD,
        "measurement": [_measurement(1, "2160-0", "1.2", "mg/dL"), _measurement(2, "718-7", "11", "g/dL", "2025-01-01"),
                        _measurement(3, "777-3", "150", "n/a"), _measurement(4, "99999-9", "3", "mg/dL")],
        "condition_occurrence": [_condition(1, 0, "I10", "2020-01-01"), _condition(2, 0, "O80.1", "2019-01-01", "2019-09-01"),
                                 _condition(3, 0, "C50.9", "2010-01-01", "2012-01-01")],
    })
    con = load_omop(folder)
    rows = con.execute("SELECT variable, value, unit FROM measurement ORDER BY variable").fetchall()
    assert rows == [("creatinine", 1.2, "mg/dL"), ("platelets", 150.0, "n/a")]   # after as_of: left out; unmapped: no row
    conditions = con.execute("SELECT condition, status, end_date FROM condition ORDER BY 1").fetchall()
    assert conditions == [("hypertension", "present", None), ("malignancy", "past", dt.date(2012, 1, 1))]
    assert con.execute("SELECT sex, birth_date, as_of FROM person").fetchone() == ("female", dt.date(1970, 3, 9), dt.date(2024, 6, 30))


def test_an_unreadable_unit_is_unknown_with_the_unit_named(tmp_path) -> None:
    folder = _write(tmp_path / "cdm", {"person": PERSON, "observation_period": PERIOD,
                                       "measurement": [_measurement(1, "777-3", "150", "n/a")]})
    rules = compile_criteria("Inclusion Criteria:\n- Platelets >= 100,000/mm3\n", trial_id="T")
    patient = next(iter_patients_from(load_omop(folder)))
    result = check(rules, patient)
    platelets = result.criteria[0]
    assert platelets.status == "unknown" and "n/a" in platelets.explanation


CONCEPTS = [
    {"concept_id": 316866, "vocabulary_id": "SNOMED", "concept_code": "38341003"},   # hypertensive disorder
    {"concept_id": 320128, "vocabulary_id": "SNOMED", "concept_code": "59621000"},   # essential hypertension
    {"concept_id": 900001, "vocabulary_id": "SNOMED", "concept_code": "900001"},     # a local child concept
    {"concept_id": 3016723, "vocabulary_id": "LOINC", "concept_code": "2160-0"},
    {"concept_id": 8840, "vocabulary_id": "UCUM", "concept_code": "mg/dL"},
    {"concept_id": 45590000, "vocabulary_id": "ICD10CM", "concept_code": "C50.9"},
]


@pytest.mark.parametrize("hierarchy", ["concept_ancestor", "concept_relationship"])
def test_conditions_match_descendant_concepts(tmp_path, hierarchy: str) -> None:
    tables = {"person": PERSON, "observation_period": PERIOD, "concept": CONCEPTS,
              "condition_occurrence": [_condition(1, 900001, "", "2020-01-01"), _condition(2, 45590000, "", "2011-01-01")],
              "measurement": [dict(_measurement(1, "", "88", "", "2024-01-01"), measurement_concept_id=3016723,
                                   unit_concept_id=8840)]}
    if hierarchy == "concept_ancestor":
        tables["concept_ancestor"] = [{"ancestor_concept_id": 316866, "descendant_concept_id": 900001}]
    else:
        tables["concept_relationship"] = [{"concept_id_1": 900001, "concept_id_2": 320128, "relationship_id": "Is a"},
                                          {"concept_id_1": 320128, "concept_id_2": 316866, "relationship_id": "Is a"}]
    con = load_omop(_write(tmp_path / "cdm", tables))
    assert con.execute("SELECT condition, status FROM condition ORDER BY 1").fetchall() == [
        ("hypertension", "present"), ("malignancy", "present")]
    assert con.execute("SELECT variable, value, unit FROM measurement").fetchall() == [("creatinine", 88.0, "mg/dL")]


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    return {t: sorted(map(str, con.execute(f"SELECT * FROM {t}").fetchall())) for t in ("person", "measurement", "condition", "event")}


def test_parquet_folder_and_duckdb_file_read_like_csv(tmp_path) -> None:
    folder = _write(tmp_path / "cdm", {"person": PERSON, "observation_period": PERIOD,
                                       "measurement": [_measurement(1, "2160-0", "1.2", "mg/dL")],
                                       "condition_occurrence": [_condition(1, 0, "I10", "2020-01-01")]})
    expected = _tables(load_omop(folder))
    parquet, database = tmp_path / "parquet", tmp_path / "cdm.duckdb"
    parquet.mkdir()
    with duckdb.connect(str(database)) as db:
        for path in folder.glob("*.csv"):
            table = path.stem.lower()
            db.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header = true)")
            db.execute(f"COPY {table} TO '{parquet / (table + '.parquet')}' (FORMAT parquet)")
    assert _tables(load_omop(parquet)) == expected
    assert _tables(load_omop(database)) == expected


def test_as_of_leaves_out_later_records(tmp_path) -> None:
    folder = _write(tmp_path / "cdm", {"person": PERSON, "observation_period": PERIOD,
                                       "measurement": [_measurement(1, "2160-0", "1.2", "mg/dL", "2024-01-01"),
                                                       _measurement(2, "2160-0", "0.9", "mg/dL", "2022-01-01")],
                                       "condition_occurrence": [_condition(1, 0, "I10", "2023-01-01")]})
    con = load_omop(folder, as_of=dt.date(2022, 6, 1))
    assert con.execute("SELECT value FROM measurement").fetchall() == [(0.9,)]
    assert con.execute("SELECT count(*) FROM condition").fetchone() == (0,)


@pytest.mark.parametrize("source, message", [
    ("no/such/folder", "no such folder"),
    ("EMPTY", "no PERSON table"),
])
def test_a_bad_source_is_a_clear_error(tmp_path, source: str, message: str) -> None:
    if source == "EMPTY":
        source = str(tmp_path)
    with pytest.raises(OmopError, match=message):
        load_omop(source)
    result = runner.invoke(app, ["screen", "--omop", source, "--rules", str(ROOT / "rules"), "--engine", "python"])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output



def _without(rows: list[dict], *columns: str) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


@pytest.mark.parametrize("table, columns", [
    ("person", ("gender_source_value", "birth_datetime")),
    ("measurement", ("range_low", "range_high", "unit_concept_id", "measurement_concept_id")),
    ("condition_occurrence", ("condition_end_date", "condition_concept_id")),
])
def test_a_table_without_columns_the_reader_uses_reads_them_as_empty(tmp_path, table: str, columns: tuple[str, ...]) -> None:
    tables = {"person": PERSON, "observation_period": PERIOD,
              "measurement": [_measurement(1, "2160-0", "1.2", "mg/dL")],
              "condition_occurrence": [_condition(1, 0, "I10", "2020-01-01")]}
    expected = _tables(load_omop(_write(tmp_path / "full", tables)))
    tables[table] = _without(tables[table], *columns)
    assert _tables(load_omop(_write(tmp_path / "short", tables))) == expected


def test_a_table_without_person_id_is_a_clear_error(tmp_path) -> None:
    folder = _write(tmp_path / "cdm", {"person": PERSON, "observation_period": PERIOD,
                                       "measurement": _without([_measurement(1, "2160-0", "1.2", "mg/dL")], "person_id")})
    with pytest.raises(OmopError, match="MEASUREMENT table has no person_id column"):
        load_omop(folder)
    result = runner.invoke(app, ["screen", "--omop", str(folder), "--rules", str(ROOT / "rules"), "--engine", "python"])
    assert result.exit_code == 2 and "no person_id column" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("units_from, verdict, failing, undecided", [
    (False, "needs_review", "", "E1"),   # kPa is not among the units the lexicon names: PaO2 unknown
    (True, "ineligible", "E1", ""),
])
def test_printed_sql_converts_the_units_of_the_population_it_is_given(tmp_path, units_from: bool, verdict: str,
                                                                      failing: str, undecided: str) -> None:
    folder = _write(tmp_path / "cdm", {"person": PERSON, "observation_period": PERIOD,
                                       "measurement": [_measurement(1, "2703-7", "7", "kPa")]})
    rules = tmp_path / "rules.yaml"
    rules.write_text(dump_rules(compile_criteria("Exclusion Criteria:\n- PaO2 < 8 kPa (< 60 mmHg)\n", trial_id="T")))
    out = tmp_path / "screen.sql"
    result = runner.invoke(app, ["sql", str(rules), "--out", str(out), *(["--units-from", str(folder)] if units_from else [])])
    assert result.exit_code == 0, result.output
    row = load_omop(folder).execute(out.read_text().rstrip().rstrip(";")).fetchone()
    assert (row[3], ",".join(row[4]), ",".join(row[5])) == (verdict, failing, undecided)

# ------------------------------------------------------------------------ profiles as long tables


def test_profiles_become_long_tables_and_come_back() -> None:
    patients = [_strip(load_patient(p)) for p in sorted((ROOT / "examples" / "patients").glob("*.yaml"))]
    con = from_patients(patients)
    back = {p.id: p for p in iter_patients_from(con)}
    for patient in patients:
        again = back[patient.id]
        for variable, m in patient.measurements.items():
            assert again.measurements[variable].value == m.value and again.measurements[variable].uln == m.uln
        assert {k: c.status for k, c in again.conditions.items()} == {k: c.status for k, c in patient.conditions.items()}
        assert again.events == patient.events and again.answers == patient.answers
        assert (again.birth_date, again.age_years(), again.sex) == (patient.birth_date, patient.age_years(), patient.sex)


def test_screen_writes_a_parquet_log_like_the_csv_log(tmp_path) -> None:
    out = tmp_path / "log.parquet"
    patients = str(ROOT / "examples" / "patients")
    result = runner.invoke(app, ["screen", patients, "--rules", str(ROOT / "rules"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = duckdb.sql(f"SELECT patient, trial, verdict FROM read_parquet('{out}') ORDER BY 1, 2").fetchall()
    csv_out = tmp_path / "log.csv"
    runner.invoke(app, ["screen", patients, "--rules", str(ROOT / "rules"), "--engine", "python", "--out", str(csv_out)])
    expected = sorted((r["patient"], r["trial"], r["verdict"]) for r in csv.DictReader(csv_out.open()))
    assert rows == expected and len(rows) == 12


def test_screen_needs_patients_or_omop() -> None:
    result = runner.invoke(app, ["screen", "--rules", str(ROOT / "rules")])
    assert result.exit_code == 2 and "--omop" in result.output


def _spark_missing() -> str | None:
    import shutil
    import importlib.util
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'screener[spark]')"
    if shutil.which("java") is None:
        return "Java is not installed (Spark needs Java 17)"
    return None


@needs_sample
@pytest.mark.skipif(_spark_missing() is not None, reason=str(_spark_missing()))
def test_screen_omop_on_spark_gives_the_duckdb_log(synthea, rules_dir, tmp_path) -> None:
    logs = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / f"{engine}.parquet"
        result = runner.invoke(app, ["screen", "--omop", str(synthea), "--rules", str(rules_dir), "--engine", engine,
                                     "--out", str(out)])
        assert result.exit_code == 0, result.output
        logs[engine] = duckdb.sql(f"SELECT patient, trial, verdict, reasons, to_collect FROM '{out}' ORDER BY 1, 2").fetchall()
    assert logs["spark"] == logs["duckdb"] and len(logs["spark"]) == 28 * 3


def test_profiles_give_the_same_verdicts_on_duckdb_as_on_python(tmp_path) -> None:
    patients, verdicts = str(ROOT / "examples" / "patients"), {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"{engine}.csv"
        result = runner.invoke(app, ["screen", patients, "--rules", str(ROOT / "rules"), "--engine", engine, "--out", str(out)])
        assert result.exit_code == 0, result.output
        verdicts[engine] = sorted((r["patient"], r["trial"], r["verdict"]) for r in csv.DictReader(out.open()))
    assert verdicts["duckdb"] == verdicts["python"] and {v for *_, v in verdicts["python"]} == {"eligible", "ineligible", "needs_review"}

"""OMOP from a PostgreSQL database, and the generated PostgreSQL SQL, on a real server.

A throw-away cluster (initdb + pg_ctl, Unix socket only, in a temporary folder) holds the
Synthea OMOP sample as a CDM schema; as root the server runs as the ``postgres`` user (or
``nobody``).  ``.ci/run`` installs PostgreSQL from Debian's packages: under CI=true a
missing server fails these tests; elsewhere they skip, saying why.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from pathlib import Path
from typing import Iterator

import duckdb
import pytest
from pg_cluster import Cluster, load_sample, postgres_bin
from test_omop import needs_sample, rules_dir, runner, synthea  # noqa: F401  (fixtures)

from screener.cli import app
from screener.omop import load_omop
from screener.omop_db import redact
from screener.patient import load_patient
from screener.rules import load_rules
from screener.sql import screening_sql
from screener.sql_run import SCHEMA, patient_tables, run_duckdb

ROOT = Path(__file__).resolve().parents[1]
LONG = ("person", "measurement", "condition", "event")


def _unavailable(reason: str) -> None:
    """Skip, saying why; under CI=true (where .ci/run installs PostgreSQL) fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def _missing() -> str | None:
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install 'trial-screener[postgres]')"
    if postgres_bin() is None:
        return "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin; .ci/run installs it)"
    return None


@pytest.fixture(scope="module")
def server(synthea: Path) -> Iterator[Cluster]:  # noqa: F811
    reason = _missing()
    if reason:
        _unavailable(reason)
    cluster = Cluster(postgres_bin())  # type: ignore[arg-type]
    try:
        cluster.start()
        with cluster.connect("postgres") as db:
            db.execute("CREATE DATABASE omop")
        with cluster.connect() as db:
            load_sample(db, synthea)
        yield cluster
    finally:
        cluster.stop()


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in LONG}


# ------------------------------------------------------------------------ reading OMOP


@pytest.fixture(scope="module")
def folder_tables(synthea) -> dict[str, list[tuple]]:  # noqa: F811
    return _tables(load_omop(synthea))


@needs_sample
@pytest.mark.parametrize("schema", [
    "cdm",                   # descendants by the 'Is a' rows (the sample's CONCEPT_ANCESTOR is empty)
    "anc",                   # by CONCEPT_ANCESTOR
    "clinical,vocabulary",   # each table from the first schema that holds it (visits need the vocabulary)
])
def test_the_database_gives_the_long_tables_of_the_folder(server, folder_tables, schema) -> None:
    assert _tables(load_omop(server.url(schema=schema))) == folder_tables
    assert all(folder_tables[t] for t in LONG)


LOOSE = {  # table: the columns kept, all as text
    "person": ("person_id", "gender_concept_id", "year_of_birth"),
    "measurement": ("measurement_id", "person_id", "measurement_concept_id", "measurement_date", "value_as_number",
                    "unit_concept_id", "measurement_source_value", "unit_source_value"),
    "concept": ("concept_id", "vocabulary_id", "concept_code"),
    "concept_relationship": ("concept_id_1", "concept_id_2", "relationship_id"),
}


@needs_sample
def test_a_loosely_typed_database_with_few_columns_reads_as_its_csv_folder(server, synthea, tmp_path) -> None:  # noqa: F811
    """Every column text, most columns missing (no birth month or day, no ranges): read as
    a CSV folder with those columns empty."""
    folder = tmp_path / "loose"
    folder.mkdir()
    with server.connect() as db:
        db.execute("CREATE SCHEMA loose")
        for table, columns in LOOSE.items():
            db.execute(f"CREATE TABLE loose.{table} AS SELECT {', '.join(f'{c}::text AS {c}' for c in columns)} FROM cdm.{table}")
            source = duckdb.read_csv(str(synthea / f"{table.upper()}.csv"), all_varchar=True)
            kept = ", ".join(c if c in columns else f"NULL AS {c}" for c in source.columns)  # the folder reader needs them all
            source.select(kept).write_csv(str(folder / f"{table.upper()}.csv"), header=True)
    expected = _tables(load_omop(folder))
    assert _tables(load_omop(server.url(schema="loose"))) == expected
    assert expected["measurement"] and all(birth is None for _, _, birth, *_ in expected["person"])


@needs_sample
def test_reading_some_variables_from_the_database_reads_only_their_rows(server, folder_tables) -> None:
    con = load_omop(server.url(), variables=["weight", "creatinine"])
    assert {v for _, v, *_ in _tables(con)["measurement"]} == {"weight", "creatinine"}
    assert [r for r in folder_tables["measurement"] if r[1] in ("weight", "creatinine")] == _tables(con)["measurement"]
    read = con.execute("SELECT count(*), count(*) FILTER (WHERE measurement_concept_id NOT IN (SELECT concept_id FROM _concept "
                       "WHERE CAST(term AS VARCHAR) IN ('weight', 'creatinine'))) FROM src_measurement").fetchall()
    assert 0 < read[0][0] < 10040 / 5 and read[0][1] == 0  # the other rows stayed in the database


@needs_sample
def test_screen_from_the_database_gives_the_log_of_the_folder(server, synthea, rules_dir, tmp_path) -> None:  # noqa: F811
    logs = {}
    for name, source in (("folder", str(synthea)), ("database", server.url())):
        out = tmp_path / f"{name}.csv"
        result = runner.invoke(app, ["screen", "--omop", source, "--rules", str(rules_dir), "--out", str(out)])
        assert result.exit_code == 0, result.output
        logs[name] = sorted(tuple(row.values())[:7] for row in csv.DictReader(out.open()))  # not when it was made
    assert logs["database"] == logs["folder"] and len(logs["folder"]) == 28 * 3
    assert {row[3] for row in logs["folder"]} >= {"ineligible", "needs_review"}


@pytest.mark.parametrize("url, shown", [
    ("postgresql://reader:s3cret@db.hospital:5432/omop#cdm", "postgresql://reader:***@db.hospital:5432/omop#cdm"),
    ("postgresql://reader:s3@cret@db.hospital/omop", "postgresql://reader:***@db.hospital/omop"),
    ("postgres://reader@db/omop?sslmode=require&password=s3cret", "postgres://reader@db/omop?sslmode=require&password=***"),
    ("postgresql:///omop?host=/var/run/postgresql", "postgresql:///omop?host=/var/run/postgresql"),
    ("postgresql://reader@db:5432/omop", "postgresql://reader@db:5432/omop"),
])
def test_urls_are_shown_without_their_password(url, shown) -> None:
    assert redact(url) == shown


@pytest.mark.parametrize("url, reason", [
    ("postgresql://reader:s3cret@/omop?host={empty}", "cannot connect to the database: "),
    ("postgresql://reader@/omop?host={empty}&password=s3cret#cdm", "cannot connect to the database: "),
])
def test_an_unreachable_server_is_a_clean_error_without_the_password(url, reason, tmp_path) -> None:
    if importlib.util.find_spec("psycopg") is None:
        _unavailable("psycopg is not installed (pip install 'trial-screener[postgres]')")
    result = runner.invoke(app, ["screen", "--omop", url.format(empty=tmp_path), "--rules", str(ROOT / "rules")])
    assert result.exit_code == 2 and reason in result.output and "***" in result.output
    assert "s3cret" not in result.output and "Traceback" not in result.output


def test_a_missing_driver_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    result = runner.invoke(app, ["screen", "--omop", "postgresql://reader:s3cret@db.invalid/omop", "--rules", str(ROOT / "rules")])
    assert result.exit_code == 2 and "pip install 'trial-screener[postgres]'" in result.output
    assert "s3cret" not in result.output and "Traceback" not in result.output


@needs_sample
def test_a_schema_without_person_is_a_clean_error(server) -> None:
    result = runner.invoke(app, ["screen", "--omop", server.url(schema="public"), "--rules", str(ROOT / "rules")])
    assert result.exit_code == 2 and "no PERSON table" in result.output


# ------------------------------------------------------------------------ the generated SQL on PostgreSQL


@pytest.fixture(scope="module")
def long_tables(server, synthea) -> duckdb.DuckDBPyConnection:  # noqa: F811
    """The Synthea persons and the example profiles (answers, dates, odd units) as long
    tables in DuckDB, copied to schema ``long`` of the server."""
    con = load_omop(synthea)
    profiles = patient_tables(load_patient(p) for p in sorted((ROOT / "examples" / "patients").glob("*.yaml")))
    con.execute("CREATE OR REPLACE TABLE answer (person_id VARCHAR, trial_id VARCHAR, question_id VARCHAR, value BOOLEAN)")
    for name, columns in SCHEMA.items():
        for row in profiles[name]:
            con.execute(f"INSERT INTO {name} ({', '.join(c for c, _ in columns)}) VALUES ({', '.join('?' for _ in columns)})", list(row))
    types = {"VARCHAR": "text", "DOUBLE": "float8", "DATE": "date", "BOOLEAN": "boolean"}
    with server.connect() as db:
        db.execute("CREATE SCHEMA long")
        for name, columns in SCHEMA.items():
            db.execute(f"CREATE TABLE long.{name} ({', '.join(f'{c} {types[t]}' for c, t in columns)})")
            with db.cursor().copy(f"COPY long.{name} FROM STDIN") as copy:
                for row in con.execute(f"SELECT {', '.join(c for c, _ in columns)} FROM {name}").fetchall():
                    copy.write_row(row)
    return con


def _on_postgres(server: Cluster, sql: str) -> dict[tuple[str, str], tuple]:
    with server.connect() as db:
        db.execute("SET search_path = long")
        return {(r[0], r[1]): tuple(r[2:]) for r in db.execute(sql).fetchall()}


def _printed(rules: Path, dialect: str, tmp_path: Path) -> str:
    out = tmp_path / f"{dialect}.sql"
    result = runner.invoke(app, ["sql", str(rules), "--dialect", dialect, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text().rstrip().rstrip(";")


@needs_sample
def test_the_printed_postgres_sql_gives_on_postgresql_what_duckdb_gives(server, long_tables, rules_dir, tmp_path) -> None:  # noqa: F811
    """The same query printed for each database: every column of every pair agrees."""
    duck = {(r[0], r[1]): tuple(r[2:]) for r in long_tables.execute(_printed(rules_dir, "duckdb", tmp_path)).fetchall()}
    assert _on_postgres(server, _printed(rules_dir, "postgres", tmp_path)) == duck
    assert {v[1] for v in duck.values()} == {"eligible", "ineligible", "needs_review"} and len(duck) == (28 + 6) * 3


@needs_sample
def test_postgresql_gives_the_duckdb_engine_verdicts_with_the_population_units(server, long_tables, rules_dir) -> None:  # noqa: F811
    """With the (variable, unit) pairs the population holds, as the DuckDB engine adds
    them, the postgres SQL gives the engine's rows.  (The printed SQL converts only the
    units the lexicon and the default ranges name: kPa for PaO2, 10^3/uL for platelets and
    ug/L for ferritin are unknown there.)"""
    rule_sets = [load_rules(p) for p in sorted(rules_dir.glob("*.yaml"))]
    duck = {(r[0], r[1]): tuple(r[2:]) for r in run_duckdb(rule_sets, long_tables).fetchall()}
    pairs = [tuple(r) for r in long_tables.execute("SELECT DISTINCT variable, unit FROM measurement").fetchall()]
    assert _on_postgres(server, screening_sql(rule_sets, "postgres", units=pairs)) == duck
    assert duck[("SSC-001", "NCT02213705")][1] == "eligible"

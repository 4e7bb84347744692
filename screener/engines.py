"""Screen a population held in the long tables on an engine: python, duckdb or spark.

The population is a DuckDB connection holding the five long tables
(``notes/population-schema.md``), built by ``omop.load_omop`` or
``population.from_patients``.  The python engine reads the persons back as profiles and
runs ``screen.screen``; the SQL engines run the SQL that ``screener.sql`` generates from the
same rules (DuckDB in process; Spark through pyspark in local mode, or a cluster with
``spark-submit``).  Every engine gives the same screening log.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, Literal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import ScreenerError
from .population import TABLES, iter_patients_from
from .rules import RuleSet
from .screen import LOG_COLUMNS, ScreenResult, collect_cell, log_row, screen

Engine = Literal["python", "duckdb", "spark"]
ENGINES: tuple[str, ...] = ("python", "duckdb", "spark")

LOG_FIELDS = ("patient", "trial", "date", "verdict", "reasons", "to_collect", "error")
"""Screening-log columns in Parquet (the CSV log keeps the coordinator's headings, ``LOG_COLUMNS``)."""


class EngineError(RuntimeError, ScreenerError):
    """An engine that cannot run here: pyspark not installed, SQL generator missing."""


def read_variables(rule_sets: Iterable[RuleSet], engine: str) -> tuple[str, ...]:
    """The measured variables screening on ``engine`` reads, for ``omop.load_omop`` to read
    only those: every compared variable, the inputs of the formulas that derive any of them
    (a measured value is checked against its formula too), and height and weight where the
    body surface area may be needed.  The python engine converts any per-area value it
    meets with the BSA, so it always reads them; the SQL engines only for a variable that
    is per area or derived, or a limit per area (as ``sql_compare`` asks for the BSA).
    Found from the rules alone, so that the screening plan is built once, after loading."""
    from .derive import FORMULAS, input_variables
    from .lexicon import get_lexicon
    from .rules import Comparison, walk
    from .units import UnitError, area_exponent

    variables = get_lexicon().variables
    compared = [node for rules in rule_sets for criterion in rules.criteria for node in walk(criterion.rule)
                if isinstance(node, Comparison) and node.variable in variables and node.variable != "age"]  # age: the person's
    read = {node.variable for node in compared}
    read |= {name for variable in read if variable in FORMULAS for name in input_variables(variable)}

    def per_area(node: Comparison) -> bool:
        try:
            return area_exponent(node.unit, variables[node.variable].unit) != 0
        except UnitError:
            return False

    if engine == "python" or any(variables[node.variable].bsa_normalised or node.variable in FORMULAS or per_area(node)
                                 for node in compared):
        read |= {"height", "weight"}
    return tuple(sorted(read))


def python_results(con: duckdb.DuckDBPyConnection, rule_sets: list[RuleSet], *, explain: bool = True,
                   max_lab_age_days: float | None = None) -> Iterator[ScreenResult]:
    """Every person against every rule set on the Python engine, streamed."""
    return screen(rule_sets, iter_patients_from(con), explain=explain, max_lab_age_days=max_lab_age_days)


def sql_screening(con: duckdb.DuckDBPyConnection, rule_sets: list[RuleSet], engine: Engine,
                  errors: Iterable[tuple[str, str]] = ()) -> str:
    """Create the relation ``screening`` (person_id, trial_id, as_of, verdict, failing,
    undecided, to_collect) in ``con`` on a SQL engine, ``screening_text`` (the lists as
    text) and ``screening_errors`` (patient, trial, error: the profiles that could not be
    read, an error row per trial as on the python engine); returns the name ``screening``."""
    from .sql_run import run_duckdb

    if engine == "duckdb":
        run_duckdb(rule_sets, con, table="screening")
    else:
        _spark_screening(con, rule_sets)
        cells = [(verdict, items, collect_cell(verdict, items))
                 for verdict, items in con.execute("SELECT DISTINCT verdict, to_collect FROM screening").fetchall()]
        con.execute("CREATE OR REPLACE TEMP TABLE screening_cells (verdict VARCHAR, to_collect VARCHAR[], log_collect VARCHAR)")
        if cells:
            con.executemany("INSERT INTO screening_cells VALUES (?, ?, ?)", cells)
        con.execute("CREATE OR REPLACE TEMP VIEW screening_text AS SELECT s.* REPLACE (array_to_string(s.failing, ' | ') AS failing, "
                    "array_to_string(s.undecided, ' | ') AS undecided, array_to_string(s.to_collect, ' | ') AS to_collect), "
                    "CAST(s.as_of AS VARCHAR) AS date, c.log_collect FROM screening s JOIN screening_cells c "
                    "ON c.verdict = s.verdict AND c.to_collect IS NOT DISTINCT FROM s.to_collect")
    con.execute("CREATE OR REPLACE TEMP TABLE screening_errors (patient VARCHAR, trial VARCHAR, error VARCHAR)")
    trials = [rules.trial.id or f"trial {n + 1}" for n, rules in enumerate(rule_sets)]
    rows = [[patient, trial, message] for patient, message in errors for trial in trials]
    if rows:
        con.executemany("INSERT INTO screening_errors VALUES (?, ?, ?)", rows)
    return "screening"


def _spark_screening(con: duckdb.DuckDBPyConnection, rule_sets: list[RuleSet]) -> None:
    """Run the screening SQL in a Spark session (local unless ``SCREENER_SPARK_MASTER`` or
    spark-submit says otherwise) over the long tables, handed over as Parquet."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("the spark engine needs pyspark: pip install 'screener[spark]'") from None
    from .sql_run import run_spark

    with tempfile.TemporaryDirectory(prefix="screener-spark-") as folder:
        for table in TABLES:
            con.execute(f"COPY {table} TO '{folder}/{table}.parquet' (FORMAT parquet)")
        spark = (SparkSession.builder.master(os.environ.get("SCREENER_SPARK_MASTER", "local[*]"))
                 .appName("screener").getOrCreate())
        for table in TABLES:
            spark.read.parquet(f"{folder}/{table}.parquet").createOrReplaceTempView(table)
        run_spark(rule_sets, spark).write.parquet(f"{folder}/screening")
        con.execute(f"CREATE OR REPLACE TABLE screening AS SELECT * FROM read_parquet('{folder}/screening/*.parquet')")


LOG_SQL = """
SELECT * FROM (
  SELECT s.person_id AS patient, s.trial_id AS trial, s.date, s.verdict,
         s.failing AS reasons, s.log_collect AS to_collect, NULL::VARCHAR AS error
  FROM {table}_text s
  {errors}
) {where}
{order}
"""
"""The screening log of a SQL engine: failing criteria by id (the python engine explains
them), nothing to collect once ineligible, and an error row per profile that could not be
read (as the python engine writes them; ``ERRORS_SQL``, added only when there are some, so
that the text columns of a DuckDB screening stay ENUMs, written once per value)."""

ERRORS_SQL = "UNION ALL SELECT patient, trial, '', 'error', '', '', error FROM {table}_errors"


def _errors(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The error rows' part of ``LOG_SQL``, empty when there are none."""
    count = con.execute(f"SELECT count(*) FROM {table}_errors").fetchone()
    return ERRORS_SQL.format(table=table) if count and count[0] else ""


def sql_results(con: duckdb.DuckDBPyConnection, table: str) -> Iterator[ScreenResult]:
    """The rows of a SQL engine's screening as results, for the table, JSONL and HTML outputs."""
    cursor = con.execute(LOG_SQL.format(table=table, where="", order="ORDER BY patient, trial", errors=_errors(con, table)))
    while rows := cursor.fetchmany(10000):
        for patient, trial, date, verdict, reasons, to_collect, error in rows:
            yield ScreenResult.model_construct(
                patient=patient, trial=trial or None, as_of=date or None, verdict=verdict, reasons=reasons.split(" | ") if reasons else [],
                to_collect=to_collect.split(" | ") if to_collect else [], unknown=0, error=error)


def copy_log(con: duckdb.DuckDBPyConnection, table: str, out: Path, *, verdicts: tuple[str, ...] | None = None) -> None:
    """Write a SQL engine's screening log to ``out`` (.parquet or .csv) inside DuckDB,
    atomically; ``verdicts`` keeps only those verdicts.  A CSV log is in patient order; a
    Parquet log is a table for queries, written in the engine's order (sorting a million
    persons' log would cost more than screening them)."""
    where = "" if verdicts is None else "WHERE verdict IN (" + ", ".join(f"'{v}'" for v in verdicts) + ")"
    csv = out.suffix.lower() == ".csv"
    query = LOG_SQL.format(table=table, where=where, order="ORDER BY patient, trial" if csv else "", errors=_errors(con, table))
    if csv:
        names = ", ".join(f'{field} AS "{column}"' for field, column in zip(LOG_FIELDS, LOG_COLUMNS))
        query, options = f"SELECT {names} FROM ({query})", "FORMAT csv, HEADER"
    else:
        options = "FORMAT parquet"
    with _atomic(out) as temporary:
        con.execute(f"COPY ({query}) TO '{temporary}' ({options})")


def write_parquet(results: Iterator[ScreenResult], out: Path, *, batch: int = 10000) -> None:
    """The screening log of results as Parquet, written in batches, atomically."""
    schema = pa.schema([(name, pa.string()) for name in LOG_FIELDS])
    with _atomic(out) as temporary, pq.ParquetWriter(temporary, schema) as writer:
        rows: list[list[str | None]] = []
        for result in results:
            row: list[str | None] = list(log_row(result))
            row[-1] = row[-1] or None
            rows.append(row)
            if len(rows) >= batch:
                writer.write_table(_table(rows, schema))
                rows = []
        writer.write_table(_table(rows, schema))


def _table(rows: list[list[str | None]], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows)) if rows else [() for _ in schema.names]
    return pa.Table.from_arrays([pa.array(list(c), type=pa.string()) for c in columns], schema=schema)


class _atomic:
    """A temporary path next to ``out``, renamed over it on success, removed on failure."""

    def __init__(self, out: Path):
        self.out = out

    def __enter__(self) -> str:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        handle, self.temporary = tempfile.mkstemp(dir=self.out.parent, prefix=f".{self.out.name}.", suffix=".tmp")
        os.close(handle)
        os.unlink(self.temporary)
        return self.temporary

    def __exit__(self, kind, *_) -> None:
        if kind is None:
            os.replace(self.temporary, self.out)
        else:
            Path(self.temporary).unlink(missing_ok=True)

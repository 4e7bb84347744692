"""Running the screening SQL: on DuckDB (embedded, the default) and on Spark (pyspark).

Both runners take the long tables already loaded (DuckDB tables or views, Spark
temporary views named person, measurement, condition, event, answer), add the unit
conversions for the (variable, unit) pairs the population holds, and return the
engine's own lazy result (a DuckDB relation, a Spark DataFrame) of
(person_id, trial_id, as_of, verdict, failing, undecided, to_collect).

``patient_tables`` turns ``Patient`` profiles into the long tables, so that YAML and
CSV patients run on every engine.
"""

from __future__ import annotations

from typing import Any, Iterable

from .patient import Patient
from .rules import RuleSet
from .sql import screening_plan, screening_sql
from .sql_features import Present
from .sql_states import screen_states

SCHEMA: dict[str, list[tuple[str, str]]] = {
    "person": [("person_id", "VARCHAR"), ("sex", "VARCHAR"), ("birth_date", "DATE"), ("age_years", "DOUBLE"), ("as_of", "DATE")],
    "measurement": [("person_id", "VARCHAR"), ("variable", "VARCHAR"), ("value", "DOUBLE"), ("unit", "VARCHAR"),
                    ("measured_on", "DATE"), ("range_low", "DOUBLE"), ("range_high", "DOUBLE"), ("source", "VARCHAR")],
    "condition": [("person_id", "VARCHAR"), ("condition", "VARCHAR"), ("status", "VARCHAR"), ("start_date", "DATE"),
                  ("end_date", "DATE"), ("source", "VARCHAR")],
    "event": [("person_id", "VARCHAR"), ("event", "VARCHAR"), ("event_date", "DATE")],
    "answer": [("person_id", "VARCHAR"), ("trial_id", "VARCHAR"), ("question_id", "VARCHAR"), ("value", "BOOLEAN")],
}
"""The long tables of /work/notes/population-schema.md, with their column types."""


def patient_tables(patients: Iterable[Patient]) -> dict[str, list[tuple[Any, ...]]]:
    """The long-table rows of profiles: height and weight become measurement rows, answers
    apply to every trial (trial_id NULL), as they do in a profile."""
    tables: dict[str, list[tuple[Any, ...]]] = {name: [] for name in SCHEMA}
    for p in patients:
        tables["person"].append((p.id, p.sex, p.birth_date, p.age, p.as_of))
        for variable, value, unit in (("height", p.height_cm, "cm"), ("weight", p.weight_kg, "kg")):
            if value is not None:
                tables["measurement"].append((p.id, variable, value, unit, None, None, None, variable))
        for m in p.measurements.values():
            if m.variable in ("height", "weight") and p.measurement(m.variable) is not m:
                continue  # the top-level value wins, as in the Python engine
            tables["measurement"].append((p.id, m.variable, m.value, m.unit, m.date, m.lln, m.uln, m.name))
        for c in p.conditions.values():
            tables["condition"].append((p.id, c.condition, c.status, c.diagnosed, c.ended, c.name))
        for event, date in p.events.items():
            tables["event"].append((p.id, event, date))
        for question, answer in p.answers.items():  # "NCT.../I3": that trial's answer
            trial, _, key = question.rpartition("/")
            tables["answer"].append((p.id, trial or None, key, answer))
    return tables


def load_duckdb(connection, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    """Create the long tables in a DuckDB connection and fill them with ``tables``' rows."""
    for name, columns in SCHEMA.items():
        connection.execute(f"CREATE OR REPLACE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
        rows = tables.get(name) or []
        marks = "(" + ", ".join("?" for _ in columns) + ")"
        for start in range(0, len(rows), 500):  # one statement per 500 rows: executemany is slow
            chunk = rows[start:start + 500]
            connection.execute(f"INSERT INTO {name} VALUES " + ", ".join(marks for _ in chunk), [v for row in chunk for v in row])


def run_duckdb(rule_sets: Iterable[RuleSet], connection, *, max_lab_age_days: float | None = None,
               table: str = "screening"):
    """Screen the long tables of a DuckDB ``connection`` into the temporary view ``table``
    (person_id, trial_id, as_of, verdict, failing, undecided, to_collect); returns it as a
    DuckDB relation.  The view ``<table>_text`` holds the same rows with the three lists
    as text joined by " | " (``log_collect``: the items to collect as the log shows them,
    nothing once ineligible), for logs.

    The plan (``sql.screening_plan``) runs in stages (``sql_states``): the unit
    conversions and the per-person features once; then per trial the criterion states of
    every person, kept as one hash per pair; the verdict and lists are made once per
    distinct state and joined back, so no string is built per pair."""
    connection.execute("SET preserve_insertion_order = false")
    pairs = [tuple(row) for row in connection.execute("SELECT DISTINCT variable, unit FROM measurement").fetchall()]
    answered = connection.execute("SELECT count(*) FROM answer").fetchone()[0] > 0
    present = Present(frozenset(v for v, _ in pairs), *(
        frozenset(r[0] for r in connection.execute(f"SELECT DISTINCT {c} FROM {t}").fetchall())
        for t, c in (("condition", "condition"), ("event", "event"))))
    plan = screening_plan(rule_sets, max_lab_age_days=max_lab_age_days, units=pairs, answers=answered, present=present)
    if plan.units is not None:
        connection.execute("CREATE OR REPLACE TEMP TABLE unit_conversion AS " + plan.units.sql(dialect="duckdb", copy=False))
    if plan.latest is not None:
        connection.execute("CREATE OR REPLACE TEMP TABLE latest_measurement AS " + plan.latest.sql(dialect="duckdb", copy=False))
    connection.execute("CREATE OR REPLACE TEMP TABLE features AS " + plan.features.sql(dialect="duckdb", copy=False))
    connection.execute("DROP TABLE IF EXISTS latest_measurement")
    screen_states(connection, plan.outcomes, table)
    connection.execute("DROP TABLE features")
    return connection.table(table)


def load_spark(spark, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    """Register ``tables``' rows as Spark temporary views named after the long tables."""
    for name, columns in SCHEMA.items():
        schema = ", ".join(f"{c} {'STRING' if t == 'VARCHAR' else t}" for c, t in columns)
        spark.createDataFrame(tables.get(name) or [], schema).createOrReplaceTempView(name)


def run_spark(rule_sets: Iterable[RuleSet], spark, *, max_lab_age_days: float | None = None):
    """Screen the long tables registered as temporary views in ``spark``; returns a DataFrame.

    On a cluster the same call runs under ``spark-submit`` with the views made from the
    OMOP tables."""
    pairs = [(r[0], r[1]) for r in spark.sql("SELECT DISTINCT variable, unit FROM measurement").collect()]
    sql = screening_sql(rule_sets, "spark", pretty=False, max_lab_age_days=max_lab_age_days, units=pairs)
    return spark.sql(sql)

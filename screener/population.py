"""Patient populations as the five long tables, so that every input runs on every engine.

``notes/population-schema.md`` is the contract: person, measurement, condition, event,
answer.  ``omop.load_omop`` builds them from a CDM database; ``from_patients`` builds them
from profiles (YAML, CSV); ``iter_patients_from`` reads them back as ``Patient`` objects
for the Python engine, one row per person and variable (the latest), the way a profile
holds them (``profile_yaml.profile_yaml`` writes such a patient as a YAML profile).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable, Iterator, Literal, Sequence

import duckdb
import pyarrow as pa

from .cohort import PatientEntry
from .implied import with_implied
from .lexicon import get_lexicon
from .patient import ConditionState, Measurement, Patient
from .rules import RuleSet
from .units import canonical

TABLES = ("person", "measurement", "condition", "event", "answer")

_SCHEMAS = {
    "person": pa.schema([("person_id", pa.string()), ("sex", pa.string()), ("birth_date", pa.date32()),
                         ("age_years", pa.float64()), ("as_of", pa.date32())]),
    "measurement": pa.schema([("person_id", pa.string()), ("variable", pa.string()), ("value", pa.float64()),
                              ("unit", pa.string()), ("measured_on", pa.date32()), ("range_low", pa.float64()),
                              ("range_high", pa.float64()), ("source", pa.string())]),
    "condition": pa.schema([("person_id", pa.string()), ("condition", pa.string()), ("status", pa.string()),
                            ("start_date", pa.date32()), ("end_date", pa.date32()), ("source", pa.string())]),
    "event": pa.schema([("person_id", pa.string()), ("event", pa.string()), ("event_date", pa.date32())]),
    "answer": pa.schema([("person_id", pa.string()), ("trial_id", pa.string()), ("question_id", pa.string()),
                         ("value", pa.bool_())]),
}


def from_patients(patients: Iterable[Patient], con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """The long tables of these profiles in a DuckDB connection (an answer holds for every
    trial, ``trial_id`` NULL, unless the profile gave it under a trial's id)."""
    con = con or duckdb.connect()
    rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
    for patient in patients:
        for table, row in _rows(patient):
            rows[table].append(row)
    for table in TABLES:
        schema = _SCHEMAS[table]
        columns = list(zip(*rows[table])) if rows[table] else [() for _ in schema.names]
        arrow = pa.Table.from_arrays([pa.array(list(c), type=f.type) for c, f in zip(columns, schema)], schema=schema)
        con.register(f"_arrow_{table}", arrow)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _arrow_{table}")
        con.unregister(f"_arrow_{table}")
    return con


def _rows(patient: Patient) -> Iterator[tuple[str, tuple]]:
    pid = patient.id
    yield "person", (pid, patient.sex, patient.birth_date, None if patient.birth_date else patient.age, patient.as_of)
    source = patient.source or pid
    for name, value, unit in (("height", patient.height_cm, "cm"), ("weight", patient.weight_kg, "kg")):
        if value is not None:
            yield "measurement", (pid, name, value, unit, None, None, None, source)
    for m in patient.measurements.values():
        if m.variable in ("height", "weight") and patient.measurement(m.variable) is not m:
            continue  # the top-level value wins, as in the Python engine
        where = f"{source}:{m.line}" if m.line else source
        yield "measurement", (pid, m.variable, m.value, canonical(m.unit) if m.unit not in ("ULN", "LLN") else m.unit,
                              m.date, m.lln, m.uln, where)
    for c in patient.conditions.values():
        where = f"{source}:{c.line}" if c.line else source
        yield "condition", (pid, c.condition, c.status, c.diagnosed, c.ended, where)
    for event, day in patient.events.items():
        yield "event", (pid, event, day)
    for question, answer in patient.answers.items():  # "NCT.../I3" answers in that trial only
        trial, _, key = question.rpartition("/")
        yield "answer", (pid, trial or None, key, answer)


def readable_entries(entries: Iterable[PatientEntry], rule_sets: Sequence[RuleSet] = ()
                     ) -> tuple[list[Patient], list[tuple[str, str]]]:
    """The patients that can be screened, and (name, error) for each entry that cannot,
    named as ``batch.screen_entries`` names them: an unreadable entry by its id or file
    name, a second record with an id already read as a duplicate, never merged; a patient
    whose answer names no criterion of ``rule_sets`` is that patient's error."""
    from pathlib import Path

    from .answers import AnswerIndex
    from .batch import DUPLICATE_MARK
    from .errors import PatientError, quote

    index = AnswerIndex(rule_sets)

    patients: list[Patient] = []
    errors: list[tuple[str, str]] = []
    first: dict[str, str] = {}  # id -> where it was first read
    for entry in entries:
        if entry.error is not None:
            name = entry.id or Path(entry.name).name
            if name in first:
                name += DUPLICATE_MARK
            else:
                first[name] = entry.name
            errors.append((name, str(entry.error)))
            continue
        patient = entry.patient
        assert patient is not None
        if patient.id in first:
            errors.append((patient.id + DUPLICATE_MARK, f"duplicate patient id {quote(patient.id)} in {entry.name} "
                           f"(first in {first[patient.id]}); not screened: give each record its own id"))
            continue
        first[patient.id] = entry.name
        try:
            index.for_rule_sets(patient)
        except PatientError as exc:
            errors.append((patient.id, str(exc)))
            continue
        patients.append(patient)
    return patients, errors


# ------------------------------------------------------------------------ back to profiles

_LATEST = """
SELECT person_id, variable, value, unit, measured_on, range_low, range_high, source
FROM measurement {where}
QUALIFY row_number() OVER (PARTITION BY person_id, variable ORDER BY measured_on DESC NULLS LAST, source DESC) = 1
"""
"""The value a profile holds: the latest row (undated rows last; a tie goes to the last
source row)."""

_CONDITIONS = """
SELECT person_id, condition,
       CASE WHEN bool_or(status = 'present') THEN 'present' WHEN bool_or(status = 'past') THEN 'past' ELSE 'absent' END,
       min(start_date), max(end_date) FILTER (WHERE status = 'past')
FROM condition {where} GROUP BY ALL
"""
"""A condition is present when any row says so, else past (ended on its last end date)."""


def iter_patients_from(con: duckdb.DuckDBPyConnection, person_ids: list[str] | None = None, *,
                       batch: int = 5000) -> Iterator[Patient]:
    """The persons of the long tables as profiles, in person_id order, ``batch`` persons
    per query so that memory stays flat."""
    if person_ids is None:
        person_ids = [row[0] for row in con.execute("SELECT person_id FROM person ORDER BY person_id").fetchall()]
    for start in range(0, len(person_ids), batch):
        yield from _batch(con, person_ids[start:start + batch])


def _batch(con: duckdb.DuckDBPyConnection, person_ids: list[str]) -> Iterator[Patient]:
    where = "WHERE person_id IN (SELECT unnest(?))"
    grouped: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    queries = {
        "measurement": _LATEST.format(where=where),
        "condition": _CONDITIONS.format(where=where),
        "event": f"SELECT person_id, event, max(event_date) FROM event {where} GROUP BY ALL",
        "answer": f"SELECT person_id, concat_ws('/', trial_id, question_id), bool_and(value) FROM answer {where} GROUP BY ALL",
    }
    for table, sql in queries.items():
        for row in con.execute(sql, [person_ids]).fetchall():
            grouped[row[0]][table].append(row[1:])
    people = con.execute(f"SELECT person_id, sex, birth_date, age_years, as_of FROM person {where} ORDER BY person_id",
                         [person_ids]).fetchall()
    for person_id, sex, birth_date, age_years, as_of in people:
        yield _patient(person_id, sex, birth_date, age_years, as_of, grouped.pop(person_id, {}))


def _patient(person_id: str, sex: Literal["female", "male"] | None, birth_date: dt.date | None, age: float | None, as_of: dt.date,
             rows: dict[str, list[tuple]]) -> Patient:
    measurements = {
        variable: Measurement(variable=variable, name=variable, value=value, unit=unit, uln=high, lln=low, date=day)
        for variable, value, unit, day, low, high, _source in rows.get("measurement", [])
    }
    conditions = {
        condition: ConditionState(condition=condition, name=condition, status=status, diagnosed=start, ended=ended)
        for condition, status, start, ended in rows.get("condition", [])
    }
    conditions = with_implied(conditions, get_lexicon())  # lymphoma: a malignancy too, as in YAML
    return Patient(id=person_id, sex=sex, birth_date=birth_date, age=None if birth_date else age, as_of=as_of,
                   measurements=measurements, conditions=conditions,
                   events={event: day for event, day in rows.get("event", [])},
                   answers={question: value for question, value in rows.get("answer", [])})

"""Read an OMOP CDM 5.4 database into the population long tables, in DuckDB SQL.

The source is a folder of CSV or Parquet files (one per table, ``PERSON.csv``,
``measurement.parquet``, or a folder of Parquet parts per table), a DuckDB file, or a
``postgresql://`` URL (read through psycopg by ``omop_db``).  The clinical tables become the five
long tables of ``notes/population-schema.md`` (person, measurement, condition, event,
answer) in a DuckDB connection; nothing is read row by row in Python, so a million
persons take seconds.

Codes decide meaning (``screener.codes``: the lexicon and ``data/codes.yaml``, plus the
visit types of ``data/omop_codes.yaml``): measurements by LOINC, conditions by SNOMED and
ICD-10, events by procedure, drug (RxNorm, ATC) and visit concepts, each with its
descendants (CONCEPT_ANCESTOR, or the 'Is a' rows of CONCEPT_RELATIONSHIP when it is
empty); where the vocabulary tables are absent, the ``*_source_value`` codes.  Units come from ``unit_concept_id`` (UCUM) or
``unit_source_value``; a unit screener cannot read is kept as written so the row is unknown
with that unit named, never dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Iterable, Iterator

import duckdb

from .errors import InputError
from .codes import get_codes
from .units import UnitError, area_exponent, canonical
from .yamlio import parse_yaml

TABLES = ("person", "observation_period", "measurement", "condition_occurrence", "observation",
          "procedure_occurrence", "drug_exposure", "visit_occurrence",
          "concept", "concept_ancestor", "concept_relationship")
"""The CDM tables read; only PERSON is required."""

FEMALE, MALE = 8532, 8507
"""OMOP gender concept ids."""



class OmopError(InputError):
    """An OMOP source that cannot be read: missing PERSON table, unreachable database."""


# ------------------------------------------------------------------------ the source


def open_source(source: str | Path, con: duckdb.DuckDBPyConnection | None = None,
                variables: Iterable[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A connection with one view ``src_<table>`` per CDM table found in ``source``
    (of a database URL, only the rows of ``variables`` among the measured ones)."""
    con = con or duckdb.connect()
    text = str(source)
    if re.match(r"^postgres(ql)?://", text):
        from .omop_db import copy_tables, redact
        copy_tables(con, text, variables)
        text = redact(text)
    elif Path(text).is_dir():
        for table, sql in _folder_tables(Path(text)):
            con.execute(f"CREATE OR REPLACE VIEW src_{table} AS {sql}")
    elif Path(text).is_file():
        _attach(con, text)
    else:
        raise OmopError("no such folder, DuckDB file or postgresql:// URL", file=text)
    names = {row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE view_name LIKE 'src\\_%' ESCAPE '\\'").fetchall()}
    if "src_person" not in names:
        raise OmopError("no PERSON table (person.csv, person.parquet or a person table)", file=text)
    for name in sorted(names):
        if name[4:] in TABLES:
            _complete(con, name[4:], text)
    for table in TABLES:
        if f"src_{table}" not in names:
            con.execute(f"CREATE OR REPLACE VIEW src_{table} AS {_EMPTY[table]}")
    return con


PERSON_COLUMNS = (("person_id", "BIGINT"), ("gender_concept_id", "BIGINT"), ("gender_source_value", "VARCHAR"),
                  ("year_of_birth", "BIGINT"), ("month_of_birth", "BIGINT"), ("day_of_birth", "BIGINT"),
                  ("birth_datetime", "VARCHAR"))
"""The PERSON columns ``_PERSON_SQL`` reads; the other tables' are those of ``_EMPTY``."""


def read_columns(table: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of what the reader uses of a CDM table."""
    if table == "person":
        return list(PERSON_COLUMNS)
    return [(name, kind) for kind, name in re.findall(r"NULL::(\w+) (\w+)", _EMPTY[table])]


def _complete(con: duckdb.DuckDBPyConnection, table: str, origin: str) -> None:
    """A table that lacks a column the reader uses reads it as NULL (as from a database),
    except ``person_id``, without which no row belongs to anyone: an error."""
    try:
        present = {row[0].lower() for row in con.execute(f"DESCRIBE src_{table}").fetchall()}
    except duckdb.Error as exc:
        raise OmopError(f"cannot read the {table.upper()} table: {str(exc).splitlines()[0]}", file=origin) from None
    wanted = read_columns(table)
    if "person_id" not in present and any(column == "person_id" for column, _ in wanted):
        raise OmopError(f"the {table.upper()} table has no person_id column", file=origin)
    missing = [f"NULL::{kind} AS {column}" for column, kind in wanted if column not in present]
    if missing:
        con.execute(f"ALTER VIEW src_{table} RENAME TO given_{table}")
        con.execute(f"CREATE VIEW src_{table} AS SELECT *, {', '.join(missing)} FROM given_{table}")


def _folder_tables(folder: Path) -> Iterator[tuple[str, str]]:
    entries = {p.name.lower(): p for p in folder.iterdir()}
    for table in TABLES:
        for name, reader in ((f"{table}.parquet", "read_parquet"), (table, "read_parquet"),
                             (f"{table}.csv", "read_csv")):
            path = entries.get(name)
            if path is None:
                continue
            target = str(path / "*.parquet") if path.is_dir() else str(path)
            options = ", header = true, all_varchar = true" if reader == "read_csv" else ""
            yield table, f"SELECT * FROM {reader}('{_quote(target)}'{options})"
            break


def _attach(con: duckdb.DuckDBPyConnection, target: str) -> None:
    try:
        con.execute(f"ATTACH '{_quote(target)}' AS src (READ_ONLY)")
        rows = con.execute(
            "SELECT table_schema, lower(table_name), table_name FROM information_schema.tables WHERE table_catalog = 'src'"
        ).fetchall()
    except duckdb.Error as exc:
        raise OmopError(f"cannot open the database: {str(exc).splitlines()[0]}", file=target) from None
    for table_schema, lower, name in rows:
        if lower in TABLES:
            con.execute(f'CREATE OR REPLACE VIEW src_{lower} AS SELECT * FROM src."{table_schema}"."{name}"')


def _quote(text: str) -> str:
    return text.replace("'", "''")


_EMPTY = {
    "observation_period": "SELECT NULL::BIGINT person_id, NULL::DATE observation_period_end_date WHERE false",
    "measurement": "SELECT NULL::BIGINT measurement_id, NULL::BIGINT person_id, NULL::BIGINT measurement_concept_id, "
                   "NULL::DATE measurement_date, NULL::DOUBLE value_as_number, NULL::BIGINT unit_concept_id, "
                   "NULL::DOUBLE range_low, NULL::DOUBLE range_high, NULL::VARCHAR measurement_source_value, "
                   "NULL::VARCHAR unit_source_value WHERE false",
    "observation": "SELECT NULL::BIGINT observation_id, NULL::BIGINT person_id, NULL::BIGINT observation_concept_id, "
                   "NULL::DATE observation_date, NULL::DOUBLE value_as_number, NULL::BIGINT unit_concept_id, "
                   "NULL::VARCHAR observation_source_value, NULL::VARCHAR unit_source_value WHERE false",
    "condition_occurrence": "SELECT NULL::BIGINT condition_occurrence_id, NULL::BIGINT person_id, "
                            "NULL::BIGINT condition_concept_id, NULL::DATE condition_start_date, "
                            "NULL::DATE condition_end_date, NULL::VARCHAR condition_source_value WHERE false",
    "procedure_occurrence": "SELECT NULL::BIGINT procedure_occurrence_id, NULL::BIGINT person_id, "
                            "NULL::BIGINT procedure_concept_id, NULL::DATE procedure_date, "
                            "NULL::VARCHAR procedure_source_value WHERE false",
    "drug_exposure": "SELECT NULL::BIGINT drug_exposure_id, NULL::BIGINT person_id, NULL::BIGINT drug_concept_id, "
                     "NULL::DATE drug_exposure_start_date, NULL::VARCHAR drug_source_value WHERE false",
    "visit_occurrence": "SELECT NULL::BIGINT visit_occurrence_id, NULL::BIGINT person_id, NULL::BIGINT visit_concept_id, "
                        "NULL::DATE visit_start_date, NULL::VARCHAR visit_source_value WHERE false",
    "concept": "SELECT NULL::BIGINT concept_id, NULL::VARCHAR vocabulary_id, NULL::VARCHAR concept_code WHERE false",
    "concept_ancestor": "SELECT NULL::BIGINT ancestor_concept_id, NULL::BIGINT descendant_concept_id WHERE false",
    "concept_relationship": "SELECT NULL::BIGINT concept_id_1, NULL::BIGINT concept_id_2, "
                            "NULL::VARCHAR relationship_id WHERE false",
}


# ------------------------------------------------------------------------ codes


@cache
def code_rows() -> tuple[tuple[str, str, str, str], ...]:
    """(kind, lexicon id, vocabulary, code): the standard codes of ``screener.codes``
    (lexicon, ``data/codes.yaml``) and the OMOP-only ones of ``data/omop_codes.yaml``.
    ICD-10 codes are stored without their dot, ranges expanded to their categories."""
    codes = get_codes()
    rows: set[tuple[str, str, str, str]] = {("variable", t.variable, "LOINC", c) for c, t in codes.loinc.items()}
    rows |= {("per_area", t.variable, "LOINC", c) for c, t in codes.loinc.items() if t.per_area}
    rows |= {("condition", term, "SNOMED", c) for c, terms in codes.snomed.items() for term in terms}
    for entry in codes.icd10:
        rows |= {("condition", term, "ICD10", c) for c in _icd10_codes(entry.low, entry.high) for term in entry.conditions}
    for vocabulary, actions in (("SNOMED", codes.procedures), ("RxNorm", codes.rxnorm), ("ATC", codes.atc)):
        for code, action in actions.items():
            rows |= {("event", term, vocabulary, code) for term in action.events}
            rows |= {("condition", term, vocabulary, code) for term in action.conditions}
    resource = files("screener") / "data" / "omop_codes.yaml"
    data = parse_yaml(resource.read_text(encoding="utf-8"), file=str(resource)).data or {}
    for term, vocabularies in (data.get("events") or {}).items():
        if term not in codes.lexicon.events:
            raise InputError(f"{term!r} is no lexicon event", file=str(resource), field=f"events.{term}")
        rows |= {("event", term, vocabulary, str(code)) for vocabulary, codes_ in vocabularies.items() for code in codes_}
    return tuple(sorted(rows))


def _icd10_codes(low: str, high: str) -> list[str]:
    """"C00".."C97" -> every category between; a single code stays itself."""
    if low == high or len(low) != 3 or len(high) != 3 or low[0] != high[0]:
        return [low]
    return [f"{low[0]}{n:02d}" for n in range(int(low[1:]), int(high[1:]) + 1)] if low[1:].isdigit() and high[1:].isdigit() else [low]


def read_ucum(text: str | None) -> str | None:
    """A unit as OMOP gives it (a UCUM code such as "mm[Hg]", "10*3/uL", "Cel", "{score}",
    or a source spelling) as screener's unit key: ``canonical``'s spelling, ``None`` for a
    unitless value, the text itself when it cannot be read (the row is then unknown,
    naming it)."""
    if text is None or not text.strip():
        return None
    try:
        return canonical(text.strip())
    except UnitError:
        return text.strip()


# ------------------------------------------------------------------------ building


def load_omop(source: str | Path, *, as_of: dt.date | None = None,
              con: duckdb.DuckDBPyConnection | None = None,
              variables: Iterable[str] | None = None) -> duckdb.DuckDBPyConnection:
    """Read ``source`` into the long tables person, measurement, condition, event, answer.

    ``as_of`` is the date every profile describes; by default each person's last
    observation period end (else today).  Records after it are left out, as they were not
    known on that date.  ``variables``: read only these measured variables (those the
    rules to run read, ``sql.ScreeningPlan.variables``), as most measurement rows are
    vital signs and panels no rule may need; by default every variable of the lexicon.
    """
    con = open_source(source, con, variables)
    con.execute("SET preserve_insertion_order = false")
    _concept_map(con)
    con.execute(_PERSON_SQL, [as_of, dt.date.today()])
    con.execute("CREATE OR REPLACE TEMP TABLE _as_of AS SELECT s.person_id AS person_raw, p.as_of FROM src_person s "
                "JOIN person p ON p.person_id = CAST(s.person_id AS VARCHAR)")
    for table, (concept, code, _day, kinds) in _FACTS.items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE _keys_{table} AS SELECT DISTINCT {concept} AS concept_raw, {code} AS code_raw "
                    f"FROM src_{table}")  # one scan of the table for every kind of term
        for kind in kinds:
            _resolve(con, table, kind)
    for table in ("measurement", "observation"):
        _per_area(con, table)
        if variables is not None:
            con.execute(f"DELETE FROM _k_{table}_variable WHERE NOT list_contains(?, CAST(term AS VARCHAR))", [sorted(set(variables))])
    con.execute(_measurement_sql())
    _unit_keys(con)
    con.execute(_condition_sql())
    con.execute(_event_sql())
    con.execute("CREATE OR REPLACE TABLE answer (person_id VARCHAR, trial_id VARCHAR, question_id VARCHAR, value BOOLEAN)")
    return con


def _concept_map(con: duckdb.DuckDBPyConnection) -> None:
    """_code(kind, term, vocabulary, code) and _concept(concept_id, kind, term): the
    concepts of every code, with their descendants."""
    con.execute("CREATE OR REPLACE TEMP TABLE _code (kind VARCHAR, term VARCHAR, vocabulary VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO _code VALUES (?, ?, ?, ?)", [list(r) for r in code_rows()])
    # the terms as an ENUM: grouping millions of fact rows by a small integer, not by a string
    con.execute("CREATE OR REPLACE TEMP TYPE _term AS ENUM (SELECT DISTINCT term FROM _code ORDER BY term)")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _seed AS
        SELECT DISTINCT TRY_CAST(c.concept_id AS BIGINT) concept_id, k.kind, k.term
        FROM src_concept c JOIN _code k
          ON k.vocabulary = CASE WHEN c.vocabulary_id IN ('ICD10', 'ICD10CM') THEN 'ICD10' ELSE c.vocabulary_id END
         AND k.code IN (c.concept_code, replace(c.concept_code, '.', ''), left(replace(c.concept_code, '.', ''), 3),
                        left(replace(c.concept_code, '.', ''), 4))""")
    ancestors = (con.execute("SELECT count(*) FROM src_concept_ancestor").fetchone() or (0,))[0]
    if ancestors:
        descendants = """SELECT s.concept_id ancestor, TRY_CAST(a.descendant_concept_id AS BIGINT) descendant
                         FROM _seed s JOIN src_concept_ancestor a ON TRY_CAST(a.ancestor_concept_id AS BIGINT) = s.concept_id"""
    else:
        descendants = """WITH RECURSIVE isa(parent, child) AS (
                           SELECT TRY_CAST(concept_id_2 AS BIGINT), TRY_CAST(concept_id_1 AS BIGINT)
                           FROM src_concept_relationship WHERE relationship_id = 'Is a'),
                         down(ancestor, descendant) AS (
                           SELECT DISTINCT concept_id, concept_id FROM _seed
                           UNION SELECT d.ancestor, i.child FROM down d JOIN isa i ON i.parent = d.descendant)
                         SELECT * FROM down"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _concept AS
        SELECT DISTINCT d.descendant concept_id, s.kind, s.term
        FROM _seed s JOIN ({descendants}) d ON d.ancestor = s.concept_id
        UNION SELECT concept_id, kind, term FROM _seed""")


_PERSON_SQL = """
CREATE OR REPLACE TABLE person AS
WITH p AS (
  SELECT CAST(person_id AS VARCHAR) person_id,
         TRY_CAST(gender_concept_id AS BIGINT) gender, upper(left(CAST(gender_source_value AS VARCHAR), 1)) gender_text,
         TRY_CAST(year_of_birth AS INTEGER) y, TRY_CAST(month_of_birth AS INTEGER) m, TRY_CAST(day_of_birth AS INTEGER) d,
         TRY_CAST(birth_datetime AS DATE) born
  FROM src_person),
period AS (
  SELECT CAST(person_id AS VARCHAR) person_id, max(TRY_CAST(observation_period_end_date AS DATE)) last_day
  FROM src_observation_period GROUP BY 1)
SELECT p.person_id,
       CASE WHEN gender = 8532 THEN 'female' WHEN gender = 8507 THEN 'male'
            WHEN gender_text = 'F' THEN 'female' WHEN gender_text = 'M' THEN 'male' END sex,
       coalesce(born, CASE WHEN y IS NOT NULL AND m IS NOT NULL AND d IS NOT NULL THEN TRY_CAST(make_date(y, m, d) AS DATE) END) birth_date,
       CASE WHEN born IS NULL AND d IS NULL AND y IS NOT NULL
            THEN datediff('day', make_date(y, coalesce(m, 7), CASE WHEN m IS NULL THEN 1 ELSE 15 END),
                          coalesce($1::DATE, last_day, $2::DATE)) / 365.2425 END age_years,
       coalesce($1::DATE, last_day, $2::DATE) as_of
FROM p LEFT JOIN period USING (person_id)
"""
"""A birth date with its day or month missing gives a stated age from the middle of the
period (15th of the month, 1 July), not a birth date."""

_FACTS = {  # table: concept column, source code column, date column, what its rows may mean
    "measurement": ("measurement_concept_id", "measurement_source_value", "measurement_date", ("variable",)),
    "observation": ("observation_concept_id", "observation_source_value", "observation_date", ("variable", "condition")),
    "condition_occurrence": ("condition_concept_id", "condition_source_value", "condition_start_date", ("condition",)),
    "visit_occurrence": ("visit_concept_id", "visit_source_value", "visit_start_date", ("event",)),
    "procedure_occurrence": ("procedure_concept_id", "procedure_source_value", "procedure_date", ("event", "condition")),
    "drug_exposure": ("drug_concept_id", "drug_source_value", "drug_exposure_start_date", ("event",)),
}


def _resolve(con: duckdb.DuckDBPyConnection, table: str, kind: str) -> None:
    """_k_<table>_<kind>(concept_raw, code_raw, term): the terms of each distinct (concept,
    source code) of a fact table (``_keys_<table>``, read once by ``load_omop``), resolved on those few keys and then joined to the rows by
    equality.  The concept (with its descendants) decides; the source code only when the
    concept means nothing (ICD-10 by its 3- and 4-character prefix).  ``term`` is the
    ``_term`` ENUM (``_concept_map``)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _k_{table}_{kind} AS
        WITH keys AS (SELECT concept_raw, code_raw, TRY_CAST(concept_raw AS BIGINT) concept_id,
                             coalesce(upper(trim(CAST(code_raw AS VARCHAR))), '') code
                      FROM _keys_{table}),
        by_concept AS (SELECT k.concept_raw, k.code_raw, c.term FROM keys k
                       JOIN _concept c ON c.concept_id = k.concept_id AND c.kind = '{kind}'),
        by_code AS (SELECT k.concept_raw, k.code_raw, m.term FROM keys k
                    JOIN _code m ON m.kind = '{kind}'
                     AND (m.code = k.code OR (m.vocabulary = 'ICD10' AND m.code IN (left(replace(k.code, '.', ''), 3),
                                                                                     left(replace(k.code, '.', ''), 4))))
                    WHERE NOT EXISTS (SELECT 1 FROM _concept c WHERE c.concept_id = k.concept_id AND c.kind = '{kind}'))
        SELECT concept_raw, code_raw, CAST(term AS _term) term FROM (SELECT * FROM by_concept UNION SELECT * FROM by_code)""")


def _per_area(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Mark the keys of ``table`` whose code is itself per 1.73 m² (eGFR LOINC codes), so
    that a value written in mL/min is read in mL/min/1.73m2, as FHIR input reads it."""
    _resolve(con, table, "per_area")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _k_{table}_variable AS
        SELECT k.concept_raw, k.code_raw, k.term,
               EXISTS (SELECT 1 FROM _k_{table}_per_area p WHERE p.term = k.term AND p.concept_raw IS NOT DISTINCT FROM k.concept_raw
                                                         AND p.code_raw IS NOT DISTINCT FROM k.code_raw) AS per_area
        FROM _k_{table}_variable k""")


def _facts(table: str, kind: str, columns: str) -> str:
    """The rows of a fact table that mean a term of ``kind`` and are known on the person's
    date, with ``columns`` (the row's own id as ``rid``, its date as ``day_``)."""
    concept, code, day, _ = _FACTS[table]
    return f"""SELECT f.person_id, k.term, TRY_CAST(f.{table}_id AS BIGINT) rid, TRY_CAST(f.{day} AS DATE) day_, {columns}
               FROM src_{table} f
               JOIN _k_{table}_{kind} k ON k.concept_raw IS NOT DISTINCT FROM f.{concept}
                                       AND k.code_raw IS NOT DISTINCT FROM f.{code}"""


def _known(rows: str) -> str:
    """Rows of persons, dated on or before the person's date (undated rows kept)."""
    return f"""SELECT r.*, a.as_of FROM ({rows}) r JOIN _as_of a ON a.person_raw = r.person_id
               WHERE r.day_ IS NULL OR r.day_ <= a.as_of"""


_LATEST_KEY = ("(CAST(date_diff('day', DATE '0001-01-01', coalesce(day_, DATE '0001-01-01')) AS HUGEINT) * 2 + tab) "
               "* 18446744073709551616 + (CAST(coalesce(rid, -9223372036854775808) AS HUGEINT) + 9223372036854775808)")
"""The order of a variable's rows as one number, so the latest is found without comparing
structs: by date (undated first), then OBSERVATION after MEASUREMENT, then by row id."""


def _measurement_sql() -> str:
    values = ("TRY_CAST(f.value_as_number AS DOUBLE) value, TRY_CAST(f.unit_concept_id AS BIGINT) unit_concept_id, "
              "NULLIF(trim(CAST(f.unit_source_value AS VARCHAR)), '') unit_source_value, {low} range_low, {high} range_high, "
              "{tab} tab, k.per_area")
    measurement = _facts("measurement", "variable", values.format(
        low="TRY_CAST(f.range_low AS DOUBLE)", high="TRY_CAST(f.range_high AS DOUBLE)", tab=0))
    observation = _facts("observation", "variable", values.format(low="NULL", high="NULL", tab=1))
    return f"""
CREATE OR REPLACE TEMP TABLE _latest AS
SELECT person_id, term variable,
       arg_max({{'value': value, 'unit_concept_id': unit_concept_id, 'unit_source_value': unit_source_value,
                'day': day_, 'range_low': range_low, 'range_high': range_high, 'tab': tab, 'rid': rid, 'per_area': per_area}},
               {_LATEST_KEY}) AS row
FROM ({_known(f"{measurement} UNION ALL {observation}")}) WHERE value IS NOT NULL
GROUP BY ALL
"""


def _unit_keys(con: duckdb.DuckDBPyConnection) -> None:
    """The measurement table: the latest row per person and variable (the value a profile
    holds; engines take the latest, the history would only cost memory), with each distinct
    unit read once in Python."""
    keys = con.execute("""
        SELECT DISTINCT l.variable, l.row.per_area, l.row.unit_concept_id, l.row.unit_source_value, c.concept_code
        FROM _latest l LEFT JOIN src_concept c
          ON TRY_CAST(c.concept_id AS BIGINT) = l.row.unit_concept_id AND c.vocabulary_id = 'UCUM' AND l.row.unit_concept_id <> 0
    """).fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE _unit (variable VARCHAR, per_area BOOLEAN, unit_concept_id BIGINT, "
                "unit_source_value VARCHAR, unit VARCHAR)")
    if keys:
        con.executemany("INSERT INTO _unit VALUES (?, ?, ?, ?, ?)",
                        [[v, p, c, s, read_omop_unit(u or s, v, p)] for v, p, c, s, u in keys])
    con.execute("""
        CREATE OR REPLACE TABLE measurement AS
        SELECT CAST(l.person_id AS VARCHAR) person_id, CAST(l.variable AS VARCHAR) variable, l.row.value, u.unit, l.row.day measured_on,
               l.row.range_low, l.row.range_high,
               CASE l.row.tab WHEN 0 THEN 'MEASUREMENT ' ELSE 'OBSERVATION ' END || l.row.rid AS source
        FROM _latest l LEFT JOIN _unit u ON u.variable = l.variable AND u.per_area = l.row.per_area
                                       AND u.unit_concept_id IS NOT DISTINCT FROM l.row.unit_concept_id
                                       AND u.unit_source_value IS NOT DISTINCT FROM l.row.unit_source_value""")
    con.execute("DROP TABLE _latest")


def read_omop_unit(text: str | None, variable: str, per_area: bool) -> str | None:
    """``read_ucum``, and for a code that is itself per 1.73 m² (``per_area``) a value
    written per person (mL/min) read per 1.73 m² (mL/min/1.73m2), as ``codes.value_plan``
    reads FHIR values."""
    unit = read_ucum(text)
    term = get_codes().lexicon.variables.get(variable)
    if not per_area or unit is None or term is None:
        return unit
    try:
        return canonical(f"{unit}/1.73m2") if area_exponent(unit, term.unit) == 1 else unit
    except UnitError:
        return unit


def _condition_sql() -> str:
    """An occurrence without an end date, or ending on or after the profile date, is
    present; one that ended before it is past.  No record is no row: unknown, never absent."""
    occurrences = _facts("condition_occurrence", "condition", "TRY_CAST(f.condition_end_date AS DATE) end_date")
    observations = _facts("observation", "condition", "NULL::DATE end_date")
    procedures = _facts("procedure_occurrence", "condition", "NULL::DATE end_date")  # a transplant stays a transplant
    rows = (f"SELECT *, 'CONDITION_OCCURRENCE ' tab FROM ({occurrences}) UNION ALL SELECT *, 'OBSERVATION ' FROM ({observations}) "
            f"UNION ALL SELECT *, 'PROCEDURE_OCCURRENCE ' FROM ({procedures})")
    return f"""
CREATE OR REPLACE TABLE condition AS
SELECT CAST(person_id AS VARCHAR) person_id, CAST(term AS VARCHAR) condition,
       CASE WHEN end_date IS NOT NULL AND end_date < as_of THEN 'past' ELSE 'present' END status,
       day_ start_date, end_date, tab || rid AS source
FROM ({_known(rows)})
"""


def _event_sql() -> str:
    rows = " UNION ALL ".join(_facts(table, "event", "NULL AS nothing")
                              for table in ("visit_occurrence", "procedure_occurrence", "drug_exposure"))
    return f"""
CREATE OR REPLACE TABLE event AS
SELECT CAST(person_id AS VARCHAR) person_id, CAST(term AS VARCHAR) event, max(day_) event_date
FROM ({_known(rows)}) WHERE day_ IS NOT NULL
GROUP BY person_id, term
"""

"""Read an OMOP CDM database on PostgreSQL into DuckDB, for ``omop.load_omop``.

``postgresql://user:password@host:port/database#schema`` (after ``#`` the schema, or
schemas separated by commas, ``#cdm,vocab``, each table taken from the first that holds
it; by default the connection's search path).  The tables come through psycopg 3 (the
``[postgres]`` extra), not DuckDB's postgres extension, which DuckDB downloads at run
time from a host these machines (and many hospital networks) cannot reach.

Only what ``omop.load_omop`` reads crosses the network: the columns it uses, the
vocabulary rows of screener's codes (and UCUM units) with their descendants, and the fact
rows whose concept or source code means a lexicon term, all filtered in the database and
read in one read-only snapshot.  Each table streams as ``COPY ... TO STDOUT (FORMAT csv)``
into a temporary file that DuckDB reads with fixed column types: measured on a million
measurement rows, half the time and CPU of fetching rows into Arrow batches.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any, Iterable

import duckdb

from .omop import _EMPTY, _FACTS, TABLES, OmopError, _concept_map, code_rows, read_columns

_KIND = {"smallint": ("bigint", "BIGINT"), "integer": ("bigint", "BIGINT"), "bigint": ("bigint", "BIGINT"),
         "numeric": ("float8", "DOUBLE"), "real": ("float8", "DOUBLE"), "double precision": ("float8", "DOUBLE"),
         "date": ("date", "DATE")}
"""A PostgreSQL column type -> the type it travels as and DuckDB reads; any other as text,
which the reader casts with TRY_CAST as it does CSV."""

_CODE_FILTER = ("{c} = ANY(%(codes)s) OR replace({c}, '.', '') = ANY(%(codes)s) "
                "OR left(replace({c}, '.', ''), 3) = ANY(%(codes)s) OR left(replace({c}, '.', ''), 4) = ANY(%(codes)s)")
"""A concept_code that may be one of screener's codes, as ``omop._concept_map`` matches them."""


def redact(url: str) -> str:
    """The URL without its password (in the user part or as ``?password=``), for messages;
    the rest as written."""
    url = re.sub(r"^([a-z]+://[^:/@?#]*):[^/?#]*@", r"\1:***@", url)  # to the last @ of the host part
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url)


def copy_tables(con: duckdb.DuckDBPyConnection, url: str, variables: Iterable[str] | None = None) -> None:
    """Views ``src_<table>`` in ``con`` over what ``load_omop`` needs of the CDM tables at
    ``url``; ``variables``: only these measured variables (default: the whole lexicon)."""
    try:
        import psycopg
    except ImportError:
        raise OmopError("reading a postgresql:// URL needs psycopg: pip install 'trial-screener[postgres]'",
                        file=redact(url)) from None
    target, _, schema = url.partition("#")
    try:
        db = psycopg.connect(target, connect_timeout=10)
    except psycopg.Error as exc:
        raise OmopError(f"cannot connect to the database: {_reason(exc)}", file=redact(url)) from None
    try:
        with db, tempfile.TemporaryDirectory(prefix="screener-pg-") as tmp:
            db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            db.execute("SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3")
            _Reader(db, con, Path(tmp), [s.strip() for s in schema.split(",") if s.strip()]).read(variables)
    except psycopg.Error as exc:
        raise OmopError(f"cannot read the database: {_reason(exc)}", file=redact(url)) from None


def _reason(exc: Exception) -> str:
    """The first line of a driver's message (the rest is context and hints)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _Reader:
    """One snapshot of a CDM database copied into one DuckDB connection."""

    def __init__(self, db: Any, con: duckdb.DuckDBPyConnection, folder: Path, schemas: list[str]) -> None:
        self.db, self.con, self.folder = db, con, folder
        self.tables = _tables(db, schemas)

    def read(self, variables: Iterable[str] | None) -> None:
        if "person" not in self.tables:
            return  # open_source names the missing PERSON table
        self.copy("person")
        self.copy("observation_period")
        codes = {"codes": sorted({code for _kind, _term, _vocabulary, code in code_rows()})}
        self.copy("concept", f"vocabulary_id = 'UCUM' OR {_CODE_FILTER.format(c='concept_code')}", codes)
        if "concept" in self.tables:
            seeds = f"SELECT {self.id('concept', 'concept_id')} FROM {self.name('concept')} WHERE {_CODE_FILTER.format(c='concept_code')}"
            self.copy("concept_ancestor", f"{self.id('concept_ancestor', 'ancestor_concept_id')} IN ({seeds})", codes)
            if "concept_ancestor" not in self.tables or not self.count("concept_ancestor"):
                self.copy_is_a(seeds, codes)
        for table in ("concept", "concept_ancestor", "concept_relationship"):
            self.con.execute(f"CREATE VIEW IF NOT EXISTS src_{table} AS {_EMPTY[table]}")
        _concept_map(self.con)
        for table, (concept, code, _day, kinds) in _FACTS.items():
            self.copy_facts(table, concept, code, kinds, variables)

    def name(self, table: str) -> str:
        schema, name, _ = self.tables[table]
        return f'"{schema}"."{name}"'

    def id(self, table: str, column: str) -> str:
        """A concept id column as a number: itself when the database holds it as one (so
        that its index serves), else cast."""
        held = self.tables[table][2].get(column, "") if table in self.tables else ""
        return column if _KIND.get(held, ("",))[0] == "bigint" else f"{column}::bigint"

    def count(self, table: str) -> int:
        return (self.con.execute(f"SELECT count(*) FROM src_{table}").fetchone() or (0,))[0]

    def copy_is_a(self, seeds: str, codes: dict[str, list[str]]) -> None:
        """Without CONCEPT_ANCESTOR, the 'Is a' rows below the codes' concepts, walked in the database."""
        if "concept_relationship" not in self.tables:
            return
        relationship = self.name("concept_relationship")
        parent, child = self.id("concept_relationship", "concept_id_2"), self.id("concept_relationship", "concept_id_1")
        self.copy("concept_relationship", f"""relationship_id = 'Is a' AND {parent} IN (
            WITH RECURSIVE down(id) AS (
              {seeds}
              UNION SELECT r.{child} FROM down d JOIN {relationship} r
                    ON r.{parent} = d.id AND r.relationship_id = 'Is a')
            SELECT id FROM down)""", codes)

    def copy_facts(self, table: str, concept: str, code: str, kinds: tuple[str, ...], variables: Iterable[str] | None) -> None:
        """The rows of a fact table whose concept, or source code, may mean a term of ``kinds``."""
        if table not in self.tables:
            return
        wanted = "list_contains($kinds, kind) AND (kind <> 'variable' OR $all OR list_contains($terms, CAST(term AS VARCHAR)))"
        params = {"kinds": list(kinds), "all": variables is None, "terms": sorted(set(variables or ()))}
        ids = [r[0] for r in self.con.execute(f"SELECT DISTINCT concept_id FROM _concept WHERE {wanted}",
                                              params).fetchall() if r[0] is not None]
        found = self.con.execute(f"SELECT DISTINCT code, vocabulary = 'ICD10' FROM _code WHERE {wanted}", params).fetchall()
        key = f"{self.id(table, concept)} = ANY(%(ids)s::bigint[])"
        source = f"upper(trim({code}::text))" if code in self.tables[table][2] else "NULL::text"
        where = (f"{key} OR {source} = ANY(%(codes)s) OR left(replace({source}, '.', ''), 3) = ANY(%(icd)s) "
                 f"OR left(replace({source}, '.', ''), 4) = ANY(%(icd)s)")
        self.copy(table, where, {"ids": ids, "codes": [c for c, _ in found], "icd": [c for c, icd in found if icd]})

    def copy(self, table: str, where: str = "true", params: dict[str, Any] | None = None) -> None:
        """``src_<table>``: the columns the reader uses of the rows ``where`` selects (an empty
        table is left to ``open_source``)."""
        if table not in self.tables:
            return
        present = self.tables[table][2]
        wanted = read_columns(table)
        selects, types = [], {}
        for column, fallback in wanted:
            cast, duck = _KIND.get(present[column], ("text", "VARCHAR")) if column in present else ("text", fallback)
            selects.append(f"{column}::{cast} AS {column}" if column in present else f"NULL::{cast} AS {column}")
            types[column] = duck
        path = self.folder / f"{table}.csv"
        query = f"COPY (SELECT {', '.join(selects)} FROM {self.name(table)} WHERE {where}) TO STDOUT (FORMAT csv)"
        with self.db.cursor() as cursor, cursor.copy(query, params) as stream, path.open("wb") as out:
            for chunk in stream:
                out.write(chunk)
        self.con.execute(f"""CREATE OR REPLACE TEMP TABLE _pg_{table} AS SELECT * FROM read_csv('{_quote(str(path))}',
            header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = {types!r})""")
        self.con.execute(f"CREATE OR REPLACE VIEW src_{table} AS SELECT * FROM _pg_{table}")
        path.unlink()


def _tables(db: Any, schemas: list[str]) -> dict[str, tuple[str, str, dict[str, str]]]:
    """CDM table (lower case) -> (schema, name, {column (lower case): type}): each table
    from the first of ``schemas`` (else of the search path) that holds it."""
    rows = db.execute("""
        WITH path AS (SELECT coalesce(nullif(%s::text[], '{}'), current_schemas(false)::text[]) schemas)
        SELECT table_schema, table_name, lower(column_name), data_type FROM information_schema.columns, path
        WHERE lower(table_name) = ANY(%s) AND table_schema = ANY(schemas)
        ORDER BY array_position(schemas, table_schema::text), table_name, ordinal_position""",
        [schemas, list(TABLES)]).fetchall()
    found: dict[str, tuple[str, str, dict[str, str]]] = {}
    for table_schema, name, column, data_type in rows:
        entry = found.setdefault(name.lower(), (table_schema, name, {}))
        if (entry[0], entry[1]) == (table_schema, name):
            entry[2][column] = data_type
    return found


def _quote(text: str) -> str:
    return text.replace("'", "''")

"""OMOP from PostgreSQL: how the tables travel, and where the screening runs.

    python benchmarks/bench_postgres.py [--copies 100]

Starts a throw-away PostgreSQL (``tests/pg_cluster.py``: initdb + pg_ctl in a temporary
folder) holding the Synthea sample ``--copies`` times (100: 2,800 persons, 1,004,000
measurement rows; the copies are identical, which changes nothing for the transfer), then
prints, each as wall time and this process's CPU time:

1. the MEASUREMENT columns the reader uses, all rows, streamed as ``COPY ... TO STDOUT
   (FORMAT csv)`` into a temporary file that DuckDB reads (what ``screener/omop_db.py``
   does) against fetching the same rows through a server-side cursor into Arrow batches;
2. ``load_omop(url)`` (every lexicon variable) and ``load_omop(url, variables=...)`` (only
   those the seed trials read), against ``load_omop`` on the sample's CSV folder;
3. the screening of the long tables by the seed trials on DuckDB (``run_duckdb``)
   against the same query for PostgreSQL (``screening_sql(..., "postgres", units=...)``)
   run inside the server (its backend's CPU time read from /proc).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pg_cluster import Cluster, load_sample, postgres_bin  # noqa: E402
from screener.omop import load_omop  # noqa: E402
from screener.rules import load_rule_sets  # noqa: E402
from screener.sql import screening_plan, screening_sql  # noqa: E402
from screener.sql_run import SCHEMA, run_duckdb  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "omop" / "synthea27nj_omop54.zip"
COLUMNS = ("measurement_id::bigint, person_id::bigint, measurement_concept_id::bigint, measurement_date, "
           "value_as_number::float8, unit_concept_id::bigint, range_low::float8, range_high::float8, "
           "measurement_source_value::text, unit_source_value::text")


def timed(label: str, work: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label:<58} wall {wall:6.2f} s   CPU {cpu:6.2f} s")
    return wall, cpu


def by_copy(cluster: Cluster, folder: Path) -> None:
    import psycopg
    types = {"id": "BIGINT", "person_id": "BIGINT", "concept": "BIGINT", "day": "DATE", "value": "DOUBLE", "unit": "BIGINT",
             "low": "DOUBLE", "high": "DOUBLE", "code": "VARCHAR", "unit_text": "VARCHAR"}
    path = folder / "m.csv"
    with psycopg.connect(cluster.url().partition("#")[0]) as db, db.cursor() as cursor, \
            cursor.copy(f"COPY (SELECT {COLUMNS} FROM cdm.measurement) TO STDOUT (FORMAT csv)") as stream, path.open("wb") as out:
        for chunk in stream:
            out.write(chunk)
    duckdb.connect().execute(f"CREATE TABLE m AS SELECT * FROM read_csv('{path}', header = false, auto_detect = false, "
                             f"columns = {types!r})")
    path.unlink()


def by_arrow(cluster: Cluster) -> None:
    import psycopg
    import pyarrow as pa
    schema = pa.schema([("id", pa.int64()), ("person_id", pa.int64()), ("concept", pa.int64()), ("day", pa.date32()),
                        ("value", pa.float64()), ("unit", pa.int64()), ("low", pa.float64()), ("high", pa.float64()),
                        ("code", pa.string()), ("unit_text", pa.string())])
    con = duckdb.connect()
    con.execute("CREATE TABLE m (id BIGINT, person_id BIGINT, concept BIGINT, day DATE, value DOUBLE, unit BIGINT, "
                "low DOUBLE, high DOUBLE, code VARCHAR, unit_text VARCHAR)")
    with psycopg.connect(cluster.url().partition("#")[0]) as db, db.cursor(name="rows") as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM cdm.measurement")
        while rows := cursor.fetchmany(50_000):
            batch = pa.RecordBatch.from_arrays([pa.array(c, type=f.type) for c, f in zip(zip(*rows), schema)], schema=schema)
            con.register("batch", batch)
            con.execute("INSERT INTO m SELECT * FROM batch")
            con.unregister("batch")


def backend_cpu(db: Any) -> float:
    """CPU seconds of this connection's server process so far (Linux)."""
    pid = db.execute("SELECT pg_backend_pid()").fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_postgres(cluster: Cluster, con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """The long tables copied to schema ``long``; the query timed inside the server."""
    types = {"VARCHAR": "text", "DOUBLE": "float8", "DATE": "date", "BOOLEAN": "boolean"}
    with cluster.connect() as db:
        db.execute("DROP SCHEMA IF EXISTS long CASCADE; CREATE SCHEMA long; SET search_path = long; "
                   "SET max_parallel_workers_per_gather = 0")
        for name, columns in SCHEMA.items():
            db.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {types[t]}' for c, t in columns)})")
            with db.cursor().copy(f"COPY {name} FROM STDIN") as copy:
                for row in con.execute(f"SELECT {', '.join(c for c, _ in columns)} FROM {name}").fetchall():
                    copy.write_row(row)
        db.execute("ANALYZE")
        wall, cpu = time.perf_counter(), backend_cpu(db)
        rows = len(db.execute(sql).fetchall())
        print(f"  {'the same query for PostgreSQL, in the server (' + str(rows) + ' rows)':<58} wall "
              f"{time.perf_counter() - wall:6.2f} s   CPU {backend_cpu(db) - cpu:6.2f} s (server backend)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    args = parser.parse_args()
    bin_dir = postgres_bin()
    if bin_dir is None:
        sys.exit("PostgreSQL is not installed (initdb not found)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with zipfile.ZipFile(SAMPLE) as archive:
            archive.extractall(folder, [n for n in archive.namelist() if not n.startswith("__MACOSX")])
        cluster = Cluster(bin_dir)
        try:
            cluster.start()
            with cluster.connect("postgres") as db:
                db.execute("CREATE DATABASE omop")
            with cluster.connect() as db:
                load_sample(db, folder, copies=args.copies)
                count = db.execute("SELECT count(*) FROM cdm.measurement").fetchone()[0]
            run(cluster, folder, count)
        finally:
            cluster.stop()


def run(cluster: Cluster, folder: Path, count: int) -> None:
    rule_sets = load_rule_sets([str(ROOT / "rules")])
    print(f"1. MEASUREMENT, {count:,} rows, the columns the reader uses")
    copy = timed("COPY TO STDOUT as CSV -> temporary file -> DuckDB read_csv", lambda: by_copy(cluster, folder))
    arrow = timed("server-side cursor -> Arrow batches -> DuckDB", lambda: by_arrow(cluster))
    print(f"  COPY / Arrow: wall {copy[0] / arrow[0]:.2f}, CPU {copy[1] / arrow[1]:.2f}")
    print("2. load_omop: the five long tables")
    variables = screening_plan(rule_sets).variables
    timed("load_omop(postgresql://...)", lambda: load_omop(cluster.url()))
    timed(f"load_omop(postgresql://..., variables= {len(variables)} of the seed trials)",
          lambda: load_omop(cluster.url(), variables=variables))
    timed("load_omop(sample CSV folder), one copy", lambda: load_omop(folder))
    print("3. screening the long tables by the seed trials")
    con = load_omop(cluster.url())
    timed("run_duckdb", lambda: run_duckdb(rule_sets, con).fetchall())
    pairs = [tuple(r) for r in con.execute("SELECT DISTINCT variable, unit FROM measurement").fetchall()]
    in_postgres(cluster, con, screening_sql(rule_sets, "postgres", units=pairs))


if __name__ == "__main__":
    main()

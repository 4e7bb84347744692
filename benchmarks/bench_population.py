"""Screen a generated hospital: OMOP Parquet in, screening log out, on DuckDB (and Python for the ratio).

    python benchmarks/bench_population.py [--persons 1000000] [--python-persons 10000]
        [--corpus-trials 100] [--data DIR] [--memory 8GB]

1. Generates an OMOP CDM 5.4 database of ``--persons`` persons as Parquet from the Synthea
   sample (``../shared/data/omop/synthea27nj_omop54.zip``): every person is a copy of a
   sample person with all their records, dates shifted by up to two years and numeric
   values jittered by up to 10 %; the schema and vocabulary are the sample's own.  With
   ``--data DIR`` the database is kept there and reused by the next run.
2. Times the whole run on DuckDB: OMOP Parquet -> long tables -> the SQL of the two seed
   trials plus ``--corpus-trials`` compiled corpus trials -> a Parquet screening log of
   every eligible and needs-review pair, plus per-trial counts.
3. Runs the Python engine on the first ``--python-persons`` persons of the same tables,
   so the pairs-per-second ratio is measured in the same process.

Prints wall and CPU times (CPU: this process's user + system time, all DuckDB threads,
less sensitive than wall time to other work on a shared machine), pairs per second, the
ratio, the peak memory (RSS of this process) and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screener.compiler import compile_source  # noqa: E402
from screener.engines import copy_log, read_variables, sql_screening  # noqa: E402
from screener.population import iter_patients_from  # noqa: E402
from screener.screen import screen  # noqa: E402
from screener.sql_states import trial_counts  # noqa: E402
from screener.omop import load_omop  # noqa: E402
from screener.rules import RuleSet, load_rule_sets  # noqa: E402
from screener.errors import SourceError  # noqa: E402
from screener.sources import from_record  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "omop" / "synthea27nj_omop54.zip"
CORPUS = ROOT.parent / "shared" / "corpus" / "trials.jsonl"

FACTS = {  # table: (id column, date and datetime columns, numeric value column or None)
    "observation_period": ("observation_period_id", ["observation_period_start_date", "observation_period_end_date"], None),
    "measurement": ("measurement_id", ["measurement_date", "measurement_datetime"], "value_as_number"),
    "condition_occurrence": ("condition_occurrence_id", ["condition_start_date", "condition_start_datetime",
                                                         "condition_end_date", "condition_end_datetime"], None),
    "observation": ("observation_id", ["observation_date", "observation_datetime"], "value_as_number"),
    "procedure_occurrence": ("procedure_occurrence_id", ["procedure_date", "procedure_datetime", "procedure_end_date",
                                                         "procedure_end_datetime"], None),
    "drug_exposure": ("drug_exposure_id", ["drug_exposure_start_date", "drug_exposure_start_datetime",
                                           "drug_exposure_end_date", "drug_exposure_end_datetime"], None),
    "visit_occurrence": ("visit_occurrence_id", ["visit_start_date", "visit_start_datetime", "visit_end_date",
                                                 "visit_end_datetime"], None),
}
VOCABULARY = ("concept", "concept_ancestor", "concept_relationship")


def generate(sample: Path, out: Path, persons: int) -> None:
    """Resample the sample's persons into ``persons`` persons, as OMOP Parquet tables.

    All in DuckDB SQL: the sample's tables are read once, their text columns made ENUMs
    (a copied row's strings are then written as dictionary codes, not hashed row by row),
    and each table is one cross join of the sample rows with the copies."""
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    for table in ("person", *FACTS, *VOCABULARY):
        con.execute(f"CREATE TABLE s_{table} AS SELECT * FROM read_csv('{sample}/{table.upper()}.csv', header = true)")
        if table in FACTS:
            _enum_columns(con, f"s_{table}")
    count = con.execute("SELECT count(*) FROM s_person").fetchone()[0]
    copies = -(-persons // count)
    con.execute(f"""CREATE TABLE k AS SELECT range AS k FROM range({copies})""")
    con.execute(f"""CREATE TABLE new_person AS
        SELECT k.k * {count} + row_number() OVER (PARTITION BY k.k ORDER BY p.person_id) AS new_id, p.person_id AS old_id, k.k,
               (hash(k.k, p.person_id) % 1461)::INTEGER - 730 AS shift
        FROM s_person p, k QUALIFY new_id <= {persons}""")
    con.execute(f"""COPY (SELECT p.* REPLACE (n.new_id AS person_id, p.birth_datetime + n.shift * INTERVAL 1 DAY AS birth_datetime,
                                   year(p.birth_datetime + n.shift * INTERVAL 1 DAY) AS year_of_birth,
                                   month(p.birth_datetime + n.shift * INTERVAL 1 DAY) AS month_of_birth,
                                   day(p.birth_datetime + n.shift * INTERVAL 1 DAY) AS day_of_birth)
                      FROM s_person p JOIN new_person n ON n.old_id = p.person_id)
                TO '{out}/person.parquet' (FORMAT parquet)""")
    for table, (key, dates, value) in FACTS.items():
        replaced = ["n.new_id AS person_id", f"n.k * 100000 + f.{key} AS {key}"]
        replaced += [f"f.{c} + n.shift * INTERVAL 1 DAY AS {c}" if c.endswith("datetime") else f"f.{c} + n.shift AS {c}"
                     for c in dates]
        if value:
            replaced.append(f"round(TRY_CAST(f.{value} AS DOUBLE) * (1 + ((hash(f.{key}, n.k) % 201)::INTEGER - 100) / 1000.0), 2) AS {value}")
        con.execute(f"""COPY (SELECT f.* REPLACE ({', '.join(replaced)})
                              FROM s_{table} f JOIN new_person n ON n.old_id = f.person_id)
                        TO '{out}/{table}.parquet' (FORMAT parquet)""")
    for table in VOCABULARY:
        con.execute(f"COPY s_{table} TO '{out}/{table}.parquet' (FORMAT parquet)")
    con.close()


def _enum_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Make every text column of ``table`` an ENUM of its values (Parquet still holds text)."""
    for (column,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND data_type = 'VARCHAR'",
                                 [table]).fetchall():
        if con.execute(f'SELECT count("{column}") FROM {table}').fetchone()[0]:  # an ENUM needs a value
            con.execute(f'CREATE TYPE "{table}_{column}" AS ENUM (SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL)')
            con.execute(f'ALTER TABLE {table} ALTER "{column}" TYPE "{table}_{column}"')


def corpus_rule_sets(count: int) -> list[RuleSet]:
    """``count`` corpus trials drawn with a fixed seed, compiled (records without criteria skipped)."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    rule_sets: list[RuleSet] = []
    for line in random.Random(7).sample(lines, len(lines)):
        if len(rule_sets) == count:
            break
        try:
            rule_sets.append(compile_source(from_record(json.loads(line), origin=str(CORPUS))))
        except SourceError:
            continue
    return rule_sets


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--python-persons", type=int, default=10_000)
    parser.add_argument("--corpus-trials", type=int, default=100)
    parser.add_argument("--data", type=Path, help="keep the generated OMOP Parquet here and reuse it")
    parser.add_argument("--memory", default="8GB", help="DuckDB memory_limit (it spills to disk beyond it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-population-") as work:
        data = args.data or Path(work) / "omop"
        marker = data / f".persons-{args.persons}"
        if not marker.exists():
            sample, started = Path(work) / "sample", time.perf_counter()
            with zipfile.ZipFile(SAMPLE) as archive:
                archive.extractall(sample, [n for n in archive.namelist() if not n.startswith("__MACOSX")])
            data.mkdir(parents=True, exist_ok=True)
            generate(sample, data, args.persons)
            marker.touch()
            print(f"generated {args.persons:,} persons as OMOP Parquet in {time.perf_counter() - started:.1f} s "
                  f"({sum(f.stat().st_size for f in data.iterdir()) / 1e9:.2f} GB)")
        rule_sets = load_rule_sets([ROOT / "rules"]) + corpus_rule_sets(args.corpus_trials)
        run(data, rule_sets, Path(work), args.python_persons, args.memory)


def run(data: Path, rule_sets: list[RuleSet], work: Path, python_persons: int, memory: str) -> None:
    print(f"load average {load()} (2 cores)")
    started, cpu = time.perf_counter(), cpu_s()
    con = duckdb.connect()  # in memory, spilling to temp_directory beyond memory_limit
    con.execute(f"SET temp_directory = '{work}/spill'")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET threads = {os.cpu_count() or 2}")
    con.execute(f"SET memory_limit = '{memory}'")
    load_omop(data, con=con, variables=read_variables(rule_sets, "duckdb"))  # only what the rules read, as the CLI
    persons = con.execute("SELECT count(*) FROM person").fetchone()[0]
    loaded, loaded_cpu = time.perf_counter() - started, cpu_s() - cpu
    print(f"OMOP Parquet -> long tables: {persons:,} persons, "
          + ", ".join(f"{t} {con.execute(f'SELECT count(*) FROM {t}').fetchone()[0]:,}" for t in ("measurement", "condition", "event"))
          + f" rows in {loaded:.1f} s (CPU {loaded_cpu:.1f} s)")
    pairs = persons * len(rule_sets)
    table = sql_screening(con, rule_sets, "duckdb")
    screened, screened_cpu = time.perf_counter() - started, cpu_s() - cpu
    copy_log(con, table, work / "log.parquet", verdicts=("eligible", "needs_review"))
    logged_at, logged_cpu = time.perf_counter() - started, cpu_s() - cpu
    counts = trial_counts(con, table)
    con.execute(f"COPY (SELECT * FROM (VALUES {', '.join(str(tuple(c)) for c in counts)}) "
                f"t(trial, eligible, needs_review, ineligible)) TO '{work}/counts.parquet' (FORMAT parquet)")
    wall, wall_cpu = time.perf_counter() - started, cpu_s() - cpu
    duck_rate = pairs / wall
    logged = con.execute(f"SELECT count(*) FROM '{work}/log.parquet'").fetchone()[0]
    peak = peak_mb()
    print(f"  screening {screened - loaded:.1f} s (CPU {screened_cpu - loaded_cpu:.1f} s), log {logged_at - screened:.1f} s "
          f"(CPU {logged_cpu - screened_cpu:.1f} s), counts {wall - logged_at:.1f} s (CPU {wall_cpu - logged_cpu:.1f} s)")
    print(f"duckdb: {persons:,} persons x {len(rule_sets)} trials = {pairs:,} pairs in {wall:.1f} s, CPU {wall_cpu:.1f} s "
          f"({duck_rate:,.0f} pairs/s); log {logged:,} eligible or needs-review rows "
          f"({(work / 'log.parquet').stat().st_size / 1e6:,.0f} MB); eligible in {sum(1 for c in counts if c[1])} trials")
    print(f"peak memory {peak:,.0f} MB; load average {load()}")
    ids = [r[0] for r in con.execute(f"SELECT person_id FROM person ORDER BY person_id LIMIT {python_persons}").fetchall()]
    p_started, p_cpu = time.perf_counter(), cpu_s()
    done = sum(1 for _ in screen(rule_sets, iter_patients_from(con, ids), explain=False))
    p_wall, python_cpu = time.perf_counter() - p_started, cpu_s() - p_cpu
    print(f"python: {len(ids):,} persons x {len(rule_sets)} trials = {done:,} pairs in {p_wall:.1f} s, CPU {python_cpu:.1f} s "
          f"({done / p_wall:,.0f} pairs/s)")
    print(f"load average {load()}")
    print(f"SUMMARY persons {persons:,}; pairs {pairs:,}; duckdb whole run {wall:.1f} s wall, {wall_cpu:.1f} s CPU; "
          f"peak memory {peak:,.0f} MB; duckdb / python: {duck_rate / (done / p_wall):,.0f}x wall, "
          f"{(pairs / wall_cpu) / (done / python_cpu):,.0f}x CPU; load average {load()}")


if __name__ == "__main__":
    main()

"""Screening in SQL on DuckDB against the Python screening path, on the same generated patients.

    python benchmarks/bench_sql.py [PERSONS] [TRIALS]

Compiles TRIALS corpus trials (default 20) plus the two seed trials, generates PERSONS
patients (default 20,000) with the labs, conditions and body measures trials ask about,
and prints: the time to generate the SQL, to run it on DuckDB (all persons), and the
Python engine's ``screen`` on 1,000 of the same persons, as pairs per second and a ratio.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

import duckdb

from screener import load_rule_sets
from screener.compiler import compile_source
from screener.patient import ConditionState, Measurement, Patient
from screener.screen import screen
from screener.sources import from_record
from screener.sql import screening_sql
from screener.sql_run import load_duckdb, patient_tables

ROOT = Path(__file__).resolve().parents[1]
LABS = [("creatinine", "mg/dL", 0.5, 2.5), ("platelets", "10^9/L", 50, 400), ("hemoglobin", "g/dL", 7, 16),
        ("alt", "U/L", 10, 200), ("ast", "U/L", 10, 200), ("bilirubin", "mg/dL", 0.2, 3.0), ("neutrophils", "10^9/L", 0.5, 8)]
CONDITIONS = ["malignancy", "pregnancy", "hiv", "hepatitis_b", "heart_failure", "diabetes"]


def patient(number: int, rng: random.Random) -> Patient:
    as_of = dt.date(2026, 11, 20)
    measurements = {
        name: Measurement(variable=name, name=name, value=round(rng.uniform(low, high), 2), unit=unit,
                          date=as_of - dt.timedelta(days=rng.randint(0, 60)))
        for name, unit, low, high in LABS if rng.random() < 0.8
    }
    conditions = {c: ConditionState(condition=c, name=c, status=rng.choice(["present", "absent", "absent", "absent"]))
                  for c in CONDITIONS if rng.random() < 0.5}
    return Patient(id=f"P{number}", sex=rng.choice(["female", "male"]), as_of=as_of,
                   birth_date=dt.date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)),
                   height_cm=rng.uniform(150, 195), weight_kg=rng.uniform(45, 120), measurements=measurements, conditions=conditions)


def main(persons: int = 20_000, trials: int = 20) -> None:
    rng = random.Random(7)
    lines = (ROOT.parent / "shared" / "corpus" / "trials.jsonl").read_text(encoding="utf-8").splitlines()
    rule_sets = load_rule_sets([ROOT / "rules"]) + [compile_source(from_record(json.loads(line))) for line in rng.sample(lines, trials)]
    people = [patient(n, rng) for n in range(persons)]
    connection = duckdb.connect()
    load_duckdb(connection, patient_tables(people))

    started = time.perf_counter()
    sql = screening_sql(rule_sets, "duckdb", pretty=False)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    counts = connection.sql(f"SELECT verdict, count(*) FROM ({sql}) GROUP BY verdict ORDER BY verdict").fetchall()
    ran = time.perf_counter() - started

    sample = people[:1000]
    started = time.perf_counter()
    python_pairs = sum(1 for _ in screen(rule_sets, sample, explain=False))
    python_time = time.perf_counter() - started

    pairs = persons * len(rule_sets)
    print(f"{len(rule_sets)} trials x {persons:,} persons = {pairs:,} pairs; SQL {len(sql):,} characters")
    print(f"generate SQL: {generated:.1f} s; DuckDB run: {ran:.1f} s ({pairs / ran:,.0f} pairs/s); verdicts {counts}")
    print(f"Python screen on {len(sample):,} persons: {python_time:.1f} s ({python_pairs / python_time:,.0f} pairs/s)")
    print(f"ratio DuckDB / Python: {(pairs / ran) / (python_pairs / python_time):.1f}x")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

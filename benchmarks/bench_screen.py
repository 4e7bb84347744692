"""Time `screener screen` on a generated clinic list against the seed trials, as a user runs it.

    python benchmarks/bench_screen.py [--patients 10000]

Writes a CSV of generated patients (units in the header, some cells empty), runs the CLI
in a subprocess with the screening log as output, and prints wall and CPU time, patient-trial
pairs per second and the peak memory of the run (it should not grow with the patients).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = [  # header, low, high (empty cells ~15 %)
    ("mRSS", 0, 51), ("DLCO (%)", 20, 110), ("FVC (%)", 30, 120), ("PASP (mmHg)", 15, 80), ("PaO2 (kPa)", 6, 14),
    ("PaCO2 (mmHg)", 30, 60), ("LVEF (%)", 20, 75), ("neutrophils (x10^9/L)", 0.2, 9), ("platelets (/uL)", 20000, 400000),
    ("hemoglobin (g/L)", 60, 160), ("detached body surface area (%)", 1, 90),
]
CONDITIONS = ["systemic sclerosis", "HIV", "hepatitis B", "hepatitis C", "pregnancy", "epilepsy", "toxic epidermal necrolysis"]


def write_cohort(path: Path, count: int, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "sex", "age", "as_of", "height", "weight", *(c for c, _, _ in COLUMNS), *CONDITIONS])
        for number in range(count):
            values = ["" if rng.random() < 0.15 else f"{rng.uniform(low, high):.3g}" for _, low, high in COLUMNS]
            states = [rng.choice(["true", "false", "false", ""]) for _ in CONDITIONS]
            writer.writerow([f"P{number:05d}", rng.choice(["female", "male"]), rng.randint(18, 85), "2026-11-20",
                             f"{rng.randint(150, 195)} cm", f"{rng.randint(45, 110)} kg", *values, *states])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        cohort, log = Path(work) / "clinic.csv", Path(work) / "log.csv"
        write_cohort(cohort, args.patients, random.Random(11))
        command = [sys.executable, "-m", "screener", "screen", str(cohort), "--rules", str(ROOT / "rules"),
                   "--format", "csv", "--out", str(log)]
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        baseline = time.perf_counter() - started  # the same run's yardstick: a bare interpreter start
        started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, capture_output=True, text=True)
        wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            sys.exit(done.stderr)
        pairs = sum(1 for _ in log.open(encoding="utf-8")) - 1
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{args.patients} patients x 2 trials: {pairs} log rows in {wall:.1f} s wall "
              f"({pairs / wall:.0f} pairs/s), {cpu:.1f} s CPU, peak memory {peak_mb:.0f} MB; "
              f"{wall / baseline:.0f}x python -c pass ({baseline * 1000:.0f} ms) in the same run")
        print(done.stderr.strip().splitlines()[-1])
        print("load average (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()

"""Check generated patients against the seed rule sets in-process and print checks per second,
for the full engine (``check``: every criterion explained) and the screening path
(``screen``: verdicts, reasons for ineligibility and data to collect).

    python benchmarks/bench_check.py [--patients 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path

from screener import check, load_rules
from screener.screen import prepare, screen_one
from screener.patient import ConditionState, Measurement, Patient

ROOT = Path(__file__).resolve().parents[1]

MEASURES = [  # variable, unit, low, high
    ("mrss", None, 0, 51), ("dlco", "%", 20, 110), ("fvc", "%", 30, 120), ("pasp", "mmHg", 15, 80),
    ("pao2", "kPa", 6, 14), ("paco2", "mmHg", 30, 60), ("creatinine_clearance", "mL/min/1.73m2", 10, 130),
    ("lvef", "%", 20, 75), ("neutrophils", "10^9/L", 0.2, 9), ("platelets", "/uL", 20_000, 400_000),
    ("hemoglobin", "g/L", 60, 160), ("cd4_count", "/uL", 100, 1500), ("detached_bsa", "%", 1, 90),
]
CONDITIONS = ["systemic_sclerosis", "interstitial_lung_disease", "heart_failure", "hiv", "hepatitis_b", "hepatitis_c",
              "malignancy", "pregnancy", "epilepsy", "sjs_ten", "pulmonary_arterial_hypertension"]


def patient(number: int, rng: random.Random) -> Patient:
    measurements = {}
    for variable, unit, low, high in MEASURES:
        if rng.random() < 0.85:
            measurements[variable] = Measurement(variable=variable, name=variable, value=rng.uniform(low, high), unit=unit)
    for enzyme in ("alt", "ast"):
        measurements[enzyme] = Measurement(variable=enzyme, name=enzyme, value=rng.uniform(10, 200), unit="U/L", uln=40)
    conditions = {c: ConditionState(condition=c, name=c, status=rng.choice(["present", "absent", "absent", "past"]))
                  for c in CONDITIONS if rng.random() < 0.8}
    return Patient(id=f"P{number}", sex=rng.choice(["female", "male"]), age=rng.uniform(10, 90), as_of=dt.date(2026, 11, 20),
                   height_cm=rng.uniform(150, 195), weight_kg=rng.uniform(45, 110), measurements=measurements,
                   conditions=conditions, events={"reaction_onset": dt.date(2026, 11, 1), "hospital_admission": dt.date(2026, 11, 1) + dt.timedelta(days=rng.randint(0, 15))})


def baseline_us() -> float:
    """Microseconds for a fixed pure-Python workload (1,000 dict look-ups and float
    comparisons), the yardstick the checks are measured against in the same run."""
    table = {f"k{i}": float(i) for i in range(50)}
    keys = list(table) * 20
    runs = 2000
    started = time.perf_counter()
    for _ in range(runs):
        total = 0
        for key in keys:
            total += table[key] > 25.0
    return (time.perf_counter() - started) / runs * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    patients = [patient(i, rng) for i in range(args.patients)]
    rule_sets = [load_rules(path) for path in sorted((ROOT / "rules").glob("*.yaml"))]
    verdicts: dict[str, int] = {}
    started = time.perf_counter()
    for p in patients:
        for rules in rule_sets:
            verdict = check(rules, p).verdict
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    elapsed = time.perf_counter() - started
    checks = len(patients) * len(rule_sets)
    unit = baseline_us()
    print(f"baseline: {unit:.0f} µs for 1,000 look-ups and comparisons (costs below are in these units)")
    print(f"{checks} patient-trial checks in {elapsed:.2f} s: {checks / elapsed:.0f} checks/s, {elapsed / checks * 1e6:.0f} µs per check"
          f" = {elapsed / checks * 1e6 / unit:.1f} baseline units")
    print("verdicts:", ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    prepared = [prepare(rules) for rules in rule_sets]
    for explain in (False, True):
        fast: dict[str, int] = {}
        started = time.perf_counter()
        for p in patients:
            for rules in prepared:
                verdict = screen_one(rules, p, explain=explain).verdict
                fast[verdict] = fast.get(verdict, 0) + 1
        elapsed = time.perf_counter() - started
        what = "verdicts and data to collect" if not explain else "also explaining every failing criterion"
        print(f"screen ({what}): {checks / elapsed:.0f} checks/s, {elapsed / checks * 1e6:.0f} µs per check "
              f"= {elapsed / checks * 1e6 / unit:.1f} baseline units (same verdicts as check: {fast == verdicts})")


if __name__ == "__main__":
    main()

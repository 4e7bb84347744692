"""Run the prepared plan (``screener.plan``) for generated patients against the seed rule sets
in-process and print checks per second: verdicts only, fully explained (``check``: every
criterion evaluated with its leaves, the criteria's words made when read), the same with
every explanation read, and the screening path (``screen``: verdicts, reasons for
ineligibility and data to collect).  Figures are wall and CPU time of one core, and costs
in units of a fixed pure-Python workload timed in the same run; each is the least of
``--repeat`` runs (the machine's other work only ever adds time).

    python benchmarks/bench_check.py [--patients 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import time
from pathlib import Path

from screener import check, load_rules
from screener.plan import plan_for
from screener.screen import screen_one
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
                   conditions=conditions, events={"symptom_onset": dt.date(2026, 11, 1), "hospital_admission": dt.date(2026, 11, 1) + dt.timedelta(days=rng.randint(0, 15))})


def baseline_us(repeat: int = 1) -> float:
    """CPU microseconds for a fixed pure-Python workload (1,000 dict look-ups and float
    comparisons), the yardstick the checks are measured against in the same run."""
    table = {f"k{i}": float(i) for i in range(50)}
    keys = list(table) * 20
    runs = 2000
    least = math.inf
    for _ in range(repeat):
        started = time.process_time()
        for _ in range(runs):
            total = 0
            for key in keys:
                total += table[key] > 25.0
        least = min(least, time.process_time() - started)
    return least / runs * 1e6


def timed(run, patients: list[Patient], plans: list) -> tuple[float, float, dict[str, int]]:
    """(wall s, CPU s, verdict counts) of ``run(plan, patient)`` for every pair."""
    verdicts: dict[str, int] = {}
    started, cpu = time.perf_counter(), time.process_time()
    for p in patients:
        for plan in plans:
            verdict = run(plan, p)
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    return time.perf_counter() - started, time.process_time() - cpu, verdicts


def read_all(plan, p: Patient) -> str:
    """``check`` and every criterion's explanation read, as the full table shows them (a
    check's criteria are made when first read)."""
    result = check(plan.rules, p)
    return result.verdict if all(criterion.explanation for criterion in result.criteria) else "unexplained"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the least time is kept")
    args = parser.parse_args()
    rng = random.Random(7)
    patients = [patient(i, rng) for i in range(args.patients)]
    rule_sets = [load_rules(path) for path in sorted((ROOT / "rules").glob("*.yaml"))]
    plans = [plan_for(rules) for rules in rule_sets]
    checks = len(patients) * len(rule_sets)
    unit = baseline_us(args.repeat)
    print(f"baseline: {unit:.0f} µs for 1,000 look-ups and comparisons (costs below are in these units)")
    runs = {
        "verdicts only (plan.verdict)": lambda plan, p: plan.verdict(p),
        "fully explained (check)": lambda plan, p: check(plan.rules, p).verdict,
        "check, every criterion's explanation read": read_all,
        "screen, verdicts and data to collect": lambda plan, p: screen_one(plan, p, explain=False).verdict,
        "screen, also explaining failing criteria": lambda plan, p: screen_one(plan, p).verdict,
    }
    reference = None
    for name, run in runs.items():
        wall, cpu, verdicts = min((timed(run, patients, plans) for _ in range(max(1, args.repeat))), key=lambda t: t[1])
        reference = reference or verdicts
        print(f"{name:43} {checks / wall:8.0f} checks/s wall, {checks / cpu:8.0f}/s CPU; {cpu / checks * 1e6:6.1f} µs CPU"
              f" per check = {cpu / checks * 1e6 / unit:5.2f} baseline units (same verdicts: {verdicts == reference})")
    print("load average (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
    print(f"{checks} patient-trial checks each; verdicts:", ", ".join(f"{k} {v}" for k, v in sorted(reference.items())))


if __name__ == "__main__":
    main()

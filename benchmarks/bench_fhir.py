"""Time loading a bulk FHIR export: 1,000 patients in one NDJSON file, made by resampling
the five Synthea bundles of ../shared/data/fhir.

    python benchmarks/bench_fhir.py [--patients 1000] [--keep-billing]

Each generated patient is one of the five bundles (chosen at random) under a new id,
keeping each clinical resource with probability 0.9 and its lab values scaled by a
random factor, so that no two patients are the same.  Claim and ExplanationOfBenefit are
left out by default, as a bulk export requested for screening (``_type=Patient,
Observation,Condition,Procedure,MedicationRequest,...``) leaves them out;
``--keep-billing`` keeps every resource type.

Prints patients per second for ``iter_fhir`` and, as the baseline in the same process,
for only parsing every line with ``json.loads`` (the floor of any Python reader); with
``fhir.resources`` installed, also its time to validate one bundle.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screener.fhir import iter_fhir  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "fhir"
BILLING = {"Claim", "ExplanationOfBenefit"}


def _rewrite(resource: dict, old: str, new: str, rng: random.Random) -> str:
    text = json.dumps(resource, separators=(",", ":")).replace(old, new)
    if resource["resourceType"] == "Observation" and "valueQuantity" in resource:
        data = json.loads(text)
        data["valueQuantity"]["value"] = round(data["valueQuantity"]["value"] * rng.uniform(0.8, 1.2), 4)
        text = json.dumps(data, separators=(",", ":"))
    return text


def write_export(path: Path, count: int, keep_billing: bool, rng: random.Random) -> int:
    bundles = []
    for file in sorted(DATA.glob("*.json")):
        resources = [e["resource"] for e in json.loads(file.read_text())["entry"]]
        patient = next(r for r in resources if r["resourceType"] == "Patient")
        kept = [r for r in resources if keep_billing or r["resourceType"] not in BILLING]
        kept.sort(key=lambda r: r["resourceType"] != "Patient")
        bundles.append((patient["id"], kept))
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            old, resources = rng.choice(bundles)
            new = f"{number:08d}-0000-4000-8000-{rng.getrandbits(48):012x}"
            for resource in resources:
                if resource["resourceType"] == "Patient" or rng.random() < 0.9:
                    out.write(_rewrite(resource, old, new, rng) + "\n")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--keep-billing", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.ndjson"
        size = write_export(path, args.patients, args.keep_billing, random.Random(12))
        print(f"{args.patients} patients, {size / 1e6:.0f} MB of NDJSON")

        start, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as handle:
            lines = sum(1 for line in handle if json.loads(line))
        baseline, baseline_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"baseline json.loads of {lines} lines: {args.patients / baseline:,.0f} patients/s"
              f" ({args.patients / baseline_cpu:,.0f}/s of CPU time)")

        start, cpu = time.perf_counter(), time.process_time()
        count = errors = 0
        for record in iter_fhir([path]):
            count += 1
            errors += isinstance(record, Exception)
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"iter_fhir: {count} patients ({errors} errors) in {elapsed:.2f} s: {count / elapsed:,.0f} patients/s"
              f" ({count / elapsed_cpu:,.0f}/s of CPU time), {baseline / elapsed:.2f} x the json.loads baseline")
    _fhir_resources()


def _fhir_resources() -> None:
    """The cost of validating with fhir.resources instead, when it is installed."""
    try:
        start = time.perf_counter()
        from fhir.resources.R4B.bundle import Bundle  # type: ignore[import-not-found]
        imported = time.perf_counter() - start
    except ImportError:
        print("fhir.resources not installed (pip install fhir.resources to compare)")
        return
    text = min(DATA.glob("*.json"), key=lambda p: p.stat().st_size).read_text()
    start = time.perf_counter()
    Bundle.model_validate_json(text)
    print(f"fhir.resources: import {imported:.2f} s, one bundle ({len(text) / 1e3:.0f} kB) {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()

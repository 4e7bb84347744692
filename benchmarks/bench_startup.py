"""Whole-process start-up of ``screener check`` for one patient, as a ratio to ``python -c
pass`` timed in the same run (interleaved, median of each), so the figure holds on a busy
machine too.  The first run builds the data cache; it is not counted.  screener's modules
are byte-compiled first, as an installed package is (``PYTHONDONTWRITEBYTECODE`` would
otherwise make every run compile them again).

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "check (table)": ["check", "rules/NCT02213705.yaml", "examples/patients/ssc-eligible.yaml"],
    "check --format json": ["check", "rules/NCT04711200.yaml", "examples/patients/ten-ineligible.yaml", "--format", "json"],
    "--version": ["--version"],
}


def command(arguments: list[str]) -> list[str]:
    script = Path(sys.executable).with_name("screener")
    return [str(script), *arguments] if script.exists() else [sys.executable, "-m", "screener", *arguments]


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child): CPU time varies less on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    baseline_argv = [sys.executable, "-c", "pass"]
    compileall.compile_dir(str(ROOT / "screener"), quiet=1)
    for arguments in CASES.values():  # warm the data cache and the OS file cache
        timed(command(arguments))
    times: dict[str, list[tuple[float, float]]] = {"python -c pass": [], **{name: [] for name in CASES}}
    for _ in range(args.runs):
        times["python -c pass"].append(timed(baseline_argv))
        for name, arguments in CASES.items():
            times[name].append(timed(command(arguments)))
    wall = {name: statistics.median(t[0] for t in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(t[1] for t in runs) for name, runs in times.items()}
    print(f"{'':28} {'wall':>9} {'ratio':>6} {'cpu':>9} {'ratio':>6}   (target for check: <= 10x)")
    for name in times:
        label = name if name == "python -c pass" else "screener " + name
        print(f"{label:28} {wall[name] * 1000:6.1f} ms {wall[name] / wall['python -c pass']:5.1f}x"
              f" {cpu[name] * 1000:6.1f} ms {cpu[name] / max(cpu['python -c pass'], 1e-6):5.1f}x")


if __name__ == "__main__":
    main()

"""Compile speed of this tree against an earlier revision, both in the same process.

    python benchmarks/bench_speedup.py [--baseline REV] [--start S] [--limit N] [--rounds R] [corpus]

The ``screener`` package of git revision REV (default ``HEAD``) is extracted to a temporary
folder as the package ``screener_baseline`` and imported beside the working tree's
``screener``; N corpus trials from the S-th (default the first) are compiled by each in turn, R rounds, and the best
round of each is kept; each round compiles with a new extractor.  Times are CPU time of this process (``time.process_time``), so that
other work on a shared machine slows both sides alike; the load average is printed with them.
Every trial's rules must come out the same from both (compared as JSON): a speed-up that
changes the output is no speed-up.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "trials.jsonl"


def baseline_package(revision: str, folder: Path) -> None:
    """Write the package of ``revision`` to ``folder/screener_baseline``, reading its own data."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "screener"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    package = folder / "screener_baseline"
    (folder / "screener").rename(package)
    for module in package.glob("*.py"):
        code = module.read_text(encoding="utf-8")
        module.write_text(code.replace('files("screener")', "files(__package__)"), encoding="utf-8")


def baseline_arguments(description: str, rounds: int) -> argparse.ArgumentParser:
    """The arguments every same-process comparison with a revision takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--baseline", default="HEAD", help="git revision to compare with")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=rounds)
    return parser


@contextmanager
def beside_baseline(revision: str) -> Iterator[None]:
    """Inside: ``screener_baseline`` (``revision``'s package) importable beside this tree's
    ``screener``, each with a data cache of its own in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ["SCREENER_CACHE_DIR"] = str(Path(folder) / "cache")  # the two packages cache apart from users
        baseline_package(revision, Path(folder))
        sys.path[:0] = [folder, str(ROOT)]
        yield


def timed(compile_source, new_extractor, sources) -> tuple[float, list[str]]:
    """CPU time to compile ``sources`` with a new extractor (built untimed): nothing an
    extractor keeps from a round, such as the rules of repeated items, helps the next.
    Each trial is timed alone and only a digest of its rules kept: thousands of rule sets
    held in memory made the garbage collector's full passes, not compiling, the cost."""
    extractor = new_extractor()
    seconds, digests = 0.0, []
    for source in sources:
        began = time.process_time()
        rules = compile_source(source, extractor)
        seconds += time.process_time() - began
        as_json = json.dumps(rules.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        digests.append(hashlib.sha256(as_json.encode("utf-8", "surrogatepass")).hexdigest())
    return seconds, digests


def best_rounds(rounds: Mapping[str, Callable[[], tuple[float, list[str]]]], count: int) -> tuple[dict[str, float], int]:
    """Run each side's round (``timed`` or the like) ``count`` times, alternating: the best
    seconds of each side, and how many trials' outputs differ between the two sides."""
    best = {name: float("inf") for name in rounds}
    outputs: dict[str, list[str]] = {}
    for _ in range(count):
        for name, run in rounds.items():
            seconds, outputs[name] = run()
            best[name] = min(best[name], seconds)
    first, second = outputs.values()
    return best, sum(a != b for a, b in zip(first, second))


def main() -> int:
    parser = baseline_arguments(__doc__.splitlines()[0], rounds=3)
    parser.add_argument("--start", type=int, default=0, help="skip the first S trials (the first are short)")
    args = parser.parse_args()
    with beside_baseline(args.baseline):
        sides = {}
        for name in ("screener_baseline", "screener"):
            compiler = importlib.import_module(f"{name}.compiler")
            sources = importlib.import_module(f"{name}.sources").read_sources(args.corpus)[args.start:args.start + args.limit]
            new_extractor = importlib.import_module(f"{name}.extract").Extractor
            extractor = new_extractor()
            for source in sources[:20]:  # warm the module caches built on first use
                compiler.compile_source(source, extractor)
            sides[name] = (compiler.compile_source, new_extractor, sources)
        best, different = best_rounds({name: partial(timed, *side) for name, side in sides.items()}, args.rounds)
    count = len(sides["screener"][2])
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"trials {count}, best of {args.rounds} rounds, CPU time, load average {load}")
    build = importlib.import_module("screener.native").build()  # the baseline is always its Python sources
    print(f"  baseline {args.baseline} (pure Python): {count / best['screener_baseline']:.0f} trials/s")
    print(f"  this tree ({build}): {count / best['screener']:.0f} trials/s")
    print(f"  speed-up {best['screener_baseline'] / best['screener']:.2f}x; trials whose rules differ: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())

"""Compile speed with and without the memo of repeated items (``screener.itemmemo``).

    python benchmarks/bench_itemmemo.py [--start S] [--limit N] [--rounds R] [corpus]

Compiles N corpus trials (all by default) with a new extractor per round, once recalling
repeated items and once reading every item anew, R rounds each, in the same process, and
prints trials per second (CPU time, best round), the memo's hit rate and the ratio.  Every
trial's rules must come out the same both ways.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from screener.compiler import compile_source
from screener.extract import Extractor
from screener.sources import read_sources

from bench_speedup import timed  # the same timing loop: CPU time per trial, a digest of each trial's rules

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def new_extractor(remember: bool) -> Extractor:
    """An extractor recalling repeated items, or one reading every item anew."""
    extractor = Extractor()
    if not remember:
        extractor.memo = None
    return extractor


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="0: every trial")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    sources = read_sources(args.corpus)[args.start:]
    sources = sources[:args.limit] if args.limit else sources
    for source in sources[:20]:  # warm the module caches built on first use
        compile_source(source, Extractor())
    best = {True: float("inf"), False: float("inf")}
    outputs: dict[bool, list[str]] = {}
    memo = None
    for _ in range(args.rounds):
        for remember in (False, True):
            extractor = new_extractor(remember)
            seconds, outputs[remember] = timed(compile_source, lambda made=extractor: made, sources)
            best[remember] = min(best[remember], seconds)
            memo = extractor.memo or memo
    different = sum(a != b for a, b in zip(outputs[False], outputs[True]))
    count = len(sources)
    looked = (memo.hits + memo.misses) if memo else 0
    print(f"trials {count}, best of {args.rounds} rounds, CPU time, load average {os.getloadavg()[0]:.2f}")
    print(f"  every item read: {count / best[False]:.0f} trials/s")
    print(f"  repeated items recalled: {count / best[True]:.0f} trials/s "
          f"(hits {memo.hits if memo else 0} of {looked} items read, {(memo.hits if memo else 0) / max(looked, 1):.1%})")
    print(f"  speed-up {best[False] / best[True]:.2f}x; trials whose rules differ: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())

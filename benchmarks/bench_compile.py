"""Compile a corpus of trials in-process and print speed and coverage figures.

    python benchmarks/bench_compile.py [../shared/corpus/trials.jsonl] [--limit N]

Prints the build that runs first ("compiled (mypyc)" or "pure Python", and from where), then
trials per second (wall and CPU time: the CPU figure holds on a shared machine), the slowest
trials, exceptions (there should be none), criteria whose text is not verbatim in the source
(none), and the share of criteria with a computable rule.  The time is that of the
``compile_source`` calls, from the first (which loads the lexicon and the patterns) to the
last; this script's own checks of each output are timed apart and printed, not counted.
"""

from __future__ import annotations

import argparse
import os
import time
import traceback
from pathlib import Path

import screener
from screener.compiler import compile_source
from screener.extract import default_extractor
from screener.native import build
from screener.rules import Comparison, Condition, Interval, walk
from screener.sources import read_sources

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=0, help="compile only the first N trials")
    args = parser.parse_args()
    print(f"screener {build()}, from {Path(screener.__file__).parent}")
    sources = read_sources(args.corpus)
    if args.limit:
        sources = sources[: args.limit]
    extractor = default_extractor()
    timings, failures, not_verbatim = [], [], 0
    criteria = computable = comparisons = 0
    elapsed = cpu = 0.0  # compiling only: this script's own checks of each output below are not counted
    started_cpu = time.process_time()
    for source in sources:
        began, began_cpu = time.perf_counter(), time.process_time()
        try:
            rules = compile_source(source, extractor)
        except Exception:  # the benchmark reports failures instead of stopping on them
            failures.append((source.trial_id, traceback.format_exc(limit=2)))
            continue
        cpu += time.process_time() - began_cpu
        took = time.perf_counter() - began
        elapsed += took
        timings.append((took, source.trial_id))
        for criterion in rules.criteria:
            criteria += 1
            if criterion.span and source.text[criterion.span[0]:criterion.span[1]] != criterion.text:
                not_verbatim += 1
            leaves = [n for n in walk(criterion.rule) if isinstance(n, (Comparison, Condition, Interval))]
            computable += bool(leaves)
            comparisons += sum(isinstance(n, Comparison) for n in leaves)
    checks = time.process_time() - started_cpu - cpu
    print(f"trials {len(sources)}, compiled in {elapsed:.1f} s: {len(sources) / elapsed:.0f} trials/s "
          f"(CPU time {cpu:.1f} s: {len(sources) / cpu:.0f} trials/s, load average {os.getloadavg()[0]:.1f}); "
          f"this script's checks of the output took another {checks:.1f} s of CPU, not counted")
    print(f"criteria {criteria}, with a computable rule {computable} ({computable / max(criteria, 1):.1%}), comparisons {comparisons}")
    print(f"exceptions {len(failures)}, criteria not verbatim in their source {not_verbatim}")
    print("slowest trials:")
    for seconds, trial_id in sorted(timings, reverse=True)[:5]:
        print(f"  {trial_id}  {seconds * 1000:.0f} ms")
    for trial_id, trace in failures[:5]:
        print(f"FAILED {trial_id}\n{trace}")


if __name__ == "__main__":
    main()

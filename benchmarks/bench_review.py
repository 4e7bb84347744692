"""Render review pages for corpus trials in-process and print speed and what they flag.

    python benchmarks/bench_review.py [../shared/corpus/trials.jsonl] [--limit N]

Compiles the first N trials (the baseline, timed in the same process), then builds and
renders each review page; prints trials per second for both and their ratio, exceptions
(there should be none), criteria marked versus criteria with a span, unread numbers per
trial, and the share of criteria with a negation, exception or restriction flag.
"""

from __future__ import annotations

import argparse
import time
import traceback
from pathlib import Path

from screener.compiler import compile_source
from screener.extract import default_extractor
from screener.review import build_review, render_review
from screener.rules import rules_data
from screener.sources import read_sources

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    sources = read_sources(args.corpus)[: args.limit]
    extractor = default_extractor()
    started = time.perf_counter()
    compiled = [(source, rules_data(compile_source(source, extractor))) for source in sources]
    compile_seconds = time.perf_counter() - started
    failures, marked, spanned, unread, flagged, criteria, size = [], 0, 0, 0, 0, 0, 0
    started = time.perf_counter()
    for source, rules in compiled:
        try:
            review = build_review(rules, source)
            size += len(render_review(review))
        except Exception:  # noqa: BLE001 - a benchmark reports every failure and goes on
            failures.append((source.trial_id, traceback.format_exc(limit=2)))
            continue
        marked += sum(c.marked for c in review.criteria)
        spanned += sum(c.span is not None for c in review.criteria)
        unread += len(review.unread)
        flagged += len(review.second_look)
        criteria += len(review.criteria)
    review_seconds = time.perf_counter() - started
    count = len(compiled)
    print(f"trials {count}: compile {count / compile_seconds:.0f}/s, review page {count / review_seconds:.0f}/s "
          f"(review takes {review_seconds / compile_seconds:.2f}x the compile time), average page {size / max(count, 1) / 1000:.0f} kB")
    print(f"criteria marked {marked} of {spanned} with a span; unread numbers {unread} ({unread / max(count, 1):.1f} per trial); "
          f"criteria worth a second look {flagged} of {criteria} ({flagged / max(criteria, 1):.1%})")
    print(f"exceptions: {len(failures)}")
    for trial, trace in failures[:5]:
        print(f"  {trial}: {trace.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()

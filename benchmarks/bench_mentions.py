"""Speed of the mention and scope-cue stages of item reading against an earlier revision, in one process.

    python benchmarks/bench_mentions.py [--baseline REV] [--limit N] [--rounds R] [corpus]

The item texts that N corpus trials hand to item reading are collected once (compiling them
with this tree, no item memo); then, per stage, the ``screener`` package of this tree and
that of revision REV (default ``HEAD``, imported as ``screener_baseline`` as
``bench_speedup`` does) read every text, R rounds, and the best round of each is kept:
``MentionReader.mentions`` per item text, ``scope.groups_in`` per item text,
``scope.permission_at`` per item text.  Times are CPU time of this process
(``time.process_time``) in microseconds per text, with their ratio; the mentions found by
both must agree, or the script exits 1.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

from bench_speedup import baseline_arguments, beside_baseline


def item_texts(corpus: str, limit: int) -> list[str]:
    """The texts item reading is given for the first ``limit`` trials."""
    from screener.compiler import compile_source
    from screener.extract import Extractor
    from screener.sources import read_sources

    texts: list[str] = []

    class Recording(Extractor):
        def _read_item(self, text, section, heading=None):
            texts.append(text.text)
            return super()._read_item(text, section, heading)

    extractor = Recording()
    extractor.memo = None
    for source in read_sources(corpus)[:limit]:
        compile_source(source, extractor)
    return texts


def best_time(function, texts: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for text in texts:
            function(text)
        best = min(best, time.process_time() - began)
    return best


def main() -> int:
    args = baseline_arguments(__doc__.splitlines()[0], rounds=5).parse_args()
    with beside_baseline(args.baseline):
        texts = item_texts(args.corpus, args.limit)
        stages: dict[str, dict[str, object]] = {}
        found: dict[str, list] = {}
        for name in ("screener_baseline", "screener"):
            reader = importlib.import_module(f"{name}.extract").Extractor()
            scope = importlib.import_module(f"{name}.scope")
            stages[name] = {"mentions": reader.mentions, "groups_in": scope.groups_in, "permission_at": scope.permission_at}
            found[name] = [[(m.start, m.end, m.kind, m.id, m.negated) for m in reader.mentions(t)] for t in texts]
    print(f"{len(texts)} item texts of {args.limit} trials, best of {args.rounds} rounds, CPU time, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    totals = {name: 0.0 for name in stages}
    for stage in stages["screener"]:
        seconds = {name: best_time(stages[name][stage], texts, args.rounds) for name in stages}
        for name, value in seconds.items():
            totals[name] += value
        print(f"  {stage:14s} {1e6 * seconds['screener_baseline'] / len(texts):6.2f} -> "
              f"{1e6 * seconds['screener'] / len(texts):6.2f} us/text ({seconds['screener_baseline'] / seconds['screener']:.2f}x)")
    print(f"  {'together':14s} {1e6 * totals['screener_baseline'] / len(texts):6.2f} -> "
          f"{1e6 * totals['screener'] / len(texts):6.2f} us/text ({totals['screener_baseline'] / totals['screener']:.2f}x)")
    different = sum(a != b for a, b in zip(found["screener_baseline"], found["screener"]))
    print(f"  texts whose mentions differ: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())

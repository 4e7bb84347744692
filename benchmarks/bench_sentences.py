"""Time of item reading and its sentence stages, this tree against an earlier revision, in one process.

    python benchmarks/bench_sentences.py [--baseline REV] [--limit N] [--rounds R] [--kind K] [corpus]

The items the compiler reads for N corpus trials (default 2,000) are collected once, then each
package (REV's as ``screener_baseline``, see ``bench_speedup.py``, and this tree's) reads every one
anew (``Extractor._read_item``, no memo of repeated items), R rounds, best kept, CPU time.  Per item
it prints the whole reading and the time inside each stage (outermost calls): ``_sentence_rule``
(one sentence to a node), ``_leaves``, ``_part``, ``_sentences``.  ``--kind``: every item, those
without a digit ("plain"), or with one ("digits").  Every item's rule must be the same from both.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections import Counter

from bench_speedup import baseline_arguments, beside_baseline

STAGES = ("_sentence_rule", "_leaves", "_part", "_sentences")


def items(corpus: str, limit: int, kind: str) -> list[tuple]:
    """(text, section, heading) of every item the compiler reads for the first ``limit`` trials."""
    from screener.compiler import compile_source
    from screener.extract import Extractor
    from screener.sources import read_sources

    extractor, seen = Extractor(), []
    extractor.memo = None
    read = extractor._read_item
    extractor._read_item = lambda *call: seen.append(call) or read(*call)  # type: ignore[method-assign]
    for source in read_sources(corpus)[:limit]:
        compile_source(source, extractor)
    digits = {"all": None, "plain": False, "digits": True}[kind]
    return [c for c in seen if digits is None or any(ch.isdigit() for ch in c[0].text) == digits]


def timed_stages(extractor, stages: tuple[str, ...]) -> Counter:
    """Wrap the extractor's stages (on its instance) to add the CPU time of their outermost calls."""
    spent: Counter = Counter()
    depth: Counter = Counter()
    for name in stages:
        def wrapped(*args, _method=getattr(extractor, name), _name=name, **keywords):
            depth[_name] += 1
            began = time.process_time()
            try:
                return _method(*args, **keywords)
            finally:
                depth[_name] -= 1
                if not depth[_name]:
                    spent[_name] += time.process_time() - began
        setattr(extractor, name, wrapped)
    return spent


def main() -> int:
    parser = baseline_arguments(__doc__.splitlines()[0], rounds=3)
    parser.set_defaults(limit=2000)
    parser.add_argument("--kind", choices=("all", "plain", "digits"), default="all")
    args = parser.parse_args()
    with beside_baseline(args.baseline):
        calls = items(args.corpus, args.limit, args.kind)
        sides = {}
        for name in ("screener_baseline", "screener"):
            extractor = importlib.import_module(f"{name}.extract").Extractor()
            extractor.memo = None
            spent = timed_stages(extractor, STAGES)
            rules = [extractor._read_item(*call).model_dump(mode="json") for call in calls]  # warm, and kept to compare
            sides[name] = (extractor, spent, rules)
        best: dict[str, tuple[float, dict]] = {}
        for _ in range(args.rounds):
            for name, (extractor, spent, _rules) in sides.items():
                spent.clear()
                began = time.process_time()
                for call in calls:
                    extractor._read_item(*call)
                seconds = time.process_time() - began
                if name not in best or seconds < best[name][0]:
                    best[name] = (seconds, dict(spent))
    different = sum(a != b for a, b in zip(sides["screener_baseline"][2], sides["screener"][2]))
    count = len(calls)
    print(f"{count} items ({args.kind}) of {args.limit} trials, best of {args.rounds} rounds, CPU time, "
          f"load average {os.getloadavg()[0]:.2f}; microseconds per item, baseline {args.baseline} -> this tree")
    (base, base_stages), (tree, tree_stages) = best["screener_baseline"], best["screener"]
    print(f"  {'item reading':16s} {base / count * 1e6:7.1f} -> {tree / count * 1e6:7.1f}  ({base / tree:.2f}x)")
    for stage in STAGES:
        was, now = base_stages.get(stage, 0.0), tree_stages.get(stage, 0.0)
        print(f"  {stage:16s} {was / count * 1e6:7.1f} -> {now / count * 1e6:7.1f}  ({was / now if now else 0:.2f}x)")
    print(f"  items whose rule differs: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())

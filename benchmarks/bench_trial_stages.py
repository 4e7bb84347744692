"""CPU time of the compiler's per-trial stages (all but reading items) against an earlier revision.

    python benchmarks/bench_trial_stages.py [--baseline REV] [--limit N] [--rounds R] [corpus]

What ``compile_source`` does around ``Extractor.item_rule`` (segmenting, normalising,
rewriting, checking and keying criteria, building the models) is timed apart from item
reading: each side first compiles the N trials once, keeping every ``item_rule`` answer,
then compiles them again R times (alternating with the other side, CPU time, best round)
with ``item_rule`` answered from what it kept.  The baseline package is extracted as in
``bench_speedup.py``; both sides must give the same rules for every trial.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from functools import partial

from bench_speedup import baseline_arguments, beside_baseline, best_rounds, timed


def _side(package: str, corpus: str, limit: int):
    """(compile_source, sources, extractor whose item_rule answers from a first pass)."""
    compiler = importlib.import_module(f"{package}.compiler")
    sources = importlib.import_module(f"{package}.sources").read_sources(corpus)[:limit]
    extractor = importlib.import_module(f"{package}.extract").Extractor()
    read = extractor.item_rule
    kept: dict = {}

    def item_rule(text, section, heading):
        key = (text.text, tuple(text.starts[:1]), section, heading)
        if key not in kept:
            kept[key] = read(text, section, heading)
        return kept[key]

    extractor.item_rule = item_rule  # type: ignore[method-assign]
    for source in sources:
        compiler.compile_source(source, extractor)
    return compiler.compile_source, sources, extractor


def _round(compile_source, sources, extractor) -> tuple[float, list[str]]:
    """``bench_speedup.timed`` with the one extractor whose answers are kept."""
    gc.collect()
    return timed(compile_source, lambda: extractor, sources)


def main() -> int:
    args = baseline_arguments(__doc__.splitlines()[0], rounds=5).parse_args()
    with beside_baseline(args.baseline):
        sides = {name: _side(name, args.corpus, args.limit) for name in ("screener_baseline", "screener")}
        best, different = best_rounds({name: partial(_round, *side) for name, side in sides.items()}, args.rounds)
    count = len(sides["screener"][1])
    print(f"per-trial stages, {count} trials, best of {args.rounds} rounds, CPU time, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"  baseline {args.baseline}: {best['screener_baseline'] / count * 1e6:.0f} us/trial")
    print(f"  this tree: {best['screener'] / count * 1e6:.0f} us/trial")
    print(f"  speed-up {best['screener_baseline'] / best['screener']:.2f}x; trials whose rules differ: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())

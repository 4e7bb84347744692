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

import argparse
import gc
import hashlib
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench_speedup import DEFAULT, ROOT, baseline_package


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
    gc.collect()
    seconds, digests = 0.0, []
    for source in sources:
        began = time.process_time()
        rules = compile_source(source, extractor)
        seconds += time.process_time() - began
        as_json = json.dumps(rules.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        digests.append(hashlib.sha256(as_json.encode("utf-8", "surrogatepass")).hexdigest())
    return seconds, digests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--baseline", default="HEAD", help="git revision to compare with")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["SCREENER_CACHE_DIR"] = str(Path(folder) / "cache")
        baseline_package(args.baseline, Path(folder))
        sys.path[:0] = [folder, str(ROOT)]
        sides = {name: _side(name, args.corpus, args.limit) for name in ("screener_baseline", "screener")}
        best = {name: float("inf") for name in sides}
        outputs = {}
        for _ in range(args.rounds):
            for name, side in sides.items():
                seconds, outputs[name] = _round(*side)
                best[name] = min(best[name], seconds)
    count = len(sides["screener"][1])
    different = sum(a != b for a, b in zip(outputs["screener_baseline"], outputs["screener"]))
    print(f"per-trial stages, {count} trials, best of {args.rounds} rounds, CPU time, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(f"  baseline {args.baseline}: {best['screener_baseline'] / count * 1e6:.0f} us/trial")
    print(f"  this tree: {best['screener'] / count * 1e6:.0f} us/trial")
    print(f"  speed-up {best['screener_baseline'] / best['screener']:.2f}x; trials whose rules differ: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())

"""Check that a change to the compiler leaves its output unchanged: one digest per trial.

    python benchmarks/check_equivalence.py --save before.tsv [--limit N] [corpus]
    python benchmarks/check_equivalence.py --against before.tsv [--limit N] [corpus]

Compiles the first N trials of the corpus (all with ``--limit 0``) and digests, per trial,
the rules as JSON and as the YAML file ``screener compile`` writes.  ``--save`` records the
digests (run it on the code before an optimisation); ``--against`` compares with such a
record and prints the trials whose output changed, exiting 1 if any did.  An optimisation
must change no digest; a change of meaning is expected to change some, reviewed one by one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

from screener.compiler import compile_source
from screener.extract import default_extractor
from screener.rules import dump_rules
from screener.sources import read_sources

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def digests(corpus: str, limit: int) -> dict[str, tuple[str, str]]:
    """Per trial id: the digest of its rules as JSON (every field, sorted) and as YAML."""
    sources = read_sources(corpus)
    sources = sources[:limit] if limit else sources
    extractor = default_extractor()
    out: dict[str, tuple[str, str]] = {}
    for index, source in enumerate(sources):
        try:
            rules = compile_source(source, extractor)
        except Exception as exc:  # an exception is an output too: it must not appear or vanish
            out[f"{index}:{source.trial_id}"] = (f"error {type(exc).__name__}", "")
            continue
        as_json = json.dumps(rules.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        out[f"{index}:{source.trial_id}"] = (_digest(as_json), _digest(dump_rules(rules)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=2000, help="the first N trials (0: all)")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", help="write the digests to this file")
    mode.add_argument("--against", help="compare with digests saved earlier")
    args = parser.parse_args()
    began = time.perf_counter()
    found = digests(args.corpus, args.limit)
    elapsed = time.perf_counter() - began
    if args.save:
        Path(args.save).write_text("".join(f"{key}\t{a}\t{b}\n" for key, (a, b) in found.items()), encoding="utf-8")
        print(f"{len(found)} trials digested in {elapsed:.1f} s -> {args.save}")
        return 0
    saved = {}
    for line in Path(args.against).read_text(encoding="utf-8").splitlines():
        key, a, b = line.split("\t")
        if not args.limit or int(key.split(":")[0]) < args.limit:  # a record of more trials serves a shorter run
            saved[key] = (a, b)
    changed = sorted(k for k in saved.keys() | found.keys() if saved.get(k) != found.get(k))
    for key in changed[:20]:
        print(f"changed: {key}  saved {saved.get(key)}  now {found.get(key)}")
    print(f"{len(found)} trials in {elapsed:.1f} s: {len(changed)} with a different output")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())

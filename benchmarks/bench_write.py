"""Batch compile to YAML files against compiling in-process, in the same run.

    python benchmarks/bench_write.py [../shared/corpus/trials.jsonl] [--limit N]

Prints the in-process compile time, the time to compile and write one YAML rules file per
trial (as ``screener compile --out-dir`` does), the ratio of the two (target: at most 1.5),
and the share of the batch spent writing YAML.  Every file is read back and compared.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from screener.compiler import compile_source
from screener.extract import default_extractor
from screener.output import write_atomically
from screener.rules import dump_rules, load_rules
from screener.sources import read_sources

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    sources = read_sources(args.corpus)[: args.limit]
    extractor = default_extractor()
    began = time.perf_counter()
    for source in sources:
        compile_source(source, extractor)
    compile_only = time.perf_counter() - began
    with tempfile.TemporaryDirectory() as folder:
        writing = 0.0
        began = time.perf_counter()
        written = []
        for index, source in enumerate(sources):
            rules = compile_source(source, extractor)
            start = time.perf_counter()
            path = Path(folder) / f"{index}.yaml"
            write_atomically(path, dump_rules(rules))
            writing += time.perf_counter() - start
            written.append((path, rules))
        batch = time.perf_counter() - began
        different = sum(load_rules(path) != rules for path, rules in written)
    print(f"trials {len(sources)}: compile in-process {compile_only:.1f} s; compile and write YAML {batch:.1f} s;"
          f" ratio {batch / compile_only:.2f} (target <= 1.5); writing YAML {writing / batch:.0%} of the batch;"
          f" files read back different: {different}")


if __name__ == "__main__":
    main()

"""Batch compile to YAML files against compiling in-process, in the same run.

    python benchmarks/bench_write.py [../shared/corpus/trials.jsonl] [--limit N]

Prints the in-process compile time, the time to compile and write one YAML rules file per
trial (as ``screener compile --out-dir`` does), the ratio of the two (target: at most 1.5),
and the share of the batch spent writing YAML.  Every file is then read back and compared
with the trial compiled again, outside the timed loop: read back inside it, the loading
slowed the compiles after it by a fifth (the batch that ``screener compile`` runs reads
nothing back), and rule sets held for a check at the end made the garbage collector's
passes a growing share of the batch.
Times are CPU time of this process (``time.process_time``, the writes' system time
included): wall time on a shared machine measured the other processes as much as this one.
Each run compiles with a new extractor, as ``screener compile`` does once.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from screener.compiler import compile_source
from screener.extract import Extractor
from screener.output import OutputFolder
from screener.rules import dump_rules, load_rules
from screener.sources import read_sources

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    sources = read_sources(args.corpus)[: args.limit]
    extractor = Extractor()
    for source in sources[:20]:  # the module caches built on first use, for both runs
        compile_source(source, extractor)
    extractor = Extractor()
    began = time.process_time()
    for source in sources:
        compile_source(source, extractor)
    compile_only = time.process_time() - began
    extractor = Extractor()  # a new one: the rules of repeated items the first run kept do not help the batch
    writing = batch = 0.0
    with tempfile.TemporaryDirectory() as folder:
        with OutputFolder(Path(folder)) as output:  # as ``screener compile --out-dir`` writes
            for index, source in enumerate(sources):
                began = time.process_time()
                rules = compile_source(source, extractor)
                start = time.process_time()
                output.write(f"{index}.yaml", dump_rules(rules))
                done = time.process_time()
                writing, batch = writing + done - start, batch + done - began
        checker = Extractor()
        different = sum(load_rules(Path(folder) / f"{index}.yaml") != compile_source(source, checker)
                        for index, source in enumerate(sources))
    print(f"trials {len(sources)}: compile in-process {compile_only:.1f} s; compile and write YAML {batch:.1f} s;"
          f" ratio {batch / compile_only:.2f} (target <= 1.5); writing YAML {writing / batch:.0%} of the batch;"
          f" files read back different: {different}")


if __name__ == "__main__":
    main()

"""Instructions the compiler executes per trial, counted by valgrind: a figure that a busy
machine does not change.

    python benchmarks/bench_instructions.py [--build DIR ...] [--limit 600] [corpus]

Times on a shared machine vary by several per cent from run to run; the instructions a
compile executes do not (with ``PYTHONHASHSEED`` fixed and a warm data cache), so a
speed-up of 1 % shows as one.  Each build (a folder put first on ``PYTHONPATH``, as
``build_compiled.py`` makes one; without ``--build``, the installed package) runs twice
under ``valgrind --tool=cachegrind``: once compiling 20 warm-up trials, once compiling them
and then the first ``--limit`` trials with a new extractor; the difference, divided by the
limit, is the compile's cost per trial.  Each build has its own data cache folder, filled
by a first run that is not counted.  Prints instructions per trial and the ratio to the
first build.  Needs valgrind (``apt-get install valgrind``); about a minute per 600 trials.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"

CHILD = """
import sys
from screener.compiler import compile_source
from screener.extract import Extractor
from screener.sources import read_sources
sources = read_sources(sys.argv[1])
warm = Extractor()
for source in sources[-20:]:
    compile_source(source, warm)
extractor = Extractor()
for source in sources[:int(sys.argv[2])]:
    compile_source(source, extractor)
"""


def instructions(build: str | None, corpus: str, limit: int, cache: str) -> int:
    """Instructions of one run of ``CHILD`` under cachegrind."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "SCREENER_CACHE_DIR": cache}
    if build:
        env["PYTHONPATH"] = build
    done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                           sys.executable, "-c", CHILD, str(Path(corpus).resolve()), str(limit)], env=env, capture_output=True, text=True,
                          cwd=cache)  # not this folder: "-c" puts the current folder first on the path
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--build", action="append", help="a build folder to put first on PYTHONPATH (repeat to compare)")
    parser.add_argument("--limit", type=int, default=600)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    first = None
    for build in args.build or [None]:
        with tempfile.TemporaryDirectory() as cache:
            instructions(build, args.corpus, args.limit, cache)  # fills the data cache
            per_trial = (instructions(build, args.corpus, args.limit, cache)
                         - instructions(build, args.corpus, 0, cache)) / args.limit
        first = first or per_trial
        print(f"{build or 'installed package'}: {per_trial:,.0f} instructions per trial compiled "
              f"({args.limit} trials), {per_trial / first:.3f} x the first")


if __name__ == "__main__":
    main()

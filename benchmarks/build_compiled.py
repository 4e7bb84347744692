"""Build the compiled (mypyc) package into a folder, to benchmark or check a tree without installing it.

    pip install -e '.[compiled]'                           # mypy (its mypyc) and a C compiler
    python benchmarks/build_compiled.py DIR [--check N]    # a compiled copy of the package in DIR
    PYTHONPATH=DIR python benchmarks/bench_compile.py      # ... imported before the editable install
    python benchmarks/build_compiled.py --wheel DIST       # or keep the wheel

A regular install (``pip install .``, a wheel) already compiles the modules of
``screener/native.py`` (``MODULES``, item reading and the per-trial stages of ``screener
compile``) to C extensions with mypyc, as black and mypy ship theirs
(``build_backend/screener_build.py``); an editable install stays pure Python.  This script
runs that same build (the project's backend, in this environment: ``pip wheel
--no-build-isolation``) on the tree as it is, and unpacks the wheel into DIR, so an edited
compiled module can be measured and checked without reinstalling.  It fails instead of
falling back to pure Python (``SCREENER_REQUIRE_COMPILED=1``).  The source tree never receives an extension (they are built
under ``build/``).  The .py files stay beside the extensions (Python imports the extension
first), so tracebacks still show source lines.

A compiled module trusts its type hints: a value of another type than annotated raises
TypeError instead of passing through, and native classes cannot be weakly referenced.
So every build must prove it gives the same output as the sources: ``--check N`` compiles
the first N corpus trials with the sources and with the build (``check_equivalence.py``,
0: all 8,416) and fails on any difference.  The build takes about 1.5 minutes of CPU.

Left interpreted, each for a reason found when compiling it (mypy 2.4.1):
``rules`` and ``lexicon`` (pydantic models: with the pydantic mypy plugin mypyc emits C
naming ``pydantic.main`` that does not compile; with ``import pydantic.main`` added it
builds but fails at import on a ``Field(...)`` default; without the plugin mypy rejects
the models' calls); ``lazy`` (an ``if`` block in a class body); ``yamlio`` (its ruamel
subclasses become native classes that ruamel's loader cannot combine: "multiple bases
have instance lay-out conflict"; its writer, ``yamlwrite``, is compiled apart); ``units``, ``unit_types``, ``unit_conversion`` (an
import cycle through the interpreted ``lexicon`` crashes at import).  ``errors`` (with
the same raw-pattern change), ``sources``, ``patterns``, ``datacache`` and ``version``
compile and give the same output but take no measurable time; the other modules are not
on the compile path.  What stays interpreted used to be about 9 % of a compiled run's
time, most of it building and copying pydantic models and walking rule trees: the walks now
live in ``ruletree`` and the nodes the compiler makes and copies most are put together by
``readnodes`` and ``trusted`` without validating them again, all compiled (perf, 1,500
trials: pydantic's core 1.5 % -> 0.8 % of samples, the interpreter loop 8.5 % -> 7.4 %).

Options measured (whole corpus, CPU, same session): one shared library for all modules
(``group_name``) is faster than ``separate=True`` (about 3 %); ``debug_level="0"`` and
``strict_dunder_typing=True`` change nothing beyond noise, so the defaults are kept
(``debug_level="1"`` keeps line numbers in tracebacks).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from screener.native import GROUP, MODULES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "screener"


def build_wheel(dist: Path) -> Path:
    """The project's wheel, built here with this environment's mypy and dependencies: its path."""
    dist.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key != "SCREENER_PURE_PYTHON"} | {"SCREENER_REQUIRE_COMPILED": "1"}
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist.resolve()), str(ROOT)]
    subprocess.run(command, env=env, check=True)
    wheel = max(dist.glob("trial_screener-*.whl"), key=lambda path: path.stat().st_mtime)
    with zipfile.ZipFile(wheel) as archive:
        built = {Path(name).name.split(".")[0] for name in archive.namelist() if name.startswith("screener/") and name.endswith((".so", ".pyd"))}
    if missing := sorted(set(MODULES) - built):
        sys.exit(f"build_compiled: the wheel did not compile {', '.join(missing)} (the build's warning says why: rerun with pip -v)")
    return wheel


def build_folder(target: Path) -> None:
    """Build the wheel in a scratch folder, then put its package (with the extensions) into ``target``."""
    if target.resolve() == ROOT or PACKAGE in (target.resolve(), *target.resolve().parents):
        sys.exit(f"build_compiled: {target} would put extensions into the source tree; name another folder")
    built = target / "screener"
    if built.exists() and not any(built.glob("*.so")):
        sys.exit(f"build_compiled: {built} exists and is not a compiled build; not replacing it")
    with tempfile.TemporaryDirectory(prefix="screener-mypyc-") as scratch:
        wheel = build_wheel(Path(scratch))
        shutil.rmtree(built, ignore_errors=True)
        for old in target.glob(f"{GROUP}__mypyc*"):
            old.unlink()
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target, [name for name in archive.namelist() if ".dist-info/" not in name])
    print(f"compiled {len(MODULES)} modules into {target}: run with PYTHONPATH={target}")


def check(target: Path, limit: int) -> int:
    """Compile the first ``limit`` corpus trials with the sources, then with the build: 0 if no output differs."""
    script = str(ROOT / "benchmarks" / "check_equivalence.py")
    with tempfile.TemporaryDirectory(prefix="screener-mypyc-") as scratch:
        saved = str(Path(scratch) / "sources.tsv")
        for path, mode in ((ROOT, ["--save", saved]), (target.resolve(), ["--against", saved])):
            env = {**os.environ, "PYTHONPATH": str(path)}
            done = subprocess.run([sys.executable, script, "--limit", str(limit), *mode], env=env)
            if done.returncode:
                return done.returncode
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", nargs="?", type=Path, help="the folder to put the compiled package in")
    parser.add_argument("--wheel", type=Path, metavar="DIST", help="build a wheel into DIST instead")
    parser.add_argument("--check", type=int, metavar="N", help="then compare the output of the first N corpus trials (0: all)")
    args = parser.parse_args()
    if args.wheel:
        print(build_wheel(args.wheel))
        return 0
    if args.target is None:
        parser.error("name a target folder or --wheel DIST")
    build_folder(args.target)
    return check(args.target, args.check) if args.check is not None else 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``screener`` command as a process: the CLI app, with the garbage collector tuned for
a short run.

A command that checks one patient spends most of its CPU time importing and then tearing
down: the collector walks every object the imports made (the typer, pydantic and ruamel
modules, the lexicon, the rule models) again and again while they are made, and once more
at exit, although none of them is garbage.  So the young generation is collected less
often (10,000 new objects instead of 700; garbage is still collected, a long ``screen``
or ``compile`` keeps its memory bounded), and the objects alive when the command ends are
frozen, so that the exit does not walk them (normal exit otherwise: files closed, exit
code kept).  ``bench_startup.py`` measures it; in-process use (``screener.cli.app``, the
library) is not affected.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
"""New objects between two collections of the youngest generation (Python's default: 700)."""


def run() -> None:
    """Run the ``screener`` command line (the console script and ``python -m screener``)."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    from .cli import app

    try:
        app(prog_name="screener")
    finally:
        gc.freeze()

"""The command line: a thin layer over the library.

Every command turns library errors into one clear line on stderr and exit code 2;
files are written atomically (a temporary file, then a rename), so an error never
leaves half a file behind.  The commands live in ``screener.commands``, one module per
stage; this module makes the app and registers them, in the order ``--help`` lists them.
The helpers they share (``commands.common``) are importable from here too.
"""

from __future__ import annotations

import typer

from .commands.checking import check_command, match_command
from .commands.common import (EXIT_INPUT_ERROR, VERDICT_EXIT, ReportFormat, RulesFormat, clean_errors, colour, emit, fail,
                              progress_bar, rules_from, rules_hashed_from, stream, to_stdout, width)
from .commands.compiling import compile_command, stats_command
from .commands.converting import convert_command
from .commands.reviewing import review_command
from .commands.screening import screen_command
from .commands.sql_text import sql_command
from .commands.validating import schema_command, validate_command
from .version import __version__

__all__ = ["EXIT_INPUT_ERROR", "VERDICT_EXIT", "ReportFormat", "RulesFormat", "app", "clean_errors", "colour", "emit", "fail",
           "progress_bar", "rules_from", "rules_hashed_from", "stream", "to_stdout", "width"]

app = typer.Typer(
    help="Pre-screen patients for clinical trials: compile eligibility text into rules, check patients against them.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

COMMANDS = (("compile", compile_command), ("stats", stats_command), ("check", check_command), ("convert", convert_command),
            ("screen", screen_command), ("review", review_command), ("match", match_command), ("sql", sql_command),
            ("validate", validate_command), ("schema", schema_command))
"""The commands by name, in the order ``--help`` lists them."""

for _name, _command in COMMANDS:
    app.command(_name)(_command)


def _version(value: bool) -> None:
    if value:
        from .native import build

        typer.echo(f"screener {__version__}, {build()}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and the build (compiled with mypyc or pure Python) and exit."),
) -> None:
    """Pre-screen patients for clinical trials (a pre-screen, not a clinical decision)."""

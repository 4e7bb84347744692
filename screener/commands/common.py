"""What every command shares: errors as one line and exit code 2, output to a file
(atomically) or standard output, terminal width and colour, reading rule sets."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

import typer

from ..errors import ScreenerError
from ..output import write_atomically
from ..yamlio import printable_name

if TYPE_CHECKING:
    from ..rules import RuleSet

EXIT_INPUT_ERROR = 2
VERDICT_EXIT = {"eligible": 0, "needs_review": 10, "ineligible": 11}


class RulesFormat(str, Enum):
    yaml = "yaml"
    json = "json"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


def fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


def clean_errors(command):
    """Report screener's errors (and a missing file) as one line, never a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ScreenerError as exc:
            fail(str(exc))
        except BrokenPipeError:  # the reader left (| head): stop quietly, as other tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except OSError as exc:
            fail(f"{printable_name(exc.filename or '')}: {exc.strerror}".lstrip(": "))

    return wrapper


def emit(text: str, out: Optional[Path]) -> None:
    if out is not None and not to_stdout(out):
        write_atomically(out, text)
    else:
        sys.stdout.write(text)


def progress_bar(items: list, label: str):
    """A progress bar on a terminal, nothing in a pipe or a log."""
    if len(items) > 1 and sys.stderr.isatty():
        return typer.progressbar(items, label=label, file=sys.stderr)
    return nullcontext(items)


def width() -> int:
    """The terminal's width (or $COLUMNS); 100 in a pipe."""
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def colour() -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def to_stdout(out: Optional[Path]) -> bool:
    """Whether output goes to standard output: no --out, or --out -."""
    return out is None or str(out) == "-"


def rules_from(paths: list[Path]) -> list[RuleSet]:
    return rules_hashed_from(paths)[0]


def rules_hashed_from(paths: list[Path]) -> tuple[list[RuleSet], dict[str, str]]:
    """The rule sets and each file's SHA-256 by trial id; no rules at all is an error."""
    from ..inputs import read_rule_sets

    rule_sets, hashes = read_rule_sets(paths)
    if not rule_sets:
        fail(f"no rules files in {', '.join(map(str, paths))}")
    return rule_sets, hashes


def stream(chunks: Iterator[str], out: Optional[Path]) -> None:
    """Write text chunks to standard output, or atomically to ``out``."""
    if out is not None and not to_stdout(out):
        write_atomically(out, chunks)
    else:
        sys.stdout.writelines(chunks)

"""``screener review``: the review page of a rules file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import clean_errors, emit


@clean_errors
def review_command(
    rules_file: Path = typer.Argument(..., metavar="RULES", help="A rules file (YAML or JSON) from screener compile, or - for standard input."),
    source: Optional[Path] = typer.Option(
        None, "--source", "-s", help="The trial text the rules were compiled from; default: the file named in the rules' trial.source."
    ),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the page to this file (atomically) instead of standard output."),
    script: bool = typer.Option(True, "--script/--no-script", help="Include the small script that filters rules by kind."),
) -> None:
    """Write a review page: the criteria text with every rule on its words, unread numbers flagged.

    Example:  screener review rules/NCT02213705.yaml --source ../shared/seeds/000_1ac93559ada48c77.txt --out review.html
    """
    from ..review import review_page
    from ..stdin_spool import spooled

    with spooled(rules_file, ".yaml") as path:  # a relative trial.source is then found from the current folder
        page = review_page(path, source, filter_script=script)
    emit(page, out)

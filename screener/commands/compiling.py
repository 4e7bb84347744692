"""``screener compile`` and ``screener stats``: trial text into rules files, and how much of it compiles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import typer

from ..output import OutputFolder
from ..yamlio import printable_name
from .common import EXIT_INPUT_ERROR, RulesFormat, clean_errors, emit, fail, progress_bar


@clean_errors
def compile_command(
    sources: list[str] = typer.Argument(..., help="Criteria text files, registry JSON / JSONL / XML, directories of them, or - for standard input."),
    trial_id: Optional[str] = typer.Option(None, "--id", help="The trial's id (e.g. NCT02213705), when the source does not say."),
    fmt: RulesFormat = typer.Option(RulesFormat.yaml, "--format", "-f", help="Output format."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    out_dir: Optional[Path] = typer.Option(None, "--out-dir", help="For many trials: write one rules file per trial here, then a summary."),
) -> None:
    """Compile eligibility criteria into a reviewable rules file (or one per trial with --out-dir).

    Example:  screener compile ../shared/seeds/000_1ac93559ada48c77.txt --id NCT02213705 --out rules/NCT02213705.yaml
    """
    from ..compiler import Coverage, compile_source
    from ..rules import dump_rules
    from ..sources import iter_sources, read_sources

    if out_dir is None:
        found = [read_sources(path, trial_id) for path in sources]
        items = [item for group in found for item in group]
        if len(items) != 1:
            fail(f"{len(items)} trials in {', '.join(sources)}: give --out-dir to write one rules file per trial")
        emit(dump_rules(compile_source(items[0]), fmt.value), out)
        return
    coverage = Coverage()
    entries = list(iter_sources(sources, trial_id))
    with OutputFolder(out_dir) as folder, progress_bar(entries, "compiling") as progress:
        for index, (name, source, error) in enumerate(progress, start=1):
            if error is not None:
                coverage.fail(name, error.message)
                continue
            rules = compile_source(source)
            coverage.add(rules)
            file_name = re.sub(r"[^\w.\-]+", "_", rules.trial.id or f"trial-{index}")
            folder.write(f"{file_name}.{fmt.value}", dump_rules(rules, fmt.value))
    typer.echo(f"{coverage.summary()}\nrules files written to {printable_name(out_dir)}", err=True)
    if coverage.failures:
        raise typer.Exit(EXIT_INPUT_ERROR)


@clean_errors
def stats_command(
    sources: list[str] = typer.Argument(..., help="Trial sources, as for compile."),
    top: int = typer.Option(20, "--top", help="How many of the most frequent phrases left to review to list."),
) -> None:
    """Report how much of the criteria compiles, and the phrases most often left to manual review.

    Example:  screener stats ../shared/corpus/trials.jsonl --top 30
    """
    from ..compiler import Coverage, compile_source
    from ..sources import iter_sources

    coverage = Coverage()
    entries = list(iter_sources(sources))
    with progress_bar(entries, "compiling") as progress:
        for name, source, error in progress:
            if error is not None:
                coverage.fail(name, error.message)
            else:
                coverage.add(compile_source(source))
    typer.echo(coverage.report(top))
    if coverage.failures:
        raise typer.Exit(EXIT_INPUT_ERROR)

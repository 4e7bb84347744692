"""The command line: a thin layer over the library.

Every command turns library errors into one clear line on stderr and exit code 2;
files are written atomically (a temporary file, then a rename), so an error never
leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import nullcontext
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Iterator, Optional

import typer

from . import __version__
from .compiler import Coverage, compile_source
from .errors import InputError, ScreenerError
from .evaluate import check as check_patient
from .patient import load_patient
from .report import render
from .rules import RuleSet, dump_rules, load_rule_sets, load_rules
from .sources import iter_sources, read_sources
from .cohort import iter_patients
from .screen import ScreenResult, log_csv, matrix_html, matrix_table, prepare, rank_matches, results_jsonl
from .yamlio import RULES_LIMITS, dump_json, dump_yaml, load_yaml, printable_name
from .output import write_atomically
from .batch import screen_entries

app = typer.Typer(
    help="Pre-screen patients for clinical trials: compile eligibility text into rules, check patients against them.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

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


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_INPUT_ERROR)


def clean_errors(command):
    """Report screener's errors (and a missing file) as one line, never a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ScreenerError as exc:
            _fail(str(exc))
        except BrokenPipeError:  # the reader left (| head): stop quietly, as other tools do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except OSError as exc:
            _fail(f"{printable_name(exc.filename or '')}: {exc.strerror}".lstrip(": "))

    return wrapper


def _emit(text: str, out: Optional[Path]) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomically(out, text)


def _progress(items: list, label: str):
    """A progress bar on a terminal, nothing in a pipe or a log."""
    if len(items) > 1 and sys.stderr.isatty():
        return typer.progressbar(items, label=label, file=sys.stderr)
    return nullcontext(items)


@app.command("compile")
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
    if out_dir is None:
        found = [read_sources(path, trial_id) for path in sources]
        items = [item for group in found for item in group]
        if len(items) != 1:
            _fail(f"{len(items)} trials in {', '.join(sources)}: give --out-dir to write one rules file per trial")
        _emit(dump_rules(compile_source(items[0]), fmt.value), out)
        return
    coverage = Coverage()
    entries = list(iter_sources(sources, trial_id))
    with _progress(entries, "compiling") as progress:
        for index, (name, source, error) in enumerate(progress, start=1):
            if error is not None:
                coverage.fail(name, error.message)
                continue
            rules = compile_source(source)
            coverage.add(rules)
            file_name = re.sub(r"[^\w.\-]+", "_", rules.trial.id or f"trial-{index}")
            write_atomically(out_dir / f"{file_name}.{fmt.value}", dump_rules(rules, fmt.value))
    typer.echo(f"{coverage.summary()}\nrules files written to {printable_name(out_dir)}", err=True)
    if coverage.failures:
        raise typer.Exit(EXIT_INPUT_ERROR)


@app.command("stats")
@clean_errors
def stats_command(
    sources: list[str] = typer.Argument(..., help="Trial sources, as for compile."),
    top: int = typer.Option(20, "--top", help="How many of the most frequent phrases left to review to list."),
) -> None:
    """Report how much of the criteria compiles, and the phrases most often left to manual review.

    Example:  screener stats ../shared/corpus/trials.jsonl --top 30
    """
    coverage = Coverage()
    entries = list(iter_sources(sources))
    with _progress(entries, "compiling") as progress:
        for name, source, error in progress:
            if error is not None:
                coverage.fail(name, error.message)
            else:
                coverage.add(compile_source(source))
    typer.echo(coverage.report(top))


@app.command("check")
@clean_errors
def check_command(
    rules_file: Path = typer.Argument(..., metavar="RULES", help="A rules file (YAML or JSON) from screener compile."),
    patient_file: Path = typer.Argument(..., metavar="PATIENT", help="A patient profile (YAML)."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Report format."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the report to this file."),
    verdict_exit: bool = typer.Option(
        False, "--exit-code", help="Exit 0 eligible, 10 needs review, 11 ineligible (for scripts); otherwise 0 whenever the check ran."
    ),
    max_lab_age: Optional[int] = typer.Option(
        None, "--max-lab-age", metavar="DAYS", help="Treat lab values older than DAYS (or undated) as unknown."
    ),
) -> None:
    """Check a patient against a trial's rules and explain every criterion.

    Example:  screener check rules/NCT02213705.yaml examples/patients/ssc-eligible.yaml
    """
    result = check_patient(load_rules(rules_file), load_patient(patient_file), max_lab_age_days=max_lab_age)
    _emit(render(result, fmt.value), out)
    if verdict_exit:
        raise typer.Exit(VERDICT_EXIT[result.verdict])


class ScreenFormat(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    html = "html"


def _rule_sets(paths: list[Path]) -> list[RuleSet]:
    rule_sets = load_rule_sets(paths)
    if not rule_sets:
        _fail(f"no rules files in {', '.join(map(str, paths))}")
    return rule_sets


def _results(rule_sets: list[RuleSet], patients: list[str], explain: bool = True) -> Iterator[ScreenResult]:
    """Every patient against every rule set; an unreadable patient is an error row."""
    return screen_entries([prepare(rules) for rules in rule_sets], iter_patients(patients), explain)


def _stream(chunks: Iterator[str], out: Optional[Path]) -> None:
    """Write text chunks to standard output, or atomically to ``out``."""
    if out is None:
        sys.stdout.writelines(chunks)
    else:
        write_atomically(out, chunks)


def _counted(results: Iterator[ScreenResult], counts: dict[str, int], show: bool) -> Iterator[ScreenResult]:
    """Count verdicts as they pass, and show progress on a terminal."""
    done = 0
    for result in results:
        counts[result.verdict] = counts.get(result.verdict, 0) + 1
        done += 1
        if show and done % 200 == 0:
            typer.echo(f"\rscreened {done} patient-trial pairs", err=True, nl=False)
        yield result
    if show and done >= 200:
        typer.echo("", err=True)


@app.command("screen")
@clean_errors
def screen_command(
    patients: list[str] = typer.Argument(..., help="Patient profiles (YAML, multi-document YAML), CSV files (one row per patient), or folders of them."),
    rules: list[Path] = typer.Option(..., "--rules", "-r", help="Rules files or folders of them (repeat the option for several)."),
    fmt: ScreenFormat = typer.Option(ScreenFormat.table, "--format", "-f", help="table: patient x trial matrix; csv: screening log; jsonl; html."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file (atomically) instead of standard output."),
) -> None:
    """Screen every patient against every trial; one unreadable patient is an error row, the others go on.

    Example:  screener screen examples/patients --rules rules --format csv --out screening-log.csv
    """
    rule_sets = _rule_sets(rules)
    counts: dict[str, int] = {}
    results = _counted(_results(rule_sets, patients), counts, out is not None and sys.stderr.isatty())
    trials = [r.trial.id or "?" for r in rule_sets]
    chunks = (matrix_table(results, trials) if fmt.value == "table" else matrix_html(results, trials) if fmt.value == "html"
              else log_csv(results) if fmt.value == "csv" else results_jsonl(results))
    _stream(chunks, out)
    summary = ", ".join(f"{verdict} {count}" for verdict, count in sorted(counts.items()))
    typer.echo(f"screened {sum(counts.values())} patient-trial pairs: {summary}", err=True)
    if counts.get("error"):  # the output is complete, but someone was not screened
        raise typer.Exit(EXIT_INPUT_ERROR)


@app.command("match")
@clean_errors
def match_command(
    patient: str = typer.Argument(..., help="One patient profile (YAML)."),
    rules: list[Path] = typer.Option(..., "--rules", "-r", help="Rules files or folders of them."),
    fmt: RulesFormat = typer.Option(RulesFormat.yaml, "--format", "-f", help="yaml (readable) or json."),
) -> None:
    """The trials this patient may fit: eligible first, then needs review by the fewest unknowns, with the data to collect.

    Example:  screener match examples/patients/ten-eligible.yaml --rules rules
    """
    results = list(_results(_rule_sets(rules), [patient]))
    errors = [r for r in results if r.verdict == "error"]
    if errors:
        _fail(errors[0].error or "the patient cannot be read")
    ranked = rank_matches(results)
    data = {"patient": results[0].patient if results else patient,
            "matches": [r.model_dump(exclude={"patient", "error", "as_of"}) for r in ranked],
            "ineligible": [r.trial for r in results if r.verdict == "ineligible"]}
    typer.echo(dump_json(data) if fmt.value == "json" else dump_yaml(data), nl=False)


@app.command("validate")
@clean_errors
def validate_command(
    files: list[Path] = typer.Argument(..., help="Patient profiles or rules files."),
) -> None:
    """Check that patient profiles or rules files are well formed; exit 2 on the first bad one.

    Example:  screener validate examples/patients/*.yaml rules/*.yaml
    """
    for path in files:
        kind = _file_kind(path)
        try:
            if kind == "rules":
                rules = load_rules(path)
                typer.echo(f"{path}: rules for {rules.trial.id or 'an unnamed trial'}, {len(rules.criteria)} criteria")
            else:
                patient = load_patient(path)
                typer.echo(f"{path}: patient {patient.id}, {len(patient.measurements)} measurements, {len(patient.conditions)} conditions")
        except InputError as exc:
            exc.message += f" (read as a {kind} file: {_KIND_HINT[kind]})"
            raise


_KIND_HINT = {"rules": "it has trial, criteria or schema_version", "patient": "it has none of trial, criteria, schema_version"}


def _file_kind(path: Path) -> str:
    """"rules" when the top level has a rules file's keys, else "patient"."""
    data = load_yaml(path, limits=RULES_LIMITS).data
    return "rules" if isinstance(data, dict) and data.keys() & {"trial", "criteria", "schema_version"} else "patient"


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of rules files, for editors and validators.

    Example:  screener schema > rules.schema.json
    """
    typer.echo(json.dumps(RuleSet.model_json_schema(), indent=2))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"screener {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Pre-screen patients for clinical trials (a pre-screen, not a clinical decision)."""

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
from datetime import date, datetime
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

import typer

from .errors import InputError, ScreenerError
from .output import write_atomically
from .version import __version__
from .yamlio import printable_name

if TYPE_CHECKING:
    from .provenance import Provenance
    from .rules import RuleSet
    from .screen import ScreenResult

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
    if out is not None and not _stdout(out):
        write_atomically(out, text)
    else:
        sys.stdout.write(text)


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
    from .compiler import Coverage, compile_source
    from .rules import dump_rules
    from .sources import iter_sources, read_sources

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
    from .compiler import Coverage, compile_source
    from .sources import iter_sources

    coverage = Coverage()
    entries = list(iter_sources(sources))
    with _progress(entries, "compiling") as progress:
        for name, source, error in progress:
            if error is not None:
                coverage.fail(name, error.message)
            else:
                coverage.add(compile_source(source))
    typer.echo(coverage.report(top))
    if coverage.failures:
        raise typer.Exit(EXIT_INPUT_ERROR)


@app.command("check")
@clean_errors
def check_command(
    rules_file: str = typer.Argument(..., metavar="RULES", help="A rules file (YAML or JSON) from screener compile, or - for standard input."),
    patient_file: str = typer.Argument(..., metavar="PATIENT", help="A patient profile (YAML), or - for standard input."),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Report format."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the report to this file (- for standard output)."),
    verdict_exit: bool = typer.Option(
        False, "--exit-code", help="Exit 0 eligible, 10 needs review, 11 ineligible (for scripts); otherwise 0 whenever the check ran."
    ),
    max_lab_age: Optional[int] = typer.Option(
        None, "--max-lab-age", metavar="DAYS", help="Treat lab values older than DAYS (or undated) as unknown."
    ),
    show_unmapped: bool = typer.Option(False, "--show-unmapped", help="FHIR input: list on stderr what the record holds that was not used."),
    show_all: bool = typer.Option(False, "--all", "-a", help="Table: every criterion with its explanation, not only what decides."),
    show_paths: bool = typer.Option(False, "--show-paths", help="Name the patient's file in the report (left out by default)."),
) -> None:
    """Check a patient (YAML profile or FHIR R4 Bundle/NDJSON) against a trial's rules: the verdict, why, what would decide the rest.

    Example:  screener check rules/NCT02213705.yaml examples/patients/ssc-eligible.yaml
    """
    from .collect import ranked_result
    from .evaluate import check as check_patient
    from .inputs import read_patient, read_rules
    from .provenance import Provenance
    from .report import print_table, render

    if rules_file == "-" and patient_file == "-":
        _fail("only one of RULES and PATIENT can be read from standard input (-)")
    rules, digest = read_rules(rules_file)
    patient = read_patient(patient_file, show_unmapped)
    result = ranked_result(rules, check_patient(rules, patient, max_lab_age_days=max_lab_age), patient.sex)
    if not show_paths:
        result.patient.source = None
    stamp = Provenance.now({rules.trial.id or Path(rules_file).name: digest})
    text = render(result, fmt.value, width=_width(), full=show_all, provenance=stamp)
    if fmt.value == "table" and _stdout(out) and _colour():
        print_table(text)
    else:
        _emit(text, out)
    if verdict_exit:
        raise typer.Exit(VERDICT_EXIT[result.verdict])


class ConvertFormat(str, Enum):
    yaml = "yaml"


@app.command("convert")
@clean_errors
def convert_command(
    source: Path = typer.Argument(..., metavar="FHIR", help="A FHIR R4 Bundle (JSON), bulk NDJSON, a folder of them, or - for standard input."),
    to: ConvertFormat = typer.Option(ConvertFormat.yaml, "--to", help="Output format: yaml (a patient profile)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file (atomically) instead of standard output."),
    show_unmapped: bool = typer.Option(False, "--show-unmapped", help="List on stderr what the record holds that was not used."),
) -> None:
    """Convert FHIR records to YAML profiles to review or complete (several patients: one YAML document each).

    Example:  screener convert ../shared/data/fhir/Tom_Goodwin_e20de9eb-6f2d-4871-a43f-bbede53293ed.json --to yaml --out tom.yaml
    """
    from .fhir import iter_fhir, unused_summary
    from .profile_yaml import profile_yaml
    from .stdin_spool import SHOWN, renamed, spooled

    documents, errors = [], []
    piped = str(source) == "-"
    with spooled(source) as path:
        for record in iter_fhir([path]):
            if isinstance(record, ScreenerError):
                errors.append(renamed(record, path) if piped else record)  # one bad patient never loses the others
                continue
            if show_unmapped:
                summary = unused_summary(record)
                typer.echo(summary.replace(str(path), SHOWN) if piped else summary, err=True, nl=False)
            named = SHOWN if piped else record.file
            header = [f"converted from {named}", *(f"note: {note}" for note in record.notes)]
            documents.append(profile_yaml(record.patient, header))
    if documents:
        _emit("---\n".join(documents), out)
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    if errors:
        raise typer.Exit(EXIT_INPUT_ERROR)


def _width() -> int:
    """The terminal's width (or $COLUMNS); 100 in a pipe."""
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def _colour() -> bool:
    """Colour on a terminal only, and never when NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _stdout(out: Optional[Path]) -> bool:
    """Whether output goes to standard output: no --out, or --out -."""
    return out is None or str(out) == "-"


class EngineName(str, Enum):
    python = "python"
    duckdb = "duckdb"
    spark = "spark"


class ScreenFormat(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    html = "html"
    parquet = "parquet"


def _rule_sets(paths: list[Path]) -> list[RuleSet]:
    return _rule_sets_hashed(paths)[0]


def _rule_sets_hashed(paths: list[Path]) -> tuple[list[RuleSet], dict[str, str]]:
    """The rule sets and each file's SHA-256 by trial id; no rules at all is an error."""
    from .inputs import read_rule_sets

    rule_sets, hashes = read_rule_sets(paths)
    if not rule_sets:
        _fail(f"no rules files in {', '.join(map(str, paths))}")
    return rule_sets, hashes


def _results(rule_sets: list[RuleSet], patients: list[str], explain: bool = True,
             max_lab_age_days: float | None = None) -> Iterator[ScreenResult]:
    """Every patient against every rule set; an unreadable patient is an error row."""
    from .batch import screen_entries
    from .cohort import iter_patients
    from .screen import prepare

    return screen_entries([prepare(rules) for rules in rule_sets], iter_patients(patients), explain, max_lab_age_days)


def _stream(chunks: Iterator[str], out: Optional[Path]) -> None:
    """Write text chunks to standard output, or atomically to ``out``."""
    if out is not None and not _stdout(out):
        write_atomically(out, chunks)
    else:
        sys.stdout.writelines(chunks)


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
    patients: Optional[list[str]] = typer.Argument(None, help="Patient profiles (YAML, multi-document YAML), CSV files (one row per patient), FHIR R4 Bundles or NDJSON, or folders of them."),
    rules: list[Path] = typer.Option(..., "--rules", "-r", help="Rules files or folders of them (repeat the option for several)."),
    fmt: Optional[ScreenFormat] = typer.Option(None, "--format", "-f", help="table: patient x trial matrix; csv or parquet: screening log; jsonl; html. Default: from the --out suffix, else table."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file (atomically) instead of standard output."),
    omop: Optional[str] = typer.Option(None, "--omop", help="An OMOP CDM 5.4 database: a folder of CSV or Parquet tables, a DuckDB file, or a postgresql:// URL."),
    engine: Optional[EngineName] = typer.Option(None, "--engine", "-e", help="python, duckdb or spark. Default: duckdb for --omop, python for profiles."),
    as_of: Optional[datetime] = typer.Option(None, "--as-of", formats=["%Y-%m-%d"], help="With --omop: the date every person is screened on (default: each person's last observation)."),
    max_lab_age: Optional[int] = typer.Option(
        None, "--max-lab-age", metavar="DAYS", help="Treat lab values older than DAYS (or undated) as unknown (python engine)."
    ),
) -> None:
    """Screen every patient against every trial; one unreadable patient is an error row, the others go on.

    Example:  screener screen examples/patients --rules rules --format csv --out screening-log.csv
    Example:  screener screen --omop cdm/ --rules rules --out screening-log.parquet
    """
    from .provenance import Provenance

    if bool(patients) == bool(omop):
        _fail("give patient files or --omop PATH_OR_URL (one of them)")
    rule_sets, hashes = _rule_sets_hashed(rules)
    stamp = Provenance.now(hashes)
    chosen = (fmt.value if fmt else _format_from(out))
    if chosen == "parquet" and out is None:
        _fail("the parquet format needs --out FILE.parquet")
    name = engine.value if engine else ("duckdb" if omop else "python")
    if max_lab_age is not None and name != "python":
        _fail(f"--max-lab-age works on the python engine only (--engine python), not on {name}")
    counts: dict[str, int] = {}
    if omop or name != "python":
        _screen_population(rule_sets, patients or [], omop, name, as_of.date() if as_of else None, chosen, out, counts, stamp,
                           max_lab_age)
    else:
        results = _counted(_results(rule_sets, patients or [], max_lab_age_days=max_lab_age), counts,
                           not _stdout(out) and sys.stderr.isatty())
        _write_results(results, rule_sets, chosen, out, stamp)
    summary = ", ".join(f"{verdict} {count}" for verdict, count in sorted(counts.items()))
    typer.echo(f"screened {sum(counts.values())} patient-trial pairs: {summary}", err=True)
    if counts.get("error"):  # the output is complete, but someone was not screened
        raise typer.Exit(EXIT_INPUT_ERROR)


@app.command("review")
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
    from .review import review_page
    from .stdin_spool import spooled

    with spooled(rules_file, ".yaml") as path:  # a relative trial.source is then found from the current folder
        page = review_page(path, source, filter_script=script)
    _emit(page, out)


def _format_from(out: Optional[Path]) -> str:
    suffix = out.suffix.lower().lstrip(".") if out else ""
    return suffix if suffix in ("csv", "parquet", "jsonl", "html") else "table"


def _write_results(results: Iterator[ScreenResult], rule_sets: list[RuleSet], chosen: str, out: Optional[Path],
                   stamp: Provenance) -> None:
    from .screen import log_csv, matrix_html, matrix_table, results_jsonl

    if chosen == "parquet" and out is not None:
        from .engines import write_parquet

        write_parquet(results, out)
        return
    trials = [r.trial.id or "?" for r in rule_sets]
    chunks = (matrix_table(results, trials, stamp) if chosen == "table" else matrix_html(results, trials, stamp)
              if chosen == "html" else log_csv(results, stamp) if chosen == "csv" else results_jsonl(results, stamp))
    _stream(chunks, out)


def _screen_population(rule_sets: list[RuleSet], patients: list[str], omop: Optional[str], engine: str,
                       as_of: Optional[date], chosen: str, out: Optional[Path], counts: dict[str, int],
                       stamp: Provenance, max_lab_age: Optional[int] = None) -> None:
    """A population in the long tables (OMOP, or profiles read into them) on an engine; an
    unreadable profile is an error row per trial, as on the python engine (exit 2)."""
    from .cohort import iter_patients
    from .engines import copy_log, python_results, read_variables, sql_results, sql_screening
    from .omop import load_omop
    from .population import from_patients, readable_entries

    errors: list[tuple[str, str]] = []
    if omop:  # only the measurements the rules read
        con = load_omop(omop, as_of=as_of, variables=read_variables(rule_sets, engine))
    else:
        readable, errors = readable_entries(iter_patients(patients), rule_sets)
        con = from_patients(readable)
    if engine == "python":
        results = _counted(python_results(con, rule_sets, max_lab_age_days=max_lab_age), counts,
                           not _stdout(out) and sys.stderr.isatty())
        _write_results(results, rule_sets, chosen, out, stamp)
        return
    table = sql_screening(con, rule_sets, engine, errors)  # type: ignore[arg-type]
    for verdict, count in con.execute(f"SELECT verdict, count(*) FROM {table} GROUP BY ALL UNION ALL "
                                      f"SELECT 'error', count(*) FROM {table}_errors HAVING count(*) > 0").fetchall():
        counts[verdict] = counts.get(verdict, 0) + count
    if chosen in ("csv", "parquet") and out is not None:
        copy_log(con, table, out)
    else:
        _write_results(sql_results(con, table), rule_sets, chosen, out, stamp)


@app.command("match")
@clean_errors
def match_command(
    patient: str = typer.Argument(..., help="One patient profile (YAML, or a FHIR R4 Bundle), or - for standard input."),
    rules: list[Path] = typer.Option(..., "--rules", "-r", help="Rules files or folders of them."),
    fmt: RulesFormat = typer.Option(RulesFormat.yaml, "--format", "-f", help="yaml (readable) or json."),
    max_lab_age: Optional[int] = typer.Option(
        None, "--max-lab-age", metavar="DAYS", help="Treat lab values older than DAYS (or undated) as unknown."
    ),
) -> None:
    """The trials this patient may fit: eligible first, then those whose disease the patient has, by decisive items left.

    Example:  screener match examples/patients/ten-eligible.yaml --rules rules
    """
    from .inputs import read_patient
    from .matching import match_trials
    from .provenance import Provenance
    from .yamlio import dump_json, dump_yaml

    profile = read_patient(patient)
    rule_sets, hashes = _rule_sets_hashed(rules)
    ranked = match_trials(rule_sets, profile, max_lab_age_days=max_lab_age)
    data = {"patient": profile.id,
            "matches": [m.data() for m in ranked if m.verdict != "ineligible"],
            "ineligible": [{"trial": m.trial, "reasons": m.reasons} for m in ranked if m.verdict == "ineligible"],
            "report": Provenance.now(hashes).data()}
    typer.echo(dump_json(data) if fmt.value == "json" else dump_yaml(data), nl=False)


class Dialect(str, Enum):
    duckdb = "duckdb"
    spark = "spark"
    postgres = "postgres"
    trino = "trino"
    bigquery = "bigquery"
    snowflake = "snowflake"


@app.command("sql")
@clean_errors
def sql_command(
    rules: list[Path] = typer.Argument(..., help="Rules files or folders of them."),
    dialect: Dialect = typer.Option(Dialect.duckdb, "--dialect", "-d", help="SQL dialect to print."),
    max_lab_age: Optional[float] = typer.Option(None, "--max-lab-age", help="Maximum age in days of any lab value."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the SQL to this file."),
    units_from: Optional[str] = typer.Option(
        None, "--units-from", help="An OMOP CDM (folder, DuckDB file or postgresql:// URL) whose measurement units the "
        "SQL converts too; by default only the units the lexicon and the default ranges name are converted, and a "
        "value in any other unit is unknown."),
) -> None:
    """Print the SQL that screens a population (the long tables person, measurement,
    condition, event, answer) against the trials: one row per person and trial with the
    verdict, failing and undecided criteria and the data to collect.

    Example:  screener sql rules/NCT02213705.yaml --dialect spark --units-from omop/ > screen.sql
    """
    from .sql import screening_sql

    rule_sets = _rule_sets(rules)
    units = _population_units(units_from, rule_sets) if units_from else ()
    text = screening_sql(rule_sets, dialect.value, max_lab_age_days=max_lab_age, units=units)
    _emit(text.rstrip() + ";\n", out)


def _population_units(source: str, rule_sets: list[RuleSet]) -> list[tuple[str, str | None]]:
    """The (variable, unit) pairs of the measurements the rules read in an OMOP source."""
    from .engines import read_variables
    from .omop import load_omop

    con = load_omop(source, variables=read_variables(rule_sets, "duckdb"))
    return [(row[0], row[1]) for row in con.execute("SELECT DISTINCT variable, unit FROM measurement ORDER BY ALL").fetchall()]


@app.command("validate")
@clean_errors
def validate_command(
    files: list[Path] = typer.Argument(..., help="Patient profiles or rules files; - reads one from standard input."),
) -> None:
    """Check that patient profiles or rules files are well formed; exit 2 on the first bad one.

    Example:  screener validate examples/patients/*.yaml rules/*.yaml
    """
    from .fhir import is_fhir_path, read_fhir
    from .patient import load_patient
    from .rules import load_rules

    for path in files:
        if str(path) == "-":
            _validate_stdin()
            continue
        if is_fhir_path(path):
            record = read_fhir(path)
            typer.echo(f"{path}: FHIR patient {record.patient.id}, {len(record.patient.measurements)} measurements,"
                       f" {len(record.patient.conditions)} conditions, {sum(u.count for u in record.unused)} resources or values not used")
            continue
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


def _validate_stdin() -> None:
    """``screener validate -``: a profile or a rules file on standard input."""
    from .patient import parse_patient
    from .rules import parse_rules
    from .yamlio import RULES_LIMITS, parse_yaml

    text = sys.stdin.buffer.read().decode("utf-8-sig")
    data = parse_yaml(text, file="<stdin>", limits=RULES_LIMITS).data if not text.lstrip().startswith("{") else {"criteria": 1}
    if isinstance(data, dict) and data.keys() & {"trial", "criteria", "schema_version"}:
        rules = parse_rules(text, file="<stdin>")
        typer.echo(f"-: rules for {rules.trial.id or 'an unnamed trial'}, {len(rules.criteria)} criteria")
    else:
        patient = parse_patient(text, file="<stdin>", default_id="stdin")
        typer.echo(f"-: patient {patient.id}, {len(patient.measurements)} measurements, {len(patient.conditions)} conditions")


_KIND_HINT = {"rules": "it has trial, criteria or schema_version", "patient": "it has none of trial, criteria, schema_version"}


def _file_kind(path: Path) -> str:
    """"rules" when the top level has a rules file's keys, else "patient"."""
    from .yamlio import RULES_LIMITS, load_yaml

    data = load_yaml(path, limits=RULES_LIMITS).data
    return "rules" if isinstance(data, dict) and data.keys() & {"trial", "criteria", "schema_version"} else "patient"


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of rules files, for editors and validators.

    Example:  screener schema > rules.schema.json
    """
    from .rules import RuleSet

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

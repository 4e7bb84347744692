"""``screener screen``: every patient against every trial, from profiles or an OMOP database, on an engine."""

from __future__ import annotations

import sys
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional

import typer

from .common import EXIT_INPUT_ERROR, clean_errors, fail, rules_hashed_from, stream, to_stdout

if TYPE_CHECKING:
    from ..provenance import Provenance
    from ..rules import RuleSet
    from ..screen import ScreenResult


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
    from ..provenance import Provenance

    if bool(patients) == bool(omop):
        fail("give patient files or --omop PATH_OR_URL (one of them)")
    rule_sets, hashes = rules_hashed_from(rules)
    stamp = Provenance.now(hashes)
    chosen = (fmt.value if fmt else _format_from(out))
    if chosen == "parquet" and out is None:
        fail("the parquet format needs --out FILE.parquet")
    name = engine.value if engine else ("duckdb" if omop else "python")
    if max_lab_age is not None and name != "python":
        fail(f"--max-lab-age works on the python engine only (--engine python), not on {name}")
    counts: dict[str, int] = {}
    if omop or name != "python":
        _screen_population(rule_sets, patients or [], omop, name, as_of.date() if as_of else None, chosen, out, counts, stamp,
                           max_lab_age)
    else:
        results = _counted(_results(rule_sets, patients or [], max_lab_age_days=max_lab_age), counts,
                           not to_stdout(out) and sys.stderr.isatty())
        _write_results(results, rule_sets, chosen, out, stamp)
    summary = ", ".join(f"{verdict} {count}" for verdict, count in sorted(counts.items()))
    typer.echo(f"screened {sum(counts.values())} patient-trial pairs: {summary}", err=True)
    if counts.get("error"):  # the output is complete, but someone was not screened
        raise typer.Exit(EXIT_INPUT_ERROR)


def _results(rule_sets: list[RuleSet], patients: list[str], explain: bool = True,
             max_lab_age_days: float | None = None) -> Iterator[ScreenResult]:
    """Every patient against every rule set; an unreadable patient is an error row."""
    from ..batch import screen_entries
    from ..cohort import iter_patients
    from ..screen import prepare

    return screen_entries([prepare(rules) for rules in rule_sets], iter_patients(patients), explain, max_lab_age_days)


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


def _format_from(out: Optional[Path]) -> str:
    suffix = out.suffix.lower().lstrip(".") if out else ""
    return suffix if suffix in ("csv", "parquet", "jsonl", "html") else "table"


def _write_results(results: Iterator[ScreenResult], rule_sets: list[RuleSet], chosen: str, out: Optional[Path],
                   stamp: Provenance) -> None:
    from ..screen import log_csv, matrix_html, matrix_table, results_jsonl

    if chosen == "parquet" and out is not None:
        from ..engines import write_parquet

        write_parquet(results, out)
        return
    trials = [r.trial.id or "?" for r in rule_sets]
    chunks = (matrix_table(results, trials, stamp) if chosen == "table" else matrix_html(results, trials, stamp)
              if chosen == "html" else log_csv(results, stamp) if chosen == "csv" else results_jsonl(results, stamp))
    stream(chunks, out)


def _screen_population(rule_sets: list[RuleSet], patients: list[str], omop: Optional[str], engine: str,
                       as_of: Optional[date], chosen: str, out: Optional[Path], counts: dict[str, int],
                       stamp: Provenance, max_lab_age: Optional[int] = None) -> None:
    """A population in the long tables (OMOP, or profiles read into them) on an engine; an
    unreadable profile is an error row per trial, as on the python engine (exit 2)."""
    from ..cohort import iter_patients
    from ..engines import copy_log, python_results, read_variables, sql_results, sql_screening
    from ..omop import load_omop
    from ..population import from_patients, readable_entries

    errors: list[tuple[str, str]] = []
    if omop:  # only the measurements the rules read
        con = load_omop(omop, as_of=as_of, variables=read_variables(rule_sets, engine))
    else:
        readable, errors = readable_entries(iter_patients(patients), rule_sets)
        con = from_patients(readable)
    if engine == "python":
        results = _counted(python_results(con, rule_sets, max_lab_age_days=max_lab_age), counts,
                           not to_stdout(out) and sys.stderr.isatty())
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

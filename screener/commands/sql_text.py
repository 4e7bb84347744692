"""``screener sql``: the SQL that screens a population, in a dialect."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from .common import clean_errors, emit, rules_from

if TYPE_CHECKING:
    from ..rules import RuleSet


class Dialect(str, Enum):
    duckdb = "duckdb"
    spark = "spark"
    postgres = "postgres"
    trino = "trino"
    bigquery = "bigquery"
    snowflake = "snowflake"


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
    from ..sql import screening_sql

    rule_sets = rules_from(rules)
    units = _population_units(units_from, rule_sets) if units_from else ()
    text = screening_sql(rule_sets, dialect.value, max_lab_age_days=max_lab_age, units=units)
    emit(text.rstrip() + ";\n", out)


def _population_units(source: str, rule_sets: list[RuleSet]) -> list[tuple[str, str | None]]:
    """The (variable, unit) pairs of the measurements the rules read in an OMOP source."""
    from ..engines import read_variables
    from ..omop import load_omop

    con = load_omop(source, variables=read_variables(rule_sets, "duckdb"))
    return [(row[0], row[1]) for row in con.execute("SELECT DISTINCT variable, unit FROM measurement ORDER BY ALL").fetchall()]

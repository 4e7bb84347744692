"""``screener validate`` and ``screener schema``: well-formed inputs, and the rules files' JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..errors import InputError
from .common import clean_errors


@clean_errors
def validate_command(
    files: list[Path] = typer.Argument(..., help="Patient profiles or rules files; - reads one from standard input."),
) -> None:
    """Check that patient profiles or rules files are well formed; exit 2 on the first bad one.

    Example:  screener validate examples/patients/*.yaml rules/*.yaml
    """
    from ..fhir import is_fhir_path, read_fhir
    from ..patient import load_patient
    from ..rules import load_rules

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
    from ..patient import parse_patient
    from ..rules import parse_rules
    from ..yamlio import RULES_LIMITS, parse_yaml

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
    from ..yamlio import RULES_LIMITS, load_yaml

    data = load_yaml(path, limits=RULES_LIMITS).data
    return "rules" if isinstance(data, dict) and data.keys() & {"trial", "criteria", "schema_version"} else "patient"


def schema_command() -> None:
    """Print the JSON Schema of rules files, for editors and validators.

    Example:  screener schema > rules.schema.json
    """
    from ..rules import RuleSet

    typer.echo(json.dumps(RuleSet.model_json_schema(), indent=2))

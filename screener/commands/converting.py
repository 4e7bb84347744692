"""``screener convert``: FHIR records as YAML profiles to review or complete."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..errors import ScreenerError
from .common import EXIT_INPUT_ERROR, clean_errors, emit


class ConvertFormat(str, Enum):
    yaml = "yaml"


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
    from ..fhir import iter_fhir, unused_summary
    from ..profile_yaml import profile_yaml
    from ..stdin_spool import SHOWN, renamed, spooled

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
        emit("---\n".join(documents), out)
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    if errors:
        raise typer.Exit(EXIT_INPUT_ERROR)

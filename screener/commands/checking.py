"""``screener check`` and ``screener match``: one patient against one trial, or against every trial."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import VERDICT_EXIT, ReportFormat, RulesFormat, clean_errors, colour, emit, fail, rules_hashed_from, to_stdout, width


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
    from ..collect import ranked_result
    from ..evaluate import check as check_patient
    from ..inputs import read_patient, read_rules
    from ..provenance import Provenance
    from ..report import print_table, render

    if rules_file == "-" and patient_file == "-":
        fail("only one of RULES and PATIENT can be read from standard input (-)")
    rules, digest = read_rules(rules_file)
    patient = read_patient(patient_file, show_unmapped)
    result = ranked_result(rules, check_patient(rules, patient, max_lab_age_days=max_lab_age), patient.sex)
    if not show_paths:
        result.patient.source = None
    stamp = Provenance.now({rules.trial.id or Path(rules_file).name: digest})
    text = render(result, fmt.value, width=width(), full=show_all, provenance=stamp)
    if fmt.value == "table" and to_stdout(out) and colour():
        print_table(text)
    else:
        emit(text, out)
    if verdict_exit:
        raise typer.Exit(VERDICT_EXIT[result.verdict])


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
    from ..inputs import read_patient
    from ..matching import match_trials
    from ..provenance import Provenance
    from ..yamlio import dump_json, dump_yaml

    profile = read_patient(patient)
    rule_sets, hashes = rules_hashed_from(rules)
    ranked = match_trials(rule_sets, profile, max_lab_age_days=max_lab_age)
    data = {"patient": profile.id,
            "matches": [m.data() for m in ranked if m.verdict != "ineligible"],
            "ineligible": [{"trial": m.trial, "reasons": m.reasons} for m in ranked if m.verdict == "ineligible"],
            "report": Provenance.now(hashes).data()}
    typer.echo(dump_json(data) if fmt.value == "json" else dump_yaml(data), nl=False)

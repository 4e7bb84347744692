"""Reading the command line's inputs: ``-`` is standard input, and a rules file that was
read before comes from the data cache (keyed by its bytes), which saves parsing its YAML
on every ``screener check`` of the same trial."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .provenance import sha256_of

if TYPE_CHECKING:
    from .patient import Patient
    from .rules import RuleSet

STDIN = "-"


def read_rules(path: str | Path) -> tuple["RuleSet", str]:
    """The rule set and the SHA-256 of the file's bytes."""
    from .rules import load_rules, parse_rules

    if str(path) == STDIN:
        raw = sys.stdin.buffer.read()
        return parse_rules(raw.decode("utf-8-sig"), file="<stdin>"), sha256_of(raw)
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return load_rules(path), ""  # raises the error that names the file
    from .datacache import cached

    return cached("rules", [raw], lambda: load_rules(path)), sha256_of(raw)


def read_patient(path: str | Path, show_unmapped: bool = False) -> "Patient":
    """A patient profile from a file, one patient's FHIR R4 record (its notes, and with
    ``show_unmapped`` what it holds that was not used, go to stderr), or standard input for ``-``."""
    from .patient import load_patient, parse_patient

    if str(path) == STDIN:
        return parse_patient(sys.stdin.buffer.read().decode("utf-8-sig"), file="<stdin>", default_id="stdin")
    if Path(path).suffix.lower() in (".json", ".ndjson") or Path(path).is_dir():
        from .fhir import is_fhir_path, read_fhir, unused_summary

        if is_fhir_path(path):
            record = read_fhir(Path(path))
            sys.stderr.writelines(f"note: {note}\n" for note in record.notes)
            if show_unmapped:
                sys.stderr.write(unused_summary(record))
            return record.patient
    return load_patient(path)


def rules_files(paths: list[Path]) -> list[Path]:
    """Every rules file named, or found in the folders named (as ``load_rule_sets`` finds them)."""
    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json")) if path.is_dir() else [path]
    return files


def read_rule_sets(paths: list[Path]) -> tuple[list["RuleSet"], dict[str, str]]:
    """The rule sets under ``paths`` and the SHA-256 of each file, by trial id (file name
    when the trial has no id)."""
    rule_sets, hashes = [], {}
    for file in rules_files(paths):
        rules, digest = read_rules(file)
        rule_sets.append(rules)
        hashes[rules.trial.id or file.name] = digest
    return rule_sets, hashes

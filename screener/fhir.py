"""FHIR R4 records as patient profiles: ``load_fhir(path) -> Patient`` and ``iter_fhir``.

What is read (codes only, never display text; ``data/codes.yaml`` and the lexicon say
what each code means):
- Patient: gender -> sex, birthDate; deceased is reported in the notes.
- Observation (final, amended, corrected): LOINC code -> variable; ``valueQuantity`` with
  its UCUM code; ``component``s (blood pressure panels) by their own codes;
  ``referenceRange`` -> the value's LLN/ULN; the latest value on or before ``as_of`` is
  used and named ("latest of 4, 2020-05-12, LOINC 38483-4"); pregnancy status.
- Condition: SNOMED CT / ICD-10-CM -> conditions; clinicalStatus active, recurrence,
  relapse -> present, inactive, remission, resolved -> past; verificationStatus refuted
  or entered-in-error -> ignored, unconfirmed, provisional, differential -> unknown;
  onset and abatement -> diagnosed and ended.
- Procedure (completed, in-progress) and MedicationRequest / MedicationStatement (active,
  completed, stopped, on-hold) -> the events and conditions they record.  An active
  medication with no end date is taken as ongoing on ``as_of`` (the safe reading: "no
  chemotherapy within 4 weeks" must not be cleared by an open order's start date); a
  stopped one with no end date dates nothing (its start is not its last dose).
Everything else is listed in ``FhirRecord.unused`` with the reason, never an error.

Files are read and grouped by patient in ``fhir_read`` (resource models in
``fhir_models``); each patient's resources become a profile in ``fhir_record``.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .codes import Codes, get_codes
from .errors import PatientError, UnitError
from .fhir_read import FHIR_SUFFIXES, read_groups
from .fhir_record import FhirRecord, RecordBuilder, Unused, clean_text
from .patient import Patient

__all__ = ["FhirRecord", "Unused", "is_fhir_path", "iter_fhir", "load_fhir", "read_fhir", "unused_summary"]


_CODE = re.compile(rb'"code"\s*:\s*"([^"]+)"')
_DISPLAY = re.compile(rb'"display"\s*:\s*"((?:[^"\\]|\\.)*)"')
_LOINC_CODE = re.compile(rb'"http://loinc.org"\s*,\s*"code"\s*:\s*"([^"]+)"')


def _observation_filter(codes: Codes):
    """An NDJSON pre-filter: an Observation none of whose codes the code maps know is
    listed as not used without being parsed (most of a bulk export's lines)."""
    wanted = sorted({*codes.loinc, *codes.pregnancy.loinc}, key=len, reverse=True)
    known = re.compile(rb'"code"\s*:\s*"(?:' + b"|".join(re.escape(c.encode()) for c in wanted) + rb')"')

    def skip(resource_type: str, line: bytes) -> tuple[str, str] | None:
        if resource_type != "Observation" or known.search(line):
            return None
        loinc = _LOINC_CODE.search(line)
        code = loinc.group(1) if loinc else next(iter(_CODE.findall(line)), b"?")
        display = _DISPLAY.search(line)
        return _unused_label(code, display.group(1) if display else None)

    return skip


@lru_cache(maxsize=4096)
def _unused_label(code: bytes, display: bytes | None) -> tuple[str, str]:
    """(loinc.org|code, display) of a line left unparsed: the same few codes recur
    thousands of times in an export."""
    return f"loinc.org|{code.decode('utf-8', 'replace')}", clean_text(json.loads(b'"' + display + b'"')) if display is not None else ""


def iter_fhir(paths: Iterable[str | Path], as_of: dt.date | None = None) -> Iterator[FhirRecord | PatientError]:
    """Every patient of FHIR files and folders, one at a time; a patient whose resources
    cannot be read is its error (naming file, line or entry, resource and field), and the
    others go on."""
    codes, day = get_codes(), as_of or dt.date.today()
    keep = _observation_filter(codes)
    for path in paths:
        for group in read_groups(Path(path), keep):
            if group.error is not None:
                yield group.error
                continue
            try:
                yield RecordBuilder(group, codes, day).build()
            except (PatientError, UnitError) as error:
                yield PatientError(str(error.message), file=group.file, field=f"Patient/{group.key}")


def read_fhir(path: str | Path, as_of: dt.date | None = None) -> FhirRecord:
    """The one patient of a FHIR file (a Bundle, or NDJSON of one patient)."""
    records = list(iter_fhir([path], as_of))
    for record in records:
        if isinstance(record, PatientError):
            raise record
    if len(records) != 1:
        raise PatientError(f"holds {len(records)} patients; use screen for many", file=str(path))
    return records[0]  # type: ignore[return-value]


def load_fhir(path: str | Path, as_of: dt.date | None = None) -> Patient:
    """The patient of a FHIR R4 Bundle or one-patient NDJSON file, as a profile."""
    return read_fhir(path, as_of).patient


def is_fhir_path(path: str | Path) -> bool:
    """Whether a patient path is FHIR input: a .json or .ndjson file, or a folder holding them."""
    path = Path(path)
    if path.is_dir():
        return any(p.suffix.lower() in FHIR_SUFFIXES for p in path.rglob("*")) and not any(
            p.suffix.lower() in (".yaml", ".yml", ".csv") for p in path.rglob("*"))
    return path.suffix.lower() in FHIR_SUFFIXES


def unused_summary(record: FhirRecord) -> str:
    """The "not used" list: each code or resource type with its count and the reason."""
    lines = [f"not used from {record.file} (patient {record.patient.id}):"]
    for item in record.unused:
        what = f"{item.resource} {item.code} {item.display}".strip() if item.code else f"{item.resource} resources"
        lines.append(f"  {item.count:>4} x {what}: {item.reason}")
    return "\n".join(lines) + "\n"

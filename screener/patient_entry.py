"""One patient of a batch as read: the patient, or the error that stopped reading it.

Kept apart from the readers (``cohort``, ``clinic_csv``, FHIR) so that each can make
entries without importing the others.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError, PatientError, quote
from .patient import Patient


@dataclass(frozen=True)
class PatientEntry:
    """One patient of a cohort: the patient, or the error that stopped reading it."""

    name: str
    """``file.yaml``, ``file.yaml#3`` (third document), ``clinic.csv:12`` (row on line 12)."""
    patient: Patient | None = None
    error: PatientError | None = None
    id: str | None = None
    """For an error: the patient's id when it could still be read (a row's id cell)."""

    def __post_init__(self) -> None:
        if (self.patient is None) == (self.error is None):
            raise ValueError("a PatientEntry has exactly one of patient and error")


def as_patient_error(error: InputError) -> PatientError:
    if isinstance(error, PatientError):
        return error
    return PatientError(error.message, file=error.file, line=error.line, field=error.field)


def entry_error(error: Exception, file: str) -> PatientError:
    """Any failure while reading one patient, as that patient's error."""
    if isinstance(error, InputError):
        return as_patient_error(error)
    return PatientError(f"cannot be read ({type(error).__name__}: {quote(str(error))})", file=file)

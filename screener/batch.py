"""Screening a cohort without losing anyone: every entry ends as a row.

``screen_entries`` turns the entries of ``iter_patients`` into results for every trial:
an unreadable patient, a failure while screening one, or a second record with an id
already seen becomes an error row for that patient (named by its id when it can be read),
and the run goes on.  Duplicates are never merged: a matrix keyed by id would show one of
them and could hide an ineligible record behind an eligible one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .answers import AnswerIndex
from .cohort import PatientEntry
from .errors import PatientError, quote
from .screen import PreparedRules, ScreenResult, error_result, screen_one

DUPLICATE_MARK = " (duplicate)"
"""Appended to a repeated id in its error row, so that no table merges it with the first."""


def screen_entries(prepared: list[PreparedRules], entries: Iterable[PatientEntry],
                   explain: bool = True, max_lab_age_days: float | None = None) -> Iterator[ScreenResult]:
    """Every entry against every prepared rule set, one row per pair, errors included;
    ``max_lab_age_days`` as for ``check``."""
    first: dict[str, str] = {}  # id -> where it was first read
    index = AnswerIndex([p.rules for p in prepared])
    for entry in entries:
        if entry.error is not None:
            name = entry.id or Path(entry.name).name
            if name in first:  # never shown under the same name as another record
                name += DUPLICATE_MARK
            else:
                first[name] = entry.name
            yield from _error_rows(prepared, name, str(entry.error))
            continue
        patient = entry.patient
        assert patient is not None
        if patient.id in first:
            message = (f"duplicate patient id {quote(patient.id)} in {entry.name} (first in {first[patient.id]});"
                       " not screened: give each record its own id")
            yield from _error_rows(prepared, patient.id + DUPLICATE_MARK, message)
            continue
        first[patient.id] = entry.name
        try:
            answered = index.for_rule_sets(patient)
        except PatientError as exc:  # an answer to no criterion: that patient's error, the others go on
            yield from _error_rows(prepared, patient.id, str(exc))
            continue
        try:
            rows = [screen_one(rules, one, explain=explain, max_lab_age_days=max_lab_age_days)
                    for rules, one in zip(prepared, answered)]
        except Exception as exc:  # a bug must cost one patient, not the whole cohort
            message = f"{entry.name}: could not be screened ({type(exc).__name__}: {quote(str(exc))})"
            yield from _error_rows(prepared, patient.id, message)
        else:
            yield from rows


def _error_rows(prepared: list[PreparedRules], name: str, message: str) -> Iterator[ScreenResult]:
    for rules in prepared:
        yield error_result(name, message, rules.trial_id)

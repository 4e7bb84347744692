"""One criterion sentence, compiled as a trial with one item, checked for one small patient:
the shared step of the table-driven meaning tests (each row: section, text, profile, status)."""

from __future__ import annotations

from screener import check, compile_criteria
from screener.evaluate import Result
from screener.patient import parse_patient


def checked(section: str, text: str, profile: str) -> Result:
    """The sentence as the only item of its section, checked for the profile (YAML text) as of 2026-11-20."""
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    rules = compile_criteria(f"{heading}\n\n- {text}\n")
    return check(rules, parse_patient(f"id: P\nas_of: 2026-11-20\n{profile}\n"))


def assert_status(section: str, text: str, profile: str, expected: str) -> None:
    result = checked(section, text, profile)
    assert {c.status for c in result.criteria} == {expected}, result.criteria


def case_ids(cases: list[tuple]) -> list[str]:
    """Readable test ids: the sentence's start and the expected status."""
    return [f"{c[1][:40]}|{c[3]}" for c in cases]

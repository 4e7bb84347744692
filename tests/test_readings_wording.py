"""Two readings of one limit ("< 8 kPa (< 60 mmHg)"): the explanation says they disagree only
when both are decided and differ; a missing value is explained by what is missing."""

from __future__ import annotations

import pytest

from screener import check
from screener.compiler import compile_criteria
from screener.patient import parse_patient

TEXT = "Exclusion Criteria:\n\n- PaO2 < 8 kPa (< 60 mmHg) at rest\n"

CASES = [
    # (profile, status, says "disagree")
    ("measurements: {PaO2: 60 mmHg}", "unknown", True),   # 7.999 kPa is below 8 kPa, 60 mmHg is not below 60
    ("measurements: {}", "unknown", False),
    ("measurements: {PaO2: 80 mmHg}", "not_met", False),
]


@pytest.mark.parametrize("profile, status, disagree", CASES)
def test_disagreement_is_named_only_when_readings_differ(profile: str, status: str, disagree: bool) -> None:
    result = check(compile_criteria(TEXT), parse_patient(f"id: P\nas_of: 2026-11-20\n{profile}\n")).criteria[0]
    words = " ".join(leaf.explanation for leaf in result.details)
    assert result.status == status
    assert ("disagree" in words) is disagree, words

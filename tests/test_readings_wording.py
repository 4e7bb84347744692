"""Two readings of one limit ("< 8 kPa (< 60 mmHg)"): the explanation says they disagree only
when both are decided and differ; a missing value is explained by what is missing."""

from __future__ import annotations

import pytest

from screener import check
from screener.compiler import compile_criteria
from screener.patient import parse_patient

PAO2 = "Exclusion Criteria:\n\n- PaO2 < 8 kPa (< 60 mmHg) at rest\n"
HB = "Inclusion Criteria:\n\n- Haemoglobin of at least 6 mmol/L (approximately 10 g/dL)\n"

CASES = [
    # (text, profile, status, says "disagree")
    (HB, "measurements: {hemoglobin: 9.8 g/dL}", "unknown", True),  # 6.08 mmol/L is at least 6, 9.8 g/dL is not 10
    (PAO2, "measurements: {PaO2: 60 mmHg}", "not_met", False),  # a value in mmHg: the limit written in mmHg decides
    (PAO2, "measurements: {}", "unknown", False),
    (PAO2, "measurements: {PaO2: 80 mmHg}", "not_met", False),
]


@pytest.mark.parametrize("text, profile, status, disagree", CASES)
def test_disagreement_is_named_only_when_readings_differ(text: str, profile: str, status: str, disagree: bool) -> None:
    result = check(compile_criteria(text), parse_patient(f"id: P\nas_of: 2026-11-20\n{profile}\n")).criteria[0]
    words = " ".join(leaf.explanation for leaf in result.details)
    assert result.status == status
    assert ("disagree" in words) is disagree, words

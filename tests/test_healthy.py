"""The side of normal a limit lies on (``screener.healthy``), and what an inclusion's opening
"No" keeps inside its scope because of it."""

from __future__ import annotations

import pytest

from screener.healthy import admits_healthy
from screener.lexicon import get_lexicon
from screener.rules import AnyOf, Comparison, Condition

# (variable, op, value, unit, expected): True, a typical healthy value meets the limit; False, only
# abnormal values do; None, it cannot be told
SIDES = [
    ("creatinine", "<", 1.5, "mg/dL", True),
    ("creatinine", ">", 5.65, "mg/dL", False),
    ("creatinine", "<=", 133, "umol/L", True),  # converted with the analyte's molar mass
    ("creatinine", ">=", 200, "umol/L", False),
    ("platelets", ">=", 100000, "/mm3", True),
    ("platelets", "<", 80000, "/mm3", False),
    ("hemoglobin", ">=", 10, "g/dL", True),  # sex-specific ranges: both sexes agree
    ("hemoglobin", "<", 12, "g/dL", False),
    ("magnesium", ">=", 1.4, "mEq/L", True),  # at the edge of the interval: its middle decides
    ("alt", "<=", 2.5, "ULN", True),
    ("alt", "<=", 1, "ULN", True),
    ("alt", "<", 1, "ULN", False),
    ("alt", ">", 3, "ULN", False),
    ("neutrophils", ">=", 1, "LLN", True),
    ("neutrophils", ">", 0.5, "LLN", True),
    ("neutrophils", "<", 1, "LLN", False),
    ("lvef", ">=", 50, "%", True),
    ("lvef", "<", 40, "%", False),
    ("diastolic_bp", ">=", 120, "mmHg", False),
    ("temperature", ">", 38, "degC", False),
    ("egfr", ">=", 60, "mL/min/1.73m2", True),  # a range with a lower limit only
    ("egfr", "<", 30, "mL/min/1.73m2", False),
    ("nyha_class", ">=", 3, None, None),  # no reference range
    ("creatinine", "==", 1.0, "mg/dL", None),
    ("creatinine", "<", 1.5, "g", None),  # no conversion
]


@pytest.mark.parametrize("variable, op, value, unit, expected", SIDES, ids=[f"{c[0]}{c[1]}{c[2]}{c[3]}" for c in SIDES])
def test_side_of_a_limit(variable: str, op: str, value: float, unit: str | None, expected: bool | None) -> None:
    limit = Comparison(variable=variable, op=op, value=value, unit=unit)  # type: ignore[arg-type]
    assert admits_healthy(limit, get_lexicon()) is expected


def test_joined_limits_take_the_side_of_their_parts() -> None:
    lexicon = get_lexicon()
    healthy = Comparison(variable="creatinine", op="<", value=1.5, unit="mg/dL")
    unknown = Comparison(variable="nyha_class", op=">=", value=3)
    abnormal = Comparison(variable="platelets", op="<", value=80000, unit="/mm3")
    assert admits_healthy(AnyOf(items=[healthy, unknown]), lexicon) is True
    assert admits_healthy(AnyOf(items=[healthy, abnormal]), lexicon) is False
    assert admits_healthy(AnyOf(items=[healthy, Condition(condition="stroke")]), lexicon) is None


def checked(section: str, text: str, profile: str) -> set[str]:
    from sentence_cases import checked as check_one
    return {c.status for c in check_one(section, text, profile).criteria}


HEALTHY = "conditions: {stroke: absent, kidney disease: absent, liver disease: absent, heart failure: absent}\n"

# An inclusion opened by "No": a later limit that healthy values meet is a requirement of its own; one
# that only abnormal values meet describes the finding negated.  Read the other way, the first would
# exclude the patients it admits, the second admit the patients it excludes.
SENTENCES = [
    ("No history of stroke, creatinine < 1.5 mg/dL", HEALTHY + "measurements: {creatinine: 1.0 mg/dL}", {"met"}),
    ("No history of stroke, creatinine < 1.5 mg/dL", HEALTHY + "measurements: {creatinine: 2.0 mg/dL}", {"not_met"}),
    ("No history of chronic liver disease Adequate liver function as indicated by ALT less than 1.5 times the upper "
     "limit of normal", HEALTHY + "measurements: {ALT: {value: 30, unit: U/L, uln: 40 U/L}}", {"met"}),
    ("No history of chronic liver disease Adequate liver function as indicated by ALT less than 1.5 times the upper "
     "limit of normal", HEALTHY + "measurements: {ALT: {value: 90, unit: U/L, uln: 40 U/L}}", {"not_met"}),
    # the connector between the limits holds: either is enough
    ("No active renal disease Creatinine no greater than 1.8 mg/dL OR Creatinine clearance at least 60 mL/min",
     HEALTHY + "measurements: {creatinine: 2.5 mg/dL, creatinine clearance: 70 mL/min}", {"met"}),
    ("No active renal disease Creatinine no greater than 1.8 mg/dL OR Creatinine clearance at least 60 mL/min",
     HEALTHY + "measurements: {creatinine: 2.5 mg/dL, creatinine clearance: 40 mL/min}", {"not_met"}),
    # an abnormal limit stays inside: "No end stage renal failure (creatinine greater than 5.65 mg/dL)"
    ("No end stage renal failure (creatinine greater than 5.65 mg/dL after rehydration)",
     "measurements: {creatinine: 1.0 mg/dL}", {"met"}),
    ("No severe hypertension, i.e.: Systolic 200 mm Hg or more Diastolic 120 mm Hg or more",
     "conditions: {hypertension: absent}\nmeasurements: {systolic blood pressure: 130 mmHg, diastolic blood pressure: 80 mmHg}",
     {"met", "unknown"}),
    # a limit in brackets defines the finding before it
    ("No coagulopathy (i.e., platelets less than 80,000)", "measurements: {platelets: 250000 /mm3}", {"met", "unknown"}),
    # ... but not after unread words that open an item of their own
    ("No history of stroke Normal renal function (creatinine less than 1.5 mg/dL)",
     HEALTHY + "measurements: {creatinine: 1.0 mg/dL}", {"met"}),
    ("No history of stroke Normal renal function (creatinine less than 1.5 mg/dL)",
     HEALTHY + "measurements: {creatinine: 2.0 mg/dL}", {"not_met"}),
    # a limit under a condition of its own is never decided against the patient on its own
    ("No history of significant pulmonary disease or, if there is preexisting pulmonary disease, then DLCO greater "
     "than 60% of predicted", "conditions: {lung disease: absent}\nmeasurements: {DLCO: 50 %}", {"unknown"}),
]


@pytest.mark.parametrize("text, profile, expected", SENTENCES, ids=[c[0][:40] + "|" + "".join(sorted(c[2])) for c in SENTENCES])
def test_limit_beside_an_opening_negation(text: str, profile: str, expected: set[str]) -> None:
    assert checked("inclusion", text, profile) <= expected

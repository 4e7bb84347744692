"""The meaning audit (benchmarks/audit_meaning.py) on real sentences: it finds each kind of
mismatch in a rule that has it, and the compiler's rules for the same sentences show none."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from screener import compile_criteria
from screener.rules import AllOf, Condition, Criterion, Manual, Not

_SPEC = importlib.util.spec_from_file_location("audit_meaning", Path(__file__).parents[1] / "benchmarks" / "audit_meaning.py")
assert _SPEC and _SPEC.loader
audit_meaning = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(audit_meaning)

SAMPLE = """Inclusion Criteria:

- Are not pregnant.
- No history of myocardial infarction within the past 6 months
- Creatinine <= 1.5 mg/dL OR
- creatinine clearance >= 60 mL/min
- No significant heart failure

Exclusion Criteria:

- Clinically significant heart failure
- Active hepatitis B
- History of malignancy of the testes
"""


def test_the_compiler_passes_the_audit_on_a_sample() -> None:
    rules = compile_criteria(SAMPLE)
    assert dict(audit_meaning.audit(rules, SAMPLE)) == {}


def crit(rule, section="inclusion", text="No heart failure") -> Criterion:
    return Criterion(id="C1", section=section, text=text, span=(0, len(text)), rule=rule)


HF = Condition(condition="heart_failure")


@pytest.mark.parametrize("criterion, kind", [
    (crit(HF), "negated_inclusion_positive"),
    (crit(Not(item=AllOf(items=[HF, Manual(question="significant?")]))), "question_under_not"),
    (crit(Condition(condition="heart_failure", span=(23, 36)), "exclusion", "Clinically significant heart failure"),
     "bare_qualified_exclusion"),
])
def test_the_audit_finds_each_kind(criterion: Criterion, kind: str) -> None:
    assert kind in audit_meaning.audit_criterion(criterion, criterion.text)


def test_the_audit_finds_an_or_bullet_left_alone() -> None:
    text = "- Creatinine <= 1.5 mg/dL OR\n- creatinine clearance >= 60 mL/min\n"
    first = Criterion(id="I1", section="inclusion", text="Creatinine <= 1.5 mg/dL OR", span=(2, 28), rule=HF)
    assert "or_bullet_separate" in audit_meaning.audit_criterion(first, text)

"""``rules_data`` reads the models' fields directly: it must give exactly what pydantic's
serializer gives (keys, key order, types), or a rules file would change when written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.compiler import compile_source
from screener.rules import (AllOf, AnyOf, Comparison, Condition, Criterion, Duration, Interval, Manual, NoRequirement, Not,
                            Quantity, Readings, Restrict, RuleSet, Sex, Trial, Unless, Window, _without_empty, load_rules,
                            rules_data)
from screener.sources import read_sources

ROOT = Path(__file__).resolve().parents[1]


def _by_pydantic(rules: RuleSet) -> str:
    return json.dumps(_without_empty(rules.model_dump(mode="json", exclude_none=True)))


def _rule_set(rule, **criterion) -> RuleSet:
    fields = {"id": "I1", "section": "inclusion", "text": "x", "rule": rule, **criterion}
    return RuleSet(trial=Trial(id="T"), criteria=[Criterion(**fields)])


LIMIT = Comparison(variable="hemoglobin", op=">=", value=9.5, unit="g/dL", span=(3, 9), text="Hb 9.5")
CASES = {
    "float and int limits": AllOf(items=[LIMIT, Comparison(variable="age", op="<", value=18, unit="year")]),
    "restatements and context": Comparison(variable="pao2", op="<", value=8, unit="kPa", alt=[Quantity(value=60, unit="mmHg")],
                                           context=["at rest"], within=Duration(value=4, unit="week")),
    "window": Comparison(variable="nihss", op=">=", value=4,
                         window=Window(event="onset", start=Duration(value=1, unit="day"), end=Duration(value=10, unit="day"))),
    "condition, interval, sex": AnyOf(items=[Condition(condition="pregnancy", timing="history", within=Duration(value=6, unit="month")),
                                             Interval(start="onset", op="<", value=10, unit="day"), Sex(sex="female")]),
    "every compound": Unless(item=Not(item=Readings(items=[LIMIT, LIMIT])),
                             exception=Restrict(group=Sex(sex="male"), item=Manual(question="q?", id="I1.1", key="k.q1"), outside=True)),
    "no requirement": NoRequirement(span=(0, 1)),
    "a number past 2**53, kept as a float": Comparison(variable="platelets", op=">", value=2**60, unit="10^9/L"),
}


@pytest.mark.parametrize("name", CASES)
def test_rules_data_is_what_pydantic_serializes(name: str) -> None:
    rules = _rule_set(CASES[name], notes=["a note"], heading="Labs:", span=(0, 1))
    assert json.dumps(rules_data(rules)) == _by_pydantic(rules)


def test_a_value_the_fields_should_not_hold_takes_pydantic_path() -> None:
    rule = Comparison.model_construct(kind="comparison", variable="x", op="<", value=float("inf"), alt=[], context=[],
                                      span=None, text=None, label=None, unit=None, unit_implied=None, within=None, window=None)
    rules = RuleSet.model_construct(schema_version=1, trial=Trial(), criteria=[
        Criterion.model_construct(id="I1", section="inclusion", text="x", rule=rule, notes=[], key=None, fingerprint=None,
                                  span=None, heading=None, field=None, manual=False)])
    assert json.dumps(rules_data(rules)) == _by_pydantic(rules)
    assert "Infinity" not in _by_pydantic(rules)  # pydantic writes no number for it (null)


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*.yaml")), ids=lambda p: p.stem)
def test_reviewed_rules_files(path: Path) -> None:
    rules = load_rules(path)
    assert json.dumps(rules_data(rules)) == _by_pydantic(rules)


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt")), ids=lambda p: p.stem)
def test_compiled_seeds(path: Path) -> None:
    rules = compile_source(read_sources(str(path))[0])
    assert json.dumps(rules_data(rules)) == _by_pydantic(rules)


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt")), ids=lambda p: p.stem)
def test_compiled_criteria_are_what_validation_makes(path: Path) -> None:
    """The compiler builds its criteria without validating them again: each must have every
    field, and equal the criterion validation makes of the same values."""
    for criterion in compile_source(read_sources(str(path))[0]).criteria:
        assert list(criterion.__dict__) == list(Criterion.model_fields)
        assert Criterion(**criterion.__dict__) == criterion
        assert Criterion.model_validate(criterion.model_dump()) == criterion

"""Nodes made or copied without validation (screener.trusted, screener.readnodes, itemmemo.moved)
are the nodes pydantic's own path gives: the same type, the same field values in the same
order, and the same fields counted as set (``model_dump(exclude_unset=True)`` reads them)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from screener import readnodes as made
from screener.compiler import compile_criteria
from screener.itemmemo import moved
from screener.rules import (AllOf, AnyOf, Comparison, Condition, Criterion, Duration, Manual, Node, Not, Quantity, Restrict,
                            RuleSet, Sex, Trial, Unless, walk)
from screener.trusted import assign, copy_holding, copy_with


def same(got: BaseModel, expected: BaseModel) -> None:
    assert type(got) is type(expected)
    assert list(got.__dict__.items()) == list(expected.__dict__.items())
    assert got.model_fields_set == expected.model_fields_set
    assert got.model_dump(exclude_unset=True) == expected.model_dump(exclude_unset=True)


def question() -> Manual:
    return Manual(question="Any other disease?", span=(4, 9))


def hiv() -> Condition:
    return Condition(condition="hiv", label="HIV infection", span=(0, 3))


QUANTITIES = [Quantity(value=60, unit="mm[Hg]")]
MADE = [  # (made, the validated call its docstring names)
    (lambda: made.not_(hiv(), (0, 9)), lambda: Not(item=hiv(), span=(0, 9))),
    (lambda: made.not_(question(), None), lambda: Not(item=question(), span=None)),
    (lambda: made.unless(hiv(), question(), (0, 20)), lambda: Unless(item=hiv(), exception=question(), span=(0, 20))),
    (lambda: made.restrict(Sex(sex="female"), hiv(), False, (1, 2)),
     lambda: Restrict(group=Sex(sex="female"), item=hiv(), outside=False, span=(1, 2))),
    (lambda: made.restrict(hiv(), question(), True, None), lambda: Restrict(group=hiv(), item=question(), outside=True, span=None)),
    (lambda: made.sex("female", (3, 8)), lambda: Sex(sex="female", span=(3, 8))),
    (lambda: made.sex("male", None), lambda: Sex(sex="male", span=None)),
    (lambda: made.comparison("creatinine", "creatinine", "<=", 1.5, "mg/dL", None, [], (0, 20)),
     lambda: Comparison(variable="creatinine", label="creatinine", op="<=", value=1.5, unit="mg/dL", unit_implied=None, alt=[],
                        span=(0, 20), text=None)),
    (lambda: made.comparison("pao2", None, "<", 8, "kPa", True, QUANTITIES, None),
     lambda: Comparison(variable="pao2", label=None, op="<", value=8, unit="kPa", unit_implied=True, alt=QUANTITIES, span=None,
                        text=None)),
    (lambda: made.comparison("age", "age", ">=", 2**60, "year", None, [], (0, 2)),  # beyond exact floats: validated
     lambda: Comparison(variable="age", label="age", op=">=", value=2**60, unit="year", unit_implied=None, alt=[], span=(0, 2),
                        text=None)),
    (lambda: made.limit("age", "age", ">=", 18, "year", (0, 8)),
     lambda: Comparison(variable="age", label="age", op=">=", value=18, unit="year", span=(0, 8))),
    (lambda: made.limit("age", "age", "<=", 64.5, "year", None),
     lambda: Comparison(variable="age", label="age", op="<=", value=64.5, unit="year", span=None)),
    (lambda: made.trial("NCT00000001", None, "registry"), lambda: Trial(id="NCT00000001", title=None, source="registry")),
    (lambda: made.rule_set(Trial(id="x"), [Criterion(id="I1", section="inclusion", text="t", rule=question())]),
     lambda: RuleSet(trial=Trial(id="x"), criteria=[Criterion(id="I1", section="inclusion", text="t", rule=question())])),
]


@pytest.mark.parametrize("made_node, validated", MADE)
def test_a_made_node_is_the_validated_node(made_node, validated) -> None:
    same(made_node(), validated())


@pytest.mark.parametrize("call", [
    lambda: made.comparison("age", None, "=>", 18, "year", None, [], None),  # not an operator of the model
    lambda: made.comparison("age", None, ">=", math.inf, "year", None, [], None),
    lambda: made.comparison("age", None, ">=", math.nan, "year", None, [], None),
    lambda: made.sex("other", None),
    lambda: made.limit("age", "age", "≥", 18, "year", None),
    lambda: made.limit("age", "age", ">=", math.inf, "year", None),
])
def test_what_validation_refuses_is_still_refused(call) -> None:
    with pytest.raises(ValidationError):
        call()


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.integers(-2**60, 2**60), st.floats(), st.booleans()), st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "≥"]))
def test_a_made_comparison_is_the_validated_one_or_the_same_error(value, op) -> None:
    def validated() -> Comparison:
        return Comparison(variable="x", label=None, op=op, value=value, unit=None, unit_implied=None, alt=[], span=(0, 1), text=None)
    try:
        expected = validated()
    except ValidationError:
        with pytest.raises(ValidationError):
            made.comparison("x", None, op, value, None, None, [], (0, 1))
        return
    same(made.comparison("x", None, op, value, None, None, [], (0, 1)), expected)


def test_made_lists_are_their_own() -> None:
    alt = [Quantity(value=60, unit="mm[Hg]")]
    criteria = [Criterion(id="I1", section="inclusion", text="t", rule=question())]
    limit, rules = made.comparison("x", None, "<", 8, "kPa", None, alt, None), made.rule_set(Trial(), criteria)
    alt.append(Quantity(value=1))
    criteria.clear()
    assert len(limit.alt) == 1 and len(rules.criteria) == 1


COPIES = [  # (node, the changes)
    (question(), {"id": "I4.1"}),
    (question(), {"key": "I-any-other-1a2b.q1", "id": None}),
    (Not(item=hiv()), {"item": question()}),
    (AllOf(items=[hiv(), question()], span=(0, 30)), {"items": [question()]}),
    (Comparison(variable="x", op="<", value=1, context=["at rest"]), {"context": ["at rest", "on air"]}),
    (Criterion(id="I1", section="inclusion", text="t", rule=question()), {"key": "I-t-0000", "fingerprint": "0" * 16}),
]


@pytest.mark.parametrize("node, changes", COPIES)
def test_copy_with_is_model_copy(node: BaseModel, changes: dict) -> None:
    got, expected = copy_with(node, **changes), node.model_copy(update=changes)
    same(got, expected)
    assert got is not node and got.model_fields_set is not node.model_fields_set


@pytest.mark.parametrize("node, changes", COPIES)
def test_copy_holding_is_a_copy_with_new_values(node: BaseModel, changes: dict) -> None:
    data = {**node.__dict__, **changes}
    expected = node.__copy__()
    expected.__dict__.update(changes)
    got = copy_holding(node, data)
    same(got, expected)
    assert got.__dict__ is data and got.model_fields_set is not node.model_fields_set


@pytest.mark.parametrize("node, changes", COPIES)
def test_assign_is_setattr(node: BaseModel, changes: dict) -> None:
    got, expected = node.model_copy(), node.model_copy()
    assign(got, **changes)
    for name, value in changes.items():
        setattr(expected, name, value)
    same(got, expected)


def _moved_plainly(node: BaseModel, delta: int, copies: dict[int, BaseModel]) -> BaseModel:
    """``itemmemo.moved`` as it was first written: pydantic's copy, then every field set anew."""
    if id(node) in copies:
        return copies[id(node)]
    new = node.__copy__()
    fields = new.__dict__
    for name, value in fields.items():
        if isinstance(value, BaseModel):
            fields[name] = _moved_plainly(value, delta, copies)
        elif isinstance(value, list):
            fields[name] = [_moved_plainly(v, delta, copies) if isinstance(v, BaseModel) else v for v in value]
    if fields.get("span") is not None:
        fields["span"] = (fields["span"][0] + delta, fields["span"][1] + delta)
    copies[id(node)] = new
    return new


TEXTS = [
    "Inclusion Criteria:\n- Creatinine <= 1.5 mg/dL or creatinine clearance >= 60 mL/min\n- PaO2 < 8 kPa (< 60 mmHg) at rest\n"
    "Exclusion Criteria:\n- Pregnant or breastfeeding women\n- History of stroke unless more than 6 months ago\n"
    "- Women of childbearing potential not using contraception\n- No other malignancy, except basal cell carcinoma",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("delta", [0, 7, -3])
def test_moved_is_the_plain_copy(text: str, delta: int) -> None:
    for criterion in compile_criteria(text).criteria:
        got, expected = moved(criterion.rule, delta), _moved_plainly(criterion.rule, delta, {})
        pairs = list(zip(walk(got), walk(expected), walk(criterion.rule)))
        assert len(pairs) == len(list(walk(criterion.rule)))
        for new, plain, old in pairs:
            same(new, plain)
            assert new is not old


def test_moved_keeps_a_shared_window_shared() -> None:
    within = Duration(value=6, unit="month")
    tree: Node = AnyOf(items=[Condition(condition="a", within=within), Condition(condition="b", within=within)], span=(0, 5))
    copy = moved(tree, 10)
    first, second = copy.items  # type: ignore[union-attr]
    assert first.within is second.within and first.within is not within and first.within == within  # type: ignore[union-attr]

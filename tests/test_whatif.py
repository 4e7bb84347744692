"""The what-if tree of a criterion is its rule as the plan explained it: every explained
result aligns with its rule, and the tree evaluated on the explained statuses gives the
criterion's own status (so "decisive" is computed on the rule the verdict came from)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener import check
from screener.patient import Patient
from screener.rules import AllOf, Comparison, Condition, Criterion, Readings, Restrict, RuleSet, Sex, Trial, Unless
from screener.whatif import align, evaluate
from sql_agreement import patients, rule_pool


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_every_explained_criterion_aligns_and_evaluates_to_its_status(data):
    rules = data.draw(st.sampled_from(rule_pool()))
    patient = data.draw(patients([rules], 0))
    for result in check(rules, patient).criteria:
        if result.details and result.details[0].kind == "answer":  # answered: no tree to follow
            continue
        aligned = align(rules.criterion(result.id).rule, result.details)
        assert aligned is not None, (rules.trial.id, result.id)
        assert evaluate(aligned[0], [d.status for d in result.details]) == result.status, (rules.trial.id, result.id)


PASP = Comparison(variable="pasp", op=">", value=55, unit="mmHg")
PREGNANT = Condition(condition="pregnancy")


def test_a_restriction_whose_group_is_not_met_is_its_outside_status():
    rule = Restrict(group=Sex(sex="female"), item=PREGNANT, outside=False)
    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(id="E1", section="exclusion", text="t", rule=rule)])
    result = check(rules, Patient(id="P", sex="male", age=40, as_of=dt.date(2024, 5, 1))).criteria[0]
    tree, nodes = align(rule, result.details)
    assert [d.kind for d in result.details] == ["sex", "restrict"] and nodes[1] is None
    assert evaluate(tree, [d.status for d in result.details]) == "not_met"


def test_leaves_that_do_not_follow_the_rule_do_not_align():
    rule = AllOf(items=[PASP, Unless(item=PREGNANT, exception=Readings(items=[PASP, PASP]))])
    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(id="E1", section="exclusion", text="t", rule=rule)])
    result = check(rules, Patient(id="P", sex="female", age=40, as_of=dt.date(2024, 5, 1))).criteria[0]
    assert align(rule, result.details) is not None
    assert align(rule, result.details[:-1]) is None and align(PASP, result.details) is None



@pytest.mark.parametrize("text, measurement, status, leaf", [
    # limits per sex that agree decide their group whatever the sex: the plan's note is the leaf
    ("Hemoglobin < 11 g/dL for women or < 12 g/dL for men", ("hemoglobin", 10, "g/dL"), "met", -1),
    # a value in one unit of a restated limit is compared with that limit alone: one leaf
    ("PaO2 < 8 kPa (< 60 mmHg)", ("pao2", 60, "mmHg"), "not_met", 0),
])
def test_rules_read_as_one_leaf(text, measurement, status, leaf):
    from screener import compile_criteria

    rules = compile_criteria(f"Exclusion Criteria:\n- {text}", trial_id="T")
    variable, value, unit = measurement
    given = {variable: {"variable": variable, "name": variable, "value": value, "unit": unit}}
    patient = Patient.model_validate({"id": "P", "age": 40, "as_of": "2024-05-01", "measurements": given})
    result = check(rules, patient).criteria[0]
    tree, _ = align(rules.criterion(result.id).rule, result.details)
    assert result.status == status and tree == ("leaf", leaf % len(result.details))
    assert evaluate(tree, [d.status for d in result.details]) == status

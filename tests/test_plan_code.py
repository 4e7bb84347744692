"""The plan's generated check code (``screener.plan_code``) against the steps it inlines: for
any rules and patient, the records ``fill`` makes are those of ``Step.record`` one step at a
time, and the results ``criteria`` makes from them are ``Step.explain``'s, field for field;
and no text of a rule file is ever written into the generated source."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from screener import check
from screener.facts import Facts
from screener.patient import ConditionState, Measurement, Patient
from screener.plan import Plan
from screener.rules import AnyOf, Comparison, Condition, Criterion, RuleSet, Sex, Trial
from test_evaluate import answerable
from test_plan import AS_OF, patients, trees


def _rule_set(rules: list) -> RuleSet:
    return RuleSet(trial=Trial(id="T"), criteria=[
        Criterion(id=f"C{i}", section=section, text=f"criterion {i}", rule=rule) for i, (rule, section) in enumerate(rules)])


PREGNANT = Patient(id="B", as_of=AS_OF, sex="female", conditions={
    "pregnancy": ConditionState(condition="pregnancy", name="pregnancy", status="present")})
UNRECORDED = Patient(id="A", as_of=AS_OF, sex="male")
ONE_CONDITION = [(Condition(condition="pregnancy", timing="current"), "exclusion")]
PAO2 = [(Comparison(variable="pao2", op="<", value=8, unit="kPa"), "inclusion")]
OLD_PAO2 = Patient(id="C", as_of=AS_OF, measurements={"pao2": Measurement(
    variable="pao2", name="PaO2", value=50, unit="mmHg", date=AS_OF - dt.timedelta(days=100))})
CONDITIONS_AND_SEX = [(AnyOf(items=[Condition(condition="pregnancy", timing="current"), Sex(sex="male"),
                                    Condition(condition="malignancy", timing="current")]), "exclusion")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=st.lists(st.tuples(trees, st.sampled_from(["inclusion", "exclusion"])), min_size=0, max_size=5),
       patient=patients(), first=st.none() | patients(), answered=st.booleans(), days=st.none() | st.just(30))
@example(rules=ONE_CONDITION, patient=PREGNANT, first=UNRECORDED, answered=False, days=None)  # recalled by one status
@example(rules=CONDITIONS_AND_SEX, patient=PREGNANT, first=UNRECORDED, answered=False, days=None)  # statuses and sex
@example(rules=CONDITIONS_AND_SEX, patient=UNRECORDED, first=PREGNANT, answered=False, days=None)
@example(rules=PAO2, patient=OLD_PAO2, first=OLD_PAO2, answered=False, days=30)  # a lab value's age counts
@example(rules=PAO2, patient=OLD_PAO2, first=None, answered=False, days=None)
def test_generated_code_gives_each_steps_own_records_and_results(rules, patient, first, answered, days):
    rule_set = _rule_set(rules)
    patient = answerable(patient, rule_set) if answered else patient.model_copy(update={"answers": {}})
    plan = Plan(rule_set)
    if first is not None:  # the patient finds the records kept from another (recalled by their facts)
        assert len(plan.check(first.model_copy(update={"answers": {}})).criteria) == len(plan.steps)
    if patient.answers:
        expected = [step.record(Facts(patient, days)) for step in plan.steps]
    else:
        records = (plan.fixed or plan._fixed(Facts(patient, days))).copy()
        plan.fill(Facts(patient, days), records)
        expected = [step.record(Facts(patient, days)) for step in plan.steps]
        assert [(status, outcome, len(leaves)) for status, outcome, leaves, _ in records] == \
            [(status, outcome, len(leaves)) for status, outcome, leaves, _ in expected]
    dumped = [criterion.model_dump() for criterion in plan.check(patient, max_lab_age_days=days).criteria]
    assert dumped == [step.explain(Facts(patient, days)).model_dump() for step in plan.steps]
    assert dumped == [criterion.model_dump() for criterion in plan.criteria(expected)]


ODD = ["x'); raise SystemExit('injected') #", 'y"\n    raise SystemExit("injected")\n#', "{i}", "records[0]"]


def test_condition_names_are_values_never_source():
    rule_set = RuleSet(trial=Trial(id="T"), criteria=[
        Criterion(id="E1", section="exclusion", text="odd", rule=Condition(condition=ODD[0], timing="current")),
        Criterion(id="E2", section="exclusion", text="odd", rule=AnyOf(items=[
            Condition(condition=ODD[1], timing="current"), Condition(condition=ODD[2], timing="current"), Sex(sex="male")])),
        Criterion(id="E3", section="exclusion", text="odd", rule=Condition(condition=ODD[3], timing="current")),
    ])
    plan = Plan(rule_set)
    for code in (plan.fill.__code__, plan.criteria.__code__):
        assert not any(name in constant for constant in code.co_consts if isinstance(constant, str) for name in ODD)
    for present, outcome in ((ODD[0], ["fail", "pass", "pass"]), (ODD[1], ["pass", "fail", "pass"]),
                             (ODD[3], ["pass", "pass", "fail"]), ("other", ["pass", "pass", "pass"])):
        patient = Patient(id="P", as_of=AS_OF, sex="female", conditions={
            name: ConditionState(condition=name, name="odd", status="present" if name == present else "absent")
            for name in ODD})
        assert [c.outcome for c in check(rule_set, patient).criteria] == outcome

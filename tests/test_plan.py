"""The one engine (``screener.plan``) against a plain reference interpretation of the rule
tree written here: Kleene logic over the node kinds, leaves computed with plain arithmetic
from the generated patient.  ``check``, ``screen`` and the verdict-only path all run the
plan; each must give the reference's statuses, outcomes and verdict."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from screener import check, load_patient, load_rules
from screener.cli import app
from screener.patient import ConditionState, Measurement, Patient
from screener.plan import plan_for
from screener.rules import (
    AllOf, AnyOf, Comparison, Condition, Criterion, Duration, Interval, Manual, Not, Readings, Restrict, RuleSet, Sex,
    Trial, Unless,
)
from screener.screen import screen, screen_one
from screener.answers import answers_for
from screener.collect import ranked_result
from test_evaluate import answerable

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 5, 1)
ONSET = dt.date(2024, 4, 1)
T, F, U = "met", "not_met", "unknown"

KPA_PER_MMHG = 0.133322368
DEFAULT_ALT_ULN = 56.0  # U/L, screener/data/reference_ranges.yaml
LABS = {"pao2", "alt", "creatinine_clearance"}

LEAVES = [
    Comparison(variable="pao2", op="<", value=8, unit="kPa"),
    Comparison(variable="pao2", op=">=", value=60, unit="mmHg"),
    Comparison(variable="alt", op=">=", value=3, unit="ULN"),
    Comparison(variable="creatinine_clearance", op="<", value=60, unit="mL/min/1.73m2"),
    Comparison(variable="age", op=">=", value=18, unit="year"),
    Comparison(variable="age", op="<=", value=17, unit="year"),
    Condition(condition="malignancy", timing="history", within=Duration(value=5, unit="year")),
    Condition(condition="pregnancy", timing="current"),
    Interval(start="symptom_onset", end="hospital_admission", op="<", value=10, unit="day"),
    Sex(sex="female"),
    Manual(question="Suitable?", id="Q1"),
]

trees = st.recursive(
    st.sampled_from(LEAVES),
    lambda children: st.one_of(
        st.lists(children, min_size=0, max_size=3).map(lambda items: AllOf(items=items)),
        st.lists(children, min_size=1, max_size=3).map(lambda items: AnyOf(items=items)),
        children.map(lambda item: Not(item=item)),
        st.tuples(children, children).map(lambda pair: Unless(item=pair[0], exception=pair[1])),
        st.tuples(children, children, st.booleans()).map(lambda p: Restrict(group=p[0], item=p[1], outside=p[2])),
        st.lists(children, min_size=2, max_size=3).map(lambda items: Readings(items=items)),
    ),
    max_leaves=7,
)

maybe = lambda values: st.one_of(st.none(), st.sampled_from(values))  # noqa: E731 (None: not in the profile)


@st.composite
def patients(draw) -> Patient:
    measurements = {}
    for variable, values, unit in (("pao2", [50, 60, 70], "mmHg"), ("alt", [40, 130, 200], "U/L"),
                                   ("creatinine_clearance", [40, 90], "mL/min")):
        value = draw(maybe(values))
        if value is not None:
            measurements[variable] = Measurement(
                variable=variable, name=variable, value=value, unit=unit,
                uln=draw(maybe([40.0])) if variable == "alt" else None,
                date=draw(maybe([AS_OF - dt.timedelta(days=10), AS_OF - dt.timedelta(days=100)])))
    conditions = {}
    for name, statuses in (("malignancy", ["present", "past", "absent"]), ("pregnancy", ["present", "absent"])):
        status = draw(maybe(statuses))
        if status is not None:
            ended = draw(maybe([dt.date(2015, 1, 1), dt.date(2022, 1, 1)])) if status == "past" else None
            conditions[name] = ConditionState(condition=name, name=name, status=status, ended=ended)
    events = {"symptom_onset": draw(maybe([ONSET])), "hospital_admission": draw(maybe([ONSET + dt.timedelta(days=3),
                                                                                     ONSET + dt.timedelta(days=20)]))}
    answers = {key: draw(st.booleans()) for key in draw(st.sets(st.sampled_from(["Q1", "C0", "C2"])))}
    birth = draw(maybe([dt.date(1960, 1, 1), dt.date(2010, 1, 1)]))
    return Patient(id="P1", as_of=AS_OF, sex=draw(maybe(["female", "male"])), birth_date=birth,
                   age=None if birth else draw(maybe([17.5, 17.999, 18.0, 64.2])),
                   height_cm=draw(maybe([170.0])), weight_kg=draw(maybe([70.0])), measurements=measurements,
                   conditions=conditions, events={k: v for k, v in events.items() if v is not None}, answers=answers)


# ---------------------------------------------------------------------------- the reference


class Reference:
    """A plain reading of the rules: the leaf values by hand, Kleene logic by truth table."""

    def __init__(self, patient: Patient, max_lab_age: int | None) -> None:
        self.p = patient
        self.max_lab_age = max_lab_age
        self.assumed = False

    def value(self, node) -> str:
        kind = node.kind
        if kind == "all":
            values = [self.value(item) for item in node.items]
            return U if not values else F if F in values else T if all(v == T for v in values) else U
        if kind == "any":
            values = [self.value(item) for item in node.items]
            return T if T in values else F if all(v == F for v in values) else U
        if kind == "not":
            return {T: F, F: T, U: U}[self.value(node.item)]
        if kind == "unless":
            item, exception = self.value(node.item), self.value(node.exception)
            return F if F in (item, {T: F, F: T, U: U}[exception]) else T if (item, exception) == (T, F) else U
        if kind == "restrict":
            group, outside = self.value(node.group), T if node.outside else F
            if group == F:
                return outside
            item = self.value(node.item)
            return item if group == T or item == outside else U
        if kind == "readings":
            values = {self.value(item) for item in node.items}
            return values.pop() if len(values) == 1 else U
        return self.leaf(node)

    def leaf(self, node) -> str:
        p = self.p
        if node.kind == "manual":
            return U if node.id not in p.answers else T if p.answers[node.id] else F
        if node.kind == "sex":
            return U if p.sex is None else T if p.sex == node.sex else F
        if node.kind == "interval":
            start, end = p.events.get("symptom_onset"), p.events.get("hospital_admission")
            return U if start is None or end is None else T if (end - start).days < 10 else F
        if node.kind == "condition":
            return self.condition(node)
        return self.comparison(node)

    def condition(self, node: Condition) -> str:
        state = self.p.conditions.get(node.condition)
        if state is None:
            return U
        if state.status != "past":
            return T if state.status == "present" else F
        if node.timing == "current":
            return F
        if state.ended is None:
            return U
        return T if (AS_OF - state.ended).days <= 5 * 365.25 else F

    def comparison(self, node: Comparison) -> str:
        if node.variable == "age":  # in completed years
            birth = self.p.birth_date
            if birth is None:
                return U if self.p.age is None else self.test(math.floor(self.p.age), node.op, node.value)
            age = AS_OF.year - birth.year - ((AS_OF.month, AS_OF.day) < (birth.month, birth.day))
            return self.test(age, node.op, node.value)
        m = self.p.measurements.get(node.variable)
        if m is None:
            return U
        if self.max_lab_age is not None and node.variable in LABS:
            if m.date is None or (AS_OF - m.date).days > self.max_lab_age:
                return U
        if node.variable == "pao2":
            value = m.value * KPA_PER_MMHG if node.unit == "kPa" else m.value
            return self.test(value, node.op, node.value)
        if node.variable == "alt":
            if m.uln is None:
                self.assumed = True
            return self.test(m.value / (m.uln or DEFAULT_ALT_ULN), node.op, node.value)
        if self.p.height_cm is None or self.p.weight_kg is None:
            return U
        bsa = math.sqrt(self.p.height_cm * self.p.weight_kg / 3600)
        return self.test(m.value * 1.73 / bsa, node.op, node.value)

    @staticmethod
    def test(value: float, op: str, limit: float) -> str:
        near = math.isclose(value, limit, rel_tol=1e-9)
        holds = {"<": value < limit and not near, "<=": value < limit or near, ">=": value > limit or near}[op]
        return T if holds else F

    def outcome(self, criterion: Criterion) -> tuple[str, str]:
        if criterion.id in self.p.answers:
            status = T if self.p.answers[criterion.id] else F
            self.assumed = False
        else:
            self.assumed = False
            status = self.value(criterion.rule)
        if status == U or self.assumed:
            return status, "review"
        return status, "pass" if (status == T) == (criterion.section == "inclusion") else "fail"


def reference_verdict(outcomes: list[str]) -> str:
    if "fail" in outcomes:
        return "ineligible"
    return "eligible" if outcomes and all(o == "pass" for o in outcomes) else "needs_review"


# ---------------------------------------------------------------------------- the properties


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(st.tuples(trees, st.sampled_from(["inclusion", "exclusion"])), min_size=1, max_size=4),
    patient=patients(),
    max_lab_age=maybe([30]),
)
def test_the_plan_gives_the_reference_reading(rules, patient, max_lab_age):
    rule_set = RuleSet(trial=Trial(id="T"), criteria=[
        Criterion(id=f"C{i}", section=section, text=f"criterion {i}", rule=rule) for i, (rule, section) in enumerate(rules)])
    patient = answerable(patient, rule_set)  # an answer to a question these rules do not ask is an input error
    reference = Reference(patient, max_lab_age)
    expected = [reference.outcome(criterion) for criterion in rule_set.criteria]
    verdict = reference_verdict([outcome for _, outcome in expected])

    checked = check(rule_set, patient, max_lab_age_days=max_lab_age)
    assert [(c.status, c.outcome) for c in checked.criteria] == expected
    assert checked.verdict == verdict
    assert plan_for(rule_set).verdict(patient, max_lab_age_days=max_lab_age) == verdict
    screened = screen_one(plan_for(rule_set), patient, max_lab_age_days=max_lab_age)
    assert screened.verdict == verdict
    assert screened.unknown == sum(outcome == "review" for _, outcome in expected)
    assert [r.split(":")[0] for r in screened.reasons] == [c.id for c in checked.criteria if c.outcome == "fail"]
    assert screened.to_collect == ranked_result(rule_set, checked, patient.sex).to_collect  # ranked as check ranks


def test_seed_examples_screen_like_they_check():
    for trial in ("NCT02213705", "NCT04711200"):
        rules = load_rules(ROOT / "rules" / f"{trial}.yaml")
        for path in sorted((ROOT / "examples" / "patients").glob("*.yaml")):
            patient = answers_for(rules, load_patient(path))  # answers by key -> this trial's ids, as screen does
            full, fast = check(rules, patient), screen_one(plan_for(rules), patient)
            wanted = ranked_result(rules, full, patient.sex).to_collect
            assert (fast.verdict, fast.to_collect) == (full.verdict, wanted), (trial, path.name)


def test_a_rule_set_replaced_in_place_is_prepared_again():
    rule = Comparison(variable="pao2", op="<", value=8, unit="kPa")
    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(id="I1", section="inclusion", text="PaO2 < 8 kPa", rule=rule)])
    patient = Patient(id="P", as_of=AS_OF, measurements={"pao2": Measurement(variable="pao2", name="PaO2", value=50, unit="mmHg")})
    assert check(rules, patient).verdict == "eligible"
    rules.criteria[0].rule = Comparison(variable="pao2", op=">", value=8, unit="kPa")
    assert check(rules, patient).verdict == "ineligible"


STALE = """id: OLD-LAB
sex: female
age: 50
as_of: 2026-11-20
measurements:
  PaO2: {value: 55, unit: mmHg, date: 2026-01-05}
"""


def test_screen_applies_the_maximum_age_of_lab_values(tmp_path):
    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(
        id="I1", section="inclusion", text="PaO2 < 8 kPa", rule=Comparison(variable="pao2", op="<", value=8, unit="kPa"))])
    rules_file = tmp_path / "rules.yaml"
    from screener.rules import dump_rules

    rules_file.write_text(dump_rules(rules), encoding="utf-8")
    (tmp_path / "p.yaml").write_text(STALE, encoding="utf-8")
    patient = load_patient(tmp_path / "p.yaml")
    assert next(screen([rules], [patient])).verdict == "eligible"
    assert next(screen([rules], [patient], max_lab_age_days=90)).verdict == "needs_review"
    runner = CliRunner()
    fresh = runner.invoke(app, ["screen", str(tmp_path / "p.yaml"), "--rules", str(rules_file), "--format", "csv"])
    stale = runner.invoke(app, ["screen", str(tmp_path / "p.yaml"), "--rules", str(rules_file), "--format", "csv",
                                "--max-lab-age", "90"])
    assert fresh.exit_code == 0 and ",eligible," in fresh.stdout
    assert stale.exit_code == 0 and ",needs_review," in stale.stdout and "measured within the last 90 days" in stale.stdout

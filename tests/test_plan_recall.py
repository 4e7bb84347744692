"""What the plan recalls instead of running again (``screener.memo``: a criterion decided
by condition statuses and the sex; ``Step.kept``: the results it shares between patients)
must be exactly what a fresh evaluation gives: the same explained result for every
criterion, the same verdict, the same items to collect."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from screener import check, load_rules
from screener.collect import rank_undecided
from screener.comparison import Facts
from screener.memo import key_of
from screener.patient import ConditionState, Measurement, Patient
from screener.plan import Plan, Step, plan_for
from screener.rules import AllOf, Comparison, Condition, Duration, Manual, Not, Restrict, Sex

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "rules").glob("*.yaml"))
MEASURES = [("mrss", None, 0, 51), ("dlco", "%", 20, 110), ("fvc", "%", 30, 120), ("pasp", "mmHg", 15, 80),
            ("pao2", "kPa", 6, 14), ("creatinine_clearance", "mL/min/1.73m2", 10, 130), ("lvef", "%", 20, 75),
            ("platelets", "/uL", 20_000, 400_000), ("detached_bsa", "%", 1, 90)]
CONDITIONS = ["systemic_sclerosis", "interstitial_lung_disease", "hiv", "hepatitis_b", "malignancy", "pregnancy",
              "sjs_ten", "epilepsy"]


def patient(number: int, rng: random.Random) -> Patient:
    """A generated patient: some values missing, conditions in every state or unrecorded."""
    measurements = {v: Measurement(variable=v, name=v, value=rng.uniform(low, high), unit=unit)
                    for v, unit, low, high in MEASURES if rng.random() < 0.7}
    conditions = {c: ConditionState(condition=c, name=c, status=rng.choice(["present", "absent", "past"]))
                  for c in CONDITIONS if rng.random() < 0.7}
    return Patient(id=f"P{number}", sex=rng.choice(["female", "male", None]), age=rng.uniform(10, 90),
                   as_of=dt.date(2026, 11, 20), height_cm=rng.uniform(150, 195), weight_kg=rng.uniform(45, 110),
                   measurements=measurements, conditions=conditions,
                   events={"symptom_onset": dt.date(2026, 11, 1), "hospital_admission": dt.date(2026, 11, 5)})


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_recalled_results_equal_a_fresh_evaluation(path: Path) -> None:
    rules = load_rules(path)
    plan = plan_for(rules)
    rng = random.Random(3)
    for number in range(150):
        p = patient(number, rng)
        result = check(rules, p)
        fresh = [Step(criterion).explain(Facts(p)) for criterion in rules.criteria]  # nothing recalled
        assert [c.model_dump() for c in result.criteria] == [c.model_dump() for c in fresh]
        assert plan.verdict(p) == result.verdict == Plan(rules).check(p).verdict
    assert any(step.memo for step in plan.steps)  # some criteria were recalled


@pytest.mark.parametrize("rule, keyed", [
    (Condition(condition="hiv"), True),
    (AllOf(items=[Condition(condition="hiv"), Manual(question="Q?")]), True),
    (Restrict(group=Sex(sex="female"), item=Condition(condition="pregnancy"), outside=False), True),
    (Not(item=Manual(question="Q?")), True),
    (Condition(condition="malignancy", timing="history", within=Duration(value=5, unit="year")), False),  # reads dates
    (AllOf(items=[Condition(condition="hiv"), Comparison(variable="pasp", op=">", value=55, unit="mmHg")]), False),
])
def test_only_trees_of_statuses_sex_and_answers_are_recalled(rule, keyed: bool) -> None:
    assert (key_of(rule) is not None) is keyed


def test_sex_is_part_of_the_key() -> None:
    key = key_of(Restrict(group=Sex(sex="female"), item=Condition(condition="pregnancy"), outside=False))
    assert key is not None
    woman = Patient(id="W", sex="female", conditions={"pregnancy": ConditionState(condition="pregnancy", name="p",
                                                                                  status="present")})
    assert key(Facts(woman)) != key(Facts(woman.model_copy(update={"sex": "male"})))


def test_details_are_made_when_read_and_equal_the_words() -> None:
    rules = load_rules(SEEDS[0])
    result = check(rules, patient(1, random.Random(5)))
    for criterion in result.criteria:
        words = criterion.explanation
        assert all(leaf.explanation in words for leaf in criterion.details)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_items_of_kept_results_equal_those_found_afresh(path: Path) -> None:
    rules = load_rules(path)
    plan = plan_for(rules)
    rng = random.Random(9)
    compared = 0
    for number in range(120):
        p = patient(number, rng)
        f = Facts(p)
        steps = [step for step in plan.steps if step.outcome(f)[1] == "review"]
        review = [step.explain(f) for step in steps]
        kept = [id(r) for step, r in zip(steps, review) if id(r) in step.kept]
        compared += bool(kept)
        for _ in range(2):  # the second time from what was kept
            assert ([i.line() for i in rank_undecided(rules, review, p.sex, kept=kept)]
                    == [i.line() for i in rank_undecided(rules, review, p.sex)])
    assert compared

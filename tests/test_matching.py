"""match ranks trials by how well they fit the patient's condition, not by fewest unknowns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from screener import load_patient, load_rules
from screener.matching import disease_conditions, match_trials
from screener.patient import ConditionState, Patient
from screener.rules import AllOf, Condition, Criterion, Manual, Not, RuleSet, Trial

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [load_rules(p) for p in sorted((ROOT / "rules").glob("*.yaml"))]
SSC, TEN = "NCT02213705", "NCT04711200"


@pytest.mark.parametrize("example, first", [
    ("ssc-needs-review.yaml", SSC),  # fewer unknowns for the SJS/TEN trial, but the patient has SSc
    ("ten-needs-review.yaml", TEN),
    ("ssc-eligible.yaml", SSC),
    ("ten-eligible.yaml", TEN),
])
def test_the_trial_for_the_patients_disease_comes_first(example, first):
    ranked = match_trials(SEEDS, load_patient(ROOT / "examples" / "patients" / example))
    assert ranked[0].trial == first


def test_ineligible_trials_come_last():
    ranked = match_trials(SEEDS, load_patient(ROOT / "examples" / "patients" / "ten-ineligible.yaml"))
    assert ranked[-1].verdict == "ineligible"


def _trial(id: str, condition: str) -> RuleSet:
    rule = AllOf(items=[Condition(condition=condition), Manual(question="confirmed by a specialist")])
    return RuleSet(trial=Trial(id=id), criteria=[Criterion(id="I1", section="inclusion", text="x", rule=rule),
                                                 Criterion(id="I2", section="inclusion", text="consent", rule=Manual(question="consent"))])


def test_condition_fit_beats_fewer_decisive_items():
    patient = Patient(id="P", age=40, as_of=dt.date(2024, 1, 1),
                      conditions={"epilepsy": ConditionState(condition="epilepsy", name="epilepsy", status="present")})
    ranked = match_trials([_trial("A-OTHER", "hiv"), _trial("B-FITS", "epilepsy")], patient)
    assert [m.trial for m in ranked] == ["B-FITS", "A-OTHER"]
    assert ranked[0].fit == 1 and ranked[1].fit == 2


def test_disease_conditions_skip_negated_ones():
    rule = AllOf(items=[Condition(condition="epilepsy"), Not(item=Condition(condition="hiv"))])
    assert disease_conditions(rule) == {"epilepsy"}


def test_library_rank_matches_puts_the_patients_disease_first():
    from screener.screen import rank_matches, screen

    patient = load_patient(ROOT / "examples" / "patients" / "ssc-needs-review.yaml")
    results = list(screen(SEEDS, [patient]))
    assert {r.trial: r.verdict for r in results} == {SSC: "needs_review", TEN: "needs_review"}
    assert [r.trial for r in rank_matches(results, SEEDS, patient)] == [SSC, TEN]
    assert [r.trial for r in rank_matches(results)] == [TEN, SSC]  # without them: fewer undecided only

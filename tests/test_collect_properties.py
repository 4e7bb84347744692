"""Properties of the ranked "to collect next" on random patients against the seed trials."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from screener import check, load_rules
from screener.collect import rank
from screener.lexicon import get_lexicon
from screener.patient import ConditionState, Measurement, Patient

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [load_rules(p) for p in sorted((ROOT / "rules").glob("*.yaml"))]
MEASURES = {"pasp": ("mmHg", 15, 80), "pao2": ("kPa", 6, 14), "fvc": ("%", 30, 120), "dlco": ("%", 20, 110),
            "detached_bsa": ("%", 1, 90), "neutrophils": ("10^9/L", 0.2, 9)}
CONDITIONS = ["systemic_sclerosis", "interstitial_lung_disease", "pregnancy", "breastfeeding", "hiv", "sjs_ten",
              "malignancy", "heart_failure", "epilepsy"]


@st.composite
def patients(draw) -> Patient:
    measurements = {}
    for variable, (unit, low, high) in MEASURES.items():
        if draw(st.booleans()):
            value = draw(st.floats(low, high, allow_nan=False))
            measurements[variable] = Measurement(variable=variable, name=variable, value=value, unit=unit)
    conditions = {}
    for condition in CONDITIONS:
        status = draw(st.sampled_from([None, "present", "absent", "past"]))
        if status:
            conditions[condition] = ConditionState(condition=condition, name=condition, status=status)
    answers = {cid: draw(st.booleans()) for cid in draw(st.lists(st.sampled_from(["I1", "I3", "I5", "E5", "E8"]), max_size=3))}
    return Patient(id="H", sex=draw(st.sampled_from([None, "female", "male"])), age=draw(st.floats(10, 90)),
                   as_of=dt.date(2026, 11, 20), measurements=measurements, conditions=conditions, answers=answers)


@settings(max_examples=60, deadline=None)
@given(patients(), st.sampled_from(SEEDS))
def test_ranked_items_are_real_distinct_and_decisive_first(patient, rules):
    result = check(rules, patient)
    items = rank(rules, result, patient.sex)
    if result.verdict != "needs_review":
        assert items == []
        return
    review = {c.id for c in result.criteria if c.outcome == "review"}
    raw = set(result.to_collect)
    for item in items:
        assert set(item.criteria) <= review  # only undecided criteria ask for data
        if not item.key.startswith("answer:"):
            assert item.text in raw  # nothing invented
    assert len({i.key for i in items}) == len(items)
    decisive = [i.decisive for i in items]
    assert decisive == sorted(decisive, reverse=True)
    female_only = {c.label for c in get_lexicon().conditions.values() if c.sex == "female"}
    if patient.sex == "male":
        assert not any(item.text.startswith(tuple(female_only)) for item in items)

"""A check's criteria are made when first read (``screener.lazy``): every way of reading a
result (attribute, dump, JSON, copy, pickle, comparison, repr, iteration) must see the
same result as one whose criteria were read first."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import pytest

from screener import check, load_patient, load_rules
from screener.evaluate import Result

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    ("NCT02213705.yaml", "ssc-eligible.yaml"),
    ("NCT04711200.yaml", "ten-ineligible.yaml"),
    ("NCT02213705.yaml", "ten-ineligible.yaml"),
]

READS = {
    "attribute": lambda r: [c.model_dump() for c in r.criteria],
    "model_dump": lambda r: r.model_dump(),
    "model_dump json mode": lambda r: r.model_dump(mode="json"),
    "JSON": lambda r: json.loads(r.model_dump_json()),
    "JSON key order": lambda r: list(json.loads(r.model_dump_json())),
    "copy": lambda r: copy.copy(r).model_dump(),
    "deepcopy": lambda r: copy.deepcopy(r).model_dump(),
    "model_copy": lambda r: r.model_copy().model_dump(),
    "model_copy update": lambda r: r.model_copy(update={"verdict": "needs_review"}).model_dump(),
    "pickle": lambda r: pickle.loads(pickle.dumps(r)).model_dump(),
    "repr": repr,
    "dict()": lambda r: list(dict(r)),
    "deciding": lambda r: [c.id for c in r.deciding()],
    "to_collect": lambda r: r.to_collect,
    "to_collect, then criteria, then dump": lambda r: (r.to_collect, [c.id for c in r.criteria], r.model_dump()),
    "criteria, then a dump": lambda r: ([c.explanation for c in r.criteria], r.model_dump_json()),
    "read back": lambda r: Result.model_validate_json(r.model_dump_json()).model_dump(),
}


def _fresh(rules_name: str, patient_name: str) -> Result:
    return check(load_rules(ROOT / "rules" / rules_name), load_patient(ROOT / "examples" / "patients" / patient_name))


@pytest.mark.parametrize("rules_name, patient_name", CASES)
@pytest.mark.parametrize("read", list(READS), ids=list(READS))
def test_every_read_sees_the_whole_result(rules_name: str, patient_name: str, read: str) -> None:
    whole = _fresh(rules_name, patient_name)
    assert whole.criteria  # read first: the reference
    assert READS[read](_fresh(rules_name, patient_name)) == READS[read](whole)


@pytest.mark.parametrize("rules_name, patient_name", CASES)
def test_an_unread_result_equals_a_read_one_either_way(rules_name: str, patient_name: str) -> None:
    whole = _fresh(rules_name, patient_name)
    assert whole.criteria
    assert _fresh(rules_name, patient_name) == whole
    assert whole == _fresh(rules_name, patient_name)
    assert Result.model_validate_json(whole.model_dump_json()) == _fresh(rules_name, patient_name)


def test_a_field_assigned_before_reading_keeps_its_value() -> None:
    result = _fresh(*CASES[0])
    result.to_collect = ["something"]
    assert result.criteria and result.to_collect == ["something"]
    assert result.model_dump()["to_collect"] == ["something"]


def test_the_verdict_and_what_to_collect_agree_with_the_criteria() -> None:
    for rules_name, patient_name in CASES:
        result = _fresh(rules_name, patient_name)
        verdict, to_collect = result.verdict, result.to_collect
        outcomes = {c.outcome for c in result.criteria}
        assert verdict == ("ineligible" if "fail" in outcomes else "eligible" if outcomes == {"pass"} else "needs_review")
        undecided = [w for c in result.criteria if c.outcome == "review" for d in c.details
                     if d.status == "unknown" or d.assumed for w in (*d.missing, *d.assumed)]
        assert to_collect == list(dict.fromkeys(undecided))


def test_what_is_kept_across_patients_gives_each_patient_its_own_result() -> None:
    """A plan keeps the evaluation of a criterion only answers decide (for patients without
    answers) and results made of shared leaves: a sequence of patients with and without
    answers gets, each, what a fresh plan gives."""
    from screener.plan import Plan, plan_for

    rules = load_rules(ROOT / "rules" / "NCT02213705.yaml")
    manual = [c.id for c in rules.criteria if c.manual]
    base = load_patient(ROOT / "examples" / "patients" / "ssc-eligible.yaml")
    sequence = [{}, {manual[0]: True}, {manual[0]: False, manual[1]: True}, {}, {manual[1]: False}, {}]
    for answers in sequence:
        patient = base.model_copy(update={"answers": answers})
        kept = plan_for(rules).check(patient)
        assert kept.model_dump() == Plan(rules).check(patient).model_dump(), answers


def test_threads_reading_one_result_at_once_all_see_it_whole() -> None:
    from concurrent.futures import ThreadPoolExecutor

    whole = _fresh(*CASES[1]).model_dump()
    for _ in range(20):
        result = _fresh(*CASES[1])
        with ThreadPoolExecutor(max_workers=4) as pool:
            seen = list(pool.map(lambda read: [c.explanation for c in read.criteria], [result] * 4))
        assert all(words == [c["explanation"] for c in whole["criteria"]] for words in seen)

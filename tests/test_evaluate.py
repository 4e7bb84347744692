"""Tests of screener.evaluate: units, limits of normal, BSA, Kleene logic, verdicts,
conditions, intervals, manual answers, and properties (unit invariance, monotonicity,
missing data never turning into a decision)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.evaluate import (
    Result,
    all_of,
    any_of,
    check,
    compare,
    negate,
    outcome_of,
    verdict_of,
)
from screener.patient import ConditionState, Measurement, Patient
from screener.rules import walk
from screener.rules import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    Criterion,
    Duration,
    Interval,
    Manual,
    Readings,
    Restrict,
    Unless,
    Not,
    RuleSet,
    Trial,
)
from screener.units import bsa_mosteller, convert_with_area, converter, format_number

AS_OF = dt.date(2024, 5, 1)
STATUSES = ("met", "not_met", "unknown")


# ---------------------------------------------------------------------------- builders


def crit(rule, section="inclusion", id="C1", text=None, manual=False) -> Criterion:
    return Criterion(id=id, section=section, text=text or f"criterion {id}", rule=rule, manual=manual)


def ruleset(*criteria: Criterion) -> RuleSet:
    return RuleSet(trial=Trial(id="NCT00000001", title="A test trial"), criteria=list(criteria))


def meas(variable: str, value: float, unit: str | None, **kw) -> Measurement:
    return Measurement(variable=variable, name=variable, value=value, unit=unit, **kw)


def patient(*measurements: Measurement, **kw) -> Patient:
    kw.setdefault("as_of", AS_OF)
    return Patient(id="P1", measurements={m.variable: m for m in measurements}, **kw)


def cond(condition: str, status: str, **kw) -> ConditionState:
    return ConditionState(condition=condition, name=condition, status=status, **kw)


def cmp(variable: str, op: str, value: float, unit: str | None) -> Comparison:
    return Comparison(variable=variable, op=op, value=value, unit=unit)


def one(rule, pat: Patient, section="inclusion", id="C1"):
    """The CriterionResult of a single-criterion rule set."""
    return check(ruleset(crit(rule, section=section, id=id)), pat).criteria[0]


# ---------------------------------------------------------------------------- comparisons

COMPARISONS = [
    # (case id, rule, measurements, patient extras, status, explanation substring, converted)
    ("pao2 mmHg vs kPa met", cmp("pao2", "<", 8, "kPa"), [meas("pao2", 55, "mmHg")], {}, "met",
     "PaO2 55 mmHg = 7.33 kPa, below 8 kPa: met", "7.33 kPa"),
    ("pao2 mmHg vs kPa not met", cmp("pao2", "<", 8, "kPa"), [meas("pao2", 65, "mmHg")], {}, "not_met",
     "PaO2 65 mmHg = 8.67 kPa is not below 8 kPa: not met", "8.67 kPa"),
    ("hemoglobin g/L vs g/dL", cmp("hemoglobin", "<", 8, "g/dL"), [meas("hemoglobin", 74, "g/L")], {}, "met",
     "hemoglobin 74 g/L = 7.4 g/dL, below 8 g/dL: met", "7.4 g/dL"),
    ("hemoglobin g/L vs g/dL not met", cmp("hemoglobin", "<", 8, "g/dL"), [meas("hemoglobin", 95, "g/L")], {},
     "not_met", "9.5 g/dL", "9.5 g/dL"),
    ("neutrophils /uL vs 10^9/L", cmp("neutrophils", "<", 0.5, "10^9/L"), [meas("neutrophils", 350, "/uL")], {},
     "met", "ANC 350/uL = 0.35 x 10^9/L, below 0.5 x 10^9/L: met", "0.35 x 10^9/L"),
    ("neutrophils cells/uL not met", cmp("neutrophils", "<", 0.5, "10^9/L"),
     [meas("neutrophils", 1500, "cells/uL")], {}, "not_met", "1.5 x 10^9/L is not below", "1.5 x 10^9/L"),
    ("neutrophils G/L", cmp("neutrophils", ">=", 1.5, "10^9/L"), [meas("neutrophils", 2.1, "G/L")], {}, "met",
     "at or above 1.5 x 10^9/L", "2.1 x 10^9/L"),
    ("same unit shows no conversion", cmp("pasp", ">", 55, "mmHg"), [meas("pasp", 32, "mmHg")], {}, "not_met",
     "PASP 32 mmHg is not above 55 mmHg", None),
    ("pasp above", cmp("pasp", ">", 55, "mmHg"), [meas("pasp", 60, "mmHg")], {}, "met",
     "PASP 60 mmHg, above 55 mmHg: met", None),
    ("bilirubin umol/L vs mg/dL with molar mass", cmp("bilirubin", ">", 1.5, "mg/dL"),
     [meas("bilirubin", 34.2, "umol/L")], {}, "met", "= 2 mg/dL, above 1.5 mg/dL", "2 mg/dL"),
    ("ALT x ULN met", cmp("alt", ">=", 3, "ULN"), [meas("alt", 150, "U/L", uln=40)], {}, "met",
     "ALT 150 U/L = 3.75 x ULN (ULN 40 U/L), at or above 3 x ULN: met", "3.75 x ULN"),
    ("ALT x ULN not met", cmp("alt", ">=", 3, "ULN"), [meas("alt", 100, "U/L", uln=40)], {}, "not_met",
     "ALT 100 U/L = 2.5 x ULN (ULN 40 U/L) is not at or above 3 x ULN: not met", "2.5 x ULN"),
    ("ALT at exactly 3 x ULN", cmp("alt", "<=", 3, "ULN"), [meas("alt", 120, "U/L", uln=40)], {}, "met",
     "at or below 3 x ULN", "3 x ULN"),
    ("hemoglobin below LLN", cmp("hemoglobin", "<", 1, "LLN"), [meas("hemoglobin", 10, "g/dL", lln=12)], {},
     "met", "(LLN 12 g/dL), below 1 x LLN", "0.833 x LLN"),
    ("value already in ULN", cmp("alt", ">=", 3, "ULN"), [meas("alt", 4, "ULN")], {}, "met",
     "ALT 4 x ULN, at or above 3 x ULN: met", None),
    ("unitless score met", cmp("mrss", ">", 15, None), [meas("mrss", 20, None)], {}, "met",
     "mRSS 20, above 15: met", None),
    ("unitless score at limit", cmp("mrss", ">", 15, None), [meas("mrss", 15, None)], {}, "not_met",
     "mRSS 15 is not above 15: not met", None),
    ("unitless score equal", cmp("mrss", "==", 15, None), [meas("mrss", 15, None)], {}, "met",
     "mRSS 15, equal to 15: met", None),
    ("unitless score not equal", cmp("mrss", "!=", 15, None), [meas("mrss", 15, None)], {}, "not_met",
     "mRSS 15 is equal to 15: not met", None),
    ("percent", cmp("dlco", "<", 60, "%"), [meas("dlco", 45, "%")], {}, "met", "DLCO 45%, below 60%: met", None),
    ("age from birth date", cmp("age", ">=", 18, "year"), [], {"birth_date": dt.date(2006, 5, 2)}, "not_met",
     "age 17 years is not at or above 18 years: not met", None),
    ("age on birthday", cmp("age", ">=", 18, "year"), [], {"birth_date": dt.date(2006, 5, 1)}, "met",
     "age 18 years, at or above 18 years: met", None),
    ("stated age vs months", cmp("age", "<", 24, "month"), [], {"age": 1.5}, "met",
     "age 1.5 years = 18 months, below 24 months: met", "18 months"),
    ("age without unit is years", cmp("age", "<=", 75, None), [], {"age": 80}, "not_met",
     "age 80 years is not at or below 75", None),
    ("mL/min vs per 1.73 m2 with BSA", cmp("creatinine_clearance", ">=", 60, "mL/min/1.73m2"),
     [meas("creatinine_clearance", 78, "mL/min")], {"height_cm": 170, "weight_kg": 60}, "met",
     "creatinine clearance 78 mL/min with BSA 1.68 m² = 80.2 mL/min/1.73m2, at or above 60 mL/min/1.73m2: met",
     "80.2 mL/min/1.73m2"),
    ("per 1.73 m2 vs mL/min with BSA", cmp("creatinine_clearance", ">=", 55, "mL/min"),
     [meas("creatinine_clearance", 50, "mL/min/1.73m2")], {"height_cm": 180, "weight_kg": 80}, "met",
     "with BSA 2 m² = 57.8 mL/min, at or above 55 mL/min: met", "57.8 mL/min"),
]


@pytest.mark.parametrize(
    "rule, measurements, extra, status, explanation, converted",
    [case[1:] for case in COMPARISONS],
    ids=[case[0] for case in COMPARISONS],
)
def test_comparison(rule, measurements, extra, status, explanation, converted):
    result = one(rule, patient(*measurements, **extra))
    assert result.status == status
    (leaf,) = result.details
    assert leaf.kind == "comparison"
    assert leaf.status == status
    assert leaf.variable == rule.variable
    assert explanation in leaf.explanation
    assert leaf.converted == converted
    assert leaf.missing == []
    assert leaf.threshold.startswith(rule.op + " ")


UNKNOWN_COMPARISONS = [
    # (case id, rule, measurements, patient extras, explanation substring, missing)
    ("measurement missing", cmp("pao2", "<", 8, "kPa"), [], {}, "no PaO2 in the profile", ["PaO2"]),
    ("ULN not given, no default", cmp("psa", ">=", 3, "ULN"), [meas("psa", 15, "ng/mL")], {},
     "PSA upper limit of normal not given", ["PSA upper limit of normal"]),
    ("LLN not given, default needs sex", cmp("hemoglobin", "<", 1, "LLN"), [meas("hemoglobin", 10, "g/dL", uln=16)], {},
     "hemoglobin lower limit of normal not given", ["hemoglobin lower limit of normal", "sex"]),
    ("BSA needs height", cmp("creatinine_clearance", ">=", 60, "mL/min/1.73m2"),
     [meas("creatinine_clearance", 78, "mL/min")], {"weight_kg": 60},
     "needs height and weight to compute body surface area", ["height and weight (for body surface area)"]),
    ("BSA needs both", cmp("creatinine_clearance", ">=", 60, "mL/min"),
     [meas("creatinine_clearance", 50, "mL/min/1.73m2")], {},
     "needs height and weight to compute body surface area", ["height and weight (for body surface area)"]),
    ("incompatible units", cmp("pao2", "<", 8, "kPa"), [meas("pao2", 55, "g/dL")], {},
     "g/dL cannot be converted to kPa", ["PaO2 in a unit comparable with kPa"]),
    # a variable the lexicon does not know: named by the rule's label, no molar mass
    ("no molar mass", Comparison(variable="zz_analyte", label="test analyte", op=">", value=1.5, unit="mg/dL"),
     [meas("zz_analyte", 150, "umol/L")], {},
     "convert only with the analyte's molar mass", ["test analyte in a unit comparable with mg/dL"]),
    ("unitless against a unit", cmp("mrss", ">", 15, "%"), [meas("mrss", 20, None)], {},
     "a unitless value cannot be compared with %", ["mRSS in a unit comparable with %"]),
    ("age missing", cmp("age", ">=", 18, "year"), [], {}, "no age or birth date in the profile",
     ["age or birth date"]),
]


@pytest.mark.parametrize(
    "rule, measurements, extra, explanation, missing",
    [case[1:] for case in UNKNOWN_COMPARISONS],
    ids=[case[0] for case in UNKNOWN_COMPARISONS],
)
def test_comparison_unknown(rule, measurements, extra, explanation, missing):
    for section in ("inclusion", "exclusion"):
        result = check(ruleset(crit(rule, section=section)), patient(*measurements, **extra))
        (criterion,) = result.criteria
        assert criterion.status == "unknown"
        assert criterion.outcome == "review"
        assert result.verdict == "needs_review"
        (leaf,) = criterion.details
        assert explanation in leaf.explanation
        assert leaf.missing == missing
        assert result.to_collect == missing


def test_bsa_conversion_matches_convert_with_area():
    rule = cmp("creatinine_clearance", ">=", 60, "mL/min/1.73m2")
    # 78 mL/min is 80.2, 52.3 and 98.6 mL/min/1.73m2 for these three body sizes
    for height, weight, status in ((170, 60, "met"), (200, 120, "not_met"), (150, 45, "met")):
        pat = patient(meas("creatinine_clearance", 78, "mL/min"), height_cm=height, weight_kg=weight)
        leaf = one(rule, pat).details[0]
        expected = convert_with_area(78, "mL/min", "mL/min/1.73m2", bsa_mosteller(height, weight))
        assert leaf.converted == f"{format_number(expected)} mL/min/1.73m2"
        assert leaf.status == status == ("met" if expected >= 60 else "not_met")
        assert f"with BSA {format_number(bsa_mosteller(height, weight))} m²" in leaf.explanation


@pytest.mark.parametrize(
    "value, op, limit, expected",
    [
        (1.0, "<", 2.0, True), (2.0, "<", 2.0, False), (2.0, "<=", 2.0, True), (3.0, "<=", 2.0, False),
        (3.0, ">", 2.0, True), (2.0, ">", 2.0, False), (2.0, ">=", 2.0, True), (1.0, ">=", 2.0, False),
        (2.0, "==", 2.0, True), (2.1, "==", 2.0, False), (2.1, "!=", 2.0, True), (2.0, "!=", 2.0, False),
        # within a relative 1e-9: equal
        (2.0 * (1 + 1e-12), "<=", 2.0, True), (2.0 * (1 + 1e-12), ">", 2.0, False),
        (2.0 * (1 - 1e-12), ">=", 2.0, True), (2.0 * (1 - 1e-12), "<", 2.0, False),
        (2.0 * (1 + 1e-12), "==", 2.0, True), (2.0 * (1 + 1e-6), "==", 2.0, False),
        (0.0, "==", 0.0, True), (0.0, "<", 1e-300, True),
    ],
)
def test_compare(value, op, limit, expected):
    assert compare(value, op, limit) is expected


def test_floating_point_equality_after_conversion():
    # 7.5 g/dL is 75 g/L; the conversion's rounding must not move it off the limit
    pat = patient(meas("hemoglobin", 7.5, "g/dL"))
    assert one(cmp("hemoglobin", ">=", 75, "g/L"), pat).status == "met"
    assert one(cmp("hemoglobin", "<", 75, "g/L"), pat).status == "not_met"
    assert one(cmp("hemoglobin", "==", 75, "g/L"), pat).status == "met"
    # 60 mmHg against the kPa restatement of 60 mmHg
    kpa = converter("mmHg", "kPa")(60)
    pat = patient(meas("pao2", 60, "mmHg"))
    assert one(cmp("pao2", "<=", kpa, "kPa"), pat).status == "met"
    assert one(cmp("pao2", "<", kpa, "kPa"), pat).status == "not_met"


def test_value_close_to_limit_is_not_shown_as_the_limit():
    # 59.99 mmHg = 7.998 kPa: "= 8 kPa, below 8 kPa" would read as a contradiction
    leaf = one(cmp("pao2", "<", 8, "kPa"), patient(meas("pao2", 59.99, "mmHg"))).details[0]
    assert leaf.status == "met"
    assert leaf.converted != "8 kPa"
    assert leaf.converted.startswith("7.99")


def test_threshold_digits_are_kept():
    leaf = one(cmp("bilirubin", "<=", 1.125, "mg/dL"), patient(meas("bilirubin", 1, "mg/dL"))).details[0]
    assert leaf.threshold == "<= 1.125 mg/dL"
    leaf = one(cmp("platelets", ">=", 100000, "/mm3"), patient(meas("platelets", 150, "10^9/L"))).details[0]
    assert leaf.threshold == ">= 100,000/mm3"
    assert leaf.converted == "150,000/mm3"
    assert leaf.status == "met"


# ---------------------------------------------------------------------------- Kleene logic

RANK = {"not_met": 0, "unknown": 1, "met": 2}
BY_RANK = {v: k for k, v in RANK.items()}
CONDITIONS = ("malignancy", "hiv", "epilepsy")


def leaf_for(index: int) -> Condition:
    return Condition(condition=CONDITIONS[index], timing="current")


def patient_with(statuses) -> Patient:
    """A patient whose i-th condition leaf evaluates to statuses[i]."""
    states = {"met": "present", "not_met": "absent"}
    conditions = {
        CONDITIONS[i]: cond(CONDITIONS[i], states[s]) for i, s in enumerate(statuses) if s != "unknown"
    }
    return patient(conditions=conditions)


@pytest.mark.parametrize("statuses", list(itertools.product(STATUSES, repeat=2)) + list(
    itertools.product(STATUSES, repeat=3)), ids=lambda s: "-".join(s))
def test_kleene_all_any(statuses):
    items = [leaf_for(i) for i in range(len(statuses))]
    pat = patient_with(statuses)
    expected_all = BY_RANK[min(RANK[s] for s in statuses)]
    expected_any = BY_RANK[max(RANK[s] for s in statuses)]
    all_result = one(AllOf(items=items), pat)
    any_result = one(AnyOf(items=items), pat)
    assert all_result.status == expected_all == all_of(statuses)
    assert any_result.status == expected_any == any_of(statuses)
    # every leaf is reported, in order, whatever short cut the logic allows
    assert [d.status for d in all_result.details] == list(statuses)
    assert [d.status for d in any_result.details] == list(statuses)


@pytest.mark.parametrize("status", STATUSES)
def test_kleene_not(status):
    pat = patient_with([status])
    expected = BY_RANK[2 - RANK[status]]
    assert one(Not(item=leaf_for(0)), pat).status == expected == negate(status)
    assert one(Not(item=Not(item=leaf_for(0))), pat).status == status


@pytest.mark.parametrize("statuses", list(itertools.product(STATUSES, repeat=2)), ids=lambda s: "-".join(s))
def test_kleene_de_morgan(statuses):
    pat = patient_with(statuses)
    a, b = leaf_for(0), leaf_for(1)
    left = one(Not(item=AllOf(items=[a, b])), pat).status
    right = one(AnyOf(items=[Not(item=a), Not(item=b)]), pat).status
    assert left == right


def test_empty_group_needs_review():
    for group in (AllOf(items=[]), AnyOf(items=[])):
        result = check(ruleset(crit(group)), patient())
        assert result.criteria[0].status == "unknown"
        assert result.verdict == "needs_review"


# ---------------------------------------------------------------------------- outcomes and verdicts


@pytest.mark.parametrize(
    "section, status, outcome",
    [
        ("inclusion", "met", "pass"), ("inclusion", "not_met", "fail"), ("inclusion", "unknown", "review"),
        ("exclusion", "met", "fail"), ("exclusion", "not_met", "pass"), ("exclusion", "unknown", "review"),
    ],
)
def test_outcome(section, status, outcome):
    assert outcome_of(section, status) == outcome
    result = one(leaf_for(0), patient_with([status]), section=section)
    assert result.status == status
    assert result.outcome == outcome
    words = {"met": "met", "not_met": "not met", "unknown": "unknown"}[status]
    assert result.explanation.endswith(f"{section} {words}" + (" (needs review)" if status == "unknown" else ""))


@pytest.mark.parametrize(
    "inclusions, exclusions, verdict",
    [
        (["met", "met"], ["not_met", "not_met"], "eligible"),
        (["met"], [], "eligible"),
        ([], ["not_met"], "eligible"),
        (["met", "not_met"], ["not_met"], "ineligible"),
        (["met"], ["met"], "ineligible"),
        (["unknown", "not_met"], ["unknown"], "ineligible"),
        (["unknown"], ["met"], "ineligible"),
        (["met", "unknown"], ["not_met"], "needs_review"),
        (["met"], ["not_met", "unknown"], "needs_review"),
        (["unknown"], ["unknown"], "needs_review"),
        ([], [], "needs_review"),
    ],
)
def test_verdict(inclusions, exclusions, verdict):
    criteria, conditions = [], {}
    for n, (section, status) in enumerate(
        [("inclusion", s) for s in inclusions] + [("exclusion", s) for s in exclusions]
    ):
        name = f"c{n}"
        criteria.append(crit(Condition(condition=name, timing="current"), section=section, id=f"X{n}"))
        if status != "unknown":
            conditions[name] = cond(name, "present" if status == "met" else "absent")
    result = check(ruleset(*criteria), patient(conditions=conditions))
    assert [c.status for c in result.criteria] == inclusions + exclusions
    assert result.verdict == verdict
    assert verdict_of(result.criteria) == verdict


def test_missing_data_never_eligible():
    """Every kind of leaf, with nothing in the profile: unknown, so needs review."""
    rules = ruleset(
        crit(cmp("pao2", "<", 8, "kPa"), id="I1"),
        crit(cmp("age", ">=", 18, "year"), id="I2"),
        crit(Not(item=Condition(condition="malignancy", timing="history")), id="I3"),
        crit(Interval(start="symptom_onset", end="hospital_admission", op="<", value=10, unit="day"), id="I4"),
        crit(Manual(question="Able to consent?"), id="I5", manual=True),
        crit(cmp("alt", ">", 3, "ULN"), section="exclusion", id="E1"),
        crit(Condition(condition="pregnancy"), section="exclusion", id="E2"),
        crit(Not(item=cmp("pasp", "<=", 55, "mmHg")), section="exclusion", id="E3"),
    )
    result = check(rules, patient())
    assert {c.status for c in result.criteria} == {"unknown"}
    assert result.verdict == "needs_review"
    assert result.to_collect == [
        "PaO2",
        "age or birth date",
        "malignancy (present, past or absent)",
        "date of onset of symptoms",
        "date of hospital admission",
        "answer to I5: Able to consent?",
        "ALT",
        "pregnancy (present, past or absent)",
        "PASP",
    ]


def test_to_collect_only_from_undecided_criteria_and_distinct():
    rules = ruleset(
        # met through the other branch: the missing PaO2 did not matter
        crit(AnyOf(items=[cmp("pao2", "<", 8, "kPa"), cmp("pasp", ">", 55, "mmHg")]), id="I1"),
        crit(AllOf(items=[cmp("dlco", "<", 60, "%"), cmp("fvc", "<=", 70, "%")]), id="I2"),
        crit(cmp("dlco", "<", 40, "%"), id="I3"),
        crit(cmp("creatinine_clearance", "<", 30, "mL/min/1.73m2"), section="exclusion", id="E1"),
        crit(cmp("creatinine_clearance", "<", 60, "mL/min/1.73m2"), section="exclusion", id="E2"),
    )
    pat = patient(
        meas("pasp", 60, "mmHg"),
        meas("fvc", 65, "%"),
        meas("creatinine_clearance", 50, "mL/min"),
    )
    result = check(rules, pat)
    assert [c.status for c in result.criteria] == ["met", "unknown", "unknown", "unknown", "unknown"]
    assert result.to_collect == ["DLCO", "height and weight (for body surface area)"]


def test_result_shape_and_key_order():
    rules = ruleset(crit(cmp("pao2", "<", 8, "kPa"), id="I1", text="PaO2 < 8 kPa"))
    result = check(rules, patient(meas("pao2", 55, "mmHg"), source="p1.yaml"))
    data = json.loads(result.model_dump_json())
    assert list(data) == ["trial", "patient", "verdict", "criteria", "to_collect", "as_of"]
    assert data["trial"] == {"id": "NCT00000001", "title": "A test trial"}
    assert data["patient"] == {"id": "P1", "source": "p1.yaml"}
    assert data["as_of"] == "2024-05-01"
    assert data["verdict"] == "eligible"
    criterion = data["criteria"][0]
    assert list(criterion) == ["id", "key", "section", "text", "status", "outcome", "explanation", "manual", "details"]
    assert criterion["explanation"] == "PaO2 55 mmHg = 7.33 kPa, below 8 kPa: met → inclusion met"
    assert criterion["details"][0] == {
        "kind": "comparison",
        "status": "met",
        "explanation": "PaO2 55 mmHg = 7.33 kPa, below 8 kPa: met",
        "variable": "pao2",
        "given": "55 mmHg",
        "converted": "7.33 kPa",
        "threshold": "< 8 kPa",
    }
    assert Result.model_validate_json(result.model_dump_json()) == result


def test_criterion_explanation_joins_leaves():
    rule = AllOf(items=[cmp("dlco", "<", 60, "%"), cmp("fvc", "<=", 70, "%")])
    result = one(rule, patient(meas("dlco", 45, "%"), meas("fvc", 80, "%")), section="exclusion")
    assert result.status == "not_met"
    assert result.explanation == (
        "DLCO 45%, below 60%: met; FVC 80% is not at or below 70%: not met → exclusion not met"
    )


# ---------------------------------------------------------------------------- conditions


def malignancy(status=None, **dates):
    return {"malignancy": cond("malignancy", status, **dates)} if status else {}


def days_ago(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


CONDITION_CASES = [
    # (case id, timing, within, state, status, explanation substring)
    ("current present", "current", None, malignancy("present"), "met", "malignancy present: met"),
    ("current past", "current", None, malignancy("past", ended=days_ago(30)), "not_met", "not current"),
    ("current absent", "current", None, malignancy("absent"), "not_met", "malignancy absent: not met"),
    ("current no record", "current", None, malignancy(), "unknown", "no record of malignancy"),
    ("history present", "history", None, malignancy("present"), "met", "present"),
    ("history past", "history", None, malignancy("past"), "met", "history of malignancy: met"),
    ("history absent", "history", None, malignancy("absent"), "not_met", "absent"),
    ("history no record", "history", None, malignancy(), "unknown", "no record"),
    ("window present", "history", (5, "year"), malignancy("present"), "met", "present"),
    ("window absent", "history", (5, "year"), malignancy("absent"), "not_met", "absent"),
    ("window ended inside", "history", (5, "year"), malignancy("past", ended=dt.date(2021, 3, 1)), "met",
     "malignancy ended 2021-03-01, 3.17 years before 2024-05-01, within 5 years: met"),
    ("window ended before", "history", (5, "year"), malignancy("past", ended=dt.date(2018, 3, 1)), "not_met",
     "not within 5 years: not met"),
    ("window ended on the edge", "history", (1, "year"), malignancy("past", ended=days_ago(365)), "met",
     "within 1 year"),
    ("window months inside", "history", (6, "month"), malignancy("past", ended=days_ago(150)), "met",
     "within 6 months"),
    ("window months outside", "history", (6, "month"), malignancy("past", ended=days_ago(200)), "not_met",
     "not within 6 months"),
    ("window weeks", "history", (4, "week"), malignancy("past", ended=days_ago(28)), "met", "within 4 weeks"),
    ("window ended date wins", "history", (5, "year"),
     malignancy("past", diagnosed=days_ago(300), ended=days_ago(3000)), "not_met", "ended"),
    ("window diagnosed inside", "history", (5, "year"), malignancy("past", diagnosed=days_ago(700)), "met",
     "diagnosed"),
    ("window diagnosed before, end unknown", "history", (5, "year"),
     malignancy("past", diagnosed=days_ago(4000)), "unknown", "end date is needed"),
    ("window no dates", "history", (5, "year"), malignancy("past"), "unknown", "no date"),
    ("window no record", "history", (5, "year"), malignancy(), "unknown", "no record"),
]


@pytest.mark.parametrize(
    "timing, within, conditions, status, explanation",
    [case[1:] for case in CONDITION_CASES],
    ids=[case[0] for case in CONDITION_CASES],
)
def test_condition(timing, within, conditions, status, explanation):
    rule = Condition(
        condition="malignancy", timing=timing, within=Duration(value=within[0], unit=within[1]) if within else None
    )
    result = one(rule, patient(conditions=conditions), section="exclusion")
    assert result.status == status
    (leaf,) = result.details
    assert leaf.kind == "condition"
    assert explanation in leaf.explanation
    if status == "unknown":
        assert leaf.missing
        assert result.outcome == "review"
    else:
        assert leaf.missing == []


def test_condition_missing_items():
    rule = Condition(condition="malignancy", timing="history", within=Duration(value=5, unit="year"))
    no_record = check(ruleset(crit(rule)), patient())
    assert no_record.to_collect == ["malignancy (present, past or absent)"]
    no_date = check(ruleset(crit(rule)), patient(conditions=malignancy("past")))
    assert no_date.to_collect == ["date malignancy ended"]


# ---------------------------------------------------------------------------- intervals

ONSET = dt.date(2024, 1, 1)

INTERVAL_CASES = [
    # (case id, rule kwargs, events, status, explanation substring)
    ("days met", dict(op="<", value=10, unit="day"), {"hospital_admission": dt.date(2024, 1, 9)}, "met",
     "time from onset of symptoms to hospital admission 8 days, below 10 days: met"),
    ("days not met", dict(op="<", value=10, unit="day"), {"hospital_admission": dt.date(2024, 1, 13)},
     "not_met", "12 days is not below 10 days: not met"),
    ("days edge", dict(op="<=", value=10, unit="day"), {"hospital_admission": dt.date(2024, 1, 11)}, "met",
     "10 days, at or below 10 days"),
    ("weeks met", dict(op="<", value=2, unit="week"), {"hospital_admission": dt.date(2024, 1, 13)}, "met",
     "12 days = 1.71 weeks, below 2 weeks: met"),
    ("weeks not met", dict(op="<", value=2, unit="week"), {"hospital_admission": dt.date(2024, 1, 16)},
     "not_met", "15 days = 2.14 weeks is not below 2 weeks"),
    ("hours", dict(op="<", value=48, unit="hour"), {"hospital_admission": dt.date(2024, 1, 2)}, "met",
     "1 day = 24 hours, below 48 hours"),
    ("hours not met", dict(op="<", value=48, unit="hour"), {"hospital_admission": dt.date(2024, 1, 4)},
     "not_met", "3 days = 72 hours"),
    ("same day", dict(op="<=", value=0, unit="day"), {"hospital_admission": ONSET}, "met", "0 days"),
    ("end missing", dict(op="<", value=10, unit="day"), {}, "unknown", "no date of hospital admission"),
    ("end before start", dict(op="<", value=10, unit="day"), {"hospital_admission": dt.date(2023, 12, 30)},
     "unknown", "check the dates"),
]


@pytest.mark.parametrize(
    "kwargs, events, status, explanation",
    [case[1:] for case in INTERVAL_CASES],
    ids=[case[0] for case in INTERVAL_CASES],
)
def test_interval(kwargs, events, status, explanation):
    rule = Interval(start="symptom_onset", end="hospital_admission", **kwargs)
    result = one(rule, patient(events={"symptom_onset": ONSET, **events}))
    assert result.status == status
    (leaf,) = result.details
    assert leaf.kind == "interval"
    assert explanation in leaf.explanation


def test_interval_to_profile_date():
    rule = Interval(start="symptom_onset", end=None, op="<=", value=1, unit="month")
    met = one(rule, patient(events={"symptom_onset": days_ago(30)}))
    assert met.status == "met"
    assert "to the profile date 30 days" in met.details[0].explanation
    assert one(rule, patient(events={"symptom_onset": days_ago(31)})).status == "not_met"
    missing = check(ruleset(crit(rule)), patient())
    assert missing.criteria[0].status == "unknown"
    assert missing.to_collect == ["date of onset of symptoms"]


def test_interval_missing_start_names_the_event():
    rule = Interval(start="symptom_onset", end="hospital_admission", op="<", value=10, unit="day")
    result = check(ruleset(crit(rule)), patient(events={"hospital_admission": ONSET}))
    assert result.criteria[0].status == "unknown"
    assert "onset of symptoms" in result.criteria[0].explanation
    assert result.to_collect == ["date of onset of symptoms"]


# ---------------------------------------------------------------------------- manual


@pytest.mark.parametrize(
    "answers, section, status, verdict",
    [
        ({"E7": True}, "exclusion", "met", "ineligible"),
        ({"E7": False}, "exclusion", "not_met", "eligible"),
        ({}, "exclusion", "unknown", "needs_review"),
        ({"E7": True}, "inclusion", "met", "eligible"),
        ({"E7": False}, "inclusion", "not_met", "ineligible"),
    ],
)
def test_manual(answers, section, status, verdict):
    question = "Any condition that, in the investigator's opinion,\n  makes the patient unsuitable?"
    rule = Manual(question=question)
    result = check(ruleset(crit(rule, section=section, id="E7", manual=True)), patient(answers=answers))
    (criterion,) = result.criteria
    assert criterion.manual is True
    assert criterion.status == status
    assert result.verdict == verdict
    flat = "Any condition that, in the investigator's opinion, makes the patient unsuitable?"
    if status == "unknown":
        assert criterion.details[0].explanation == f"needs review: {flat}"
        assert result.to_collect == [f"answer to E7: {flat}"]
    else:
        assert result.to_collect == []


def test_answer_to_the_criterion_decides_it_whole():
    rule = AllOf(items=[Manual(question="Q1?", id="E1.1"), cmp("pasp", ">", 55, "mmHg"), Manual(question="Q2?", id="E1.2")])
    pat = patient(meas("pasp", 60, "mmHg"), answers={"E1": True})
    assert one(rule, pat, section="exclusion", id="E1").status == "met"
    pat = patient(meas("pasp", 60, "mmHg"), answers={"E1": False})
    assert one(rule, pat, section="exclusion", id="E1").status == "not_met"


def test_each_question_has_its_own_answer():
    rule = AllOf(items=[Manual(question="Q1?", id="E1.1"), cmp("pasp", ">", 55, "mmHg"), Manual(question="Q2?", id="E1.2")])
    pat = patient(meas("pasp", 60, "mmHg"), answers={"E1.1": True})
    result = check(ruleset(crit(rule, section="exclusion", id="E1")), pat)
    assert [d.status for d in result.criteria[0].details] == ["met", "met", "unknown"]
    assert result.to_collect == ["answer to E1.2: Q2?"]
    pat = patient(meas("pasp", 60, "mmHg"), answers={"E1.1": True, "E1.2": False})
    assert one(rule, pat, section="exclusion", id="E1").status == "not_met"


# ---------------------------------------------------------------------------- speed


def test_hot_path_does_no_pint_work(monkeypatch):
    from screener import units

    rules = ruleset(
        crit(cmp("pao2", "<", 8, "kPa"), id="I1"),
        crit(cmp("creatinine_clearance", ">=", 30, "mL/min/1.73m2"), id="I2"),
        crit(cmp("alt", "<", 3, "ULN"), id="I3"),
        crit(cmp("bilirubin", "<", 1.5, "mg/dL"), id="I4"),
    )

    def make(i: int) -> Patient:
        return patient(
            meas("pao2", 40 + i, "mmHg"),
            meas("creatinine_clearance", 50 + i, "mL/min"),
            meas("alt", 30 + i, "U/L", uln=40),
            meas("bilirubin", 10 + i, "umol/L"),
            height_cm=170,
            weight_kg=70,
        )

    first = check(rules, make(0))  # warms the caches

    def no_pint(*args, **kwargs):
        raise AssertionError("pint used in the hot path")

    monkeypatch.setattr(units.ureg.Quantity, "to", no_pint)
    monkeypatch.setattr(units.ureg, "parse_expression", no_pint)
    for i in range(50):
        assert check(rules, make(i)).criteria[0].status in ("met", "not_met")
    assert first.verdict == "eligible"


# ---------------------------------------------------------------------------- properties

PRESSURE_UNITS = ("mmHg", "kPa", "cmH2O")
COUNT_UNITS = ("10^9/L", "/uL", "/mm3", "G/L", "10^6/L", "cells/uL")
MASS_UNITS = ("g/dL", "g/L", "mg/dL", "mg/mL")
FAMILIES = [
    ("pao2", "mmHg", PRESSURE_UNITS),
    ("neutrophils", "10^9/L", COUNT_UNITS),
    ("hemoglobin", "g/dL", MASS_UNITS),
    ("bilirubin", "mg/dL", ("mg/dL", "umol/L", "mmol/L", "mg/L")),
]
OPS = ("<", "<=", ">", ">=", "==", "!=")
magnitudes = st.floats(min_value=0.01, max_value=1000, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    family=st.sampled_from(FAMILIES),
    data=st.data(),
    value=magnitudes,
    op=st.sampled_from(OPS),
)
def test_equivalent_units_give_the_same_status(family, data, value, op):
    variable, base, units_ = family
    threshold_unit = data.draw(st.sampled_from(units_), label="threshold unit")
    # the limit is either unrelated to the value, or exactly the value (the boundary)
    limit = data.draw(
        st.one_of(magnitudes, st.just(converter(base, threshold_unit, 584.66)(value))), label="limit"
    )
    rule = cmp(variable, op, limit, threshold_unit)
    statuses = set()
    for unit in units_:
        shown = converter(base, unit, 584.66)(value)
        statuses.add(one(rule, patient(meas(variable, shown, unit))).status)
    assert len(statuses) == 1
    assert statuses <= {"met", "not_met"}


@settings(max_examples=300, deadline=None)
@given(
    family=st.sampled_from(FAMILIES),
    data=st.data(),
    value=magnitudes,
    raise_by=st.floats(min_value=0, max_value=1000, allow_nan=False),
    limit=magnitudes,
    op=st.sampled_from((">", ">=")),
)
def test_raising_the_value_keeps_a_met_above_comparison_met(family, data, value, raise_by, limit, op):
    variable, _, units_ = family
    unit = data.draw(st.sampled_from(units_), label="patient unit")
    threshold_unit = data.draw(st.sampled_from(units_), label="threshold unit")
    rule = cmp(variable, op, limit, threshold_unit)
    low = one(rule, patient(meas(variable, value, unit))).status
    high = one(rule, patient(meas(variable, value + raise_by, unit))).status
    if low == "met":
        assert high == "met"
    mirrored = cmp(variable, {">": "<", ">=": "<="}[op], limit, threshold_unit)
    if one(mirrored, patient(meas(variable, value + raise_by, unit))).status == "met":
        assert one(mirrored, patient(meas(variable, value, unit))).status == "met"


# Random rule trees over a fixed set of leaves; a full profile decides every leaf, and
# removing any part of it may only turn statuses into unknown, never flip them.

LEAVES = [
    cmp("pao2", "<", 8, "kPa"),
    cmp("alt", ">=", 3, "ULN"),
    cmp("creatinine_clearance", "<", 60, "mL/min/1.73m2"),
    cmp("age", ">=", 18, "year"),
    Condition(condition="malignancy", timing="history", within=Duration(value=5, unit="year")),
    Condition(condition="pregnancy", timing="current"),
    Interval(start="symptom_onset", end="hospital_admission", op="<", value=10, unit="day"),
    Manual(question="Suitable?", id="Q1"),
]

trees = st.recursive(
    st.sampled_from(LEAVES),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda items: AllOf(items=items)),
        st.lists(children, min_size=1, max_size=3).map(lambda items: AnyOf(items=items)),
        children.map(lambda item: Not(item=item)),
        st.tuples(children, children).map(lambda pair: Unless(item=pair[0], exception=pair[1])),
        st.tuples(children, children, st.booleans()).map(
            lambda parts: Restrict(group=parts[0], item=parts[1], outside=parts[2])
        ),
        children.map(lambda item: Readings(items=[item, item])),  # agreeing readings: a full profile decides
    ),
    max_leaves=6,
)


@st.composite
def full_patients(draw):
    return patient(
        meas("pao2", draw(st.sampled_from([50, 60, 70])), "mmHg"),
        meas("alt", draw(st.sampled_from([40, 130])), "U/L", uln=40),
        meas("creatinine_clearance", draw(st.sampled_from([40, 90])), "mL/min"),
        birth_date=draw(st.sampled_from([dt.date(1960, 1, 1), dt.date(2010, 1, 1)])),
        height_cm=170,
        weight_kg=70,
        conditions={
            "malignancy": cond("malignancy", draw(st.sampled_from(["present", "past", "absent"])),
                               ended=draw(st.sampled_from([dt.date(2015, 1, 1), dt.date(2022, 1, 1)]))),
            "pregnancy": cond("pregnancy", draw(st.sampled_from(["present", "absent"]))),
        },
        events={
            "symptom_onset": ONSET,
            "hospital_admission": ONSET + dt.timedelta(days=draw(st.sampled_from([3, 20]))),
        },
        answers={c: draw(st.booleans()) for c in ("Q1",)},
    )


def answerable(pat: Patient, rules: RuleSet) -> Patient:
    """The patient without answers to questions these rules do not ask (an error since answers
    must land on a criterion; the generated trees ask Q1 only sometimes)."""
    asked = {n.id for c in rules.criteria for n in walk(c.rule) if isinstance(n, Manual) and n.id} | {c.id for c in rules.criteria}
    return pat.model_copy(update={"answers": {k: v for k, v in pat.answers.items() if k in asked}})


def strip(pat: Patient, drop: set[str]) -> Patient:
    data = pat.model_dump()
    for key in ("pao2", "alt", "creatinine_clearance"):
        if key in drop:
            data["measurements"].pop(key)
    if "uln" in drop and "alt" in data["measurements"]:
        data["measurements"]["alt"]["uln"] = None
    for key in ("malignancy", "pregnancy"):
        if key in drop:
            data["conditions"].pop(key)
    if "ended" in drop and "malignancy" in data["conditions"]:
        data["conditions"]["malignancy"]["ended"] = None
    for key in ("symptom_onset", "hospital_admission"):
        if key in drop:
            data["events"].pop(key)
    for key, field in (("birth_date", "birth_date"), ("height", "height_cm"), ("weight", "weight_kg")):
        if key in drop:
            data[field] = None
    if "answers" in drop:
        data["answers"] = {}
    return Patient.model_validate(data)


DROPPABLE = [
    "pao2", "alt", "creatinine_clearance", "uln", "malignancy", "pregnancy", "ended",
    "symptom_onset", "hospital_admission", "birth_date", "height", "weight", "answers",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(st.tuples(trees, st.sampled_from(["inclusion", "exclusion"])), min_size=1, max_size=3),
    full=full_patients(),
    drop=st.sets(st.sampled_from(DROPPABLE), min_size=1),
)
def test_missing_data_only_makes_statuses_unknown(rules, full, drop):
    rule_set = ruleset(*(crit(rule, section=section, id=f"C{i}") for i, (rule, section) in enumerate(rules)))
    full = answerable(full, rule_set)
    complete = check(rule_set, full)
    partial = check(rule_set, strip(full, drop))
    assert all(c.status != "unknown" for c in complete.criteria)
    for whole, part in zip(complete.criteria, partial.criteria):
        # a default reference range may stand in for a dropped ULN, but then only for review
        assert part.status in (whole.status, "unknown") or part.outcome == "review"
    if partial.verdict == "eligible":
        assert complete.verdict == "eligible"
    if partial.verdict == "needs_review":
        assert partial.to_collect
    empty = check(rule_set, patient())
    assert empty.verdict == "needs_review"
    assert {c.status for c in empty.criteria} == {"unknown"}


@pytest.mark.parametrize("patient_sex, status", [("female", "met"), ("male", "not_met"), (None, "unknown")])
def test_sex_restriction(patient_sex, status) -> None:
    from screener.rules import Sex

    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(id="SEX", section="inclusion", text="Female", rule=Sex(sex="female"))])
    result = check(rules, Patient(id="P", sex=patient_sex, as_of=dt.date(2026, 1, 1)))
    assert result.criteria[0].status == status
    assert (result.verdict == "ineligible") == (status == "not_met")


@pytest.mark.parametrize("section, status", [("inclusion", "met"), ("exclusion", "not_met")])
def test_no_requirement_passes_in_either_section(section, status) -> None:
    from screener.rules import NoRequirement

    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(id="X1", section=section, text="Not specified", rule=NoRequirement())])
    result = check(rules, Patient(id="P", as_of=dt.date(2026, 1, 1)))
    assert result.criteria[0].status == status and result.criteria[0].outcome == "pass"


@pytest.mark.parametrize("value, unit, status", [(53, "mmol/mol", "met"), (64, "mmol/mol", "not_met"), (7.0, "%", "met")])
def test_hba1c_in_ifcc_units_against_an_ngsp_limit(value, unit, status) -> None:
    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(
        id="I1", section="inclusion", text="HbA1c <= 7.5 %", rule=Comparison(variable="hba1c", op="<=", value=7.5, unit="%"))])
    patient = Patient(id="P", as_of=dt.date(2026, 1, 1), measurements={
        "hba1c": Measurement(variable="hba1c", name="HbA1c", value=value, unit=unit)})
    assert check(rules, patient).criteria[0].status == status


@pytest.mark.parametrize("measured, window, max_age, status", [
    (dt.date(2026, 1, 1), Duration(value=14, unit="day"), None, "met"),
    (dt.date(2025, 11, 1), Duration(value=14, unit="day"), None, "unknown"),  # too old for the criterion
    (None, Duration(value=14, unit="day"), None, "unknown"),  # undated where a window applies
    (None, None, None, "met"),
    (dt.date(2025, 11, 1), None, 30, "unknown"),  # too old for the configured maximum
    (dt.date(2025, 12, 20), None, 30, "met"),
])
def test_recency_of_lab_values(measured, window, max_age, status) -> None:
    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(id="I1", section="inclusion", text="ANC >= 1.5",
        rule=Comparison(variable="neutrophils", op=">=", value=1.5, unit="10^9/L", within=window))])
    patient = Patient(id="P", as_of=dt.date(2026, 1, 10), measurements={
        "neutrophils": Measurement(variable="neutrophils", name="ANC", value=3.0, unit="10^9/L", date=measured)})
    result = check(rules, patient, max_lab_age_days=max_age)
    assert result.criteria[0].status == status
    if status == "unknown":
        assert "measured within the last" in result.to_collect[0]


def test_default_reference_range_is_used_with_a_warning_when_the_lab_gives_none() -> None:
    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(
        id="E1", section="exclusion", text="ALT > 2.5 x ULN", rule=Comparison(variable="alt", op=">", value=2.5, unit="ULN"))])
    patient = Patient(id="P", as_of=dt.date(2026, 1, 1), measurements={"alt": meas("alt", 150, "U/L")})
    result = check(rules, patient)
    [criterion] = result.criteria
    assert criterion.status == "met"  # 150 U/L = 2.68 x the default ULN of 56 U/L
    assert "default adult range" in criterion.explanation and "give the lab's range" in criterion.explanation
    assert criterion.outcome == "review" and result.verdict == "needs_review"  # a default never decides
    assert "ALT upper limit of normal from the lab" in result.to_collect
    own = Patient(id="P", as_of=dt.date(2026, 1, 1), measurements={"alt": meas("alt", 150, "U/L", uln=40)})
    assert "default" not in check(rules, own).criteria[0].explanation


def test_derived_value_when_the_measurement_is_missing_names_formula_and_inputs() -> None:
    rules = RuleSet(trial=Trial(id="T"), criteria=[Criterion(
        id="I1", section="inclusion", text="CrCl >= 60 mL/min", rule=Comparison(variable="creatinine_clearance", op=">=", value=60, unit="mL/min"))])
    patient = Patient(id="P", sex="male", age=50, weight_kg=80, as_of=dt.date(2026, 1, 1),
                      measurements={"creatinine": meas("creatinine", 88.4, "umol/L")})
    [criterion] = check(rules, patient).criteria
    assert criterion.status == "met"
    assert "100 mL/min" in criterion.explanation and "Cockcroft-Gault" in criterion.explanation
    def measured(value: float):
        return patient.model_copy(update={"measurements": {
            **patient.measurements, "creatinine_clearance": meas("creatinine_clearance", value, "mL/min")}})

    close = check(rules, measured(70)).criteria[0]
    assert close.status == "met" and "70 mL/min" in close.explanation  # a measured value wins...
    far = check(rules, measured(45)).criteria[0]  # ...unless the formula puts it far away: review, both shown
    assert far.status == "unknown" and "45 mL/min" in far.explanation and "100 mL/min" in far.explanation
    bare = Patient(id="P", sex="male", age=50, as_of=dt.date(2026, 1, 1))
    result = check(rules, bare)
    assert result.criteria[0].status == "unknown"
    assert {"weight", "serum creatinine"} <= set(result.to_collect)


# ---------------------------------------------------------------------------- exception, restriction, readings

PASP_HIGH = cmp("pasp", ">", 55, "mmHg")


@pytest.mark.parametrize(
    "item_answer, exception_answer, expected",
    [
        (True, False, "met"),
        (True, True, "not_met"),  # the escape holds: the criterion does not apply
        (False, None, "not_met"),  # an unknown exception cannot change a failed item
        (True, None, "unknown"),
        (None, False, "unknown"),
    ],
)
def test_unless(item_answer, exception_answer, expected):
    rule = Unless(item=Manual(question="Q?", id="E1.1"), exception=Manual(question="Due to tumour?", id="E1.2"))
    answers = {k: v for k, v in (("E1.1", item_answer), ("E1.2", exception_answer)) if v is not None}
    assert one(rule, patient(answers=answers), section="exclusion", id="E1").status == expected


@pytest.mark.parametrize(
    "sex, pasp, outside, expected",
    [
        ("male", 60, False, "not_met"),  # an exclusion for women does not apply to a man
        ("male", 60, True, "met"),  # an inclusion for women is satisfied by a man
        ("female", 60, False, "met"),
        ("female", 50, True, "not_met"),
        (None, 50, False, "not_met"),  # unknown group, but the item alone decides
        (None, 60, False, "unknown"),
    ],
)
def test_restrict(sex, pasp, outside, expected):
    from screener.rules import Sex

    rule = Restrict(group=Sex(sex="female"), item=PASP_HIGH, outside=outside)
    pat = patient(meas("pasp", pasp, "mmHg"), sex=sex)
    assert one(rule, pat).status == expected


@pytest.mark.parametrize("pao2, expected", [(55, "met"), (60, "unknown"), (62, "not_met")])
def test_readings_decide_only_where_they_agree(pao2, expected):
    rule = Readings(items=[cmp("pao2", "<", 8, "kPa"), cmp("pao2", "<", 60, "mmHg")])
    assert one(rule, patient(meas("pao2", pao2, "mmHg"))).status == expected


@pytest.mark.parametrize("age, expected", [(70.5, "met"), (70.999, "met"), (71, "not_met"), (17.9, "not_met")])
def test_ages_compare_in_completed_years(age, expected):
    rule = AllOf(items=[cmp("age", ">=", 18, "year"), cmp("age", "<=", 70, "year")])
    assert one(rule, patient(age=age)).status == expected


@pytest.mark.parametrize("pao2, unit, expected", [(55, "mmHg", "met"), (60, "mmHg", "not_met"), (62, "mmHg", "not_met"),
                                                   (7.99, "kPa", "met"), (8, "kPa", "not_met")])
def test_a_restated_limit_is_read_in_the_unit_of_the_value(pao2, unit, expected):
    from screener.rules import Quantity

    rule = Comparison(variable="pao2", op="<", value=8, unit="kPa", alt=[Quantity(value=60, unit="mmHg")])
    assert one(rule, patient(meas("pao2", pao2, unit))).status == expected


@pytest.mark.parametrize("value, unit, expected", [(0.1328, "mmol/L", "unknown"), (0.12, "mmol/L", "met"),
                                                   (132.8, "umol/L", "met"), (1.502, "mg/dL", "not_met")])
def test_a_restated_limit_in_a_third_unit_is_a_second_reading(value, unit, expected):
    from screener.rules import Quantity

    rule = Comparison(variable="creatinine", op="<", value=1.5, unit="mg/dL", alt=[Quantity(value=133, unit="umol/L")])
    assert one(rule, patient(meas("creatinine", value, unit))).status == expected


@pytest.mark.parametrize("value, expected", [(9.8, "unknown"), (10.2, "met"), (9.5, "not_met")])
def test_an_approximate_restatement_is_a_second_reading(value, expected):
    from screener.rules import Quantity

    rule = Comparison(variable="hemoglobin", op=">=", value=6, unit="mmol/L", alt=[Quantity(value=10, unit="g/dL")])
    assert one(rule, patient(meas("hemoglobin", value, "g/dL"))).status == expected

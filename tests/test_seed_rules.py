"""The reviewed rules files of the two seed trials: provenance, thresholds, golden output."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.compiler import compile_source
from screener.rules import Comparison, Criterion, load_rules, walk
from screener.sources import read_sources

ROOT = Path(__file__).resolve().parents[1]
SEEDS = {
    "NCT02213705": ROOT / "tests" / "fixtures" / "seeds" / "NCT02213705.txt",
    "NCT04711200": ROOT / "tests" / "fixtures" / "seeds" / "NCT04711200.txt",
}

# Every numeric threshold of the seed texts: (section, variable, op, value, unit).
THRESHOLDS = {
    "NCT02213705": {
        ("inclusion", "mrss", ">", 15, None),
        ("inclusion", "dlco", "<", 60, "%"),
        ("inclusion", "fvc", "<=", 70, "%"),
        ("exclusion", "pasp", ">", 55, "mmHg"),
        ("exclusion", "dlco", "<", 30, "%"),
        ("exclusion", "pao2", "<", 8, "kPa"),
        ("exclusion", "paco2", ">", 6.7, "kPa"),
        ("exclusion", "creatinine_clearance", "<", 20, "mL/min/m2"),
        ("exclusion", "lvef", "<", 35, "%"),
        ("exclusion", "pasp", ">", 40, "mmHg"),
        ("exclusion", "ast", ">=", 3, "ULN"),
        ("exclusion", "alt", ">=", 3, "ULN"),
        ("exclusion", "bilirubin", ">=", 3, "ULN"),
        ("exclusion", "neutrophils", "<", 0.5, "10^9/L"),
        ("exclusion", "platelets", "<", 50, "10^9/L"),
        ("exclusion", "hemoglobin", "<", 8, "g/dL"),
        ("exclusion", "cd4_count", "<", 200, "10^6/L"),
        ("inclusion", "age", ">=", 18, "year"),
        ("inclusion", "age", "<=", 70, "year"),
    },
    "NCT04711200": {
        ("inclusion", "age", ">=", 18, "year"),
        ("inclusion", "age", "<=", 75, "year"),
        ("inclusion", "detached_bsa", ">=", 10, "%"),
    },
}


def comparisons(criteria: list[Criterion]) -> set[tuple]:
    return {
        (c.section, n.variable, n.op, n.value, n.unit)
        for c in criteria
        for n in walk(c.rule)
        if isinstance(n, Comparison)
    }


@pytest.mark.parametrize("trial_id", SEEDS)
def test_rules_file_loads_with_its_trial_id(trial_id: str) -> None:
    rules = load_rules(ROOT / "rules" / f"{trial_id}.yaml")
    assert rules.trial.id == trial_id
    assert rules.criteria


@pytest.mark.parametrize("trial_id", SEEDS)
def test_every_criterion_text_stands_verbatim_at_its_span(trial_id: str) -> None:
    seed = SEEDS[trial_id].read_text(encoding="utf-8")
    for criterion in load_rules(ROOT / "rules" / f"{trial_id}.yaml").criteria:
        start, end = criterion.span
        assert seed[start:end] == criterion.text, criterion.id
        for node in walk(criterion.rule):
            if node.span is not None:
                assert start <= node.span[0] <= node.span[1] <= end, (criterion.id, node)


@pytest.mark.parametrize("trial_id", SEEDS)
def test_every_threshold_of_the_seed_is_in_the_rules(trial_id: str) -> None:
    found = comparisons(load_rules(ROOT / "rules" / f"{trial_id}.yaml").criteria)
    assert THRESHOLDS[trial_id] <= found
    assert found <= THRESHOLDS[trial_id], "a comparison that the seed text does not state"


@pytest.mark.parametrize("trial_id", SEEDS)
def test_rules_file_is_what_the_compiler_writes(trial_id: str) -> None:
    """Golden test: a compiler change that alters a seed's rules shows up as a diff to review."""
    compiled = compile_source(read_sources(str(SEEDS[trial_id]), trial_id)[0])
    committed = load_rules(ROOT / "rules" / f"{trial_id}.yaml")
    assert [c.model_dump() for c in compiled.criteria] == [c.model_dump() for c in committed.criteria]
    assert compiled.trial.id == committed.trial.id and compiled.trial.title == committed.trial.title


def test_dual_units_are_one_threshold_with_its_restatement() -> None:
    rules = load_rules(ROOT / "rules" / "NCT02213705.yaml")
    pao2 = [n for c in rules.criteria for n in walk(c.rule) if isinstance(n, Comparison) and n.variable == "pao2"]
    assert len(pao2) == 1
    assert [(a.value, a.unit) for a in pao2[0].alt] == [(60, "mmHg")]


def test_sentences_that_cannot_be_computed_stay_as_manual_criteria() -> None:
    rules = load_rules(ROOT / "rules" / "NCT04711200.yaml")
    manual = {c.id: c.text for c in rules.criteria if c.manual}
    assert "Participation in other interventional drug research" in manual.values()
    assert all(c.id in manual for c in rules.criteria if "social security" in c.text)

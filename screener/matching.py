"""Which trials fit a patient best (``screener match``).

Fewer unknowns is no sign of fit: a systemic sclerosis patient has fewer unknowns for an
SJS/TEN trial than for a scleroderma trial, because the first asks about dates the patient
has no reason to have.  Trials are ranked by how well they fit the patient's condition:
1. eligible;
2. needs review, and the patient has a disease the trial's inclusions ask for (a condition
   named in an inclusion criterion, not under a negation) with no inclusion about it
   decided against the patient; by the number of decisive items left to collect;
3. the other trials that need review, by the number of decisive items left.
Ineligible trials are listed apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .answers import AnswerIndex
from .collect import rank
from .evaluate import Result, check
from .patient import Patient
from .rules import AllOf, AnyOf, Condition, Node, Not, RuleSet

if TYPE_CHECKING:
    from .screen import ScreenResult

FIT_WORDS = {0: "eligible", 1: "condition fits, needs review", 2: "needs review"}


@dataclass
class Match:
    """One trial for the patient: verdict, how it fits, what to collect (ranked)."""

    trial: str
    title: str | None
    verdict: str
    fit: int
    decisive: int
    to_collect: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def data(self) -> dict:
        return {"trial": self.trial, "title": self.title, "verdict": self.verdict, "fit": FIT_WORDS.get(self.fit, "ineligible"),
                "decisive_items_left": self.decisive, "to_collect": self.to_collect}


def disease_conditions(node: Node, negated: bool = False) -> set[str]:
    """Conditions a rule asks for (not under a negation)."""
    if isinstance(node, (AllOf, AnyOf)):
        return set().union(*(disease_conditions(item, negated) for item in node.items)) if node.items else set()
    if isinstance(node, Not):
        return disease_conditions(node.item, not negated)
    if isinstance(node, Condition) and not negated:
        return {node.condition}
    return set()


def _condition_fits(rules: RuleSet, result: Result, patient: Patient) -> bool:
    outcomes = {c.id: c.outcome for c in result.criteria}
    asked: set[str] = set()
    for criterion in rules.criteria:
        if criterion.section != "inclusion":
            continue
        wanted = disease_conditions(criterion.rule)
        if wanted and outcomes.get(criterion.id) == "fail":
            return False
        asked |= wanted
    has = {cid for cid, state in patient.conditions.items() if state.status in ("present", "past")}
    return bool(asked & has)


def match_trial(rules: RuleSet, patient: Patient, *, max_lab_age_days: float | None = None) -> Match:
    result = check(rules, patient, max_lab_age_days=max_lab_age_days)
    items = rank(rules, result, patient.sex)
    if result.verdict == "eligible":
        fit = 0
    elif result.verdict == "ineligible":
        fit = 3
    else:
        fit = 1 if _condition_fits(rules, result, patient) else 2
    reasons = [f"{c.id} ({c.section} {c.status.replace('_', ' ')})" for c in result.criteria if c.outcome == "fail"]
    return Match(rules.trial.id or "?", rules.trial.title, result.verdict, fit, sum(i.decisive for i in items),
                 [i.line() for i in items], reasons)


def match_trials(rule_sets: list[RuleSet], patient: Patient, *, max_lab_age_days: float | None = None) -> list[Match]:
    """Every trial for the patient, best fit first (ineligible last)."""
    answered = AnswerIndex(rule_sets).for_rule_sets(patient)  # each trial gets the answers given for it
    matches = [match_trial(rules, one, max_lab_age_days=max_lab_age_days) for rules, one in zip(rule_sets, answered)]
    return sorted(matches, key=lambda m: (m.fit, m.decisive, len(m.to_collect), m.trial))


def _disease_fit(rules: RuleSet, patient: Patient) -> bool:
    """The patient has a condition one of the trial's inclusions asks for."""
    asked = set().union(*(disease_conditions(c.rule) for c in rules.criteria if c.section == "inclusion"))
    return any(patient.conditions[c].status in ("present", "past") for c in asked if c in patient.conditions)


def rank_results(results: Iterable[ScreenResult], rule_sets: Iterable[RuleSet] = (),
                 patient: Patient | None = None) -> list[ScreenResult]:
    """Screening results of one patient in the order of ``match_trials``: eligible, then needs
    review with the patient's disease asked for (no criterion of a needs-review trial is decided
    against the patient), by criteria left undecided, then the others; ineligible ones left out.
    Without the rule sets and the patient the disease cannot be told: eligible, then by undecided."""
    by_trial = {rules.trial.id: rules for rules in rule_sets}

    def fit(result: ScreenResult) -> int:
        if result.verdict == "eligible":
            return 0
        rules = by_trial.get(result.trial)
        return 1 if rules is not None and patient is not None and _disease_fit(rules, patient) else 2

    fitting = [r for r in results if r.verdict in ("eligible", "needs_review")]
    return sorted(fitting, key=lambda r: (fit(r), r.unknown, len(r.to_collect), r.trial or ""))


__all__ = ["Match", "disease_conditions", "match_trial", "match_trials", "rank_results"]

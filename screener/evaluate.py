"""Checking a patient against a trial's rules: three-valued, explained, safe.

``check(rules, patient)`` evaluates every criterion's expression tree with Kleene logic
(met / not_met / unknown).  Missing or unusable data is always *unknown*, never met, so a
patient is only ``eligible`` when every inclusion is met and every exclusion is not met;
anything else that is not clearly ``ineligible`` is ``needs_review``.

Every leaf of a tree (comparison, condition, interval, manual question) yields a
``NodeResult`` with a sentence a study coordinator can read ("PaO2 55 mmHg = 7.33 kPa,
below 8 kPa: met") and, when it is unknown, the data items to collect.

This module holds the result objects, the three-valued logic and the entry points; the
engine that computes them is the rule set's prepared plan (``screener.plan``), the words
are ``screener.wording``'s.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Callable, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from .answers import answers_for
from .lazy import MadeWhenRead, built
from .patient import Patient
from .rules import Criterion, RuleSet, Section

if TYPE_CHECKING:
    from .plan import Plan

Status = Literal["met", "not_met", "unknown"]
Outcome = Literal["pass", "fail", "review"]
Verdict = Literal["eligible", "ineligible", "needs_review"]

MET: Status = "met"
NOT_MET: Status = "not_met"
UNKNOWN: Status = "unknown"

REL_TOL = 1e-9
"""Relative tolerance within which two values are taken as equal."""


# ---------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class TrialRef(_Model):
    id: str | None = None
    title: str | None = None


class PatientRef(_Model):
    id: str
    source: str | None = None


class NodeResult(_Model):
    """The result of one leaf of a criterion's rule.

    ``given`` is the patient's value as recorded, ``converted`` the same value in the
    threshold's unit (when it differs), ``threshold`` the limit with its operator,
    ``missing`` the data items whose absence left the leaf unknown.  Fields that do not
    apply are left out of the JSON.
    """

    kind: Literal[
        "comparison", "condition", "interval", "sex", "none", "manual", "all", "any", "not", "unless", "restrict",
        "readings", "answer",
    ]
    status: Status
    explanation: str
    variable: str | None = Field(None, description="lexicon id of the compared variable")
    given: str | None = None
    converted: str | None = None
    threshold: str | None = None
    missing: list[str] = Field(default_factory=list)
    assumed: list[str] = Field(
        default_factory=list, description="data taken from defaults (a reference range) rather than the profile"
    )

    @model_serializer(mode="wrap")
    def _drop_empty(self, handler):
        data = handler(self)
        return {key: value for key, value in data.items() if value is not None and value != []}


Later = tuple
"""A leaf's result whose words are made only when read, a plain tuple ``(status, say,
args, assumed)``: made for every decided comparison of every check, it must cost little.
The status and the defaults it rests on (``assumed``) are known when the leaf is
evaluated; the words (number formatting, unit words) are made from the same values by
``say(*args)``, ``(explanation, given, converted)``, the first time a person or a dump
reads them; the leaf's other fields are its maker's (``say.__self__``: ``kind``,
``variable``, ``threshold``).  ``later_result`` makes its ``NodeResult``."""


def later_result(leaf: tuple, words: tuple[str, str | None, str | None] | None = None) -> NodeResult:
    """The result of a leaf worded later (a fresh object), from its words when they are made already."""
    explanation, given, converted = words or leaf[1](*leaf[2])
    maker = leaf[1].__self__
    return built(NodeResult, {
        "kind": maker.kind, "status": leaf[0], "explanation": explanation, "variable": maker.variable,
        "given": given, "converted": converted, "threshold": maker.threshold, "missing": [], "assumed": list(leaf[3]),
    })


Leaf = NodeResult | Later
"""What an evaluation with a sink appends: a made result (shared ones) or one made later."""

class CriterionResult(MadeWhenRead):
    """One criterion against the patient: its status, what that means and why, explained
    by its leaves (``details``, made when first read: ``screener.lazy``)."""

    LATER: ClassVar[frozenset[str]] = frozenset({"details"})

    id: str
    key: str | None = Field(None, description="the criterion's stable key: the id to answer it by under a profile's answers")
    section: Section
    text: str
    status: Status
    outcome: Outcome = Field(description="what the status means for eligibility")
    explanation: str
    manual: bool = False
    details: list[NodeResult] = Field(default_factory=list)


class Result(MadeWhenRead):
    """A patient against a trial.  Read-only: the engine shares the parts that are the same
    for every patient (the result of an unanswered question, say) between results; copy
    (``model_copy(deep=True)``) before changing one.  The engine makes ``criteria`` and
    ``to_collect`` when first read, from the evaluation the verdict came from
    (``screener.lazy``)."""

    LATER: ClassVar[frozenset[str]] = frozenset({"criteria", "to_collect"})
    APART: ClassVar[bool] = True  # the criteria are read more often than what to collect, and apart

    trial: TrialRef
    patient: PatientRef
    verdict: Verdict
    criteria: list[CriterionResult]
    to_collect: list[str] = Field(default_factory=list)
    as_of: dt.date

    def deciding(self) -> list[CriterionResult]:
        """The criteria behind the verdict: those that fail when ineligible, those that
        need review when needs_review, none when eligible."""
        wanted = {"ineligible": "fail", "needs_review": "review"}.get(self.verdict)
        return [c for c in self.criteria if c.outcome == wanted]


# ---------------------------------------------------------------------------- logic


def all_of(statuses) -> Status:
    """Kleene AND: not_met if any is not_met, met if all are met, else unknown."""
    seen_unknown = False
    for status in statuses:
        if status == NOT_MET:
            return NOT_MET
        if status != MET:
            seen_unknown = True
    return UNKNOWN if seen_unknown else MET


def any_of(statuses) -> Status:
    """Kleene OR: met if any is met, not_met if all are not_met, else unknown."""
    seen_unknown = False
    for status in statuses:
        if status == MET:
            return MET
        if status != NOT_MET:
            seen_unknown = True
    return UNKNOWN if seen_unknown else NOT_MET


def negate(status: Status) -> Status:
    """Kleene NOT: swaps met and not_met, keeps unknown."""
    return NOT_MET if status == MET else MET if status == NOT_MET else UNKNOWN


def completed(value: float) -> float:
    """Whole units completed (70.5 years is 70 completed years), tolerant of rounding noise."""
    nearest = round(value)
    return float(nearest) if math.isclose(value, nearest, rel_tol=REL_TOL, abs_tol=1e-9) else float(math.floor(value))


def outcome_of(section: str, status: Status) -> Outcome:
    """What a criterion's status means for eligibility."""
    if status == UNKNOWN:
        return "review"
    if section == "inclusion":
        return "pass" if status == MET else "fail"
    return "fail" if status == MET else "pass"


def compare(value: float, op: str, limit: float) -> bool:
    """``value op limit``, with values within a relative 1e-9 taken as equal."""
    equal = math.isclose(value, limit, rel_tol=REL_TOL, abs_tol=0.0)
    if op == "<":
        return value < limit and not equal
    if op == "<=":
        return value < limit or equal
    if op == ">":
        return value > limit and not equal
    if op == ">=":
        return value > limit or equal
    if op == "==":
        return equal
    if op == "!=":
        return not equal
    raise ValueError(f"unknown operator {op!r}")


def verdict_of(criteria: list[CriterionResult]) -> Verdict:
    """ineligible if any criterion fails, eligible only if all pass (and there is at
    least one criterion), needs_review otherwise."""
    outcomes = [c.outcome for c in criteria]
    if "fail" in outcomes:
        return "ineligible"
    if outcomes and all(o == "pass" for o in outcomes):
        return "eligible"
    return "needs_review"


# ---------------------------------------------------------------------------- entry points


def check_criterion(criterion: Criterion, patient: Patient, *, max_lab_age_days: float | None = None) -> CriterionResult:
    """Evaluate one criterion for one patient, explained."""
    from .plan import Facts, Step

    return Step(criterion).explain(Facts(patient, max_lab_age_days))


def check(rules: RuleSet, patient: Patient, *, max_lab_age_days: float | None = None) -> Result:
    """Check one patient against a trial's rules, every criterion explained.

    Runs the rule set's prepared plan (``screener.plan``), made on first use.
    ``max_lab_age_days``: when set, a lab value older than this (or without a date) is
    unknown for every comparison, on top of any recency window the criterion states.
    """
    patient = answers_for(rules, patient)  # answers by stable key or position -> this trial's ids; unknown ones raise
    return (_plan_for or _imported_plan_for())(rules).check(patient, max_lab_age_days=max_lab_age_days)


_plan_for: Callable[[RuleSet], Plan] | None = None


def _imported_plan_for() -> Callable[[RuleSet], Plan]:
    """``plan.plan_for``, imported once, on first use (the plan imports this module; an
    import statement in ``check`` would cost a microsecond per check)."""
    global _plan_for
    from .plan import plan_for

    _plan_for = plan_for
    return plan_for


__all__ = [
    "CriterionResult",
    "Later",
    "later_result",
    "NodeResult",
    "Outcome",
    "PatientRef",
    "Result",
    "Status",
    "TrialRef",
    "Verdict",
    "all_of",
    "any_of",
    "check",
    "check_criterion",
    "compare",
    "negate",
    "outcome_of",
    "verdict_of",
]

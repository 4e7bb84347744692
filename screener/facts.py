"""The patient's facts every leaf of the plan (``screener.plan``) reads, and what the
leaves share: where a node is built (``At``), the three-valued helpers, a leaf's result.

A patient is looked up once per check into ``Facts``; what is computed from the profile
(age, body surface area, a value a formula derives, a measured value a formula
contradicts) is computed once, on first use, and shared by every criterion.
"""

from __future__ import annotations

import math
from typing import Callable

from .derive import FORMULAS, Derived, Missing, derive
from .errors import UnitError
from .evaluate import REL_TOL, UNKNOWN, Later, Leaf, NodeResult, later_result
from .lazy import built
from .patient import Measurement, Patient
from .rules import Comparison, Node, walk
from .units import convert_with_area, converter
from .wording import quantity_text, relative_of

Run = Callable[["Facts", "list[Leaf] | None"], str]

DISAGREEMENT_FACTOR = 1.5
"""A measured value and the one a formula computes from the same profile (creatinine
clearance and Cockcroft-Gault) that differ by more than this factor either way point to
a typo, a wrong unit or a stale value: the criterion goes to review with both values."""


class At:
    """Where a node is built: its criterion, and the leaf results that depend on no
    patient value, made once here and shared by every check (results are read-only)."""

    __slots__ = ("section", "criterion_id", "shared", "recall")

    def __init__(self, section: str, criterion_id: str, recall: bool = False) -> None:
        self.section = section
        self.criterion_id = criterion_id
        self.shared: set[int] = set()
        self.recall = recall
        """Whether a part of the tree a few facts decide is to be recalled (``plan._recalled``):
        in a criterion that is not recalled whole."""

    def share(self, kind: str, status: str, explanation: str, **fields) -> NodeResult:
        result = node_result(kind, status, explanation, **fields)
        self.shared.add(id(result))
        return result


# ---------------------------------------------------------------------------- the patient's facts


class Facts:
    """One patient as the plan reads it: looked up once, shared by every criterion.

    ``assumed`` is set by a comparison that had to take a default reference range: such a
    criterion is shown but goes to review.
    """

    __slots__ = ("patient", "as_of", "sex", "answers", "conditions", "events", "measurements", "max_lab_age_days",
                 "assumed", "ages", "_age", "_bsa", "_computed")

    def __init__(self, patient: Patient, max_lab_age_days: float | None = None) -> None:
        self.patient = patient
        self.as_of = patient.as_of
        self.sex = patient.sex
        self.answers = patient.answers
        self.conditions = patient.conditions
        self.events = patient.events
        self.measurements = patient.measurements
        self.max_lab_age_days = max_lab_age_days
        self.assumed = False
        self.ages: dict[str | None, float] = {}
        """The age in completed units of each unit an age limit is in."""
        self._age: tuple[float | None] | None = None
        self._bsa: tuple[float | None] | None = None
        self._computed: dict = {}
        """``derived`` by variable, ``conflict`` by (variable, label)."""

    def age(self) -> float | None:
        if self._age is None:
            self._age = (self.patient.age_years(),)
        return self._age[0]

    def bsa(self) -> float | None:
        if self._bsa is None:
            self._bsa = (self.patient.bsa_m2(),)
        return self._bsa[0]

    def derived(self, variable: str) -> Derived | Missing | None:
        """``derive(variable, patient)``, computed once."""
        if variable not in self._computed:
            self._computed[variable] = derive(variable, self.patient)
        return self._computed[variable]

    def conflict(self, measurement: Measurement, label: str) -> str | None:
        """``measured_vs_derived`` for the patient's own measurement, computed once."""
        key = (measurement.variable, label)
        if key not in self._computed:
            self._computed[key] = measured_vs_derived(measurement, self.patient, label)
        return self._computed[key]


# ---------------------------------------------------------------------------- shared helpers


def holds(op: str, limit: float) -> Callable[[float], bool]:
    """``value op limit`` as one closure; values within a relative 1e-9 are equal (``isclose``
    called in the closure: one Python call per comparison)."""
    isclose = math.isclose
    tests: dict[str, Callable[[float], bool]] = {
        "<": lambda v: v < limit and not isclose(v, limit, rel_tol=REL_TOL, abs_tol=0.0),
        "<=": lambda v: v < limit or isclose(v, limit, rel_tol=REL_TOL, abs_tol=0.0),
        ">": lambda v: v > limit and not isclose(v, limit, rel_tol=REL_TOL, abs_tol=0.0),
        ">=": lambda v: v > limit or isclose(v, limit, rel_tol=REL_TOL, abs_tol=0.0),
        "==": lambda v: isclose(v, limit, rel_tol=REL_TOL, abs_tol=0.0),
        "!=": lambda v: not isclose(v, limit, rel_tol=REL_TOL, abs_tol=0.0),
    }
    return tests[op]


def may_assume(node: Node) -> bool:
    """Whether a default reference range may stand in somewhere in the tree: such a tree is
    evaluated whole, as the default sends the criterion to review wherever it is."""
    return any(isinstance(n, Comparison) and (relative_of(n.unit) or any(relative_of(q.unit) for q in n.alt))
               for n in walk(node))


def readings_of(parts: tuple[Run, ...], stop: bool, at: At) -> Run:
    """Readings of one limit: decided only where every reading agrees."""
    disagree = at.share("readings", UNKNOWN, "the readings of the limit disagree")

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        decided: set[str] = set()
        unknown = False
        for part in parts:
            status = part(f, sink)
            if status == UNKNOWN:
                unknown = True
            else:
                decided.add(status)
            if (unknown or len(decided) > 1) and stop and sink is None:
                return UNKNOWN
        if not unknown and len(decided) == 1:
            return decided.pop()
        if sink is not None and len(decided) > 1:  # a missing value is explained by its own reading
            sink.append(disagree)
        return UNKNOWN

    return run


def node_result(kind: str, status: str, explanation: str, **fields) -> NodeResult:
    """A leaf's result (every field is made here, so it is not validated again)."""
    return built(NodeResult, {
        "kind": kind, "status": status, "explanation": explanation, "variable": fields.get("variable"),
        "given": fields.get("given"), "converted": fields.get("converted"), "threshold": fields.get("threshold"),
        "missing": fields.get("missing") or [], "assumed": fields.get("assumed") or [],
    })



def made(leaf: Leaf) -> NodeResult:
    """The leaf's result, worded now (a fresh object for one worded later)."""
    return later_result(leaf) if isinstance(leaf, Later) else leaf


def measured_vs_derived(measurement: Measurement, patient: Patient, label: str) -> str | None:
    """Why the measured value is not trusted alone, or None when no formula contradicts it."""
    if measurement.variable not in FORMULAS or measurement.value <= 0:
        return None
    derived = derive(measurement.variable, patient, measured=False)
    if not isinstance(derived, Derived) or derived.value <= 0:
        return None
    try:
        computed = converter(derived.unit, measurement.unit)(derived.value)
    except UnitError:
        bsa = patient.bsa_m2()
        if bsa is None or derived.unit is None or measurement.unit is None:
            return None
        try:
            computed = convert_with_area(derived.value, derived.unit, measurement.unit, bsa)
        except UnitError:
            return None
    if max(computed, measurement.value) <= DISAGREEMENT_FACTOR * min(computed, measurement.value):
        return None
    return (f"{label} measured {quantity_text(measurement.value, measurement.unit)} but"
            f" {derived.explanation()} ({quantity_text(computed, measurement.unit)}): more than"
            f" {DISAGREEMENT_FACTOR:g} times apart; check the values")



__all__ = [
    "DISAGREEMENT_FACTOR", "At", "Facts", "Run", "holds", "made", "may_assume", "measured_vs_derived", "node_result",
    "readings_of",
]

"""The prepared plan: one evaluation engine for ``check``, ``screen``, ``match`` and the API.

A rule set is prepared once: every node becomes a small function of the patient's facts,
every comparison's limit a float in the measure's canonical unit (the lexicon's), with the
conversion from each patient unit found once and kept.  Running the plan for a patient is
then dictionary look-ups and float comparisons.

A node function takes the patient's ``Facts`` and a ``sink``.  With no sink it returns only
the status (met / not met / unknown) and stops a group as soon as its value is decided;
with a list as sink it also appends one result per leaf, worded by ``screener.wording``:
a ``NodeResult`` made at plan time when it depends on no patient value, else a ``Later``
(a tuple) that keeps the values and words them when read, from parts prepared at plan time
(``screener.limit``).  Both modes run the same code: the wording is added where a decision
is taken, never decided twice.  ``check`` keeps each criterion's leaves and makes the
criteria's results from them only when the result's ``criteria`` are read, and what to
collect only when that is read (``screener.lazy``).  A criterion, or the largest part of one,
decided only by condition statuses, the sex or a reviewer's answers is evaluated once per
combination of those facts and recalled for the next patient with the same
(``screener.memo``); the criteria that read no fact give every patient without answers the
same record, made once.  Statuses follow Kleene logic; missing or unusable data is unknown,
never met.  The logic nodes are built by ``screener.plan_logic``, the leaves by
``screener.comparison`` and ``screener.plan_leaves``; the steps and the plan here.
"""

from __future__ import annotations

import operator
import weakref
from typing import Callable, Hashable, Iterable

from .evaluate import (
    MET, NOT_MET, UNKNOWN, CriterionResult, Later, Leaf, NodeResult, Outcome, PatientRef, Result, TrialRef,
    Verdict, later_result, outcome_of,
)
from .facts import DISAGREEMENT_FACTOR, At, Facts, measured_vs_derived
from .lazy import all_set, built, set_dict, set_extra, set_fields_set, set_private
from .memo import constant, key_of
from .patient import Patient
from .plan_code import criteria_function, fill_function
from .plan_logic import build
from .rules import Criterion, Node, RuleSet
from .wording import STATUS_WORDS

MADE_LIMIT = 256
"""Explained results kept per criterion (combinations of its shared leaves)."""

_new = CriterionResult.__new__
_CRITERION_FIELDS = all_set(CriterionResult)
_REF_FIELDS, _RESULT_FIELDS = all_set(PatientRef), all_set(Result)


# ---------------------------------------------------------------------------- the plan


Made = tuple[CriterionResult, dict[str, None]]
"""A criterion's explained result, and the data to collect when it needs review."""
Record = tuple[str, Outcome, list[Leaf], "Made | None"]
"""A criterion's evaluation with its leaves: (status, outcome, explained leaves, the
explained result when it is made already: a recalled record's, made once)."""


class Step:
    """One criterion of the plan: its rule as a function, what each status means, and the
    explained results made of shared leaves only (an unanswered question, an unrecorded
    condition), kept as they are the same for every patient they fit."""

    __slots__ = ("criterion", "id", "run", "outcomes", "answered", "shared", "made", "meanings", "kits", "key",
                 "memo", "kept")

    def __init__(self, criterion: Criterion) -> None:
        self.criterion = criterion
        self.id = criterion.id
        self.key = key_of(criterion.rule)
        """The few facts that decide the criterion for a patient without answers (``screener.memo``), if any."""
        at = At(criterion.section, criterion.id, recall=self.key is None)
        self.run = build(criterion.rule, at)
        self.outcomes: dict[str, Outcome] = {s: outcome_of(criterion.section, s) for s in (MET, NOT_MET, UNKNOWN)}  # type: ignore[arg-type]
        self.answered = {answer: at.share("answer", MET if answer else NOT_MET,
                                          f"answered: the criterion as written {'holds' if answer else 'does not hold'}",
                                          given="yes" if answer else "no") for answer in (True, False)}
        self.shared = at.shared
        self.made: dict[tuple[int, ...], Made] = {}
        self.meanings = _meanings(criterion.section)
        self.kits = {(status, outcome): ({
            "id": criterion.id, "key": criterion.key, "section": criterion.section, "text": criterion.text, "status": status,
            "outcome": outcome, "explanation": "", "manual": criterion.manual}, f" → {meaning}")
            for (status, outcome), meaning in self.meanings.items()}
        """For each (status, outcome): the fields of the criterion's results, in order (the
        explanation is set in a copy), and what ends its explanation."""
        self.memo: dict[Hashable, Record] = {}
        """Records by those facts, each with its explained result (they live as long as the plan)."""
        self.kept: set[int] = set()
        """The ids of the results kept in ``made`` and ``memo``: shared, they live as long as the plan."""

    def record(self, f: Facts) -> Record:
        """The criterion evaluated with its leaves; recalled when the same facts decided it
        before (every leaf of such a record was made at plan time: it is the same for all)."""
        if f.answers:
            answer = f.answers.get(self.id)
            if answer is not None:  # a reviewer's answer to the whole criterion decides it
                leaf = self.answered[answer]
                return leaf.status, self.outcomes[leaf.status], [leaf], None
        elif self.key is not None:
            key = self.key(f)
            record = self.memo.get(key)
            if record is None:
                record = self._run(f)
                if len(self.memo) < MADE_LIMIT:
                    made = self.made_of(*record[:3])
                    self.memo[key] = record = (*record[:3], made)
                    self.kept.add(id(made[0]))
            return record
        return self._run(f)

    def _run(self, f: Facts) -> Record:
        leaves: list[Leaf] = []
        f.assumed = False
        status = self.run(f, leaves)
        return status, ("review" if f.assumed else self.outcomes[status]), leaves, None

    def outcome(self, f: Facts, sink: list[Leaf] | None = None) -> tuple[str, Outcome]:
        """(status, outcome) for the patient; a reviewer's answer to the whole criterion
        decides it, and a result resting on a default range goes to review."""
        if sink is not None or (self.key is not None and not f.answers):
            record = self.record(f)
            if sink is not None:
                sink.extend(record[2])
            return record[0], record[1]
        answer = f.answers.get(self.id) if f.answers else None
        if answer is not None:
            status = self.answered[answer].status
            return status, self.outcomes[status]
        f.assumed = False
        status = self.run(f, None)  # type: ignore[assignment]
        return status, ("review" if f.assumed else self.outcomes[status])

    def explain(self, f: Facts) -> CriterionResult:
        """The criterion's result with every leaf explained (the words made when read)."""
        leaves: list[Leaf] = []
        status, outcome = self.outcome(f, leaves)
        return self.result(status, outcome, leaves)

    def result(self, status: str, outcome: Outcome, leaves: list[Leaf]) -> CriterionResult:
        """The result of an evaluation with a sink."""
        return self.made_of(status, outcome, leaves)[0]

    def made_of(self, status: str, outcome: Outcome, leaves: list[Leaf], key: tuple[int, ...] | None = None) -> Made:
        """(result, data to collect when it needs review) of an evaluation with a sink; those
        made only of shared leaves (an unanswered question, an unrecorded condition) are made
        once and kept under ``key``, the ids of the leaves.  Shared leaves live as long as
        the plan: a leaf made for one patient never has one of their ids, so a key found in
        ``made`` is a key kept."""
        if key is None:
            key = tuple(map(id, leaves))
            made = self.made.get(key)
            if made is not None:
                return made
        made = (self._result(status, outcome, leaves), dict.fromkeys(_wanted(leaves)) if outcome == "review" else {})
        if len(self.made) < MADE_LIMIT and all(map(self.shared.__contains__, key)):  # (issuperset makes a set of key)
            self.made[key] = made
            self.kept.add(id(made[0]))
        return made

    def _result(self, status: str, outcome: Outcome, leaves: list[Leaf]) -> CriterionResult:
        """The criterion's result; its leaves' results (``details``) are made when read, from
        the words made here for its explanation."""
        values, arrow = self.kits[status, outcome]
        if len(leaves) == 1:  # most criteria: one leaf
            leaf = leaves[0]
            if type(leaf) is Later:
                words = leaf[1](*leaf[2])
                said: list = [words]
                explanation = words[0] + arrow
            else:
                said = leaves
                explanation = leaf.explanation + arrow  # type: ignore[union-attr]
        else:
            said = []
            texts = []
            for leaf in leaves:
                if type(leaf) is Later:
                    words = leaf[1](*leaf[2])
                    said.append(words)
                    texts.append(words[0])
                else:
                    said.append(leaf)
                    texts.append(leaf.explanation)  # type: ignore[union-attr]
            joined = "; ".join(texts)
            explanation = joined + arrow if joined else self.meanings[status, outcome]
        values = values.copy()
        values["explanation"] = explanation
        result = _new(CriterionResult)  # made_later, inlined
        set_dict(result, values)
        set_fields_set(result, _CRITERION_FIELDS)
        set_extra(result, None)
        set_private(result, (_details, leaves, said))
        return result

    def wanted(self, f: Facts) -> list[str]:
        """What to collect for this criterion: the missing data of its undecided leaves and
        the defaults it rests on."""
        leaves: list[Leaf] = []
        self.outcome(f, leaves)
        return _wanted(leaves)


def _meanings(section: str) -> dict[tuple[str, str], str]:
    """What each (status, outcome) says of a criterion, worded once per section."""
    meanings: dict[tuple[str, str], str] = {}
    for status in (MET, NOT_MET, UNKNOWN):
        for outcome in ("pass", "fail", "review"):
            meaning = f"{section} {STATUS_WORDS[status]}"
            if status == UNKNOWN:
                meaning += " (needs review)"
            elif outcome == "review":  # a result that rests on a default reference range never decides
                meaning += " with a default range (needs review)"
            meanings[status, outcome] = meaning
    return meanings


def _details(leaves: list[Leaf], said: list) -> dict[str, list[NodeResult]]:
    """The leaves' results, from the words the criterion's explanation was made of."""
    return {"details": [later_result(leaf, words) if isinstance(leaf, Later) else leaf for leaf, words in zip(leaves, said)]}


def _wanted(leaves: list[Leaf]) -> list[str]:
    """The missing data of the undecided leaves and the defaults the leaves rest on."""
    wanted: list[str] = []
    for leaf in leaves:
        if type(leaf) is Later:  # decided: only the defaults it rests on
            wanted.extend(leaf[3])
        elif leaf.status == UNKNOWN or leaf.assumed:  # type: ignore[union-attr]
            wanted.extend(leaf.missing)  # type: ignore[union-attr]
            wanted.extend(leaf.assumed)  # type: ignore[union-attr]
    return wanted


class Plan:
    """A rule set prepared once, to run for any number of patients."""

    __slots__ = ("rules", "steps", "parts", "by_condition", "by_conditions", "recalled", "run", "fill", "criteria", "fixed", "quick", "trial_ref", "screened", "__weakref__")

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.steps = [Step(criterion) for criterion in rules.criteria]
        self.parts = tuple((step, step.key, step.memo, step.run, step.outcomes) for step in self.steps)
        """What ``screen`` reads of each step, looked up once."""
        keyed = [(index, step, step.key) for index, step in enumerate(self.steps)
                 if step.key is not None and step.key is not constant]
        self.by_condition = tuple((index, key.condition, step.memo, step) for index, step, key in keyed  # type: ignore[attr-defined]
                                  if hasattr(key, "condition"))
        """What ``check`` reads of each step recalled by one condition's status (``screener.memo``)."""
        self.by_conditions = tuple((index, *key.conditions, step.memo, step) for index, step, key in keyed  # type: ignore[attr-defined]
                                   if hasattr(key, "conditions"))
        """What ``check`` reads of each step recalled by several conditions' statuses (and the sex)."""
        self.recalled = tuple((index, key, step.memo, step) for index, step, key in keyed
                              if not hasattr(key, "condition") and not hasattr(key, "conditions"))
        """What ``check`` reads of each other step recalled by a few facts."""
        self.run = tuple((index, step.run, step.outcomes) for index, step in enumerate(self.steps) if step.key is None)
        """What ``check`` reads of each step run for every patient."""
        self.fill = fill_function(self)
        """The records of a patient without answers, looked up or run (all but ``fixed``)."""
        self.criteria = criteria_function(self, _MAKING)
        """The criteria's results from the records of a check."""
        self.fixed: list[Record] | None = None
        """The records of a patient without answers, where the same for all (the other places
        filled for each patient), made at the first check."""
        self.screened: dict[tuple, tuple[list[str], list[str]]] = {}
        """``screen``'s reasons and items for a set of kept results (``Step.kept``), made once."""
        self.trial_ref = built(TrialRef, {"id": rules.trial.id, "title": rules.trial.title})  # read-only, shared by results
        self.quick = tuple(sorted(self.steps, key=lambda step: step.criterion.manual))
        """The steps in the order that finds a failing criterion soonest: what data can
        decide before what only an answer can; the last one that failed first."""

    @property
    def trial_id(self) -> str | None:
        return self.rules.trial.id

    def verdict(self, patient: Patient | Facts, *, max_lab_age_days: float | None = None) -> Verdict:
        """The verdict alone: stops at the first criterion that fails."""
        f = patient if isinstance(patient, Facts) else Facts(patient, max_lab_age_days)
        review = False
        order = self.quick  # replaced, never changed in place: safe for other threads
        for index, step in enumerate(order):
            outcome = step.outcome(f)[1]
            if outcome == "fail":
                if index:
                    self.quick = (step, *order[:index], *order[index + 1:])
                return "ineligible"
            if outcome == "review":
                review = True
        return "needs_review" if review or not self.steps else "eligible"

    def check(self, patient: Patient, *, max_lab_age_days: float | None = None) -> Result:
        """Every criterion evaluated with its leaves and the verdict; the criteria's results
        and the data to collect are made from the same evaluation when first read."""
        f = Facts(patient, max_lab_age_days)
        if f.answers:
            records = [step.record(f) for step in self.steps]
        else:  # step.record for each step, inlined (``screener.plan_code``): most of a check's time
            records = (self.fixed or self._fixed(f)).copy()
            self.fill(f, records)
        outcomes = set(map(_OUTCOME, records))
        ref = _new(PatientRef)  # built(PatientRef, ...) and made_later(Result, ...), inlined
        set_dict(ref, {"id": patient.id, "source": patient.source})
        set_fields_set(ref, _REF_FIELDS)
        set_extra(ref, None)
        set_private(ref, None)
        result = _new(Result)
        set_dict(result, {
            "trial": self.trial_ref, "patient": ref,
            "verdict": "ineligible" if "fail" in outcomes else "eligible" if outcomes == {"pass"} else "needs_review",
            "as_of": patient.as_of,
        })
        set_fields_set(result, _RESULT_FIELDS)
        set_extra(result, None)
        set_private(result, (self._explained, records))
        return result

    def _fixed(self, f: Facts) -> list[Record]:
        """``fixed``, from a patient without answers (the steps whose rule reads no fact give
        every such patient the same record)."""
        fixed: list = [step.record(f) if step.key is constant else None for step in self.steps]
        self.fixed = fixed  # the other places are filled for each patient before any read
        return fixed

    def _explained(self, records: list[Record], only: str) -> list:
        """The criteria's results (``only="criteria"``), or the missing data of the undecided
        ones (``"to_collect"``: in criterion order, each once)."""
        if only != "criteria":
            wanted: dict[str, None] = {}
            for _, outcome, leaves, made in records:
                if outcome == "review":
                    wanted.update(made[1] if made is not None else dict.fromkeys(_wanted(leaves)))
            return list(wanted)
        return self.criteria(records)


def made_now(step: Step, record: Record) -> CriterionResult:
    """The result of a criterion whose record has none made (``Plan.criteria`` reads the
    others' ``made``): worded for this patient, or made of shared leaves and kept."""
    status, outcome, leaves, _ = record
    if Later in map(type, leaves):  # worded for this patient: never kept
        return step._result(status, outcome, leaves)
    key = tuple(map(id, leaves))
    made = step.made.get(key)
    if made is None:
        if not all(map(step.shared.__contains__, key)):  # a leaf made for this patient: never kept
            return step._result(status, outcome, leaves)
        made = step.made_of(status, outcome, leaves, key)
    return made[0]


_MAKING = {"made_now": made_now, "Later": Later, "new": _new, "CriterionResult": CriterionResult, "set_dict": set_dict,
           "set_fields_set": set_fields_set, "set_extra": set_extra, "set_private": set_private,
           "FIELDS": _CRITERION_FIELDS, "details": _details}
"""What ``plan_code.criteria_function``'s code makes a criterion's result with."""


def verdict_of_outcomes(outcomes: Iterable[str]) -> Verdict:
    """ineligible if any criterion fails, eligible only if all pass (and there is at least
    one criterion), needs_review otherwise."""
    seen = set(outcomes)
    if "fail" in seen:
        return "ineligible"
    return "eligible" if seen == {"pass"} else "needs_review"


_PLANS: dict[int, tuple[weakref.ref, list[Criterion], list[Node], Plan]] = {}
_RULE = operator.attrgetter("rule")
_OUTCOME = operator.itemgetter(1)


def plan_for(rules: RuleSet) -> Plan:
    """The plan of a rule set, prepared on first use and kept while the rule set lives.  A
    rule set whose criteria or rules were replaced since is prepared again (a node changed
    in place is not seen: prepare such a rule set with ``Plan(rules)``)."""
    key = id(rules)
    criteria = rules.criteria
    shape = list(map(_RULE, criteria))  # compared item by item: the same objects are equal at once
    entry = _PLANS.get(key)
    if entry is not None and entry[0]() is rules and entry[1] is criteria and entry[2] == shape:
        return entry[3]
    plan = Plan(rules)
    _PLANS[key] = (weakref.ref(rules, _forget(key)), criteria, shape, plan)
    return plan


def _forget(key: int, plans: dict = _PLANS) -> Callable[[weakref.ref], None]:
    """Drop a plan when its rule set is gone (and not the plan of a newer set at that id)."""
    def forget(ref: weakref.ref) -> None:
        entry = plans.get(key)
        if entry is not None and entry[0] is ref:
            del plans[key]
    return forget


__all__ = ["DISAGREEMENT_FACTOR", "Facts", "Plan", "Step", "measured_vs_derived", "plan_for", "verdict_of_outcomes"]

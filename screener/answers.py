"""A profile's answers, attached to the criteria and questions they were given for.

``answers: {KEY: true}`` in a profile means that the criterion (or question) holds *as
written*: an inclusion is satisfied, an exclusion applies, whatever the data say; ``false``
means it does not.  KEY is, best, the criterion's stable ``key`` from the rules file
(``I-signed-informed-consent-e0f9``, ``I-dlco-60-fvc-c9c6.q2`` for one of several
questions; see ``stable_ids.py``), which survives recompiling the trial with bullets
inserted; or its positional id (``I5``, ``I4.2``), an alias accepted only where it names
one criterion among the trials checked.

Nothing is ignored silently: an answer whose criterion's words changed since it was
given (same leading words, other fingerprint), whose id matches nothing (``I44``,
``i3``), or that names positions in several trials is a ``PatientError`` naming the
file, the line and the field, with the closest id suggested.  The engines see only
positional ids: ``for_rule_sets`` gives, per rule set, the answers keyed by them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import PatientError, quote
from .patient import Patient
from .rules import Manual, RuleSet, walk
from .stable_ids import filled, key_stem


@dataclass
class _Target:
    trial: int  # index of the rule set
    id: str  # positional id the engines read: criterion id or question id
    key: str  # the stable key of the same criterion or question
    text: str  # the criterion's words, for messages


@dataclass
class AnswerIndex:
    """Where every answer key lands in a list of rule sets."""

    rule_sets: Sequence[RuleSet]
    by_key: dict[str, list[_Target]] = field(default_factory=dict)
    by_position: dict[str, list[_Target]] = field(default_factory=dict)
    by_stem: dict[str, list[_Target]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for index, rules in enumerate(self.rule_sets):
            for criterion in filled(rules).criteria:  # rule sets built in code have no keys yet
                key = criterion.key or criterion.id
                self._add(_Target(index, criterion.id, key, criterion.text))
                # one question may sit in several branches of its criterion (a copy under each reading): one place
                questions: dict[str, Manual] = {n.id: n for n in walk(criterion.rule) if isinstance(n, Manual) and n.id}
                for question_id, node in questions.items():
                    self._add(_Target(index, question_id, node.key or question_id, node.question))

    def _add(self, target: _Target) -> None:
        self.by_key.setdefault(target.key, []).append(target)
        self.by_position.setdefault(target.id, []).append(target)
        self.by_stem.setdefault(_stem_of(target.key), []).append(target)

    def targets(self, answer: str) -> list[_Target]:
        """The criteria or questions ``answer`` names; a ``ValueError`` says why none.
        ``TRIAL/KEY`` names them in that trial only, and nothing when that trial is not checked."""
        trial, slash, inner = answer.rpartition("/")
        if not slash:
            return self._targets(answer, range(len(self.rule_sets)))
        chosen = [i for i, rules in enumerate(self.rule_sets) if rules.trial.id == trial]
        return self._targets(inner, chosen) if chosen else []

    def _targets(self, answer: str, trials: Sequence[int]) -> list[_Target]:
        def within(targets: list[_Target]) -> list[_Target]:
            return [t for t in targets if t.trial in trials]

        if within(self.by_key.get(answer, [])):
            return within(self.by_key[answer])
        positional = within(self.by_position.get(answer, []))
        if len(positional) == 1:
            return positional
        if positional:
            named = ", ".join(f"{t.key} ({self._trial(t)})" for t in positional)
            raise ValueError(f"{answer} is a position in {len(positional)} trials; answer by the criterion's key, "
                             f"or under the trial's id: {named}")
        changed = within(self.by_stem.get(_stem_of(answer), []))
        if changed and _stem_of(answer) != answer:
            now = changed[0]
            raise ValueError(f"the words of this criterion changed since the answer was given: it is now {now.key} "
                             f"({now.id}: {quote(now.text)}); check that the answer still holds and write the new key")
        where = self._trials([self.rule_sets[i] for i in trials])
        raise ValueError(f"no criterion or question {quote(answer)} in {where}{self._suggestion(answer, trials)}")

    def _trial(self, target: _Target) -> str:
        return self.rule_sets[target.trial].trial.id or f"rules {target.trial + 1}"

    @staticmethod
    def _trials(rule_sets: Sequence[RuleSet]) -> str:
        names = [rules.trial.id or "the rules" for rules in rule_sets]
        return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")

    def _suggestion(self, answer: str, trials: Sequence[int]) -> str:
        known = [k for k, ts in (*self.by_key.items(), *self.by_position.items()) if any(t.trial in trials for t in ts)]
        folded = [k for k in known if k.casefold() == answer.casefold()]
        close = folded or difflib.get_close_matches(answer, known, n=1, cutoff=0.5)
        return f" (did you mean {close[0]}?)" if close else ""

    def for_rule_sets(self, patient: Patient) -> list[Patient]:
        """The patient once per rule set, with the answers that rule set's criteria receive,
        keyed by positional id; a ``PatientError`` for the first answer that lands nowhere."""
        if not patient.answers:
            return [patient] * len(self.rule_sets)
        per_trial: list[dict[str, bool]] = [{} for _ in self.rule_sets]
        given_as: dict[tuple[int, str], str] = {}
        for answer, value in patient.answers.items():
            try:
                targets = self.targets(answer)
            except ValueError as exc:
                raise _error(patient, answer, str(exc)) from None
            for target in targets:
                place = (target.trial, target.id)
                if place in given_as and per_trial[target.trial][target.id] != value:
                    raise _error(patient, answer, f"answers {target.id} ({self._trial(target)}) as {given_as[place]} "
                                                  "does, with the other value")
                given_as[place] = answer
                per_trial[target.trial][target.id] = value
        return [patient.model_copy(update={"answers": answers}) for answers in per_trial]


def _stem_of(key: str) -> str:
    """A criterion key without its fingerprint digits; a question key keeps its ``.q<n>``."""
    head, dot, question = key.partition(".")
    return key_stem(head) + dot + question


def _error(patient: Patient, answer: str, message: str) -> PatientError:
    return PatientError(message, file=patient.source, line=patient.answer_lines.get(answer), field=f"answers.{answer}")


_INDEXES: dict[int, tuple[RuleSet, AnswerIndex]] = {}


def answers_for(rules: RuleSet, patient: Patient) -> Patient:
    """The patient with its answers keyed by this trial's positional ids; every answer must
    land on one of its criteria (``PatientError`` otherwise)."""
    if not patient.answers:
        return patient
    cached = _INDEXES.get(id(rules))
    if cached is None or cached[0] is not rules:
        if len(_INDEXES) > 256:
            _INDEXES.clear()
        cached = _INDEXES[id(rules)] = (rules, AnswerIndex([rules]))
    return cached[1].for_rule_sets(patient)[0]


__all__ = ["AnswerIndex", "answers_for"]

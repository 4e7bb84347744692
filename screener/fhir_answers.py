"""Coded answers of status observations (tobacco smoking status) as condition states.

``data/fhir_answers.yaml`` says which observation codes carry an answer about which lexicon
condition, and what each SNOMED CT answer means (present, past, absent or unknown).  A
record repeats these answers at every visit, so the **latest** one on or before ``as_of``
decides, not the union (a former smoker was once a current one); an answer older than the
entry's ``current_days`` no longer describes the patient and leaves the condition unknown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Callable, Iterator

from .errors import InputError
from .lexicon import get_lexicon
from .yamlio import Document, parse_yaml

SNOMED = "http://snomed.info/sct"
STATES = ("present", "past", "absent", "unknown")


@dataclass(frozen=True)
class AnswerSpec:
    """One kind of status observation: its codes, its condition, its answers."""

    condition: str
    loinc: frozenset[str]
    current_days: int
    answers: dict[str, str]


@dataclass
class _Answer:
    date: dt.date | None
    state: str | None  # None: an answer the entry does not list
    concept: Any  # the observation's code, for the not-used list


def _spec(document: Document, index: int, raw: Any) -> AnswerSpec:
    path: tuple = (index,)
    if not isinstance(raw, dict) or set(raw) != {"condition", "loinc", "current_days", "answers"}:
        raise document.error("expected condition, loinc, current_days and answers", path)
    if raw["condition"] not in get_lexicon().conditions:
        raise document.error(f"unknown condition id {raw['condition']!r}", path + ("condition",))
    days = raw["current_days"]
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise document.error("current_days: expected a whole number of days above 0", path + ("current_days",))
    answers = raw["answers"] if isinstance(raw["answers"], dict) else {}
    for code, state in answers.items():
        if state not in STATES:
            raise document.error(f"expected one of {', '.join(STATES)}", path + ("answers", code))
    if not answers or not isinstance(raw["loinc"], list) or not raw["loinc"]:
        raise document.error("expected a list of LOINC codes and a mapping of answers", path)
    return AnswerSpec(raw["condition"], frozenset(map(str, raw["loinc"])), days, {str(c): s for c, s in answers.items()})


@cache
def answer_specs() -> tuple[AnswerSpec, ...]:
    """The package's status observations, loaded once."""
    resource = files("screener") / "data" / "fhir_answers.yaml"
    document = parse_yaml(resource.read_text(encoding="utf-8"), file=str(resource))
    if not isinstance(document.data, list):
        raise InputError("expected a list of entries", file=str(resource))
    return tuple(_spec(document, i, raw) for i, raw in enumerate(document.data))


def answer_loincs() -> frozenset[str]:
    """Every observation code that carries an answer (for the NDJSON pre-filter)."""
    return frozenset(code for spec in answer_specs() for code in spec.loinc)


@dataclass
class Answers:
    """The status answers of one record: gathered while reading, decided at the end."""

    as_of: dt.date
    by_loinc: dict[str, AnswerSpec] = field(default_factory=lambda: {c: s for s in answer_specs() for c in s.loinc})
    seen: dict[str, list[_Answer]] = field(default_factory=dict)

    def spec(self, loincs: list[str]) -> AnswerSpec | None:
        return next((self.by_loinc[code] for code in loincs if code in self.by_loinc), None)

    def add(self, spec: AnswerSpec, date: dt.date | None, codings: list[tuple[str | None, str]], concept: Any) -> None:
        state = next((spec.answers[c] for s, c in codings if s == SNOMED and c in spec.answers), None)
        self.seen.setdefault(spec.condition, []).append(_Answer(date, state, concept))

    def decide(self, skip: Callable[[Any, str], None]) -> Iterator[tuple[str, str]]:
        """(condition, state) of each condition whose latest answer is current and
        known; every answer of the others is passed to ``skip`` with the reason."""
        specs = {s.condition: s for s in self.by_loinc.values()}
        for condition, answers in self.seen.items():
            dated = [a for a in answers if a.date is not None]
            latest = max(reversed(dated), key=lambda a: a.date or dt.date.min) if dated else None  # ties: the last
            reason = self._reason(specs[condition], latest)
            if reason is None and latest is not None and latest.state is not None:
                yield condition, latest.state
                continue
            for answer in answers:
                skip(answer.concept, reason or "")

    def _reason(self, spec: AnswerSpec, latest: _Answer | None) -> str | None:
        if latest is None or latest.date is None:
            return "undated answers: how current they are is not known"
        label = get_lexicon().conditions[spec.condition].label
        if latest.state is None:
            return f"the latest answer ({latest.date}) is not one the code maps know: {label} left unknown"
        if latest.state == "unknown":
            return f"the latest answer ({latest.date}) does not say: {label} left unknown"
        if (self.as_of - latest.date).days > spec.current_days:
            return f"the latest answer ({latest.date}) is older than {spec.current_days} days: {label} left unknown"
        return None

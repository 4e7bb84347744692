"""The plan's leaves other than comparisons (``screener.comparison``): a condition, an
interval between two events, a reviewer's question, the sex, no requirement.

Each builder returns the leaf as a function of the patient's ``Facts`` and a ``sink`` (see
``screener.plan``): the results that depend on no patient value (a condition present, an
unanswered question) are made here once, with ``At.share``, and shared by every check.
"""

from __future__ import annotations

import math
from typing import Callable

from .facts import At, Facts, Run, holds, node_result
from .evaluate import MET, NOT_MET, REL_TOL, UNKNOWN, Leaf, NodeResult
from .rules import Condition, Interval, Manual, NoRequirement, Sex
from .units import format_number
from .wording import DAYS_PER, condition_label, duration_text, event_label, plural, question_text, sentence, shown_number


def condition(node: Condition, at: At) -> Run:
    label = condition_label(node.condition, node.label)
    window = f"within {duration_text(node.within.value, node.within.unit)}" if node.within else None
    threshold = "current" if node.timing == "current" else ("history " + window if window else "history")
    window_days = node.within.value * DAYS_PER[node.within.unit] if node.within else 0.0
    condition, current = node.condition, node.timing == "current"
    unrecorded = at.share("condition", UNKNOWN, f"no record of {label} in the profile", threshold=threshold,
                          missing=[f"{label} (present, past or absent)"])
    present = at.share("condition", MET, f"{label} present: met", given="present", threshold=threshold)
    absent = at.share("condition", NOT_MET, f"{label} absent: not met", given="absent", threshold=threshold)
    if current:
        past = at.share("condition", NOT_MET, f"{label} in the past only, not current: not met", given="past",
                        threshold=threshold)
    elif window is None:
        past = at.share("condition", MET, f"history of {label}: met", given="past", threshold=threshold)
    fixed = {"present": (MET, present), "absent": (NOT_MET, absent)}
    if current or window is None:
        fixed["past"] = (past.status, past)

    def leaf(sink: list[Leaf] | None, status: str, explanation: str, given: str | None = None,
             missing: list[str] | None = None) -> str:
        if sink is not None:
            sink.append(node_result("condition", status, explanation, given=given, threshold=threshold, missing=missing))
        return status

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        state = f.conditions.get(condition)
        if state is None:
            if sink is not None:
                sink.append(unrecorded)
            return UNKNOWN
        decided = fixed.get(state.status)
        if decided is None:  # past, against a window
            return _past_within(node, state, f, label, window or "", window_days, sink, leaf)
        if sink is not None:
            sink.append(decided[1])
        return decided[0]

    return run


def _past_within(node: Condition, state, f: Facts, label: str, window: str, window_days: float,
          sink: list[Leaf] | None, leaf: Callable[..., str]) -> str:
    """A past condition against "within N units": by its end date, else its diagnosis."""
    assert node.within is not None
    date, which = (state.ended, "ended") if state.ended else (state.diagnosed, "diagnosed")
    if date is None:
        return leaf(sink, UNKNOWN, f"{label} in the past, with no date to tell whether it was {window}", "past",
                    [f"date {label} ended"])
    elapsed_days = (f.as_of - date).days
    if sink is None:
        given = when = ""
    else:
        ago = elapsed_days / DAYS_PER[node.within.unit]
        given = f"past, {which} {date.isoformat()}"
        when = (f"{label} {which} {date.isoformat()}, {format_number(ago)} {plural(node.within.unit, ago)}"
                f" before {f.as_of.isoformat()}")
    if elapsed_days <= window_days or math.isclose(elapsed_days, window_days, rel_tol=REL_TOL):
        return leaf(sink, MET, f"{when}, {window}: met", given)
    if which == "ended":
        return leaf(sink, NOT_MET, f"{when}, not {window}: not met", given)
    # only the diagnosis is before the window: it may have ended within it
    return leaf(sink, UNKNOWN, f"{when}; its end date is needed to tell whether it was {window}", given,
                [f"date {label} ended"])


class _Span:
    """An interval's words, prepared once: a decided interval is worded when read (``say``)."""

    __slots__ = ("node", "limit", "threshold", "subject")
    kind = "interval"
    variable = None

    def __init__(self, node: Interval, subject: str) -> None:
        self.node = node
        self.limit = duration_text(node.value, node.unit)
        self.threshold = f"{node.op} {self.limit}"
        self.subject = subject

    def say(self, status: str, days: int) -> tuple[str, str, str | None]:
        """(explanation, given, converted): "time from A to B 12 days = 1.71 weeks, below 2 weeks: met"."""
        node = self.node
        given = duration_text(days, "day")
        converted = None
        if node.unit != "day":
            in_unit = days / DAYS_PER[node.unit]
            converted = f"{shown_number(in_unit, node.value)} {plural(node.unit, in_unit)}"
        text = f"{self.subject} {given}" + (f" = {converted}" if converted else "")
        return sentence(text, status, node.op, self.limit), given, converted


def interval(node: Interval, at: At) -> Run:
    start_label = event_label(node.start)
    end_label = event_label(node.end) if node.end else "the profile date"
    subject = f"time from {start_label} to {end_label}"
    span = _Span(node, subject)
    threshold, say = span.threshold, span.say
    reached = holds(node.op, node.value * DAYS_PER[node.unit])

    def unknown(sink: list[Leaf] | None, explanation: str, missing: list[str]) -> str:
        if sink is not None:
            sink.append(node_result("interval", UNKNOWN, explanation, threshold=threshold, missing=missing))
        return UNKNOWN

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        start = f.events.get(node.start)
        end = f.events.get(node.end) if node.end else f.as_of
        if start is None or end is None:
            missing = [f"date of {name}" for name, day in ((start_label, start), (end_label, end)) if day is None]
            return unknown(sink, f"{subject}: no " + " or ".join(missing) + " in the profile", missing)
        days = (end - start).days
        if days < 0:
            return unknown(sink, f"{subject}: {end_label} ({end.isoformat()}) is before {start_label} ({start.isoformat()}); "
                           "check the dates", [f"correct dates of {start_label} and {end_label}"])
        status = MET if reached(float(days)) else NOT_MET
        if sink is not None:
            sink.append((status, say, (status, days), ()))
        return status

    return run


def manual(node: Manual, at: At) -> Run:
    answer_id = node.id or at.criterion_id
    question = question_text(node.question)
    results = {
        None: at.share("manual", UNKNOWN, f"needs review: {question}", missing=[f"answer to {answer_id}: {question}"]),
        True: at.share("manual", MET, f"{question} answered yes: met", given="yes"),
        False: at.share("manual", NOT_MET, f"{question} answered no: not met", given="no"),
    }

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        result = results[f.answers.get(answer_id)]
        if sink is not None:
            sink.append(result)
        return result.status

    return run


def sex(node: Sex, at: At) -> Run:
    threshold = f"{node.sex} only"
    results: dict[str | None, NodeResult] = {
        None: at.share("sex", UNKNOWN, "no sex in the profile", threshold=threshold, missing=["sex"]),
        **{sex: at.share("sex", MET if sex == node.sex else NOT_MET,
                         f"patient is {node.sex}: met" if sex == node.sex else f"patient is not {node.sex}: not met",
                         given=sex, threshold=threshold) for sex in ("female", "male")},
    }

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        result = results[f.sex]
        if sink is not None:
            sink.append(result)
        return result.status

    return run


def no_requirement(node: NoRequirement, at: At) -> Run:
    """Nothing is asked: the criterion passes whichever section it stands in."""
    result = at.share("none", MET if at.section == "inclusion" else NOT_MET, "no requirement stated")

    def run(f: Facts, sink: list[Leaf] | None) -> str:
        if sink is not None:
            sink.append(result)
        return result.status

    return run


__all__ = ["condition", "interval", "manual", "no_requirement", "sex"]

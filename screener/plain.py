"""Rules in plain words, for a reviewer: "PaO2 below 8 kPa (60 mmHg)", "history of
malignancy within 10 years", "needs review: ...".

The wording is the evaluator's (its comparator words, labels and number formats), so the
review page says a rule the way ``screener check`` will explain it.  It reads rule trees
as plain data (the ``rules_data`` form of a rule set), not as models, so that a node kind
or field this version does not know still shows: as "left to review" with its JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .evaluate import OP_WORDS, limit_text, short_label
from .lexicon import get_lexicon
from .rules import AllOf, AnyOf, Comparison, Condition, Interval, Manual, NoRequirement, Not, Sex

COMPUTED_KINDS = frozenset({"comparison", "condition", "interval", "sex"})
"""Leaves the evaluator computes from patient data."""

KNOWN_FIELDS: dict[str, frozenset[str]] = {
    str(model.model_fields["kind"].default): frozenset(model.model_fields)
    for model in (Comparison, Condition, Interval, Sex, NoRequirement, Manual, AllOf, AnyOf, Not)
}


@dataclass
class Words:
    """One node in words; ``kind`` is the node's kind, or ``unknown`` for one this version cannot read."""

    text: str
    kind: str
    children: list["Words"] = field(default_factory=list)
    data: str | None = None  # JSON of what could not be put in words


@dataclass(frozen=True)
class Variable:
    """A variable, condition or event a criterion reads, with its units and code."""

    kind: str
    id: str
    name: str
    units: tuple[str, ...] = ()
    canonical_unit: str | None = None
    code: str | None = None


def nodes(node: Any, depth: int = 0) -> Iterator[tuple[dict, int]]:
    """Every node of a plain-data rule tree with its depth; unknown kinds are leaves."""
    if not isinstance(node, dict):
        return
    yield node, depth
    kind = node.get("kind")
    if kind in ("all", "any") and isinstance(node.get("items"), list):
        for item in node["items"]:
            yield from nodes(item, depth + 1)
    elif kind == "not":
        yield from nodes(node.get("item"), depth + 1)


def is_known(node: dict) -> bool:
    return node.get("kind") in KNOWN_FIELDS


def describe(node: Any, criterion_id: str = "") -> Words:
    """The node in words, its sub-rules as children; a review question is named by the
    criterion id that answers it (its text is listed with ``questions``)."""
    if not isinstance(node, dict):
        return _unknown(node, "a rule that is not a mapping")
    kind = node.get("kind")
    if kind in ("all", "any") and isinstance(node.get("items"), list):
        return Words(f"{kind} of:", kind, [describe(item, criterion_id) for item in node["items"]], _extra(node))
    if kind == "not" and isinstance(node.get("item"), dict):
        return Words("not:", kind, [describe(node["item"], criterion_id)], _extra(node))
    if kind == "manual" and criterion_id and isinstance(node.get("question"), str):
        return Words(f"needs review: question {criterion_id}", "manual", data=_extra(node))
    leaf = _LEAVES.get(str(kind))
    if leaf is None:
        return _unknown(node, f"a rule of kind {kind!r}, which this version cannot compute")
    try:
        return Words(leaf(node), str(kind), data=_extra(node))
    except (KeyError, TypeError, ValueError):
        return _unknown(node, f"a {kind} rule this version cannot read")


def _unknown(node: Any, what: str) -> Words:
    return Words(f"left to review: {what}", "unknown", data=json.dumps(node, indent=1, ensure_ascii=False, default=str))


def _extra(node: dict) -> str | None:
    """Fields this version does not know (a newer compiler's), as JSON, so none is hidden."""
    known = KNOWN_FIELDS.get(str(node.get("kind")), frozenset()) | {"items", "item"}
    extra = {k: v for k, v in node.items() if k not in known}
    return json.dumps(extra, ensure_ascii=False, default=str) if extra else None


def _variable_name(variable_id: str, fallback: str | None) -> str:
    term = get_lexicon().variables.get(variable_id)
    return short_label(term.label) if term else (fallback or variable_id.replace("_", " "))


def _condition_name(condition_id: str, fallback: str | None) -> str:
    term = get_lexicon().conditions.get(condition_id)
    return term.label if term else (fallback or condition_id.replace("_", " "))


def _event_name(event_id: str | None) -> str:
    if event_id is None:
        return "the profile date"
    term = get_lexicon().events.get(event_id)
    return term.label if term else event_id.replace("_", " ")


def _comparison(node: dict) -> str:
    text = f"{_variable_name(node['variable'], node.get('label'))} {OP_WORDS[node['op']]} {limit_text(node['value'], node.get('unit'))}"
    alt = [limit_text(a["value"], a.get("unit")) for a in node.get("alt") or []]
    if alt:
        text += f" ({', '.join(alt)})"
    if node.get("unit_implied"):
        text += " [unit not written: read from the value's range]"
    if node.get("within"):
        text += f", measured within the last {limit_text(node['within']['value'], node['within']['unit'])}"
    return text


def _condition(node: dict) -> str:
    name = _condition_name(node["condition"], node.get("label"))
    if node.get("timing", "current") == "current":
        return f"{name} present"
    window = node.get("within")
    return f"history of {name}" + (f" within {limit_text(window['value'], window['unit'])}" if window else " (present or past)")


def _interval(node: dict) -> str:
    span = f"time from {_event_name(node['start'])} to {_event_name(node.get('end'))}"
    return f"{span} {OP_WORDS[node['op']]} {limit_text(node['value'], node['unit'])}"


def _manual(node: dict) -> str:
    return "needs review: " + re.sub(r"\s+", " ", str(node["question"])).strip()


_LEAVES: dict[str, Callable[[dict], str]] = {
    "comparison": _comparison,
    "condition": _condition,
    "interval": _interval,
    "sex": lambda node: f"{node['sex']} patients only",
    "none": lambda node: "no requirement stated",
    "manual": _manual,
}


def variables(rule: Any) -> list[Variable]:
    """What a rule reads: variables with their units and LOINC codes, conditions with ICD-10
    codes, events; in order of first mention, each once."""
    found: dict[tuple[str, str], Variable] = {}
    lexicon = get_lexicon()
    for node, _ in nodes(rule):
        kind = node.get("kind")
        if kind == "comparison" and isinstance(node.get("variable"), str):
            term = lexicon.variables.get(node["variable"])
            units = tuple(str(u) for u in [node.get("unit"), *(a.get("unit") for a in node.get("alt") or [])] if u)
            key = ("variable", node["variable"])
            before = found.get(key)
            merged = tuple(dict.fromkeys((before.units if before else ()) + units))
            found[key] = Variable("variable", node["variable"], _variable_name(node["variable"], node.get("label")),
                                  merged, term.unit if term else None, term.loinc if term else None)
        elif kind == "condition" and isinstance(node.get("condition"), str):
            condition = lexicon.conditions.get(node["condition"])
            code = ", ".join(f"{system.upper()} {value}" for system, value in condition.codes.items()) if condition else None
            found.setdefault(("condition", node["condition"]),
                             Variable("condition", node["condition"], _condition_name(node["condition"], node.get("label")), code=code or None))
        elif kind == "interval":
            for event in (node.get("start"), node.get("end")):
                if isinstance(event, str):
                    found.setdefault(("event", event), Variable("event", event, _event_name(event)))
    return list(found.values())


def questions(rule: Any) -> list[dict]:
    """The review questions of a rule (manual nodes), with their spans."""
    return [{"question": re.sub(r"\s+", " ", str(n["question"])).strip(), "span": n.get("span")}
            for n, _ in nodes(rule) if n.get("kind") == "manual" and "question" in n]

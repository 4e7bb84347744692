"""Rules in plain words, for a reviewer: "PaO2 below 8 kPa (60 mmHg)", "history of
malignancy within 10 years", "needs review: ...".

The wording is the evaluator's (its comparator words, labels and number formats), so the
review page says a rule the way ``screener check`` will explain it.  It reads rule trees
as plain data (the ``rules_data`` form of a rule set), not as models, so that a node kind
or field this version does not know still shows: as "left to review" with its JSON.
Exceptions, group restrictions and two readings of one limit are said in words ("..., unless
...", "for female patients only: ...", "... (both readings must agree)").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .wording import OP_WORDS, condition_label as _condition_label, duration_text as _duration_text, event_label as _event_label
from .wording import limit_text, variable_info as _variable_info
from .lexicon import get_lexicon
from .rules import AllOf, AnyOf, Comparison, Condition, Interval, Manual, NoRequirement, Not, Readings, Restrict, Sex, Unless

COMPUTED_KINDS = frozenset({"comparison", "condition", "interval", "sex"})
"""Leaves the evaluator computes from patient data."""

BRANCHES: dict[str, tuple[str, ...]] = {
    "all": ("items",), "any": ("items",), "readings": ("items",), "not": ("item",),
    "unless": ("item", "exception"), "restrict": ("group", "item"),
}
"""Kinds that combine sub-rules, and the fields that hold them, in reading order."""

KNOWN_FIELDS: dict[str, frozenset[str]] = {
    str(model.model_fields["kind"].default): frozenset(model.model_fields)
    for model in (Comparison, Condition, Interval, Sex, NoRequirement, Manual, AllOf, AnyOf, Not, Unless, Restrict, Readings)
}

ROLE_WORDS = {"exception": "yes: the exception applies", "group": "yes: the patient is in the group"}
"""What "yes" to a question means where it decides an exception or a group."""


@dataclass
class Words:
    """One node in words; ``kind`` is the node's kind, or ``unknown`` for one this version cannot read."""

    text: str
    kind: str
    children: list["Words"] = field(default_factory=list)
    data: str | None = None  # JSON of what could not be put in words
    question: str | None = None  # the id answering a review question

    @property
    def clause(self) -> str:
        """The words inside a sentence ("..., unless <clause>"): a question by its answer."""
        return f"the answer to question {self.question} is yes" if self.question else self.text

    @property
    def inline(self) -> bool:
        """A plain leaf, which can stand inside a sentence."""
        return not self.children and self.data is None and self.kind != "unknown"


@dataclass(frozen=True)
class Variable:
    """A variable, condition or event a criterion reads, with its units and code."""

    kind: str
    id: str
    name: str
    units: tuple[str, ...] = ()
    canonical_unit: str | None = None
    code: str | None = None


def branches(node: dict) -> list[tuple[str, dict]]:
    """The sub-rules of a well-formed compound node, each with the field holding it; none for
    a leaf or a compound this version cannot read (which is then shown as left to review)."""
    fields = BRANCHES.get(str(node.get("kind")), ())
    found = []
    for name in fields:
        value = node.get(name)
        items = value if name == "items" else [value]
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            return []
        found += [(name, item) for item in items]
    if node.get("kind") == "restrict" and not isinstance(node.get("outside"), bool):
        return []
    return found


def is_compound(node: dict) -> bool:
    return bool(branches(node))


def nodes(node: Any, depth: int = 0) -> Iterator[tuple[dict, int]]:
    """Every node of a plain-data rule tree with its depth; unknown kinds are leaves."""
    if not isinstance(node, dict):
        return
    yield node, depth
    for _, child in branches(node):
        yield from nodes(child, depth + 1)


def is_known(node: dict) -> bool:
    return node.get("kind") in KNOWN_FIELDS and (node.get("kind") not in BRANCHES or is_compound(node))


def describe(node: Any, criterion_id: str = "", section: str | None = None) -> Words:
    """The node in words, its sub-rules as children; a review question is named by its id
    (its text is listed with ``questions``).  ``section`` words a group restriction's
    "does not apply to others"; it is passed only where the node's value keeps the
    criterion's direction (not under a negation, an exception or a group)."""
    if not isinstance(node, dict):
        return _unknown(node, "a rule that is not a mapping")
    kind = str(node.get("kind"))
    if kind in BRANCHES:
        if not is_compound(node):
            return _unknown(node, f"a rule of kind {kind!r} that this version cannot read")
        return _COMPOUNDS[kind](node, criterion_id, section)
    if kind == "manual" and isinstance(node.get("question"), str) and (node.get("id") or criterion_id):
        question = str(node.get("id") or criterion_id)
        return Words(f"needs review: question {question}", "manual", data=_extra(node), question=question)
    leaf = _LEAVES.get(kind)
    if leaf is None:
        return _unknown(node, f"a rule of kind {kind!r}, which this version cannot compute")
    try:
        return Words(leaf(node), kind, data=_extra(node))
    except (KeyError, TypeError, ValueError):
        return _unknown(node, f"a rule of kind {kind!r} that this version cannot read")


def _group(node: dict, criterion_id: str, section: str | None) -> Words:
    kind = str(node["kind"])
    keep = None if kind == "not" else section
    children = [describe(child, criterion_id, keep) for _, child in branches(node)]
    return Words(f"{kind} of:" if kind in ("all", "any") else "not:", kind, children, _extra(node))


def _unless(node: dict, criterion_id: str, section: str | None) -> Words:
    """"<item>, unless <exception>"; on two lines when either side is compound."""
    item = describe(node["item"], criterion_id, section)
    exception = describe(node["exception"], criterion_id)
    if item.inline and exception.inline:
        return Words(f"{item.clause}, unless {exception.clause}", "unless", data=_extra(node))
    said = Words(f"unless {exception.clause}", "exception") if exception.inline else Words("unless:", "exception", [exception])
    return Words("with an exception:", "unless", [item, said], _extra(node))


def _restrict(node: dict, criterion_id: str, section: str | None) -> Words:
    """"for <group> only: <item> (does not apply to others)"."""
    group = describe(node["group"], criterion_id)
    item = describe(node["item"], criterion_id, section)
    others = _others(node["outside"], section)
    who = _who(node["group"], group)
    if who is None:
        return Words(f"for one group only ({others}):", "restrict", [Words("the group:", "group", [group]), item], _extra(node))
    if item.inline:
        return Words(f"for {who} only: {item.clause} ({others})", "restrict", data=_extra(node))
    return Words(f"for {who} only ({others}):", "restrict", [item], _extra(node))


def _who(node: dict, words: Words) -> str | None:
    """The group as people ("female patients", "patients with age at or above 65 years")."""
    if not words.inline:
        return None
    if node.get("kind") == "sex":
        return f"{node['sex']} patients"
    if words.question:
        return f"patients for whom {words.clause}"
    return f"patients with {words.text}"


def _others(outside: bool, section: str | None) -> str:
    """What the criterion says of patients outside the group, in the section's terms where known."""
    if (section == "inclusion" and outside) or (section == "exclusion" and not outside):
        return "does not apply to others"
    return f"for others it {'holds' if outside else 'does not hold'}"


_SHARED = ("kind", "variable", "label", "within", "window", "context")
"""What readings of one limit share when they can be said in one sentence."""


def _readings(node: dict, criterion_id: str, section: str | None) -> Words:
    """"PaO2 below 8 kPa and below 60 mmHg (both readings must agree)"."""
    items = node["items"]
    agree = "both readings must agree" if len(items) == 2 else f"all {len(items)} readings must agree"
    first = items[0]
    one_sentence = first.get("kind") == "comparison" and all(
        i.get("kind") == "comparison" and not i.get("unit_implied") and _extra(i) is None
        and all(i.get(k) == first.get(k) for k in _SHARED) for i in items)
    if one_sentence:
        try:
            limits = " and ".join(_limit(i) for i in items)
            return Words(f"{_variable_name(first['variable'], first.get('label'))} {limits} ({agree}){_measured(first)}",
                         "readings", data=_extra(node))
        except (KeyError, TypeError, ValueError):
            pass
    return Words(f"readings of one limit ({agree}):", "readings", [describe(i, criterion_id, section) for i in items], _extra(node))


_COMPOUNDS: dict[str, Callable[[dict, str, str | None], Words]] = {
    "all": _group, "any": _group, "not": _group, "unless": _unless, "restrict": _restrict, "readings": _readings,
}


def _unknown(node: Any, what: str) -> Words:
    return Words(f"left to review: {what}", "unknown", data=json.dumps(node, indent=1, ensure_ascii=False, default=str))


def _extra(node: dict) -> str | None:
    """Fields this version does not know (a newer compiler's), as JSON, so none is hidden."""
    known = KNOWN_FIELDS.get(str(node.get("kind")), frozenset())
    extra = {k: v for k, v in node.items() if k not in known}
    return json.dumps(extra, ensure_ascii=False, default=str) if extra else None


def _variable_name(variable_id: str, fallback: str | None) -> str:
    return _variable_info(variable_id, fallback)[0]


def _event_name(event_id: str | None) -> str:
    return "the profile date" if event_id is None else _event_label(event_id)


def _limit(node: dict) -> str:
    """"below 8 kPa (60 mmHg)": the comparator, the limit and its restatements."""
    text = f"{OP_WORDS[node['op']]} {limit_text(node['value'], node.get('unit'))}"
    alt = [limit_text(a["value"], a.get("unit")) for a in node.get("alt") or []]
    return text + (f" ({', '.join(alt)})" if alt else "")


def _measured(node: dict) -> str:
    """", measured at rest, without oxygen, within 10 days after onset": how and when the
    value is to be measured, in the evaluator's words."""
    how = [str(c) for c in node.get("context") or []]
    window = node.get("window")
    if window:
        end = _duration_text(window["end"]["value"], window["end"]["unit"])
        start = window.get("start")
        span = f"from {_duration_text(start['value'], start['unit'])} to {end}" if start else f"within {end}"
        how.append(f"{span} after {_event_label(window['event'])}")
    if node.get("within"):
        how.append(f"within the last {_duration_text(node['within']['value'], node['within']['unit'])}")
    return f", measured {', '.join(how)}" if how else ""


def _comparison(node: dict) -> str:
    text = f"{_variable_name(node['variable'], node.get('label'))} {_limit(node)}"
    if node.get("unit_implied"):
        text += " [unit not written: read from the value's range]"
    return text + _measured(node)


def _condition(node: dict) -> str:
    name = _condition_label(node["condition"], node.get("label"))
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
                             Variable("condition", node["condition"], _condition_label(node["condition"], node.get("label")), code=code or None))
        events: list[Any] = [node.get("start"), node.get("end")] if kind == "interval" else []
        if kind == "comparison" and isinstance(node.get("window"), dict):
            events = [node["window"].get("event")]
        for event in events:
            if isinstance(event, str):
                found.setdefault(("event", event), Variable("event", event, _event_name(event)))
    return list(found.values())


def questions(rule: Any, criterion_id: str = "") -> list[dict]:
    """The review questions of a rule (manual nodes): the id that answers each (its own, else
    the criterion's), its words, its span, and what "yes" decides where it is an exception's
    or a group's (none under a negation, where it would be reversed)."""
    found: list[dict] = []

    def visit(node: dict, role: str | None) -> None:
        if node.get("kind") == "manual" and "question" in node:
            found.append({"id": str(node.get("id") or criterion_id), "question": re.sub(r"\s+", " ", str(node["question"])).strip(),
                          "span": node.get("span"), "role": ROLE_WORDS.get(role or "")})
        for name, child in branches(node):
            visit(child, None if node.get("kind") == "not" else name if name in ROLE_WORDS else role)

    if isinstance(rule, dict):
        visit(rule, None)
    return found

"""The compiler: a trial source -> a RuleSet, every criterion traced to its source text."""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from .ages import age_words
from .extract import Extractor, default_extractor
from .inherit import inherited_rule
from .lazy import built
from . import readnodes as made
from .rules import (AllOf, AnyOf, Comparison, Condition, Criterion, Interval, Manual, Node, RuleSet, computes_nothing,
                    node_class, nodes_and_classes, walk)
from .rulecheck import rule_problem
from .scope import female_only, impossible_and, numbered, sex_specific
from .stable_ids import Keys, keyed_rule
from .segment import Item, segment
from .sources import Source, StructuredField, from_text
from .text import normalize, possible_rules

_AGE_VALUE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(years?|months?|weeks?|days?)\s*$", re.I)


_ENDS_WITH_OR = re.compile(r"(?<![\w/])(?:or|and/or)\s*[:,;.]?\s*$", re.I)
_STARTS_WITH_OR = re.compile(r"[\s\-*•]*(?:or|and/or)\b(?!\s*(?:more|greater|less|higher|lower|equal))", re.I)
"""Matched at an item's start in the source (``match`` anchors it), its end as the text's end."""


def _ends_with_or(text: str) -> bool:
    """``_ENDS_WITH_OR`` searched only when the text, less its closing blanks and mark, ends in "or"
    (what every match ends with): the search tries every place of the item."""
    tail = text.rstrip()
    if tail[-1:] in (":", ",", ";", "."):
        tail = tail[:-1].rstrip()
    if tail[-2:].isascii() and tail[-2:].lower() != "or":
        return False
    return bool(_ENDS_WITH_OR.search(text))


def _groups(items: list[Item], text: str) -> list[list[Item]]:
    """Items joined by an "And/or" line, a bullet ending in "or" or one starting with it,
    form one criterion with alternatives."""
    groups: list[list[Item]] = []
    for item in items:
        previous = groups[-1][-1] if groups else None
        joined = item.joined_by_or or (previous is not None and (
            _ends_with_or(text[previous.start:previous.end]) or _STARTS_WITH_OR.match(text, item.start, item.end)))
        if joined and previous is not None and previous.section == item.section:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


MAX_ITEM_CHARS = 20_000
"""Longer items are left to review whole: no real criterion comes near (whole eligibility
sections of the 8,416-trial corpus are at most 21 KB), and it bounds compile time."""


def _item_rule(source: Source, item: Item, extractor: Extractor, possible: frozenset[int] | None = None) -> Node:
    """The item's rule. An item about another person (under "DONOR:") is a question about
    that person, never a rule on the patient; should the extractor fail on some text, or the
    item be longer than ``MAX_ITEM_CHARS``, the item is left to review (its text as the
    question) instead of stopping the trial: nothing is dropped.  ``possible``: the normalisation
    rules that may apply in the source (``text.possible_rules``)."""
    if item.end - item.start > MAX_ITEM_CHARS:
        return Manual(question=source.text[item.start:item.end].strip(), span=(item.start, item.end))
    if item.about:
        words = " ".join(source.text[item.start:item.end].split())
        if not any(w.lower() in age_words().self_words for w in re.findall(r"[A-Za-z]+", words)):
            return Manual(question=f"about the {item.about}, not the patient: {words}", span=(item.start, item.end))
    try:
        inherited = inherited_rule(extractor, source.text, item)
        if inherited is not None:
            return inherited
        text = normalize(source.text[item.start:item.end], item.start, possible)
        return extractor.item_rule(text, item.section, item.heading)
    except (ValueError, ArithmeticError, RecursionError):  # ValidationError is a ValueError
        return Manual(question=source.text[item.start:item.end].strip(), span=(item.start, item.end))


def _criterion(source: Source, group: list[Item], criterion_id: str, extractor: Extractor, keys: Keys,
               possible: frozenset[int] | None = None, replaced: bool = False) -> Criterion:
    """The criterion of a group of items, keyed (``keys``) as it is made.  A rule the rules reader
    would refuse ("within 0 days") is left to review; ``replaced``: the source had lone surrogates."""
    rules = [_item_rule(source, item, extractor, possible) for item in group]
    start, end = group[0].start, group[-1].end
    text = source.text[start:end]
    heading = group[0].heading
    key, digits = keys.add("I" if group[0].section == "inclusion" else "E", text, heading)
    rule, _, classes = _rewritten(rules[0] if len(rules) == 1 else AnyOf(items=rules, span=(start, end)), criterion_id, key)
    notes = ["items joined by 'or': any of them is enough"] if len(rules) > 1 else []
    problem = None if _CHECKED.isdisjoint(classes) else rule_problem(rule)
    if problem:
        rule = Manual(question=text.strip(), span=(start, end))
        notes.append(f"left to review: {problem}")
    if replaced and "\ufffd" in text:
        notes.append(SURROGATE_NOTE)
    # every value made here to the field's type: built without validating it again (a tenth of this stage)
    return built(Criterion, {
        "id": criterion_id, "key": key, "section": group[0].section, "text": text, "fingerprint": digits,
        "span": (start, end), "heading": heading, "field": None, "manual": bool(problem) or computes_nothing(classes),
        "rule": rule, "notes": notes})


_CHECKED = frozenset({Comparison, Condition, Interval})
"""The nodes ``rulecheck.rule_problem`` checks: a rule without any has no problem."""


def _rewritten(rule: Node, criterion_id: str, key: str | None = None) -> tuple[Node, list[Node], list[type]]:
    """``numbered(sex_specific(impossible_and(rule)))``, with the nodes and classes of the result;
    each rewrite called only for a tree that holds the nodes it rewrites (an "and" of just two limits,
    a condition only a woman can have, two questions): their own walks of every tree cost more
    than the rewrites.  With the criterion's ``key``, its questions are keyed too (``keyed_rule``;
    numbered ones as they are numbered)."""
    nodes, classes = nodes_and_classes(rule)
    if AllOf in classes and classes.count(Comparison) >= 2 and any(
            c is AllOf and len(n.items) == 2 and all(node_class(i) is Comparison for i in n.items)  # type: ignore[union-attr]
            for n, c in zip(nodes, classes)):
        rewritten = impossible_and(rule)
        if rewritten is not rule:
            rule, (nodes, classes) = rewritten, nodes_and_classes(rewritten)
    if Condition in classes and any(c is Condition and n.condition in female_only()  # type: ignore[union-attr]
                                    for n, c in zip(nodes, classes)):
        rewritten = sex_specific(rule)
        if rewritten is not rule:
            rule, (nodes, classes) = rewritten, nodes_and_classes(rewritten)
    if classes.count(Manual) >= 2:
        rewritten = numbered(rule, criterion_id, key)
        if rewritten is not rule:
            return rewritten, *nodes_and_classes(rewritten)
    if key is not None:
        keyed = keyed_rule(rule, key, nodes, classes)
        if keyed is not rule:
            rule, (nodes, classes) = keyed, nodes_and_classes(keyed)
    return rule, nodes, classes


def _structured(item: StructuredField, keys: Keys) -> Criterion | None:
    """Age limits and sex from the registry's structured fields ("All" sets no limit), keyed (``keys``)."""
    if item.name == "sex":
        sex = item.value.strip().lower()
        if sex not in ("female", "male"):
            return None
        return _field_criterion(item, "SEX", made.sex(sex, item.span), keys)
    if item.name in ("minimum_age", "maximum_age"):
        match = _AGE_VALUE.match(item.value)
        op, criterion_id = (">=", "AGE_MIN") if item.name == "minimum_age" else ("<=", "AGE_MAX")
        if not match or not math.isfinite(float(match.group(1))):
            rule: Node = made.manual(f"{item.name.replace('_', ' ')}: {item.value}", item.span)
        else:
            value = float(match.group(1))
            rule = made.limit("age", "age", op, int(value) if value.is_integer() else value, match.group(2).lower().rstrip("s"),
                              item.span)
        return _field_criterion(item, criterion_id, rule, keys)
    return None


def _field_criterion(item: StructuredField, criterion_id: str, rule: Node, keys: Keys) -> Criterion:
    """The criterion of a registry field, keyed; its rule validated as it was made, the
    criterion built without validating it again (as ``_criterion`` builds its own)."""
    key, digits = keys.add(criterion_id, item.value, None)
    nodes, classes = nodes_and_classes(rule)
    return built(Criterion, {
        "id": criterion_id, "key": key, "section": "inclusion", "text": item.value, "fingerprint": digits, "span": item.span,
        "heading": None, "field": item.name, "manual": computes_nothing(classes), "rule": keyed_rule(rule, key, nodes, classes),
        "notes": []})


SURROGATE_NOTE = "invalid characters (lone surrogates) in the source were replaced by \ufffd"
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # raw: the same pattern, and a literal mypyc can emit


def _has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate; ASCII text holds none (a test far cheaper than the search)."""
    return not text.isascii() and bool(_SURROGATE.search(text))


def _without_surrogates(source: Source) -> Source:
    """The source with every lone surrogate replaced one for one: in the text, and in the title,
    origin and field values that the rules file also records."""
    def clean(value: str | None) -> str | None:
        return None if value is None else _SURROGATE.sub("\ufffd", value)

    fields = [dataclasses.replace(item, value=_SURROGATE.sub("\ufffd", item.value)) for item in source.fields]
    return dataclasses.replace(source, text=_SURROGATE.sub("\ufffd", source.text), title=clean(source.title),
                               origin=clean(source.origin), fields=fields)


def compile_source(source: Source, extractor: Extractor | None = None) -> RuleSet:
    """Compile one source: its free-text criteria, then its structured fields.

    Lone surrogates (from JSON escapes or an API caller) cannot be written as UTF-8: they
    are replaced one for one, so offsets hold, and each criterion concerned says so."""
    extractor = extractor or default_extractor()
    replaced = _has_surrogate(source.text)
    if replaced or _has_surrogate("".join([source.title or "", source.origin or "", *(f.value for f in source.fields)])):
        source = _without_surrogates(source)
    counters = {"inclusion": 0, "exclusion": 0}
    criteria: list[Criterion] = []
    keys = Keys()
    possible = possible_rules(source.text)
    for group in _groups(segment(source.text, source.start, source.end), source.text):
        section = group[0].section
        counters[section] += 1
        criterion_id = f"{'I' if section == 'inclusion' else 'E'}{counters[section]}"
        criteria.append(_criterion(source, group, criterion_id, extractor, keys, possible, replaced))
    for item in source.fields:
        structured = _structured(item, keys)
        if structured:
            criteria.append(structured)
    return made.rule_set(made.trial(source.trial_id, source.title, source.origin), criteria)


def compile_criteria(text: str, trial_id: str | None = None) -> RuleSet:
    """Compile eligibility criteria text (or a saved registry page) into a RuleSet."""
    return compile_source(from_text(text, None, trial_id))


@dataclass
class Coverage:
    """How much of a set of trials compiled: counts of criteria, and the phrases left to review."""

    trials: int = 0
    criteria: int = 0
    full: int = 0
    partial: int = 0
    manual: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    phrases: Counter = field(default_factory=Counter)

    def add(self, rules: RuleSet) -> None:
        self.trials += 1
        for criterion in rules.criteria:
            self.criteria += 1
            manual_nodes = [n for n in walk(criterion.rule) if isinstance(n, Manual)]
            if criterion.manual:
                self.manual += 1
            elif manual_nodes:
                self.partial += 1
            else:
                self.full += 1
            for node in manual_nodes:
                self.phrases[_opening(node.question)] += 1

    def fail(self, name: str, reason: str) -> None:
        self.failures.append((name, reason))

    def summary(self) -> str:
        share = (lambda n: f"{n / self.criteria:.1%}") if self.criteria else (lambda n: "-")
        lines = [
            f"trials {self.trials}, criteria {self.criteria}: compiled fully {self.full} ({share(self.full)}), "
            f"partly {self.partial} ({share(self.partial)}), manual {self.manual} ({share(self.manual)}); "
            f"failures {len(self.failures)}",
        ]
        lines += [f"failed: {name}: {reason}" for name, reason in self.failures]
        return "\n".join(lines)

    def report(self, top: int = 20) -> str:
        """The summary and the most frequent openings of what is left to manual review."""
        lines = [self.summary(), f"most frequent phrases left to review (first words, of {sum(self.phrases.values())}):"]
        lines += [f"{count:7d}  {phrase}" for phrase, count in self.phrases.most_common(top)]
        return "\n".join(lines)


def _opening(question: str, words: int = 3) -> str:
    """The first words of a question, lower case, without numbering: what a person would group by."""
    text = re.sub(r"^[\W\d_]+", "", question.lower())
    return " ".join(re.findall(r"[a-z][a-z'\-]*", text)[:words])

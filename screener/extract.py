"""Extraction: one criterion's normalised text -> a rule tree, read against the lexicon.

The extractor finds mentions (variables, conditions, events) and bounds (comparator,
number, unit), attaches each bound to the variable it speaks of, and joins the leaves
with the connectors of the text.  Whatever meaningful words remain unread become a
manual question joined to the leaves, so nothing is silently dropped and a rule is
never broader than its text: precision before recall.

The stages, one module each, every one building on the one before:

- ``screener.tokens``: words, numbers, phrase regexes, span sets;
- ``screener.mentions``: the lexicon's names in a text (``MentionReader.mentions``);
- ``screener.quantities``: comparator-number-unit bounds (``QuantityReader.bounds``);
- ``screener.comparisons``: a bound on a variable -> a comparison node;
- ``screener.leaves``: per sentence, which variable each bound speaks of, conditions with
  their timing and negation, recency windows, intervals between events;
- ``screener.clauses``: a sentence -> a node (negation, example and exception cues, joining
  by connectors, unread words as questions);
- this module: an item -> its rule (sentences, the group it restricts, legacy table rows).
"""

from __future__ import annotations

import re
from functools import cache

from .clauses import ClauseReader
from .exceptions import allowed
from .itemmemo import ItemMemo
from .leaves import Leaf
from .lexicon import Lexicon, Variable
from .mentions import Mention
from .patterns import patterns
from .quantities import Bound
from . import readnodes as made
from .ruledout import ruled_out_examples
from .rules import AllOf, AnyOf, Comparison, Manual, NoRequirement, Node, Not, Section, walk
from .scope import Group, groups_in, is_restriction, negated, permission_at, restricted
from .text import Text
from .tokens import has_digit, squash
from .units import read_unit_at

__all__ = ["Bound", "Extractor", "Leaf", "Mention", "default_extractor"]

_COLUMNS = re.compile(r"\s+(?:--|—|–)\s+")


class Extractor(ClauseReader):
    """Reads items against one lexicon and the phrase patterns; build once, use for many items."""

    def __init__(self, lexicon: Lexicon | None = None):
        super().__init__(lexicon)
        self._no_requirement = {phrase.casefold() for phrase in patterns()["no_requirement"]}
        self.memo: ItemMemo | None = ItemMemo()  # None: every item read anew
        # heading age ranges read by screener.inherit; an attribute, not a weak-keyed table, since
        # compiled (mypyc) classes cannot be weakly referenced
        self.heading_ages: dict[tuple[int, int, str], Node | None] = {}

    def item_rule(self, text: Text, section: Section, heading: str | None = None) -> Node:
        """The rule for one item; spans of nodes are offsets into the original source.  An
        item read before is recalled (``screener.itemmemo``)."""
        if self.memo is None:
            return self._read_item(text, section, heading)
        if heading is not None and not self._heading_read(text.text, heading):
            heading = None  # the rule is the same under any sub-heading: items under others are recalled too
        return self.memo.rule(text, section, heading, self._read_item)

    def _heading_read(self, text: str, heading: str) -> bool:
        """Whether the item's rule may depend on its sub-heading: only a table row ("Age --
        Creatinine") and a bound (whose variable or age the sub-heading may name) read it.
        Every bound but "<= ULN" holds a digit: without one, ``bounds`` is a cheap test."""
        return bool(_COLUMNS.search(heading) or has_digit(text) or self.bounds(text))

    def _read_item(self, text: Text, section: Section, heading: str | None = None) -> Node:
        if squash(text.text).strip(" .;").casefold() in self._no_requirement:
            return NoRequirement(span=text.origin(0, len(text.text)))
        row = self._table_row(text, section, heading) if heading and _COLUMNS.search(heading) else None
        if row is not None:
            return row
        nodes: list[Node] = []
        manual_parts: list[tuple[int, int]] = []
        found = (self.mentions(text.text), self.bounds(text.text))  # once per item, then per sentence
        sentences = self._sentences(text.text)
        group, restriction = self._group(text.text, sentences)
        for index, (start, end) in enumerate(sentences):
            permission = permission_at(text.text[start:end], section, len(sentences) == 1)
            if permission is not None:
                # "... Patients with basal cell carcinoma are eligible.": what the sentence allows
                if len(sentences) == 1:
                    return self._alone(text, (start, end), permission, section, (heading, found, group, not restriction))
                if nodes:
                    nodes = [self._allowing(text, nodes, (start, end), permission, section,
                                            (heading, found, group, not restriction))]
                else:  # allowed beside what was not read: asked with it
                    manual_parts.append((start, end))
                continue
            node = self._sentence_rule(text, start, end, section, heading, found, group, not restriction)
            if node is not None and index and ruled_out_examples(text.text, sentences[index - 1], start):
                # "ensure that other etiologies were eliminated; example: COPD": the examples must be absent
                node = negated(node, squash(text.text[start:end]), text.origin(start, end))
            if node is None:
                if not (group and start <= group.start and group.end >= end - 1):
                    manual_parts.append((start, end))
            else:
                nodes.append(node)
        span = text.origin(0, len(text.text))
        if section == "exclusion" and len(nodes) > 1:
            # "Significant cardiac disease, including ... Active drug or alcohol abuse.": each sentence that
            # reads something of its own excludes (the broader reading); unread sentences stay required with them
            nodes = [AnyOf(items=nodes, span=span)]
        if manual_parts:
            first, last = manual_parts[0][0], manual_parts[-1][1]
            question = " ".join(text.text[s:e].strip() for s, e in manual_parts)
            nodes.append(made.manual(squash(question), text.origin(first, last)))
        rule: Node = nodes[0] if len(nodes) == 1 else made.all_of(nodes, span)
        if group is not None and restriction:
            return restricted(self._group_node(text, group), rule if nodes else None, section, restriction, span)
        return rule

    def _alone(self, text: Text, sentence: tuple[int, int], permission: int, section: Section, context: tuple) -> Node:
        """A lone sentence allowing what it names ("Minimal Kaposi's sarcoma is allowed.") asks
        nothing; one allowing a limit ("Prior radiotherapy to < 25% of the marrow is allowed")
        keeps the limit, as read, for review of what lies beyond it."""
        start, end = sentence
        head = self._sentence_rule(text, start, start + permission, section, *context)
        if head is not None and any(isinstance(n, Comparison) for n in walk(head)):
            whole = self._sentence_rule(text, start, end, section, *context)
            return whole if whole is not None else Manual(question=squash(text.text[start:end]), span=text.origin(start, end))
        return NoRequirement(span=text.origin(start, end))

    def _allowing(self, text: Text, nodes: list[Node], sentence: tuple[int, int], permission: int, section: Section,
                  context: tuple) -> Node:
        """The rule of the sentences so far, with what a later sentence allows (``exceptions.allowed``)."""
        start, end = sentence
        head = self._sentence_rule(text, start, start + permission, section, *context)
        allowance = head if head is not None else Manual(question=squash(text.text[start:end]), span=text.origin(start, end))
        span = text.origin(0, end)
        rule = nodes[0] if len(nodes) == 1 else AllOf(items=nodes, span=span)
        if section == "inclusion" and isinstance(rule, Not):  # "No prior malignancy. ... are eligible.": an exclusion
            return negated(allowed(rule.item, allowance, "exclusion", self.lexicon, span), squash(text.text[:end]), span)
        return allowed(rule, allowance, section, self.lexicon, span)

    def _group(self, text: str, sentences: list[tuple[int, int]]) -> tuple[Group | None, bool]:
        """The group the item is about, from the first sentence that names one, and whether it
        restricts the item (rather than being required by it)."""
        named = groups_in(text)  # once per item; then the first sentence that names one group
        for start, end in sentences if named else ():
            found = [g for g in named if start <= g.start and g.end <= end]
            if found and len({g.sex for g in found}) == 1:
                return found[0], is_restriction(text, found[0], start)
        return None, False

    def _columns(self, heading: str) -> list[tuple[Variable, str | None]] | None:
        """"Age (in years) -- Creatinine (in mg/dL)": one variable, and maybe a unit, per column."""
        columns = []
        for part in _COLUMNS.split(heading):
            variables = self._variables([m for m in self.mentions(part) if m.kind in ("variable", "group")])
            if len(variables) != 1:
                return None
            stated = re.search(r"\(\s*(?:in\s+)?([^()]+?)\s*\)", part)
            unit = read_unit_at(stated.group(1), 0) if stated else None
            columns.append((variables[0], unit[0].display if unit else None))
        return columns if len(columns) == 2 else None

    def _table_row(self, text: Text, section: Section, heading: str) -> Node | None:
        """A row of a legacy table such as "Younger than 5 -- no greater than 1.2": in an
        inclusion, when the first column's condition holds the second must (an implication);
        in an exclusion, both together exclude."""
        columns = self._columns(heading)
        cells = _COLUMNS.split(text.text)
        separator = _COLUMNS.search(text.text)
        if columns is None or len(cells) != 2 or separator is None:
            return None
        offset = len(cells[0]) + len(separator.group(0))
        parts: list[Node] = []
        for (variable, unit), cell, start in zip(columns, cells, (0, offset)):
            comparisons = []
            for bound in self.bounds(cell):
                if bound.variant_of is None:
                    bound.start, bound.end = bound.start + start, bound.end + start
                    bound.shared_unit = bound.shared_unit or unit
                    comparisons.append(self._comparison(variable, bound, bound.start, text))
            read = [c for c in comparisons if c is not None]
            if not read or len(read) != len(comparisons):
                return None
            parts.append(read[0] if len(read) == 1 else AllOf(items=list(read)))
        condition, requirement = parts
        span = text.origin(0, len(text.text))
        if section == "exclusion":
            return AllOf(items=[condition, requirement], span=span)
        return AnyOf(items=[Not(item=condition), requirement], span=span)


@cache
def default_extractor() -> Extractor:
    return Extractor()

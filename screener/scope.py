"""Scope resolution: what negation, examples, exceptions, groups and measurement context
do to the rule read from a sentence (the trigger-and-scope approach of NegEx/ConText).

The cue words live in ``screener/data/scope.yaml``.  The functions here work on rule trees
already read from a sentence, so each can be tested on its own:

- ``negated``: NOT over a sentence's rule, pushed down to its questions so that no review
  question is ever inverted (a question is asked in the words of the sentence instead);
- ``restricted``: a criterion for one group ("women of childbearing potential");
- ``sex_specific``: conditions only a woman can have are absent in a man;
- ``sex_agreement``: what limits per sex say whatever the sex;
- ``numbered``: each question of a criterion gets its own id (``I4.1``, ``I4.2``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from .rules import (
    AllOf, AnyOf, Comparison, Condition, Manual, Node, Not, Readings, Restrict, Sex, Span, Unless, walk,
)
from .phraseindex import PhraseIndex, Words, finditer_from_heads
from . import readnodes as made
from .prefilter import Needs, cannot_match, needs
from .trusted import copy_with
from .yamlio import parse_yaml

_SPACES = re.compile(r"\s+")


@cache
def cues() -> dict[str, Any]:
    """The scope cue file, read once."""
    resource = files("screener") / "data" / "scope.yaml"
    return parse_yaml(resource.read_text(encoding="utf-8"), file=str(resource)).data


def phrase_pattern(phrases) -> str:
    """An alternation of phrases as whole words, longest first, spaces matching any space."""
    ordered = sorted({str(p) for p in phrases}, key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)
    return r"(?<![\w-])(?:" + body + r")(?![\w-])"


def has_question(node: Node) -> bool:
    return any(isinstance(n, Manual) for n in walk(node))


# ---------------------------------------------------------------------------- negation


def negated(node: Node, question: str, span: Span | None) -> Node:
    """NOT ``node``, with the NOT pushed through groups (De Morgan) down to the questions.

    A question under the NOT is replaced by ``question``: the whole sentence, negation and
    all, so that answering yes still means "the text holds".  Parts without a question keep
    a plain NOT.
    """
    if not has_question(node):
        return node.item if isinstance(node, Not) else made.not_(node, span)
    if isinstance(node, Manual):
        return made.manual(question, span)
    if isinstance(node, Not):
        return node.item
    if isinstance(node, (AllOf, AnyOf)):
        flipped = made.any_of if isinstance(node, AllOf) else made.all_of
        return flipped(_unique([negated(item, question, span) for item in node.items]), node.span)
    if isinstance(node, Readings):
        return Readings(items=[negated(item, question, span) for item in node.items], span=node.span)
    if isinstance(node, Restrict):
        return made.restrict(node.group, negated(node.item, question, span), not node.outside, node.span)
    if isinstance(node, Unless):  # not (item and not exception) = not item or exception
        return made.any_of([negated(node.item, question, span), node.exception], node.span)
    return made.not_(node, span)


def _unique(items: list[Node]) -> list[Node]:
    """Drop repeats of the same question (one sentence asks it once)."""
    seen: set[str] = set()
    out = []
    for item in items:
        if isinstance(item, Manual):
            if item.question in seen:
                continue
            seen.add(item.question)
        out.append(item)
    return out


# ---------------------------------------------------------------------------- groups


@dataclass
class Group:
    """A group a criterion names ("women of childbearing potential"), where it stands."""

    start: int
    end: int
    sex: str | None
    condition: str | None

    def node(self, span: Span | None, label: str | None = None) -> Node:
        parts: list[Node] = []
        if self.sex:
            parts.append(made.sex(self.sex, span))
        if self.condition:
            parts.append(Condition(condition=self.condition, label=label, span=span))
        return parts[0] if len(parts) == 1 else made.all_of(parts, span)


@cache
def _group_re() -> re.Pattern[str]:
    return re.compile(phrase_pattern(cues()["groups"]), re.I)


@cache
def _group_needs() -> Needs:
    return needs(_group_re())


@cache
def _group_index() -> PhraseIndex:
    return PhraseIndex(_group_re(), cues()["groups"], True)


@cache
def _group_table() -> dict[str, dict[str, str]]:
    return {_SPACES.sub(" ", k.lower()): v for k, v in cues()["groups"].items()}


def groups_in(sentence: str) -> list[Group]:
    """The groups the text names, in order (the caller drops a sentence naming both sexes)."""
    table = _group_table()
    found: list[Group] = []
    if cannot_match(_group_needs(), sentence):
        return found
    for match in _group_index().finditer(Words(sentence)):  # _group_re().finditer(sentence), tried where a group's words stand
        entry = table[_SPACES.sub(" ", match.group(0).lower())]
        found.append(Group(match.start(), match.end(), entry.get("sex"), entry.get("condition")))
    return found


_RESTRICTING = re.compile(  # "For females, ...", "Maximum age for males is 39"
    r"(?:^|[\s,;:(])(?:for|in|among|applies\s+to|only\s+for|if)\s+(?:all\s+)?$"
)
_MODAL = re.compile(r"^[\s,]*(?:(?:who|that)\s+(?:are|is)\s+[\w\s-]{0,30}?)?(?:must|should|need|needs|will|shall|are\s+required|have\s+to|has\s+to|agree|willing)\b", re.I)


def is_restriction(sentence: str, group: Group, start: int) -> bool:
    """Whether the group limits who the sentence is for ("For females, ...", "Women of
    childbearing potential must ...") rather than being itself required ("Women aged 60 or
    older")."""
    before = sentence[start:group.start].lower()
    parenthesised = before.rstrip().endswith("(") and sentence[group.end:].lstrip().startswith(")")
    return bool(_RESTRICTING.search(before) or _MODAL.match(sentence[group.end:]) or parenthesised)


def restricted(group: Node, item: Node | None, section: str, restriction: bool, span: Span | None) -> Node:
    """The rule of a sentence naming a group.  An exclusion always needs the group (group and
    item); an inclusion restricted to the group does not apply outside it; an inclusion naming
    a group as its subject requires it."""
    if item is None:
        return group
    if section == "inclusion" and restriction:
        return made.restrict(group, item, True, span)
    return made.all_of([group, item], span)


# ---------------------------------------------------------------------------- rewrites


@cache
def female_only() -> frozenset[str]:
    """The conditions only a woman can have (``cues.yaml``): ``sex_specific`` restricts them to women."""
    return frozenset(cues()["female_only"])


def sex_specific(node: Node) -> Node:
    """Conditions only a woman can have (pregnancy...) are taken as absent in a man."""
    women_only = female_only()
    if not any(isinstance(n, Condition) and n.condition in women_only for n in walk(node)):
        return node

    def visit(n: Node) -> Node:
        if isinstance(n, Condition) and n.condition in women_only:
            return made.restrict(made.sex("female", n.span), n, False, n.span)
        if isinstance(n, Restrict) and isinstance(n.group, Sex) and n.group.sex == "female":
            return n  # already for women
        return _map_children(n, visit)

    return visit(node)


def sex_agreement(node: AllOf | AnyOf) -> Node | None:
    """What limits per sex ("Hb < 11 (women) or < 12 (men)") say whatever the sex: every
    patient is one or the other, so an exclusion's (women AND A) OR (men AND B) holds when
    A AND B hold, and an inclusion's (women -> A) AND (men -> B) fails when neither A nor B
    holds.  None for a group without limits for both sexes.  The engines join it to the
    group (it changes no decided status), so a patient of unknown sex is decided where both
    sides agree."""
    outside = isinstance(node, AllOf)  # inclusion limits hold outside their sex, exclusion ones do not
    sides: dict[str, list[Node]] = {"female": [], "male": []}
    for item in node.items:
        if isinstance(item, Restrict) and isinstance(item.group, Sex) and item.outside == outside:
            sides[item.group.sex].append(item.item)
    if not sides["female"] or not sides["male"]:
        return None
    both = [s[0] if len(s) == 1 else type(node)(items=s, span=node.span) for s in sides.values()]
    return (AllOf if isinstance(node, AnyOf) else AnyOf)(items=both, span=node.span)


def impossible_and(node: Node) -> Node:
    """"Age less than 18 years and over 70 years": two limits no value can meet together are
    meant as either one (the text lists both ends of what it excludes)."""

    if not any(isinstance(n, AllOf) and len(n.items) == 2 for n in walk(node)):
        return node

    def visit(n: Node) -> Node:
        n = _map_children(n, visit)
        if isinstance(n, AllOf) and len(n.items) == 2 and all(isinstance(i, Comparison) for i in n.items):
            low, high = sorted(n.items, key=lambda c: c.op in (">", ">="))  # type: ignore[union-attr]
            if (isinstance(low, Comparison) and isinstance(high, Comparison) and low.variable == high.variable
                    and low.unit == high.unit and low.op in ("<", "<=") and high.op in (">", ">=")
                    and high.value >= low.value):
                return AnyOf(items=n.items, span=n.span)
        return n

    return visit(node)


def _map_children(node: Node, visit) -> Node:
    """``node`` with ``visit`` applied to its children; the node itself where no child changed
    (a copy of an unchanged part is a cost and nothing else)."""
    if isinstance(node, (AllOf, AnyOf, Readings)):
        items = [visit(i) for i in node.items]
        return node if all(a is b for a, b in zip(items, node.items)) else copy_with(node, items=items)
    if isinstance(node, Not):
        item = visit(node.item)
        return node if item is node.item else copy_with(node, item=item)
    if isinstance(node, Unless):
        item, exception = visit(node.item), visit(node.exception)
        return node if item is node.item and exception is node.exception else \
            copy_with(node, item=item, exception=exception)
    if isinstance(node, Restrict):
        group, item = visit(node.group), visit(node.item)
        return node if group is node.group and item is node.item else copy_with(node, group=group, item=item)
    return node


def numbered(node: Node, criterion_id: str, key: str | None = None) -> Node:
    """Give each distinct question of a criterion its own id (``I4.1``, ``I4.2``...) when
    there is more than one; a single question is answered by the criterion's id.  With the
    criterion's ``key``, each also gets its key (``<key>.q2``, as ``stable_ids.question_key``
    gives it) in the same copy."""
    questions: list[str] = []
    for n in walk(node):
        if isinstance(n, Manual) and n.question not in questions:
            questions.append(n.question)
    if len(questions) < 2:
        return node

    def visit(n: Node) -> Node:
        if isinstance(n, Manual):
            number = questions.index(n.question) + 1
            if key is None:
                return copy_with(n, id=f"{criterion_id}.{number}")
            return copy_with(n, id=f"{criterion_id}.{number}", key=f"{key}.q{number}")
        return _map_children(n, visit)

    return visit(node)


# ---------------------------------------------------------------------------- permissions


@cache
def _permission_re() -> re.Pattern[str]:
    return re.compile(r"\s*(?:" + phrase_pattern(cues()["permissions"]) + r")[\s.;:,]*$", re.I)


# what may follow a closing permission cue in ASCII text: blanks (``\\s``) and ".;:,"
_TRAILING = ".;:," + "".join(chr(code) for code in range(128) if chr(code).isspace())


@cache
def _permission_ends() -> tuple[str, ...] | None:
    """The last word of each permission cue ("allowed" of "are allowed"), in lower case and
    less what ``_TRAILING`` strips; None (no test) when one is nothing but that, or not ASCII."""
    ends = tuple(str(cue).split()[-1].lower().rstrip(_TRAILING) for cue in cues()["permissions"])
    return ends if all(end and end.isascii() for end in ends) else None  # ignoring case, "K" (Kelvin) is "k"


def permission_at(sentence: str, section: str = "exclusion", alone: bool = False) -> int | None:
    """Where a closing permission cue starts ("Patients with basal cell carcinoma | are
    eligible."): the words before it are what the sentence allows; None without one, and for
    a lone inclusion sentence that says who is included ("Patients with stage III disease are
    eligible.": a requirement)."""
    ends = _permission_ends()
    if ends is not None and sentence.isascii() and not sentence.rstrip(_TRAILING).lower().endswith(ends):
        return None  # an ASCII sentence ends with a cue's last word: a test far cheaper than the search
    match = _permission_re().search(sentence)
    if match is None:
        return None
    cue = " ".join(sentence[match.start():].split()).strip(" .;:,").lower()
    if alone and section == "inclusion" and cue in {str(c).lower() for c in cues()["inclusion_permissions"]}:
        return None
    return match.start()


# ---------------------------------------------------------------------------- measurement context


@cache
def _context_re() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in cues()["measurement_context"]), re.I)


def contexts(sentence: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """Measurement-context phrases in the sentence ("at rest", "without oxygen therapy")."""
    if cannot_match(_context_needs(), sentence):
        return []
    return finditer_from_heads(_context_re(), sentence, start, end)  # tried where a phrase can start


@cache
def _context_needs() -> Needs:
    return needs(_context_re())


def with_context(node: Node, notes: list[str]) -> Node:
    """Carry measurement-context notes on every comparison of the rule."""
    if not notes:
        return node

    def visit(n: Node) -> Node:
        if isinstance(n, Comparison):
            return copy_with(n, context=list(dict.fromkeys(n.context + notes)))
        return _map_children(n, visit)

    return visit(node)

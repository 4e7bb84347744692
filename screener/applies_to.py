"""Limits for a group named after them: "Age 18 or older for patients with Alzheimer's
disease", "FEV1 > 60% of predicted (for patients with a smoking history)", "creatinine
clearance >= 60 mL/min for patients with creatinine above the ULN".

The group does not have to be present: the limit applies to its members only.  In an
inclusion a patient outside the group is not held to the limit (``restrict`` with
``outside: true``); in an exclusion only a member meeting the limit is excluded
(``outside: false``).  A patient whose membership is unknown is decided only where the
limit's value is the same either way.  The cue words are data (``limit_group_*`` in
screener/data/scope.yaml).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from .leaves import Leaf
from .rules import Comparison, Condition, Node, Not, Restrict, limits_only, walk
from .scope import cues, phrase_pattern
from .text import Text
from .tokens import blank_spans

if TYPE_CHECKING:
    from .clauses import ClauseReader
    from .rules import Section


@cache
def _cue() -> re.Pattern[str]:
    data = cues()
    parts = [phrase_pattern(data[f"limit_group_{key}"]) for key in ("leads", "persons", "links")]
    return re.compile(r"\s+".join(parts), re.I)


@cache
def _any_group() -> re.Pattern[str]:
    """"for patients", "in normal volunteers", "for adolescents": a group named, with or without a link."""
    data = cues()
    persons = phrase_pattern([*data["limit_group_persons"], *data["limit_group_other_persons"]])
    return re.compile(phrase_pattern(data["limit_group_leads"]) + r"\s+(?:\w+\s+)?" + persons, re.I)


# a capitalised word right after a lower-case one: the next item of a paragraph whose line
# breaks were lost ("... symptomatic pulmonary disease Reasonable respiratory reserve")
_NEXT_ITEM = re.compile(r"\b[a-z][\w'-]*\s+[A-Z][a-z]")


def _variables(node: Node) -> set[str]:
    return {n.variable for n in walk(node) if isinstance(n, Comparison)}


def _run_on(text: str, leaves: list["Leaf"]) -> bool:
    """Whether two things read stand side by side with no connector or punctuation between
    ("WBC at least 3,500/mm3 Neutrophil count at least 1,500/mm3 ..."): items of a paragraph
    whose line breaks were lost, where a group cannot be told to belong to the last one."""
    return any(not re.search(r"[,;:]|\b(?:and|or|nor)\b", text[a.end:b.start], re.I) for a, b in zip(leaves, leaves[1:]))


def _condition_only(node: Node) -> bool:
    """A condition, or its negation: never ``limits_only`` (a cheap test before the cue searches)."""
    return isinstance(node.item if isinstance(node, Not) else node, Condition)


def _group_cue(reader: "ClauseReader", text: str, span: tuple[int, int], leaves: list["Leaf"],
               covered: list[tuple[int, int]]) -> tuple[int, int, int, int] | None:
    """(index of the limit the group is for, cue start, cue end, end of the group's words), or
    None.  The group must follow its limit with nothing unread between, in a sentence that is
    no run-on paragraph, be the only group the sentence names ("<= 50 (in patients without X) OR <= 100 (in patients with X)" pairs
    limits and groups otherwise), and hold no number it does not read ("(at least 1.0 in
    patients with P or 4.0 in those with Q)")."""
    body_start, end = span
    if len(_any_group().findall(text, body_start, end)) != 1:
        return None
    match = _cue().search(text, body_start, end)
    if match is None or any(l.start <= match.start() < l.end for l in leaves):
        return None  # none, or inside a limit's own variant ("(<= 5 x ULN in patients with liver metastases)")
    before = [i for i, l in enumerate(leaves) if l.end <= match.start()]
    if not before or not limits_only(leaves[before[-1]].node) or _run_on(text, leaves[:before[-1] + 1]):
        return None
    last = leaves[before[-1]]
    if re.search(r"\d", text[last.end:match.start()]) or reader._leftover(text, last.end, match.start(), covered):
        return None
    opened = text.rfind("(", body_start, match.start())
    closed = text.find(")", match.end(), end)
    inside = opened > text.rfind(")", body_start, match.start()) and closed != -1
    group_end = closed if inside else end
    members = [l for l in leaves if match.end() <= l.start < group_end]
    unread = blank_spans(text, [(l.start, l.end) for l in members], match.end(), group_end)
    if re.search(r"\d", unread) or _NEXT_ITEM.search(unread):
        return None
    if _variables(last.node) & {v for l in members for v in _variables(l.node)}:
        return None  # "> 100,000 ... and for volunteers with X, the platelet count must be >= 50,000": a limit per group
    return before[-1], match.start(), match.end(), group_end


def limit_for_group(reader: "ClauseReader", text: Text, span: tuple[int, int, int], leaves: list["Leaf"],
                    covered: list[tuple[int, int]], section: "Section") -> Node | None:
    """The rule of a sentence with a limit for a group named after it, the limit replaced by
    ``restrict`` (the rest of the sentence joined as usual), or None when the sentence has no
    such group.  ``span`` is the sentence's (start, body start, end)."""
    start, body_start, end = span
    if body_start != start:
        return None  # a negation or a group opens the sentence: read as before
    if all(_condition_only(l.node) for l in leaves):
        return None  # no limit for a group to qualify (``_group_cue`` asks for one): the cue is not searched
    found = _group_cue(reader, text.text, (body_start, end), leaves, covered)
    if found is None:
        return None
    index, cue_start, cue_end, group_end = found
    members = [l for l in leaves if cue_end <= l.start < group_end]
    asked = cue_start + re.match(r"\w+\s+", text.text[cue_start:cue_end]).end()  # type: ignore[union-attr]
    group = reader._part(text, asked, cue_end, group_end, members, covered, "inclusion")  # "patients with X"?
    if group is None:
        return None
    limit = leaves[index]
    restricted = Restrict(group=group, item=limit.node, outside=section == "inclusion",
                          span=text.origin(limit.start, group_end))
    rest = [l for l in leaves if l not in members and l is not limit]
    joined = sorted([*rest, Leaf(limit.start, group_end, restricted, limit.sex)], key=lambda l: l.start)
    # the group's words are read; an empty ``skip`` tells ``_part`` that this sentence was seen here
    return reader._part(text, start, body_start, end, joined, covered + [(cue_start, group_end)], section,
                        skip=(group_end, group_end))

"""Qualified terms: "Known HIV infection (CD4 < 200)", "obesity (BMI >= 40 kg/m2)",
"congestive heart failure (NYHA class III or IV)": limits in brackets right after a
condition say which patients with that condition the criterion means.  A coordinator reads
both as required, in an inclusion and in an exclusion: a patient with HIV and CD4 500 is not
excluded, nor is a patient with CD4 150 and no HIV.  Reading them as alternatives (the
default for items side by side in an exclusion) would exclude both.

Where the term itself carries a qualifier ("uncontrolled diabetes (HbA1c > 9 %)") or a
definition cue ("defined as"), the limit is the definition and decides alone
(``LeafReader._defined``); this module sees only the leaves that stage kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .leaves import Leaf
from .rules import AllOf, Condition, Node, limits_only

# words between the term and its bracket that keep them one phrase ("HIV-infected individual (")
_BETWEEN = re.compile(r"[\s\w'-]{0,40}\(\s*")
_NOT_ONE_PHRASE = re.compile(r"\b(?:and|or|nor|with|without|but|except|unless|if|when|plus)\b", re.I)
# a bracket that is an exception, a condition or a list of examples is read elsewhere
_OTHER_REMARK = re.compile(
    r"\b(?:if|unless|except|when|where|allowed|permitted|acceptable|eligible|including|such\s+as|e\.\s?g|"
    r"for\s+(?:men|women|males?|females?)|in\s+(?:men|women|males?|females?))\b", re.I)


_CONNECTORS = frozenset({"or", "and", "nor"})


def _alternative_words(unread: str) -> bool:
    """Whether unread words of a bracket are joined by "or" to its limits: another way to
    have the condition ("diabetes mellitus (documented diagnosis or HbA1C >= 7%, or receiving
    treatment)"), not a qualifier."""
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", unread)}
    return "or" in words and any(len(w) > 2 for w in words - _CONNECTORS)


def _closing(text: str, opening: int) -> int | None:
    """The index of the bracket closing the one at ``opening``."""
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


def _qualifier(leaves: list[Leaf], index: int, text: str) -> tuple[int, int] | None:
    """The leaves [index + 1, end) in the bracket right after the condition ``leaves[index]``, as
    (end index, closing bracket), or None when no such bracket of limits follows."""
    term = leaves[index]
    if not isinstance(term.node, Condition) or index + 1 >= len(leaves):
        return None
    between = _BETWEEN.match(text, term.end)
    if between is None or between.end() > leaves[index + 1].start or _NOT_ONE_PHRASE.search(between.group(0)):
        return None
    opening = text.rfind("(", term.end, between.end())
    close = _closing(text, opening)
    if close is None or _OTHER_REMARK.search(text, opening, close):
        return None
    end = index + 1
    rest = list(text[opening:close])
    while end < len(leaves) and leaves[end].start < close:
        if leaves[end].end > close + 1 or not limits_only(leaves[end].node):
            return None
        rest[leaves[end].start - opening:leaves[end].end - opening] = " " * (leaves[end].end - leaves[end].start)
        end += 1
    unread = "".join(rest)
    if end == index + 1 or re.search(r"\d", unread) or _alternative_words(unread):
        return None  # no limit in the bracket, one unread ("(Tot Chol > 300 or TG > 300)"), or words as an alternative
    return end, close


def bracketed_qualifiers(leaves: list[Leaf], text: str, join: Callable[[list[Leaf]], Node]) -> list[Leaf]:
    """The leaves with each condition and the limits bracketed after it made one leaf, both
    required; ``join`` joins the limits in the bracket ("(cholesterol > 300 or TG > 300)")."""
    out: list[Leaf] = []
    index = 0
    while index < len(leaves):
        found = _qualifier(leaves, index, text)
        if found is None:
            out.append(leaves[index])
            index += 1
            continue
        end, close = found
        limits = join(leaves[index + 1:end])
        out.append(Leaf(leaves[index].start, max(close + 1, leaves[end - 1].end), AllOf(items=[leaves[index].node, limits])))
        index = end
    return out

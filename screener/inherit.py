"""What a row inherits from the lines above it: the range it holds for, and the variable it limits.

Legacy registry text states limits in nested lists, the range a row holds for in a heading
above it and the measured variable in the bullet it hangs from:

    Elevated WBC at presentation
        Age 6-12 months: greater than 100,000/mm^3      (WBC > 100,000/mm^3 for ages 6-12 months)
    Performance status:
        Age 65-70 years:
        Karnofsky 80-100%                                 (KPS >= 80 for ages 65-70)
    INCLUSION CRITERIA FOR MINORS (BETWEEN AGES 4 AND 18 YEARS):

A range on the patient's age in a sub-heading, in a section heading or before the colon of a
row becomes a condition: the row applies inside the range only (``Restrict``).  A row that
opens with its limit ("greater than 100,000/mm^3") reads its variable from the bullet above.
Only ages are read as ranges: another quantity in a heading may be a requirement, not a band.
"""

from __future__ import annotations

import re

from .extract import Extractor
from .itemmemo import moved
from .rules import AllOf, AnyOf, Comparison, Manual, Node, Restrict
from .segment import Item
from .text import normalize

AGE = "age"

# "Age 6-12 months: ...", "Under 65 years: ...": a short prefix with a number before a colon
_PREFIX = re.compile(r"([^:\n]{2,40}?\d[^:\n]{0,30}?)\s*:\s+(?=\S)")
# a row that opens with its limit and names no variable before it
_LIMIT_FIRST = re.compile(
    r"\s*(?:[<>≤≥]|\d|(?:greater|less|more|higher|lower|fewer|at\s+least|at\s+most|no\s+(?:more|less|greater|higher|lower)"
    r"|not?\s+(?:more|less|greater|higher|lower|to\s+exceed)|under|over|above|below|up\s+to|minimum|maximum|between)\b)",
    re.I)
_BRACKETED = re.compile(r"\(([^()]*\d[^()]*)\)")


_CONDITIONS_KEPT = 512  # heading ranges each extractor keeps (``Extractor.heading_ages``)


def age_condition(extractor: Extractor, source: str, start: int, end: int) -> Node | None:
    """The range on the patient's age that ``source[start:end]`` states, or None when it
    states none or also states something else (another variable, a condition).

    Every item under a range heading asks for the heading's range: it is read once (it
    depends only on the words and their place) and each item gets its own copy."""
    key = (start, end, source[start:end])
    read = extractor.heading_ages
    if key not in read:
        if len(read) >= _CONDITIONS_KEPT:
            read.clear()
        read[key] = _age_condition(extractor, source, start, end)
    found = read[key]
    return None if found is None else moved(found, 0)


def _age_condition(extractor: Extractor, source: str, start: int, end: int) -> Node | None:
    bracketed = _BRACKETED.search(source, start, end)
    if bracketed:
        start, end = bracketed.span(1)
    rule = extractor.item_rule(normalize(source[start:end], start), "inclusion", None)
    every: list[Node] = list(rule.items) if isinstance(rule, AllOf) else [rule]
    parts = [p for p in every if not isinstance(p, Manual)]  # the words of a heading are no requirement
    if not parts or not all(_ages_only(p) for p in parts):
        return None
    return parts[0] if len(parts) == 1 else AllOf(items=parts, span=(start, end))


def _ages_only(node: Node) -> bool:
    if isinstance(node, Comparison):
        return node.variable == AGE
    if isinstance(node, (AllOf, AnyOf)):
        return all(_ages_only(n) for n in node.items)
    return False


def inherited_rule(extractor: Extractor, source: str, item: Item) -> Node | None:
    """The item's rule with what it inherits from above, or None when it inherits nothing."""
    conditions = [c for c in (age_condition(extractor, source, a, b) for a, b in item.conditions) if c is not None] \
        if item.conditions else []
    start = item.start
    prefix = _PREFIX.match(source, item.start, item.end) if source.find(":", item.start, item.end) >= 0 else None
    if prefix:
        condition = age_condition(extractor, source, prefix.start(1), prefix.end(1))
        if condition is not None:
            conditions.append(condition)
            start = prefix.end()
    heading = item.heading
    if item.parent and _LIMIT_FIRST.match(source, start, item.end) and _variables(extractor, source, start, item.end) == 0 \
            and _variables(extractor, source, *item.parent) == 1:
        heading = " ".join(source[item.parent[0]:item.parent[1]].split())
    if not conditions and heading == item.heading:
        return None
    rule = extractor.item_rule(normalize(source[start:item.end], start), item.section, heading)
    for condition in reversed(conditions):
        rule = Restrict(group=condition, item=rule, outside=item.section == "inclusion", span=(item.start, item.end))
    return rule


def _variables(extractor: Extractor, source: str, start: int, end: int) -> int:
    """How many variables ``source[start:end]`` names."""
    return len({m.id for m in extractor.mentions(source[start:end]) if m.kind in ("variable", "group")})

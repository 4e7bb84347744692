"""A comparator carried over to the next value of a list.

"WBC count greater than 4000/mm3 and platelet count 100,000/mm3": the second value has no
comparator of its own and takes the first one's.  "QTc greater than 450 msec for males and
470 msec for females", "at least 25 drinks for men and 20 drinks for women": in a parallel
"A for X and B for Y" the comparator of A holds for B.

A comparator is carried only across "and" or a comma, to a lone value (never a range), and
only between two laboratory values (a lab named just before each) or within the parallel
form: "Karnofsky >= 70%, ECOG 2" is no "ECOG >= 2", scales run both ways.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# what may stand around the variable between the two values: ", and the platelet count of 100,000"
_BEFORE_NAME = re.compile(r"[\s,]*(?:,|\band\b)[\s,]*(?:and\s+)?(?:the\s+|an?\s+)?", re.I)
_AFTER_NAME = re.compile(r"\s*(?:counts?|levels?|values?|concentrations?)?\s*(?:of|:|=)?\s*$", re.I)
# "450 msec for males and 470 msec for females"
_GAP_BREAK = re.compile(r"[;.<>=]|\bor\b|\d")
_AND_GAP = re.compile(r"\s*,?\s*and\s+")
_PARALLEL = re.compile(r"\s*\b(?:for|in)\s+[^,;:.()<>=\d]{1,40}?\s*,?\s+and\s+$", re.I)
_FOR_END = re.compile(r"\b(?:for|in)\s+[A-Za-z]+\s*\)?$", re.I)  # the first value's "for males", read into its bound
_FOR_AFTER = re.compile(r"\s*[^\s,;:.()<>=\d]{0,20}\s*(?:for|in)\s+[A-Za-z]", re.I)

Mentions = Callable[[str], "list[tuple[int, int, str]]"]
"""(start, end, kind) of each variable a text names, in order ("lab", "score", ...)."""


def carries(text: str, previous_start: int, previous_end: int, number_start: int, number_end: int,
            mentions: Mentions) -> bool:
    """Whether the value at ``number_start`` takes the comparator of the bound at
    ``previous_start:previous_end`` (see the module's docstring)."""
    gap = text[previous_end:number_start]
    if len(gap) > 60 or _GAP_BREAK.search(gap):
        return False
    if _PARALLEL.fullmatch(gap) or (_AND_GAP.fullmatch(gap) and _FOR_END.search(text, previous_start, previous_end)):
        return bool(_FOR_AFTER.match(text, number_end))
    named = mentions(gap)
    if len(named) != 1 or named[0][2] != "lab":
        return False
    start, end, _ = named[0]
    if not _BEFORE_NAME.fullmatch(gap[:start]) or not _AFTER_NAME.fullmatch(gap[end:]):
        return False
    before = mentions(text[max(0, previous_start - 50):previous_start])
    return bool(before) and before[-1][2] == "lab"

"""The characters a pattern's match can open with, blanks aside, read from the pattern's
syntax tree: a first test that spares matching a long pattern full of optional words ("x
the institutional ULN", "lower limit of normal") after every number, where most numbers are
followed by "mg", "days" or "/mm3".  When the tree does not tell, every character may open it.
"""

from __future__ import annotations

import re
from typing import Any

try:  # the regex parser of the standard library: private, so any failure means "any character"
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - before Python 3.11
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre  # type: ignore[no-redef]

Chars = tuple[set[str], bool]
"""(the non-blank characters an item can open with, whether it can also match blanks only)"""


def opening_chars(pattern: str) -> frozenset[str] | None:
    """The ASCII characters a match of ``pattern`` can have as its first non-blank character,
    whatever the case (matched as re.IGNORECASE would), or None when any may.  Non-ASCII
    characters are not judged: a caller lets them through."""
    try:
        found = _sequence(list(_sre.parse(pattern)))
    except Exception:  # an unexpected tree shape: never skip
        return None
    if found is None:
        return None
    if not found[0]:
        return frozenset()
    probe = re.compile("[" + "".join(re.escape(c) for c in sorted(found[0])) + "]", re.I)
    return frozenset(a for a in map(chr, range(128)) if probe.fullmatch(a))


def _sequence(items: list[Any]) -> Chars | None:
    chars: set[str] = set()
    for op, value in items:
        item = _item(op, value)
        if item is None:
            return None
        chars |= item[0]
        if not item[1]:
            return chars, False
    return chars, True


def _item(op: Any, value: Any) -> Chars | None:
    if op is _c.LITERAL:
        return (set(), True) if chr(value).isspace() else ({chr(value)}, False)
    if op is _c.IN:
        return _in(value)
    if op is _c.BRANCH:
        return _branch(value[1])
    if op is _c.SUBPATTERN:
        return _sequence(list(value[3]))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)):
        inner = _sequence(list(value[2]))
        return None if inner is None else (inner[0], inner[1] or value[0] == 0)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):  # zero-width: what follows opens the match
        return set(), True
    return None  # any character, a back-reference...: not judged


def _branch(alternatives: list[Any]) -> Chars | None:
    chars, blank = set(), False
    for alternative in alternatives:
        found = _sequence(list(alternative))
        if found is None:
            return None
        chars |= found[0]
        blank = blank or found[1]
    return chars, blank


def _in(entries: list[Any]) -> Chars | None:
    """A character class: its characters, or blanks (``\\s``)."""
    chars, blank = set(), False
    for kind, value in entries:
        if kind is _c.LITERAL:
            chars.add(chr(value))
        elif kind is _c.RANGE and value[1] - value[0] < 256:
            chars |= {chr(c) for c in range(value[0], value[1] + 1)}
        elif kind is _c.CATEGORY and value is _c.CATEGORY_SPACE:
            blank = True
        else:
            return None
    blanks = {c for c in chars if c.isspace()}
    return chars - blanks, blank or bool(blanks)

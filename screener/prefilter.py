"""Cheap tests that a regular expression cannot match a text, to skip searching it.

Most normalisation rules never apply to a given criterion, yet searching each of them costs
a pass of the regex engine over the text.  A rule's pattern often holds parts every match
must contain: a non-ASCII character ("≤"), or one of a few literal strings ("times" or
"fold", and "upper", "normal" or "ULN"); ``str.isascii`` and ``in`` rule those out far
faster than the regex engine can.  The parts are read from the pattern's own syntax tree,
so a rule edited or added is covered without a hand-written trigger to keep in step.  When
the tree holds no such part, or cannot be read, the pattern is always searched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

try:  # the regex parser of the standard library: private, so any failure means "always search"
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - before Python 3.11
    import sre_parse as _sre  # type: ignore[no-redef]

_MAX_STRINGS = 32
_MAX_SETS = 3


class Needs:
    """What every match of a pattern contains: a non-ASCII character (``non_ascii``), and
    one string of each of ``sets``; a set marked folded is compared case-insensitively,
    and then only on ASCII text.  A plain class with final attributes rather than a frozen
    dataclass: mypyc compiles it to a native class, whose attributes ``excludes`` (called
    for nearly every text read) reads directly, where a frozen dataclass stays a Python
    class built and read through the interpreter."""

    __slots__ = ("non_ascii", "sets", "folded")

    def __init__(self, non_ascii: bool = False, sets: tuple[tuple[bool, tuple[str, ...]], ...] = (),
                 folded: bool = False) -> None:
        self.non_ascii: Final = non_ascii
        self.sets: Final = sets
        self.folded: Final = folded  # whether some set is folded: the caller then lowers the text once

    def __repr__(self) -> str:
        return f"Needs(non_ascii={self.non_ascii}, sets={self.sets}, folded={self.folded})"

    def excludes(self, text: str, ascii_text: bool, lowered: str | None = None) -> bool:
        """Whether ``text`` certainly holds no match.  ``ascii_text`` is ``text.isascii()``;
        ``lowered`` its lower case, computed by the caller once for many patterns."""
        if self.non_ascii and ascii_text:
            return True
        if self.folded and ascii_text and lowered is None:
            lowered = text.lower()
        for folded, strings in self.sets:
            if folded:
                if not ascii_text:  # folding beyond ASCII ("K", the Kelvin sign, is "k") is left to the engine
                    continue
                haystack = lowered
            else:
                haystack = text
            for string in strings:
                if string in haystack:  # type: ignore[operator]
                    break
            else:
                return True
        return False


NOTHING = Needs()


def cannot_match(need: Needs, text: str) -> bool:
    """Whether a pattern that needs ``need`` certainly finds nothing in ``text`` (nor in any
    part of it): a guard before a search that costs more than a few ``in`` tests."""
    ascii_text = text.isascii()
    return need.excludes(text, ascii_text, lowered(text) if need.folded and ascii_text else None)


class Guarded:
    """``pattern.search`` on a window, skipped when the window lacks what every match needs
    (``needs``, read once here): the same result for a pattern with no lookbehind that must
    hold, since a match and all it looks at then lie inside ``pos:endpos``.  For the small
    windows searched around every name and number, most of which hold no word a match needs."""

    __slots__ = ("pattern", "need")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.need = needs(pattern)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        endpos = len(text) if endpos is None else endpos
        if cannot_match(self.need, text[pos:endpos]):
            return None
        return self.pattern.search(text, pos, endpos)


_last_lowered = ("", "")


def lowered(text: str) -> str:
    """``text.lower()``, kept for the text asked last: the stages of one item test many
    patterns against the same text object.  The (text, lower case) pair is swapped in whole,
    so threads sharing it at worst lower a text again."""
    global _last_lowered
    last = _last_lowered
    if last[0] is text:
        return last[1]
    lower = text.lower()
    _last_lowered = (text, lower)
    return lower


@lru_cache(maxsize=1024)
def needs(pattern: re.Pattern[str]) -> Needs:
    """What every match of ``pattern`` must contain, as far as its syntax tree shows."""
    try:
        tree = _sre.parse(pattern.pattern, pattern.flags)
        reader = _Reader()
        reader.sequence(list(tree), bool(pattern.flags & re.IGNORECASE))
        best = sorted(_strongest(reader.sets), key=lambda entry: -min(map(len, entry[1])))[:_MAX_SETS]
        best.sort(key=lambda entry: len(entry[1]))  # the sets of fewest strings, the cheapest tests, first
        return Needs(reader.non_ascii, tuple(best), any(folded for folded, _ in best))
    except Exception:  # an unexpected tree shape: never skip
        return NOTHING


def _name(op: Any) -> str:
    return str(op)


class _Reader:
    """Collects the mandatory parts of a pattern's tree."""

    def __init__(self) -> None:
        self.non_ascii = False
        self.sets: list[tuple[bool, tuple[str, ...]]] = []

    def offer(self, strings: set[str] | None, folded: bool) -> None:
        if not strings or not all(strings):
            return
        if folded:
            if not all(s.isascii() for s in strings):
                return  # a folded non-ASCII letter may match ASCII text: no safe test
            strings = {s.lower() for s in strings}
        strings = _minimal(strings)
        if len(strings) > _MAX_STRINGS:
            return
        entry = (folded, tuple(sorted(strings)))
        if entry not in self.sets:
            self.sets.append(entry)

    def sequence(self, items: list, folded: bool) -> None:
        """Mandatory parts of a sequence: runs of literals, small character sets, and the
        mandatory parts of groups, repeats (at least once), alternatives and lookaheads.  A
        word boundary or negative lookaround between literals takes no character: the run goes on."""
        run = ""
        for op, av in items:
            name = _name(op)
            if name == "LITERAL":
                if av > 127 and not folded:
                    self.non_ascii = True
                run += chr(av)
                continue
            if name in ("AT", "ASSERT_NOT"):
                continue
            self.offer({run}, folded)
            before, run = run, ""
            if name == "IN":
                chars = _chars(av)
                if chars is not None and not folded:
                    if all(ord(c) > 127 for c in chars):
                        self.non_ascii = True
                    self.offer(chars, folded)
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
                self.sequence(list(av[2]), folded)
            elif name == "SUBPATTERN":
                _, add, remove, body = av
                self.sequence(list(body), (folded or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE)
            elif name == "ASSERT":  # a lookahead or lookbehind that must hold
                self.sequence(list(av[1]), folded)
            elif name == "BRANCH":
                self.branch(av[1], folded, before)
        self.offer({run}, folded)

    def branch(self, branches: list, folded: bool, before: str = "") -> None:
        """Alternatives: the strings they start with, after the literals ``before`` them (the
        parser moves a shared start out: "than|to" is "t" then "han|o"); one of the strings
        each needs (its most telling set), since a match takes one of them; a non-ASCII
        character when every one needs one."""
        starts: set[str] | None = set()
        non_ascii = True  # every branch is read: one that needs no non-ASCII character lets ASCII text match
        chosen: list[tuple[bool, tuple[str, ...]] | None] = []
        for branch in branches:
            reader = _Reader()
            reader.sequence(list(branch), folded)
            non_ascii = non_ascii and reader.non_ascii
            chosen.append(min(reader.sets, key=lambda entry: (-min(map(len, entry[1])), len(entry[1])), default=None))
            prefixes = _prefixes(list(branch), folded)
            starts = None if prefixes is None or starts is None else starts | prefixes
        self.non_ascii = self.non_ascii or non_ascii
        self.offer(None if starts is None else {before + start for start in starts}, folded)
        if chosen and all(entry is not None for entry in chosen):
            # a string needed case-sensitively is also there in lower case: mixed sets are compared folded
            self.offer({s for entry in chosen if entry for s in entry[1]}, any(entry[0] for entry in chosen if entry))


def _minimal(strings: set[str]) -> set[str]:
    """``strings`` less those that hold another of them ("females" holds "male"): a text
    holding the longer holds the shorter, so one ``in`` test of the shorter answers both."""
    return {s for s in strings if not any(other != s and other in s for other in strings)}


def _strongest(sets: list[tuple[bool, tuple[str, ...]]]) -> list[tuple[bool, tuple[str, ...]]]:
    """``sets`` less those another answers: a text that holds one string of the other holds
    one of theirs too (each string of the other holds one of theirs), so they never exclude
    what the other lets through.  Only sets compared alike (both folded or not) are weighed."""
    def implies(strong: tuple[bool, tuple[str, ...]], weak: tuple[bool, tuple[str, ...]]) -> bool:
        return strong[0] == weak[0] and all(any(w in s for w in weak[1]) for s in strong[1])

    kept: list[tuple[bool, tuple[str, ...]]] = []
    for entry in sets:
        if not any(implies(other, entry) for other in kept):
            kept = [other for other in kept if not implies(entry, other)] + [entry]
    return kept


def _chars(av: list) -> set[str] | None:
    """The characters of a set written as literals and small ranges, else None."""
    chars: set[str] = set()
    for op, value in av:
        name = _name(op)
        if name == "LITERAL":
            chars.add(chr(value))
        elif name == "RANGE" and value[1] - value[0] < _MAX_STRINGS:
            chars.update(chr(c) for c in range(value[0], value[1] + 1))
        else:
            return None
    return chars


def _prefixes(items: list, folded: bool) -> set[str] | None:
    """The strings every match of a sequence starts with (literals, small sets), or None."""
    found = {""}
    for op, av in items:
        name = _name(op)
        if name == "LITERAL":
            found = {s + chr(av) for s in found}
        elif name == "IN" and not folded and (chars := _chars(av)) is not None \
                and len(found) * len(chars) <= _MAX_STRINGS:
            found = {s + c for s in found for c in chars}
        else:
            break
    return found if all(found) else None


_MAX_HEAD = 4
_MAX_HEADS = 64


@lru_cache(maxsize=256)
def heads(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of ``pattern`` starts with (in lower case when the
    pattern ignores case), none the start of another, as far as its syntax tree shows; None
    when a match may start with any character.  A pattern that ignores case has heads only when they are ASCII."""
    try:
        folded = bool(pattern.flags & re.IGNORECASE)
        found = _heads(list(_sre.parse(pattern.pattern, pattern.flags)), "", folded)
    except Exception:  # an unexpected tree shape: no heads
        return None
    if found is None or len(found) > _MAX_HEADS or (folded and not all(h.isascii() for h in found)):
        return None
    return frozenset(_shortest_heads(found))


def opens_with_literal(pattern: re.Pattern[str]) -> bool:
    """Whether every match of ``pattern`` opens with one given character, compared case-
    sensitively: the regex engine then skips to its places itself, as fast as ``find``
    does, and trying the pattern at its heads instead saves nothing."""
    if pattern.flags & re.IGNORECASE:
        return False
    try:
        items = list(_sre.parse(pattern.pattern, pattern.flags))
        while items and _name(items[0][0]) == "SUBPATTERN" and not items[0][1][1] and not items[0][1][2]:
            items = list(items[0][1][3])
        return bool(items) and _name(items[0][0]) == "LITERAL"
    except Exception:  # an unexpected tree shape: not known to open with a literal
        return False


def _shortest_heads(found: set[str]) -> set[str]:
    """``found`` less the heads that start with another ("cm(" after "cm"): wherever the
    longer stands the shorter does too, so the places to try are the same, found with fewer
    scans of the text."""
    return {head for head in found if not any(other != head and head.startswith(other) for other in found)}


def _heads(items: list, prefix: str, folded: bool) -> set[str] | None:
    """The heads of a match of ``items`` that follows ``prefix``: every path through the
    sequence up to ``_MAX_HEAD`` characters or to the first part that is not a literal."""
    stop = {prefix} if prefix else None
    if len(prefix) >= _MAX_HEAD or not items:
        return stop
    (op, av), rest = items[0], items[1:]
    name = _name(op)
    if name in ("AT", "ASSERT", "ASSERT_NOT"):  # zero width: the match starts where it stood
        return _heads(rest, prefix, folded)
    if name == "LITERAL":
        return _heads(rest, prefix + (chr(av).lower() if folded else chr(av)), folded)
    if name == "SUBPATTERN" and not av[1] and not av[2]:
        return _heads(list(av[3]) + rest, prefix, folded)
    if name == "IN" and (chars := _chars(av)) is not None and len(chars) <= _MAX_STRINGS:
        return _union(_heads(rest, prefix + (c.lower() if folded else c), folded) for c in chars)
    if name == "BRANCH":
        return _union(_heads(list(branch) + rest, prefix, folded) for branch in av[1])
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        once = _heads(list(av[2]), prefix, folded)  # what one pass of the body starts with, then stop
        return _union([once, _heads(rest, prefix, folded)] if av[0] == 0 else [once])
    return stop


def _union(parts) -> set[str] | None:
    out: set[str] = set()
    for part in parts:
        if part is None or len(out) > _MAX_HEADS:
            return None
        out |= part
    return out

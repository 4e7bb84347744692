"""Phrase regexes tried only where one of their phrases can start.

A phrase regex (``tokens.phrase_regex``: a trie of a thousand names between word
boundaries) costs a pass of the regex engine over the whole text, yet most texts hold a
handful of places where a name can start.  A match starts where no word character stands
before it, so when the name begins with a word character the text's whole word there (its
run of ``\\w``) is the name's first word: the words of the text that are first words of
some name (a set intersection) and the places of the names' other first characters are
the only places to try the regex, anchored, left to right as ``finditer`` would.  The
result is the same as ``finditer``'s, only found faster.  ``finditer_from_heads`` does
the same for any pattern whose matches start with one of a few strings read from the
pattern itself (``prefilter.heads``), such as the section headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .prefilter import heads

_RUN = re.compile(r"\w+")


class Words:
    """A text with its lower case and the sets of its words, made once for many indexes."""

    __slots__ = ("text", "ascii", "_lowered", "_runs")

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self._lowered: str | None = None
        self._runs: dict[bool, set[str]] = {}

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.text.lower()
        return self._lowered

    def runs(self, folded: bool) -> set[str]:
        """The text's words (of lower case when ``folded``)."""
        runs = self._runs.get(folded)
        if runs is None:
            runs = self._runs[folded] = set(_RUN.findall(self.lowered if folded else self.text))
        return runs


class PhraseIndex:
    """``pattern`` (any of ``names`` between word boundaries) with the first word or first
    character of each name; ``folded``: the words are compared in lower case (the pattern
    ignores case, or is written in lower case for lowered text).

    A folded index is used on ASCII text only, and a pattern that ignores case only when
    every name is ASCII (ignoring case, a few non-ASCII letters match ASCII ones); otherwise,
    and for a name opening with a blank (which the trie lets match any run of blanks), the
    whole text is searched."""

    __slots__ = ("pattern", "folded", "_firsts", "_lowered_firsts", "_chars")

    def __init__(self, pattern: re.Pattern[str], names: Iterable[str], folded: bool) -> None:
        self.pattern = pattern
        self.folded = folded
        firsts: set[str] = set()
        chars: set[str] = set()
        usable = True
        for name in (n for n in names if n):
            run = _RUN.match(name)
            if run:
                firsts.add(run.group(0).lower() if folded else run.group(0))
            elif name[0].isspace():
                usable = False
            else:
                chars.add(name[0].lower() if folded else name[0])
            usable = usable and (not pattern.flags & re.IGNORECASE or name.isascii())
        self._firsts: frozenset[str] | None = frozenset(firsts) if usable else None
        self._lowered_firsts = frozenset(f.lower() for f in firsts)  # a first test on ASCII text, whose lower case is read anyway
        self._chars = tuple(sorted(chars))

    def finditer(self, words: Words, target: str | None = None) -> list[re.Match[str]]:
        """The matches of ``pattern`` in ``target`` (``words.text``, or its lower case for a
        pattern written for lowered text), as ``pattern.finditer(target)`` finds them."""
        target = words.text if target is None else target
        if self._firsts is None or (self.folded and not words.ascii):
            return list(self.pattern.finditer(target))
        if not self.folded and words.ascii and not self._chars and not words.runs(True) & self._lowered_firsts:
            return []
        hits = words.runs(self.folded) & self._firsts
        if not hits and not self._chars:
            return []
        haystack = words.lowered if self.folded else words.text
        return _anchored(self.pattern, target, _places(haystack, (*hits, *self._chars), 0, len(haystack)))


def finditer_from_heads(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None,
                        lowered: str | None = None) -> list[re.Match[str]]:
    """``pattern.finditer(text, start, end)``, the regex tried only where one of its heads
    (``prefilter.heads``) stands; ``lowered``: ``text.lower()`` when the caller has it."""
    end = len(text) if end is None else end
    found_heads = heads(pattern)
    folded = bool(pattern.flags & re.IGNORECASE)
    if found_heads is None or (folded and not text.isascii()):
        return list(pattern.finditer(text, start, end))
    haystack = (text.lower() if lowered is None else lowered) if folded else text
    return _anchored(pattern, text, _places(haystack, found_heads, start, end), end)


def _places(haystack: str, strings: Iterable[str], start: int, end: int) -> list[int]:
    """Every place in ``haystack[start:end]`` where one of ``strings`` starts, ascending."""
    places: set[int] = set()
    for string in strings:
        place = haystack.find(string, start, end)
        while place >= 0:
            places.add(place)
            place = haystack.find(string, place + 1, end)
    return sorted(places)


def _anchored(pattern: re.Pattern[str], target: str, places: Iterable[int], end: int | None = None) -> list[re.Match[str]]:
    """The matches of ``pattern`` tried at ``places`` (ascending), left to right without
    overlap, as ``finditer`` finds them when no match can start elsewhere."""
    found: list[re.Match[str]] = []
    last = 0
    match = pattern.match
    end = len(target) if end is None else end
    for place in places:
        if place >= last:
            hit = match(target, place, end)
            if hit is not None:
                last = hit.end()
                found.append(hit)
    return found

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
from collections.abc import Iterable, Sequence

from .prefilter import heads

_RUN = re.compile(r"\w+")

_IGNORECASE = int(re.IGNORECASE)  # a plain int: ``flags & re.IGNORECASE`` would go through the enum machinery


# ASCII text as bytes in lower case with every byte that is no word character (``\\w``:
# letters, digits, "_") made a space: its words are then a ``split`` away, and a whole word
# is found by ``find``
_WORD_BYTES = bytes(ord(chr(c).lower()) if chr(c).isalnum() and c < 128 or c == 95 else 32 for c in range(256))


class Words:
    """A text with its lower case and its words, made once for the many indexes read on it.

    On ASCII text (nearly all of it) the words are read in lower case from the text as
    bytes (``_WORD_BYTES``), where a word standing whole is found by one ``find``."""

    __slots__ = ("text", "ascii", "_lowered", "_runs", "_bytes", "_padded", "_folded_words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()
        self._lowered: str | None = None
        self._runs: dict[bool, set[str]] = {}
        self._bytes = self._padded = b""
        self._folded_words: frozenset[bytes] | None = None

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

    def folded_words(self) -> frozenset[bytes]:
        """The words of an ASCII text, in lower case, as bytes."""
        if self._folded_words is None:
            self._bytes = self.text.encode("ascii")
            self._padded = b" " + self._bytes.translate(_WORD_BYTES) + b" "
            self._folded_words = frozenset(self._padded.split())
        return self._folded_words

    def whole(self, word: bytes) -> list[int]:
        """Where ``word`` (one of ``folded_words``) stands whole in the lowered ASCII text."""
        return _finds(self._padded, b" " + word + b" ")

    def holds(self, char: bytes) -> bool:
        """Whether the ASCII text holds ``char`` (no letter), after ``folded_words``."""
        return char in self._bytes

    def found(self, char: bytes) -> list[int]:
        """Where ``char`` (no letter) stands in the ASCII text, after ``folded_words``."""
        return _finds(self._bytes, char)

    def places(self, words: Iterable[bytes], chars: Iterable[bytes]) -> list[int]:
        """Where one of ``words`` stands whole or one of ``chars`` stands, ascending (no
        place is found twice: a place starts one whole word, and a word no character)."""
        places = [place for word in words for place in self.whole(word)]
        places += [place for char in chars for place in self.found(char)]
        return sorted(places)


def _finds(haystack: bytes, needle: bytes) -> list[int]:
    """Every place where ``needle`` starts in ``haystack``, overlaps included."""
    places = []
    place = haystack.find(needle)
    while place >= 0:
        places.append(place)
        place = haystack.find(needle, place + 1)
    return places


class PhraseIndex:
    """``pattern`` (any of ``names`` between word boundaries, as ``tokens.phrase_regex``
    writes it) with the first word or first character of each name; ``folded``: the words
    are compared in lower case (the pattern ignores case, or is written in lower case for
    lowered text).

    A match starts where no word character stands before it: when the name begins with a
    word character, the text's whole word there is the name's first word, and each later
    word of the name (its runs of ``\\w``) stands whole in the text too.  On ASCII text
    the regex is tried where one of the first words stands whole, when the text also holds
    the second word of one of the names it begins (compared in lower case, which finds the
    places of a case-sensitive pattern and maybe a few more, where it then fails), and
    where one of the names' other first characters stands.

    A folded index is used on ASCII text only, and a pattern that ignores case only when
    every name is ASCII (ignoring case, a few non-ASCII letters match ASCII ones); otherwise,
    and for a name opening with a blank (which the trie lets match any run of blanks), the
    whole text is searched."""

    __slots__ = ("pattern", "folded", "_firsts", "_ascii_firsts", "_seconds", "_chars", "_ascii_chars")

    def __init__(self, pattern: re.Pattern[str], names: Iterable[str], folded: bool) -> None:
        self.pattern = pattern
        self.folded = folded
        names = [name for name in names if name]
        firsts: set[str] = set()
        chars: set[str] = set()
        usable = pattern.pattern.startswith((r"(?<![\w])", r"(?<![\w-])"))  # no match starts after a word character
        for name in names:
            run = _RUN.match(name)
            if run:
                firsts.add(run.group(0).lower() if folded else run.group(0))
            elif name[0].isspace():
                usable = False
            else:
                chars.add(name[0].lower() if folded else name[0])
            usable = usable and (not pattern.flags & _IGNORECASE or name.isascii())
        self._firsts: frozenset[str] | None = frozenset(firsts) if usable else None
        # what ASCII text can hold of them: a case-sensitive non-ASCII name matches no ASCII text
        self._seconds = _seconds(names)
        self._ascii_firsts = frozenset(self._seconds)
        self._chars = tuple(sorted(chars))
        self._ascii_chars = tuple(c.lower().encode("ascii") for c in self._chars if c.isascii())

    def finditer(self, words: Words, target: str | None = None) -> list[re.Match[str]]:
        """The matches of ``pattern`` in ``target`` (``words.text``, or its lower case for a
        pattern written for lowered text), as ``pattern.finditer(target)`` finds them."""
        target = words.text if target is None else target
        if self._firsts is None or (self.folded and not words.ascii):
            return list(self.pattern.finditer(target))
        if words.ascii:
            held = words.folded_words()
            hits = [word for word in held & self._ascii_firsts if _follows(self._seconds[word], held)]
            if not hits and not self._ascii_chars:
                return []
            return anchored(self.pattern, target, words.places(hits, self._ascii_chars))
        found = words.runs(False) & self._firsts
        return anchored(self.pattern, target, places_of(words.text, (*found, *self._chars), 0, len(target)))


def _seconds(names: Iterable[str]) -> dict[bytes, frozenset[bytes] | None]:
    """Per ASCII first word of ``names`` (in lower case), the second words of the names it
    begins, of which ASCII text holding one of the names holds one; None when some name is
    that word alone (or its second word is not ASCII: no test then)."""
    seconds: dict[bytes, set[bytes] | None] = {}
    for name in names:
        runs = _RUN.findall(name) if _RUN.match(name) else []
        if not runs or not runs[0].isascii():
            continue
        first = runs[0].lower().encode("ascii")
        known = seconds.setdefault(first, set())
        if len(runs) < 2 or not runs[1].isascii():
            seconds[first] = None
        elif known is not None:
            known.add(runs[1].lower().encode("ascii"))
    return {first: None if second is None else frozenset(second) for first, second in seconds.items()}


def _follows(seconds: frozenset[bytes] | None, held: frozenset[bytes]) -> bool:
    """Whether a text holding the words ``held`` holds one of ``seconds`` (None: needs none)."""
    return seconds is None or not seconds.isdisjoint(held)


class PhraseFamily:
    """Several phrase indexes read on one ASCII text, each on the text or on its lower
    case (``lowered``): the text's words are compared with the first words of them all at
    once, each word is found once for all its indexes, and an index none of whose first
    words or characters the text holds is not tried (most texts name a few kinds only)."""

    __slots__ = ("indexes", "lowered", "_owners", "_firsts", "_chars", "_whole")

    def __init__(self, indexes: Sequence[PhraseIndex], lowered: Sequence[bool]) -> None:
        self.indexes = tuple(indexes)
        self.lowered = tuple(lowered)
        self._owners: dict[bytes, list[tuple[int, frozenset[bytes] | None]]] = {}
        self._chars: dict[bytes, list[int]] = {}
        for number, index in enumerate(self.indexes):
            for first, seconds in index._seconds.items():
                self._owners.setdefault(first, []).append((number, seconds))
            for char in index._ascii_chars:
                self._chars.setdefault(char, []).append(number)
        self._firsts = frozenset(self._owners)
        self._whole = [number for number, index in enumerate(self.indexes) if index._firsts is None]

    def finditer(self, words: Words) -> list[tuple[int, list[re.Match[str]]]]:
        """The indexes (by number, ascending) that match in their target, with their
        matches as ``index.finditer(words, target)`` finds them; ``words`` is ASCII."""
        places: dict[int, list[int]] = {number: [] for number in self._whole}
        held = words.folded_words()
        for word in held & self._firsts:
            whole: list[int] | None = None
            for number, seconds in self._owners[word]:
                if seconds is None or not seconds.isdisjoint(held):  # _follows, written out: the loop is hot
                    whole = words.whole(word) if whole is None else whole
                    places.setdefault(number, []).extend(whole)
        for char, numbers in self._chars.items():
            if words.holds(char):
                at = words.found(char)
                for number in numbers:
                    places.setdefault(number, []).extend(at)
        found = []
        for number in sorted(places):
            index, target = self.indexes[number], words.lowered if self.lowered[number] else words.text
            matches = list(index.pattern.finditer(target)) if index._firsts is None else \
                anchored(index.pattern, target, sorted(places[number]))
            if matches:
                found.append((number, matches))
        return found


def finditer_from_heads(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None,
                        lowered: str | None = None) -> list[re.Match[str]]:
    """``pattern.finditer(text, start, end)``, the regex tried only where one of its heads
    (``prefilter.heads``) stands; ``lowered``: ``text.lower()`` when the caller has it."""
    return finditer_at_heads(pattern, heads(pattern), text, start, len(text) if end is None else end, lowered)


def finditer_at_heads(pattern: re.Pattern[str], found_heads: frozenset[str] | None, text: str, start: int, end: int,
                      lowered: str | None = None) -> list[re.Match[str]]:
    """``finditer_from_heads`` with the heads read already (``prefilter.heads(pattern)``), for
    a caller that keeps them beside the pattern."""
    folded = bool(pattern.flags & _IGNORECASE)
    if found_heads is None or (folded and not text.isascii()):
        return list(pattern.finditer(text, start, end))
    haystack = (text.lower() if lowered is None else lowered) if folded else text
    return anchored(pattern, text, places_of(haystack, found_heads, start, end), end)


def places_of(haystack: str, strings: Iterable[str], start: int, end: int) -> list[int]:
    """Every place in ``haystack[start:end]`` where one of ``strings`` starts, ascending."""
    places: set[int] = set()
    for string in strings:
        place = haystack.find(string, start, end)
        while place >= 0:
            places.add(place)
            place = haystack.find(string, place + 1, end)
    return sorted(places)


def anchored(pattern: re.Pattern[str], target: str, places: Iterable[int], end: int | None = None) -> list[re.Match[str]]:
    """The matches of ``pattern`` tried at ``places`` (ascending), left to right without
    overlap, as ``finditer`` finds them when no match can start elsewhere (the caller's proof)."""
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

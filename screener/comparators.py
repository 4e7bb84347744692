"""The comparator that ends a text ("platelets at least ", "ANC >= "), found without searching
the whole text for every comparator phrase.

``QuantityReader`` looks for a comparator before every number, in the 60 characters before
it, with one pattern of all the phrases of ``patterns.yaml`` anchored at the end.  Searched
plainly, that pattern is tried at every one of the 60 positions, each against every phrase;
yet a match must end the text, so its last word is the text's last word, and it spans no
more whitespace-separated chunks than its phrase has words.  ``EndingComparators.search``
reads the last word first, then searches only the last chunks a phrase ending so can cover,
with only the phrases that end so: the same match, found where most texts end in no
comparator at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD_END = re.compile(r"\w+$")
_SUFFIX = "than"


def comparator_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """The comparator ``phrases`` as one pattern that ends a text: a phrase of words (group 1)
    optionally followed by "than", or a symbol (group 2) optionally followed by ")"."""
    phrases = list(phrases)
    return re.compile(_source([k for k in phrases if k[0].isalpha()], [k for k in phrases if not k[0].isalpha()]), re.I)


def _source(words: list[str], symbols: list[str]) -> str:
    return (r"(?:(?<![\w])(" + ("|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)) or "(?!)")
            + r")(?:\s+than)?|(" + "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True)) + r")\)?)\s*$")


def _ascii_last_word(chunk: str) -> str:
    """What ``\\w*\\Z`` finds in an ASCII ``chunk`` (its trailing word characters), read without
    the regex, which would try every position of the chunk."""
    start = len(chunk)
    while start > 0 and (chunk[start - 1].isalnum() or chunk[start - 1] == "_"):
        start -= 1
    return chunk[start:]


def _last_word(phrase: str) -> str | None:
    last = _WORD_END.search(phrase)
    return last.group() if last else None


class EndingComparators:
    """What ``comparator_pattern(phrases).search(window)`` finds, searched only where and
    with what can end the window."""

    def __init__(self, phrases: Iterable[str]):
        phrases = list(phrases)
        self.pattern = comparator_pattern(phrases)
        words, symbols = [k for k in phrases if k[0].isalpha()], [k for k in phrases if not k[0].isalpha()]
        chunks = {phrase: len(phrase.split()) for phrase in phrases}
        self._most = max(chunks.values(), default=1) + 1  # any phrase, then "than"
        ends = {end for end in map(_last_word, [*phrases, _SUFFIX]) if end is not None}
        self._any_end = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(e) for e in sorted(ends, key=len, reverse=True)) + r")\Z", re.I)
        self._longest = max(map(len, ends), default=0)  # case aside, a match is as long as its word
        self._symbols = frozenset(p[-1] for p in phrases if not _last_word(p)) | {")"}
        unmarked = [p for p in phrases if not _last_word(p)]
        self._symbol_end = re.compile(_source([w for w in words if w in unmarked], symbols), re.I), \
            max((chunks[p] for p in unmarked), default=1)
        self._by_word: dict[str, tuple[re.Pattern[str], int]] = {}
        if all(e.isascii() for e in ends):  # else every text is searched with every phrase
            for end in {e.casefold() for e in ends}:
                ending = [p for p in phrases if (_last_word(p) or "").casefold() == end]
                self._by_word[end] = (self.pattern, self._most) if end == _SUFFIX else \
                    (re.compile(_source([w for w in words if w in ending], symbols), re.I), max(chunks[p] for p in ending))

    def search(self, window: str) -> re.Match[str] | None:
        """What ``self.pattern.search(window)`` finds."""
        stripped = window.rstrip()
        if not stripped:
            return None
        if stripped[-1] in self._symbols:
            pattern, reach = self._symbol_end
        else:
            found = self._ending(stripped)
            if found is None:
                return None  # the text ends in no word a phrase ends in
            pattern, reach = found
        chunks = stripped.rsplit(None, reach)
        return pattern.search(window, len(chunks[0]) if len(chunks) > reach else 0)

    def _ending(self, stripped: str) -> tuple[re.Pattern[str], int] | None:
        """The pattern of the phrases that end in the last word of ``stripped``, and how many
        chunks they span at most; None when no phrase ends so."""
        chunk = stripped.rsplit(None, 1)[-1]
        if self._by_word and chunk.isascii():  # in ASCII, matching case aside is comparing lower case
            return self._by_word.get(_ascii_last_word(chunk).lower())
        if self._any_end.search(stripped, max(0, len(stripped) - self._longest)) is None:
            return None
        return self.pattern, self._most

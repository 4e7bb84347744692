"""The comparator that ends a text ("platelets at least ", "ANC >= "), found without searching
the whole text for every comparator phrase.

``QuantityReader`` looks for a comparator before every number, in the 60 characters before
it, with one pattern of all the phrases of ``patterns.yaml`` anchored at the end.  Searched
plainly, that pattern is tried at every one of the 60 positions, each against every phrase;
yet a match must end the text, so its last word is the text's last word, and it spans no
more whitespace-separated chunks than its phrase has words.  ``EndingComparators.search``
checks the last word first and searches only the last chunks a phrase ending so can cover:
the same match, found where most texts end in no comparator at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD_END = re.compile(r"\w+$")


class EndingComparators:
    """``pattern.search`` for a pattern of ``phrases`` anchored at the end of the text (the
    comparators before a number), with the search started only where a match can begin."""

    def __init__(self, pattern: re.Pattern[str], phrases: Iterable[str], suffix: str = "than"):
        """``pattern``: the phrases, each optionally followed by ``suffix`` when it ends in a
        word ("greater" + "than"), or by ")" when it does not ("<=" + ")"), then blanks and
        the end, matched case-insensitively."""
        self.pattern = pattern
        phrases = list(phrases)
        chunks = {phrase: len(phrase.split()) for phrase in phrases}
        most = max(chunks.values(), default=1) + 1  # any phrase, then the suffix
        self._reach: dict[str, int] = {suffix.casefold(): most}
        symbol_reach = 1
        for phrase, count in chunks.items():
            last = _WORD_END.search(phrase)
            if last:
                word = last.group().casefold()
                self._reach[word] = max(self._reach.get(word, 0), count)
            else:
                symbol_reach = max(symbol_reach, count)
        self._most, self._symbol_reach = most, symbol_reach
        self._symbols = frozenset(p[-1] for p in phrases if p and not _WORD_END.search(p)) | {")"}
        ends = {m.group() for m in map(_WORD_END.search, [*phrases, suffix]) if m}
        self._words = re.compile("|".join(re.escape(e) for e in sorted(ends, key=len, reverse=True)), re.I)

    def search(self, window: str) -> re.Match[str] | None:
        """What ``pattern.search(window)`` finds."""
        stripped = window.rstrip()
        if not stripped:
            return None
        if stripped[-1] in self._symbols:
            reach = self._symbol_reach
        else:
            start = len(stripped)
            while start and (stripped[start - 1].isalnum() or stripped[start - 1] == "_"):  # what \w is
                start -= 1
            if self._words.fullmatch(stripped, start) is None:
                return None  # the text ends in no word a phrase ends in
            reach = self._reach.get(stripped[start:].casefold(), self._most)
        chunks = stripped.rsplit(None, reach)
        return self.pattern.search(window, len(chunks[0]) if len(chunks) > reach else 0)

"""Answers the sentence stages ask again and again of an item's words, worked out once.

Reading an item asks many times whether a word is a filler (``_leftover`` for each word of
each part, ``_heads_clause`` for the words before each condition) and whether an example or
exception cue can occur in the text (``_scope_cue`` per sentence, ``_heads_clause`` per
condition).  Both answers depend only on the string asked about, so they are kept: the
filler test per distinct word (a bounded table; registry text reuses a small vocabulary),
the cue test for the last text asked (an item's sentences ask it of the same text).
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Generic, TypeVar

WORDS_KEPT = 1 << 15
"""Distinct words whose filler test is kept; the table starts anew when full."""

T = TypeVar("T")


class FillerTable(dict[str, bool]):
    """``table[word]``: whether a word, as written, is a filler (its lower case without edge
    quotes and hyphens is one of ``fillers``, the test ``_leftover`` applies).  A dict, so
    that a word seen before is answered without running any Python code."""

    def __init__(self, fillers: Container[str], kept: int = WORDS_KEPT) -> None:
        super().__init__()
        self._fillers = fillers
        self._kept = kept

    def __missing__(self, word: str) -> bool:
        if len(self) >= self._kept:
            self.clear()
        known = self[word] = word.lower().strip("'-") in self._fillers
        return known


class LastText(Generic[T]):
    """``compute(text)`` for the text asked last, kept: the stages of one item ask it of
    the same text several times.  One (text, answer) pair is swapped in whole, so threads
    sharing a reader at worst compute an answer again."""

    def __init__(self, compute: Callable[[str], T]) -> None:
        self._compute = compute
        self._last: tuple[str, T] | None = None

    def __call__(self, text: str) -> T:
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        answer = self._compute(text)
        self._last = (text, answer)
        return answer

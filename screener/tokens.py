"""Tokens with offsets, shared by the extraction stages: words, numbers, phrase regexes,
unions of spans and text with parts blanked out (same length, so offsets still hold).

The stages of extraction, each reading the output of the one before (see screener.extract):
tokens -> mentions (screener.mentions) -> quantities (screener.quantities) -> comparisons
(screener.comparisons) -> leaves with their scope (screener.leaves) -> clauses joined into a
rule tree (screener.clauses).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Iterable

from .prefilter import cannot_match, needs

NUMBER = re.compile(r"(?<![\w.^/])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)(?![\d])")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*")
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_REMARK = re.compile(r"\([^()]*\)")
_OR_MORE = re.compile(r"\b(?:one|two|three|\d+)\s+or\s+more\b", re.I)
_OR_MORE_NEEDS = needs(_OR_MORE)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}


def trie(phrases: Iterable[str]) -> str:
    """A regular expression matching any of ``phrases``, built as a trie so that the engine
    follows shared prefixes once instead of trying a thousand alternatives at every place.
    A space matches any run of blanks and hyphens; the longest phrase wins."""
    root: dict = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = []
        for char in sorted((c for c in node if c), key=lambda c: (c == " ", c)):
            piece = r"[\s\-]+" if char == " " else re.escape(char)
            branches.append(piece + emit(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(root)


def phrase_regex(phrases: Iterable[str], flags: int | re.RegexFlag = re.I) -> re.Pattern[str]:
    """Any of ``phrases`` as whole words."""
    parts = {p for p in phrases if p}
    return re.compile(rf"(?<![\w])(?:{trie(parts)})(?![\w])", flags)


def parse_number(text: str) -> float:
    """A number as written: "1,500" (thousands) or "1,5" (a decimal comma)."""
    if _THOUSANDS.fullmatch(text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


class Spans:
    """Membership in a union of [start, end) spans in logarithmic time (sentences may hold
    thousands of spans: scanning them for every word made long criteria quadratic)."""

    __slots__ = ("starts", "ends")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        starts, ends = self.starts, self.ends
        for a, b in sorted(spans) if spans else ():
            if ends and a <= ends[-1]:
                if b > ends[-1]:
                    ends[-1] = b
            elif a < b:
                starts.append(a)
                ends.append(b)

    def contains(self, position: int) -> bool:
        index = bisect.bisect_right(self.starts, position) - 1
        return index >= 0 and position < self.ends[index]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) shares a position with the union."""
        index = bisect.bisect_right(self.starts, start) - 1
        if index >= 0 and start < self.ends[index]:
            return True
        return index + 1 < len(self.starts) and self.starts[index + 1] < end

    def add(self, start: int, end: int) -> None:
        """Add [start, end), merging it with the spans it touches."""
        if start >= end:
            return
        low = bisect.bisect_left(self.ends, start)  # first span ending at or after start
        high = bisect.bisect_right(self.starts, end)  # spans starting at or before end
        if low < high:
            start, end = min(start, self.starts[low]), max(end, self.ends[high - 1])
        self.starts[low:high] = [start]
        self.ends[low:high] = [end]


def any_between(sorted_values: list[int], low: int, high: int) -> bool:
    """Whether some value v of the sorted list has low <= v <= high."""
    index = bisect.bisect_left(sorted_values, low)
    return index < len(sorted_values) and sorted_values[index] <= high


@lru_cache(maxsize=64)
def first_word_at(text: str, words: frozenset[str]) -> int:
    """Where the first of ``words`` occurs in ``text`` (its length when none does)."""
    return next((m.start() for m in WORD.finditer(text) if m.group(0).lower() in words), len(text))


def has_digit(text: str) -> bool:
    """Whether ``text`` holds a digit (``\\d``): in ASCII text, a few ``in`` tests, about three
    times faster than the regex's scan."""
    if not text.isascii():
        return _DIGIT.search(text) is not None
    for digit in "0123456789":
        if digit in text:
            return True
    return False


def _glued(char: str) -> bool:
    """Whether ``char`` (a word character, ".", "^" or "/") keeps a number from starting after it."""
    return char.isalnum() or char in "_.^/"


def numbers(text: str) -> list[re.Match[str]]:
    """``NUMBER.finditer(text)``, the regex tried only where a run of digits starts: a match
    opens with a digit that no word character precedes, and a digit is one."""
    found: list[re.Match[str]] = []
    last = 0
    for run in _DIGITS.finditer(text):
        start = run.start()
        if start >= last and not (start and _glued(text[start - 1])):  # NUMBER's look-behind, read plainly
            number = NUMBER.match(text, start)
            if number is not None:
                found.append(number)
                last = number.end()
    return found


def blank(text: str, start: int, end: int) -> str:
    """``text`` with parenthesised remarks and "one or more" blanked out (same length),
    so that only connectors of the sentence itself are seen (each pass skipped when the
    text lacks what every match holds: "(", or "more")."""
    out = _REMARK.sub(lambda m: " " * len(m.group(0)), text) if "(" in text else text
    return out if cannot_match(_OR_MORE_NEEDS, out) else _OR_MORE.sub(lambda m: " " * len(m.group(0)), out)


def blank_spans(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """``text[start:end]`` with the spans already read blanked out."""
    chars = list(text[start:end])
    for a, b in spans:
        low, high = max(a, start) - start, min(b, end, start + len(chars)) - start
        if low < high:
            chars[low:high] = " " * (high - low)
    return "".join(chars)


def clean(value: float) -> int | float:
    """A whole number as an int (so that the YAML reads "18", not "18.0")."""
    return int(value) if float(value).is_integer() else value


def squash(text: str) -> str:
    """Runs of blanks as one space, trimmed (``str.split`` and the regex ``\\s`` agree on blanks)."""
    return " ".join(text.split())


MISSPELT_MIN = 9
"""Only filler words this long are recognised with letters dropped: shorter ones ("value",
"count") have too many real words one or two letters away."""


class Fillers:
    """Words that carry no eligibility meaning, and such a word of ``MISSPELT_MIN`` letters
    or more written with one or two adjacent letters dropped inside it, its first four and
    last two letters kept ("theorical" for "theoretical", "concentation" for
    "concentration"): a misspelt filler word stays without meaning instead of sending the
    criterion to review.  A word the lexicon reads is matched before this is asked."""

    __slots__ = ("_words", "_long", "_seen")

    def __init__(self, words: Iterable[str]) -> None:
        self._words = frozenset(words)
        self._long: dict[str, list[str]] = {}
        for word in self._words:
            if len(word) >= MISSPELT_MIN and word.isalpha():
                self._long.setdefault(word[:4], []).append(word)
        self._seen: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        if word in self._words:
            return True
        if not isinstance(word, str) or len(word) < MISSPELT_MIN - 2 or word[:4] not in self._long:
            return False
        if word not in self._seen:
            self._seen[word] = any(_dropped_inside(full, word) for full in self._long[word[:4]])
        return self._seen[word]


def _dropped_inside(full: str, word: str) -> bool:
    """Whether ``word`` is ``full`` without one or two adjacent letters after its first four
    and before its last two."""
    missing = len(full) - len(word)
    if missing not in (1, 2) or full[-2:] != word[-2:]:
        return False
    return any(full[:i] + full[i + missing:] == word for i in range(4, len(full) - 1 - missing))

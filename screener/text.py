"""Text normalisation that keeps offsets into the original.

Eligibility text arrives with markdown escapes (``\\<``), unicode comparators (``≤``),
HTML entities and lost or real superscripts.  The extractor reads a normalised copy;
every character of the copy remembers the original span it came from, so each rule
node can point at the exact source words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

from .classes import letter_rule
from .phraseindex import finditer_at_heads
from .prefilter import Needs, heads, needs, opens_with_literal

# (pattern, replacement): applied in order.  Comparators first, so that "\<=" and "≤ or ="
# both become "<=".  A pattern that opens with a word boundary starts with a lookahead for the
# first letters of its matches ("(?=t)"): the regex engine then skips to them rather than
# trying every place of the text.
_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\\([<>=*_\[\]()#+\-.!~|])"), r"\1"),
    (re.compile(r"&lt;"), "<"),
    (re.compile(r"&gt;"), ">"),
    (re.compile(r"&amp;"), "&"),
    (re.compile(r"[\u00a0\u2002\u2003\u2009\u202f]"), " "),
    (re.compile(r"[‐‑‒–—−]"), "-"),
    (re.compile(r"[’‘`]"), "'"),
    (re.compile(r"[“”]"), '"'),
    (re.compile(r"(?:≤|⩽|≦)\s*(?:or\s*)?=?"), "<="),
    (re.compile(r"(?:≥|⩾|≧)\s*(?:or\s*)?=?"), ">="),
    (re.compile(r"[＜˂]"), "<"),
    (re.compile(r"[＞˃]"), ">"),
    (re.compile(r"([<>])\s*/\s*="), r"\1="),  # ">/=", "</="
    (re.compile(r"～"), "~"),
    (re.compile(r"(?<=\d)\s*K\s*/\s*(?=(?:uL|µL|μL|ul|mcL|microliters?|mm3|mm\^3|cu\s*mm)\b)"), " x 10^3/"),  # "100 K/uL"
    (re.compile(r"℃"), "°C"),
    (re.compile(r"\b(p[OC]O?|Pa[OC]O?|Sp[OC]O?|FEV|FiO)\s*(?:\(\s*([12])\s*\)|_\s*([12])\b)"), r"\1\2\3"),  # pO(2), FEV(1), FEV_1
    (re.compile(r"℉"), "°F"),
    (re.compile(r"㎕"), "µL"),
    (re.compile(r"㎖"), "mL"),
    (re.compile(r"㎗"), "dL"),
    (re.compile(r"<\s*or\s*(?:=|equal\b)(?:\s*to\b)?|=\s*or\s*<|=<|<\s+="), "<="),
    (re.compile(r">\s*or\s*(?:=|equal\b)(?:\s*to\b)?|=\s*or\s*>|=>|>\s+="), ">="),
    (re.compile(r"×"), "x"),
    (re.compile(r"\s*[∙·•]\s*([a-zA-Z]{1,3})\s*\^?\s*-\s*([12])\b"), lambda m: "/" + m.group(1) + ("2" if m.group(2) == "2" else "")),
    (re.compile(r"(?=[cm])\b(mm|cm|m)\s*\(\s*([23])\s*\)"), r"\1\2"),  # "mm(3)", "cc/min/m(2)"
    # "greater than100 g/L", "equal to150,000"; the word boundary before "than" or "to" written as a
    # lookbehind after the "t", so that the pattern opens with a letter the engine skips to
    (re.compile(r"(t(?<!\wt)(?:han|o))(?=\d)"), r"\1 "),
    (re.compile(r"[μ]"), "µ"),
    (re.compile(r"⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?=\s*/|\s*(?:cells|c/|/))"), lambda m: "^" + m.group(0).translate(_SUP)),
]
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
                 "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15", "eighteen": "18",
                 "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60"}
# numbers written as words, where a unit or a multiple follows ("six months", "three times the
# upper limit"); "twice normal" is "2 times normal"
_RULES.append((
    re.compile(r"(?=[" + "".join(sorted({word[0] for word in _NUMBER_WORDS})) + r"])\b(" + "|".join(_NUMBER_WORDS)
               + r")(?=[\s-]+(?:years?|months?|weeks?|days?|hours?|times|fold)\b)", re.I),
    lambda m: _NUMBER_WORDS[m.group(1).lower()],
))
_RULES.append((re.compile(r"\btwice(?=\s+(?:the\s+)?(?:upper|normal|ULN|institutional|above|higher|greater|highest|maximum)\b)", re.I), "2 times"))
# "3 times higher than normal", "3-fold above normal values", "2X greater than upper limit": a
# multiple of the limit, "above" it unless a comparator stands before ("> 3 times higher than ULN")
_RULES.append((
    re.compile(r"(?=[<>\dabefghlmouw])"  # what a match starts with: a comparator's first character, or the number
               r"((?:[<>]=?|\b(?:more|greater|higher|less|lower|fewer)\s+than|\bat\s+(?:least|most)|\bup\s+to|\bover|\babove"
               r"|\bbelow|\bunder|\bexceeding|\bwithin)\s*)?"
               r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:-?\s*fold|times|[xX])\s+(?:higher|greater|above|more|over)(?:\s+than)?\s+"
               r"(?=(?:the\s+)?(?:institutional\s+)?(?:upper|normal|ULN)\b)", re.I),
    lambda m: (m.group(1) or "> ") + m.group(2) + " times ",
))
# a score out of ten after a comparator ("pain > 4/10", "at least 2/10 on the NRS"): the score
_RULES.append((
    re.compile(r"(?=[<>lmot])((?:[<>]=?|\b(?:than|least|most|of|to)\b)\s*\d{1,2}(?:\.\d)?)\s*/\s*10\b"
               r"(?!\s*(?:[\^\d.,/]|x\b|hpf\b|high|fields?\b|[mµu]?[lL]\b|mm|cm|cells|patients|of\b|\())", re.I),
    r"\1",
))
# a share of a normal limit ("75% lower limit of normal", "at least 50% of institutional lower limit of
# normal", "1/3 of the ULN", "one-half the upper limit of normal"): that multiple of the limit
_NORMAL_LIMIT_AHEAD = (r"(?=(?:the\s+)?(?:institutional\s+)?(?:(?:lower|upper)\s+limits?\s+of\s+(?:the\s+)?"
                       r"(?:institutional\s+)?normal|(?:lower|upper)\s+normal\s+limits?|LLN|ULN|UNL)\b)")
_FRACTION_WORDS = {"one-half": 0.5, "one half": 0.5, "half": 0.5, "one-third": 1 / 3, "one third": 1 / 3,
                   "two-thirds": 2 / 3, "two thirds": 2 / 3, "one-quarter": 0.25, "one quarter": 0.25,
                   "three-quarters": 0.75, "three quarters": 0.75}


def _share(value: float) -> str:
    return f"{value:.4g} x "


_RULES.append((
    re.compile(r"(?<![\w.,/])(\d{1,3}(?:\.\d+)?)\s*%\s*(?:of\s+)?" + _NORMAL_LIMIT_AHEAD, re.I),
    lambda m: _share(float(m.group(1)) / 100),
))
_RULES.append((
    re.compile(r"(?=[1-3otOT])(?<![\w.,/])(?:([1-3])\s*/\s*([2-4])(?![\d/])|(" + "|".join(_FRACTION_WORDS) + r"))\s+(?:of\s+)?"
               + _NORMAL_LIMIT_AHEAD, re.I),
    lambda m: _share(int(m.group(1)) / int(m.group(2)) if m.group(1) else _FRACTION_WORDS[m.group(3).lower()]),
))
_RULES.append(letter_rule())  # "Child-Pugh B or C" -> "Child-Pugh 7-15", "fibrosis stage F2 or F3" -> "... 2-3"
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5"}


def _roman_scale(match: re.Match[str]) -> str:
    """"NYHA class III or IV" -> "NYHA class 3 or 4": roman grades read as numbers."""
    return match.group(1) + re.sub(r"\b(IV|V|I{1,3})\b", lambda m: _ROMAN[m.group(1)], match.group(2))


_RULES.append((
    re.compile(r"(?=(?i:[acgnps]))(\b(?i:class(?:es)?|classification|grade|stage|category|status|physical\s+state|NYHA|ASA)\s*(?:\)\s*)?(?:[<>]=?\s*)?)"
               r"((?:IV|V|I{1,3})\b(?:\s*(?:,\s*(?:or|and)|,|-|to|or|and|/)\s*(?:IV|V|I{1,3})\b)*)"),
    _roman_scale,
))


class Text:
    """A normalised string; ``starts[i]``/``ends[i]`` is the original span of character i
    (``range`` objects where no rule changed the text: most items, built in constant time).
    Final attributes rather than a frozen dataclass: mypyc then makes it a native class,
    built and read without the interpreter (one per item, read all through its reading)."""

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, starts: Sequence[int], ends: Sequence[int]) -> None:
        self.text: Final = text
        self.starts: Final = starts
        self.ends: Final = ends

    def __setattr__(self, name: str, value: object) -> None:
        """Each attribute is set once, by ``__init__``: a text never changes (compiled, its
        attributes are final anyway)."""
        if hasattr(self, name):
            raise AttributeError(f"Text.{name} cannot be changed")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return f"Text(text={self.text!r}, starts={self.starts!r}, ends={self.ends!r})"

    def origin(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the normalised slice ``[start, end)``."""
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return position, position
        return self.starts[start], self.ends[end - 1]


def _apply(text: str, starts: list[int], ends: list[int], matches: list[re.Match[str]], replacement) -> tuple[str, list[int], list[int]]:
    """``text`` with each of ``matches`` (a rule's, left to right) replaced, and the spans."""
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    last = 0
    for match in matches:
        pieces.append(text[last:match.start()])
        new_starts.extend(starts[last:match.start()])
        new_ends.extend(ends[last:match.start()])
        out = match.expand(replacement) if isinstance(replacement, str) else replacement(match)
        if match.end() > match.start():
            span_start, span_end = starts[match.start()], ends[match.end() - 1]
        else:
            span_start = span_end = starts[match.start()] if match.start() < len(starts) else (ends[-1] if ends else 0)
        pieces.append(out)
        new_starts.extend([span_start] * len(out))
        new_ends.extend([span_end] * len(out))
        last = match.end()
    if last == 0 and not pieces:
        return text, starts, ends
    pieces.append(text[last:])
    new_starts.extend(starts[last:])
    new_ends.extend(ends[last:])
    return "".join(pieces), new_starts, new_ends


_Prepared = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], Needs, frozenset[str] | None]
_PREPARED: list[_Prepared] = []
_TRIAL_NEEDS: list[Needs] = []
_TRIAL_STRINGS = 3
"""The most strings of a set tested on a whole trial's text (see ``_few_strings``)."""


def _prepared() -> list[_Prepared]:
    """The rules with what each needs to match and the strings its matches start with
    (``prefilter.heads``; none where the regex engine finds its first character as fast),
    read once (again if rules were appended)."""
    if len(_PREPARED) != len(_RULES):
        _PREPARED[:] = [(pattern, replacement, _shortest_first(needs(pattern)), None if opens_with_literal(pattern) else heads(pattern))
                        for pattern, replacement in _RULES]
        _TRIAL_NEEDS[:] = [_few_strings(need) for _, _, need, _ in _PREPARED]
        _ORDERS.clear()
    return _PREPARED


def _few_strings(need: Needs) -> Needs:
    """``need`` less its sets of more than ``_TRIAL_STRINGS`` strings, to test a whole trial's
    text: there each string the text lacks is a scan of all of it, and the many strings of
    a large set cost more than the items' own tests (which stop at the first set they lack)
    save.  Fewer sets exclude less, never wrongly."""
    sets = tuple(entry for entry in need.sets if len(entry[1]) <= _TRIAL_STRINGS)
    return Needs(need.non_ascii, sets, any(folded for folded, _ in sets))


def _shortest_first(need: Needs) -> Needs:
    """``need`` with the strings of each set tried shortest first: a test stops at the first
    string the text holds, and short ones ("one" of the number words) are held most often."""
    return Needs(need.non_ascii, tuple((folded, tuple(sorted(strings, key=len))) for folded, strings in need.sets), need.folded)


def possible_rules(within: str) -> frozenset[int]:
    """The rules that may match somewhere in ``within`` (a whole trial's text), by what each
    needs (see ``screener.prefilter``; its sets of a few strings, ``_few_strings``): read once
    per trial rather than once per item."""
    _prepared()
    ascii_text, lowered = within.isascii(), within.lower()
    return frozenset(index for index, need in enumerate(_TRIAL_NEEDS) if not need.excludes(within, ascii_text, lowered))


_ORDERS: dict[tuple[frozenset[int] | None, bool], tuple[int, ...]] = {}


def _first_order(possible: frozenset[int] | None, ascii_text: bool) -> tuple[int, ...]:
    """The rules to try on a text, in order: those ``possible`` (all when None), less those
    that need a non-ASCII character when the text has none; made once per trial."""
    key = (possible, ascii_text)
    order = _ORDERS.get(key)
    if order is None:
        if len(_ORDERS) >= 64:
            _ORDERS.clear()
        prepared = _prepared()
        indexes = range(len(prepared)) if possible is None else sorted(possible)
        order = _ORDERS[key] = tuple(i for i in indexes if not (ascii_text and prepared[i][2].non_ascii))
    return order


def normalize(source: str, offset: int = 0, possible: frozenset[int] | None = None) -> Text:
    """Normalise ``source``; spans are offsets into the original shifted by ``offset``.

    A rule is searched only where the text may hold a match (see ``screener.prefilter``),
    and there only where one of its matches can start (``phraseindex.finditer_at_heads``):
    most criteria need no rule at all.  ``possible``: the rules that may match a text that
    holds ``source`` (``possible_rules``); the others are skipped until a rule changes the text."""
    text = source
    starts: list[int] | None = None
    ends: list[int] = []
    ascii_text, lowered = text.isascii(), None
    prepared = _prepared()
    order: Sequence[int] = _first_order(possible, ascii_text)
    position = 0
    while position < len(order):
        index = order[position]
        position += 1
        pattern, replacement, need, found_heads = prepared[index]
        if need.folded and ascii_text and lowered is None:
            lowered = text.lower()
        if need.excludes(text, ascii_text, lowered):
            continue
        matches = finditer_at_heads(pattern, found_heads, text, 0, len(text), lowered)
        if not matches:
            continue
        if starts is None:
            starts = list(range(offset, offset + len(source)))
            ends = list(range(offset + 1, offset + len(source) + 1))
        text, starts, ends = _apply(text, starts, ends, matches, replacement)
        ascii_text, lowered = text.isascii(), None
        order, position = range(index + 1, len(prepared)), 0  # a new text: any later rule may match
    if starts is None:
        return Text(text, range(offset, offset + len(source)), range(offset + 1, offset + len(source) + 1))
    return Text(text, tuple(starts), tuple(ends))

"""screener.phraseindex: a phrase regex tried only where a phrase can start finds exactly
what ``finditer`` over the whole text finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.phraseindex import PhraseFamily, PhraseIndex, Words, finditer_from_heads
from screener.prefilter import heads
from screener.tokens import phrase_regex

_NAMES = ["a", "alt", "ast", "age", "hiv", "hiv infection", "b12", "vitamin b12", "17β estradiol", "(a a) do2",
          "% diameter stenosis", "5-fu", "t-cell", "o'neill", "Kelvin", "K", "prior chemo", "prior  radiation",
          "vitamin d", "a1c_level", "hb s\u00e9rum"]


def _cases(names: list[str]) -> list[tuple[re.Pattern[str], PhraseIndex, bool]]:
    """The same names as a case-insensitive regex on the text, and in lower case as a
    case-sensitive regex on the lowered text (as ``mentions`` reads them)."""
    lowered = sorted({n.lower() for n in names})
    return [
        (phrase_regex(names), PhraseIndex(phrase_regex(names), names, True), False),
        (phrase_regex(lowered, 0), PhraseIndex(phrase_regex(lowered, 0), lowered, True), True),
        (phrase_regex(names, 0), PhraseIndex(phrase_regex(names, 0), names, False), False),
    ]


EXAMPLES = [
    "History of HIV infection; ALT and AST < 2.5 x ULN",
    "aged 18 or over, a b12 level (vitamin B12) above normal",
    "(a-a) DO2 > 20, % diameter stenosis >= 50%",
    "5-FU, t-cell lymphoma, O'Neill; 17β estradiol",
    "KELVIN k K \u212a",  # the Kelvin sign folds to "k" ignoring case
    "hivhiv ahiv hiv-1 alt.",
    "prior -chemo, prior\tradiation; prior chemotherapy, prior vitamin d; a1c_level, a1c level",
    "Prior Chemo, PRIOR radiation, HB serum, Vitamin-D",
    "",
]


def _same(text: str, names: list[str]) -> None:
    words = Words(text)
    for pattern, index, on_lowered in _cases(names):
        target = text.lower() if on_lowered else text
        if on_lowered and not text.isascii():
            continue  # the lowered regex is read on ASCII text only (see mentions)
        expected = [(m.start(), m.end()) for m in pattern.finditer(target)]
        assert [(m.start(), m.end()) for m in index.finditer(words, target)] == expected


def _same_in_family(text: str, names: list[str]) -> None:
    """A family of indexes read on ASCII text finds what each pattern finds over its target."""
    if not text.isascii():
        return
    cases = _cases(names)
    found = PhraseFamily([index for _, index, _ in cases], [lowered for *_, lowered in cases]).finditer(Words(text))
    expected = [(number, [m.span() for m in pattern.finditer(text.lower() if on_lowered else text)])
                for number, (pattern, _, on_lowered) in enumerate(cases)]
    assert [(number, [m.span() for m in matches]) for number, matches in found] == [e for e in expected if e[1]]


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples(text):
    _same(text, _NAMES)
    _same_in_family(text, _NAMES)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*_NAMES, " ", ", ", "-", "x", "HIV", "Alt", "\u212a", "(", "%", "Prior", "chemo", "D"])
                | st.text(max_size=3),
                max_size=12))
def test_equals_finditer(parts):
    _same("".join(parts), _NAMES)
    _same_in_family("".join(parts), _NAMES)


HEADED = [  # (pattern, the heads read from it: None when a match may start anywhere)
    (r"\b(?:key\s+)?inclusion\s+criteria\s*:", {"key", "incl"}),
    (r"(?:x|y+)z", {"xz", "y"}),
    (r"a*b", {"a", "b"}),
    (r"x?", None),
    (r"[A-C]d", {"ad", "bd", "cd"}),  # ignoring case: compared in lower case
    (r"\w+ criteria", None),
    (r"(?<![\w-])(?:are|is)\s+allowed", {"are", "is"}),
    (r"\b(mm|cm|m)\s*\(", {"cm", "m"}),  # "mm", "m(", "cm(" start with a head kept: the same places
    (r"(?:<\s*or|=<|<)=?", {"<", "=<"}),
]


@pytest.mark.parametrize("pattern, expected", HEADED)
def test_heads(pattern, expected):
    assert heads(re.compile(pattern, re.I)) == (None if expected is None else frozenset(expected))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["key ", "Inclusion", " criteria", ":", "xz", "yyz", "B", "d", "are ", "Allowed", "-", "\u212a", "\n",
                                  "mm", "cm", "M", " (", "<", " or", "="])
                | st.text(max_size=3), max_size=12), st.integers(0, 5))
def test_heads_find_what_finditer_finds(parts, start):
    text = "".join(parts)
    for pattern, _ in HEADED:
        for flags in (0, re.I):
            compiled = re.compile(pattern, flags)
            expected = [m.span() for m in compiled.finditer(text, start)]
            assert [m.span() for m in finditer_from_heads(compiled, text, start)] == expected

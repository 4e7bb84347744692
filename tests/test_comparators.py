"""``EndingComparators.search`` finds what a plain search of the comparator pattern finds,
for the phrases of ``patterns.yaml`` and for made-up ones."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.comparators import EndingComparators
from screener.extract import Extractor
from screener.patterns import patterns

READER = Extractor()
PHRASES = list(patterns()["comparators_before"])
PLAIN = re.compile(  # the pattern as QuantityReader built it before screener.comparators
    r"(?:(?<![\w])(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted([k for k in PHRASES if k[0].isalpha()], key=len, reverse=True))
    + r")(?:\s+than)?|(" + "|".join(re.escape(s) for s in sorted([k for k in PHRASES if not k[0].isalpha()], key=len, reverse=True)) + r")\)?)\s*$",
    re.I,
)


def _same(pattern: re.Pattern[str], fast: EndingComparators, window: str) -> None:
    plain, quick = pattern.search(window), fast.search(window)
    assert (plain is None) == (quick is None), window
    if plain is not None and quick is not None:
        assert (plain.span(), plain.groups()) == (quick.span(), quick.groups()), window


@pytest.mark.parametrize("window", [
    "ANC >= ", "platelets at least ", "age greater than or equal to ", "age 18 or older and less than ",
    "(>=) ", "over the age of ", "at or above the age of  ", "within ", "(within ", "the absence of ", "up to",
    "Greater Than\t", "no more than ", "not exceeding ", "more than or equal to than ", "ſcore at leaſt ", "a total of ",
    "", "   ", ">", "x-", "age_of ", "less than_", "equal", "history of ", "under the", "≥ ",
])
def test_search_agrees_with_the_plain_search(window):
    assert READER._before_re.pattern == PLAIN.pattern
    _same(PLAIN, READER._ending, window)


WORDS = sorted({w for p in PHRASES for w in p.split()}) + ["the", "patients", "ANC", "(", ")", "-", "x", "_", "of", "ſ"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS + PHRASES), max_size=8), st.sampled_from([" ", "  ", "\t", "\n", ""]))
def test_search_agrees_on_runs_of_phrase_words(words, blank):
    window = (blank or " ").join(words) + blank
    _same(PLAIN, READER._ending, window)
    _same(PLAIN, READER._ending, window[len(window) // 3:])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("ab <=)", min_size=1, max_size=4), min_size=1, max_size=5),
       st.lists(st.text("ab <=)x", max_size=12), max_size=4))
def test_search_agrees_for_any_phrases(phrases, texts):
    """Made-up phrases with blanks, symbols and brackets, built into a pattern as
    ``QuantityReader`` builds its own."""
    phrases = [p for p in phrases if p.strip()] + ["a", "<"]  # a word and a symbol, as patterns.yaml has
    words = [p.strip() for p in phrases if p.strip()[0].isalpha()]
    symbols = [p.strip() for p in phrases if not p.strip()[0].isalpha()]
    pattern = re.compile(
        r"(?:(?<![\w])(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
        + r")(?:\s+than)?|(" + "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True)) + r")\)?)\s*$", re.I)
    fast = EndingComparators([p.strip() for p in phrases])
    assert fast.pattern.pattern == pattern.pattern
    for text in texts:
        _same(pattern, fast, text)
        _same(pattern, fast, text + " than ")

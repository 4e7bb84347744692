"""The window guards (screener.prefilter.Guarded, in the leaf reader and ages; the cue test of
prefix_negation.in_clause_negation) find what the plain searches find: a window that holds
no word a match needs is skipped, every other is searched."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener import ages
from screener.extract import Extractor
from screener.prefilter import Guarded
from screener.tokens import WORD
from screener.prefix_negation import _COORDINATED, _in_clause_re, in_clause_negation

WORDS = ["suspected", "possible", "probable", "r/o", "within", "the", "past", "last", "in", "during", "over",
         "3", "two", "years", "month", "weeks", "day", "prior", "to", "before", "history", "of", "prior", "known",
         "current", "active", "ongoing", "no", "non", "non-", "never", "without", "free", "negative", "lack",
         "absence", "if", "when", "unless", "patients", "for", "then", "must", "or", "and", "with", "HIV", "NO",
         "Without", "ß", "İ", "-", ",", ";", ":", "(", ")", "  ", "study", "entry", "randomization", "x"]
SENTENCES = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)
NAMES = ["_uncertain_re", "_within_re", "_history_re", "_current_re", "_negated_before_re", "_conditional_re"]


@pytest.fixture(scope="module")
def reader() -> Extractor:
    return Extractor()


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=150, deadline=None)
@given(sentence=SENTENCES, cuts=st.tuples(st.integers(0, 200), st.integers(0, 200)))
def test_guarded_search_finds_what_the_pattern_finds(reader: Extractor, name: str, sentence: str,
                                                     cuts: tuple[int, int]) -> None:
    pattern: re.Pattern[str] = getattr(reader, name)
    pos, endpos = sorted(min(c, len(sentence)) for c in cuts)
    plain, guarded = pattern.search(sentence, pos, endpos), Guarded(pattern).search(sentence, pos, endpos)
    assert (plain and plain.span()) == (guarded and guarded.span())
    plain, guarded = pattern.search(sentence[pos:]), Guarded(pattern).search(sentence[pos:])
    assert (plain and plain.span()) == (guarded and guarded.span())


CASES = [("female without childbearing potential", "childbearing potential"), ("no hepatitis", "hepatitis"),
         ("with or without HIV", "HIV"), ("history of HIV", "HIV"), ("without HIV or hepatitis", "HIV"),
         ("Patients without known HIV", "HIV")]


@pytest.mark.parametrize(("sentence", "name"), CASES)
def test_in_clause_negation_cases_agree_with_the_plain_search(sentence: str, name: str) -> None:
    at = sentence.index(name)
    floor, end = max(0, at - 40), at + len(name)
    assert in_clause_negation(sentence, floor, at, end) == _plain_in_clause_negation(sentence, floor, at, end)


def test_the_cases_hold_negations() -> None:
    """The table is no vacuous agreement: the plain search finds some cues in it."""
    assert any(_plain_in_clause_negation(s, 0, s.index(n), s.index(n) + len(n)) is not None for s, n in CASES)


def _plain_in_clause_negation(text: str, floor: int, start: int, end: int) -> int | None:
    cue = _in_clause_re().search(text, floor, start)
    if cue is None or _COORDINATED.match(text, end) or re.search(r"\bwith\s+or\s*$", text[max(0, cue.start() - 9):cue.start()], re.I):
        return None
    return cue.start()


@settings(max_examples=300, deadline=None)
@given(before=SENTENCES, after=SENTENCES, floor=st.integers(0, 200))
def test_in_clause_negation_agrees_with_the_plain_search(before: str, after: str, floor: int) -> None:
    text = f"{before} HIV {after}"
    start = len(before) + 1
    floor = min(floor, start)
    assert in_clause_negation(text, floor, start, start + 3) == _plain_in_clause_negation(text, floor, start, start + 3)


AGE_WORDS = ["mother's", "parents'", "donor", "donors'", "Donor's", "age", "aged", "ages", "of", "is", "at", "before",
             "the", "onset", "current", "body", "weight", "'", "s", "18", "years", "AGE", "By", "x", ",", "  "]


@settings(max_examples=300, deadline=None)
@given(window=st.lists(st.sampled_from(AGE_WORDS), max_size=12).map(" ".join))
def test_age_window_guards_find_what_the_patterns_find(window: str) -> None:
    words = ages.age_words()
    for guard in (ages._possessive(words.others_words), ages._other_person_res(words.others_words)[0],
                  ages._EVENT_WORD_BEFORE, ages._AGE_BEFORE):
        plain, guarded = guard.pattern.search(window), guard.search(window)
        assert (plain and plain.span()) == (guarded and guarded.span())


@settings(max_examples=200, deadline=None)
@given(text=SENTENCES, enough=st.integers(1, 4))
def test_meaningful_words_counts_as_every_word_read(reader: Extractor, text: str, enough: int) -> None:
    assert reader._meaningful_words(text, enough) == min(enough, sum(not reader._is_filler[w] for w in WORD.findall(text)))

"""The quick first tests that spare regex passes after every number (screener.quantities,
screener.classes, screener.titres) agree with the plain passes: where a test says "cannot
match", the pattern finds nothing, on texts built from the pieces those patterns read."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener import classes, comparators, quantities, titres, tokens
from screener.extract import Extractor

READER = Extractor()
PIECES = ["or", "more", "older", "and", "greater", "to", "TO", "of", "-", "~", "1", "18", "65", "1:160", ":", "/", "90",
          " ", "  ", "\t", "\n", "\u00a0", "\u2003", "(", ")", "years", "x", "ULN", "class", "NYHA", "ASA", "stage",
          "grade", "III", "than", "less", "above", "distant", "from", "in", "women", "approx", "ſ", "\u212a", "İ", "é", "for", "men", "[", ",", "mm", "Hg"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(0, 12))
def test_first_at_is_the_first_character_after_blanks(text, position):
    position = min(position, len(text))
    assert quantities._first_at(text, position) == text[re.compile(r"\s*").match(text, position).end():][:1]


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(0, 12))
def test_comparator_after_agrees_with_the_plain_match(text, position):
    position = min(position, len(text))
    plain = READER._after_re.match(text, position)
    expected = (READER._after[quantities.name_key(plain.group(1))], plain.end()) if plain else None
    assert READER.comparator_after(text, position) == expected


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_skipped_range_and_pair_passes_find_nothing(text):
    if not quantities._may_open(quantities._first_at(text, 0), quantities._RANGE_OPENS):
        assert quantities._RANGE_BETWEEN.match(text) is None and quantities._RANGE.match(text) is None
    if quantities._first_at(text, 0) != "/":
        assert quantities._PAIR.match(text) is None


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_skipped_rise_and_class_word_searches_find_nothing(text):
    if not quantities._may_rise(text):
        assert quantities._RISE_BEFORE.search(text) is None
    if not classes._may_end_in_class_word(text):
        assert classes._class_word().search(text) is None


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(0, 12))
def test_titre_at_agrees_with_the_plain_match(text, position):
    position = min(position, len(text))
    plain = titres._TITRE.match(text, position)
    assert titres.titre_at(text, position) == ((float(plain["dilution"]), plain.end()) if plain else None)


@pytest.mark.parametrize("text, rises, class_word", [
    ("rise to ", True, False), ("increase OF\t", True, False), ("increase ſ", True, True), ("NYHA (", False, False),
    ("NYHA) ", False, True), ("ASA", False, True), ("physical status ", False, True), ("total", False, False), ("", False, False),
])
def test_quick_tests_on_written_forms(text, rises, class_word):
    assert quantities._may_rise(text) is rises
    assert classes._may_end_in_class_word(text) is class_word


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_skipped_passes_after_a_bound_find_nothing(text):
    first = quantities._first_at(text, 0)
    if not quantities._may_open(first, READER._distance_opens):
        assert READER._distance_re.match(text) is None
    if not quantities._may_open(first, quantities._FOR_SEX_OPENS):
        assert quantities._FOR_SEX.match(text) is None
    if not quantities._may_open(first, quantities._LISTED_OPENS):
        assert quantities._LISTED.match(text) is None
    if first not in quantities._BRACKETS:
        assert quantities._RESTATED.match(text) is None and quantities._VARIANT_OPENING.match(text) is None


@pytest.mark.parametrize("text, limits", [
    ("AST <= 2.5 x ULN or ULN", [("<=", 2.5, "ULN")]), ("creatinine < 1.5 mg/dL or ULN", [("<", 1.5, "mg/dL"), ("<", 1, "ULN")]),
    ("creatinine < 1.5 mg/dL, or < the lower limit of normal", [("<", 1.5, "mg/dL"), ("<", 1, "LLN")]),
    ("bilirubin <= ULN and albumin >= LLN", [("<=", 1, "ULN"), (">=", 1, "LLN")]),
    ("within normal limits", [(">=", 1, "LLN"), ("<=", 1, "ULN")]),
])
def test_limits_without_a_number_are_read(text, limits):
    assert [(b.op, b.value, b.unit) for b in READER.bounds(text)] == limits


GLUED = st.lists(st.sampled_from(["1", "23", "1,500", "2.5", "x10^9", "/", ".", "_", "a", "B12", " ", "-", "²", "٣", "é", "^"]),
                 max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(GLUED)
def test_numbers_agree_with_the_plain_search(text):
    assert [m.span() for m in tokens.numbers(text)] == [m.span() for m in tokens.NUMBER.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab_1 ,:)-é\u212aſ", max_size=10))
def test_ascii_last_word_agrees_with_the_plain_search(chunk):
    if chunk.isascii():
        assert comparators._ascii_last_word(chunk) == re.search(r"\w*\Z", chunk).group()

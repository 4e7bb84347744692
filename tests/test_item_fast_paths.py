"""Fast paths of item reading agree with the plain readings they replace: each is a test
that skips or narrows a regex pass, and may only skip a pass that finds nothing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener import scope
from screener.applies_to import _condition_only, _group_cue, limit_for_group
from screener.clauses import _LIST_OR
from screener.extract import Extractor
from screener.phraseindex import Words
from screener.prefilter import cannot_match, lowered
from screener.text import Text
from screener.tokens import _OR_MORE, _REMARK, NUMBER, blank, has_digit, numbers

PIECES = ["one", "ONE", "two", "or", "more", "MORE", "mo\u212ae", "3", "12", " ", "\n", "\u00a0", ",", "(", ")", "x"]
TEXTS = st.lists(st.sampled_from(PIECES) | st.text(max_size=2), max_size=12).map("".join)


@pytest.fixture(scope="module")
def reader() -> Extractor:
    return Extractor()


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_blank_is_both_substitutions(text: str) -> None:
    plain = _OR_MORE.sub(lambda m: " " * len(m.group(0)), _REMARK.sub(lambda m: " " * len(m.group(0)), text))
    assert blank(text, 0, len(text)) == plain


NUMBER_PIECES = ["1", "12", "1,500", "2.5", "10^9", "x", "a1", ".5", "/3", "^2", " ", ",", ".", "-", "_", "\u0663", "\u00b2", "000"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NUMBER_PIECES) | st.text(max_size=2), max_size=10).map("".join))
def test_numbers_are_the_number_scan(text: str) -> None:
    assert [m.span() for m in numbers(text)] == [m.span() for m in NUMBER.finditer(text)]


OR_PIECES = ["or", "OR", "and/or", "and / or", "and or", "either", "nor", "including", "such as", "e.g.", "for example",
             "e", "g", "for", "color", "or-", "-or", "_or", " ", ",", "\n", "x", "\u212a", "\u00a0"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(OR_PIECES) | st.text(max_size=2), max_size=12).map("".join))
def test_or_connectors_found_by_their_words_are_the_scan(reader: Extractor, text: str) -> None:
    fast = [m.span() for m in reader._or_index.finditer(Words(text))]
    assert fast == [m.span() for m in reader._or_re.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([",", "or", "and/or", "OR", "color", " ", "x", "and"]), max_size=10).map("".join))
def test_comma_list_guard_skips_only_texts_without_a_list(text: str) -> None:
    assert ("," in text and "or" in text) or _LIST_OR.search(text) is None


CONTEXT_PIECES = ["at rest", "resting", "on room air", "by pulse oximetry", "fasting", "in the morning", "as measured by echo",
                  "on", "at", "in", "as", "by", "rest", "AT REST", " ", ",", "x", "\u212a", "interesting"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(CONTEXT_PIECES) | st.text(max_size=2), max_size=10).map("".join), st.data())
def test_measurement_contexts_tried_at_their_heads_are_the_scan(text: str, data) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    plain = [m.span() for m in scope._context_re().finditer(text, start, end)] \
        if not cannot_match(scope._context_needs(), text) else []
    assert [m.span() for m in scope.contexts(text, start, end)] == plain


def test_lowered_is_the_lower_case_of_the_text_asked() -> None:
    texts = ["ANC", "ANC", "".join(["A", "NC"]), "Hb", "ANC", ""]
    assert [lowered(t) for t in texts] == [t.lower() for t in texts]


@pytest.mark.parametrize("sentence", [
    "Age 18 or older for patients with Alzheimer's disease",
    "Hepatitis B or C for patients with cirrhosis",
    "No HIV for patients with cirrhosis",
])
def test_a_group_cue_after_conditions_only_qualifies_no_limit(reader: Extractor, sentence: str) -> None:
    """``limit_for_group`` skips sentences whose leaves are conditions (or their negations):
    ``_group_cue`` finds no limit in them either."""
    text = Text(sentence, range(len(sentence)), range(1, len(sentence) + 1))
    found = (reader.mentions(sentence), reader.bounds(sentence))
    leaves, covered = reader._leaves(text, 0, len(sentence), "inclusion", None, found)
    plain = _group_cue(reader, sentence, (0, len(sentence)), leaves, covered)
    if all(_condition_only(l.node) for l in leaves):
        assert plain is None and limit_for_group(reader, text, (0, 0, len(sentence)), leaves, covered, "inclusion") is None
    else:
        assert plain is not None  # the limit example: the cue is still read


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["1", "0", "9", "x", " ", "\u0663", "\u00b2", "\u2163", "\uff11", "a"]) | st.text(max_size=2),
                max_size=8).map("".join))
def test_has_digit_is_the_digit_search(text: str) -> None:
    assert has_digit(text) == (re.search(r"\d", text) is not None)

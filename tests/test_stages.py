"""The first stages of extraction, each on its own: tokens, mentions, quantities."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.mentions import MentionReader
from screener.quantities import QuantityReader
from screener.tokens import Fillers, Spans, blank_spans, parse_number, phrase_regex


@cache
def _quantities() -> QuantityReader:
    return QuantityReader()


@pytest.mark.parametrize("written, value", [
    ("1,500", 1500.0), ("100,000", 100000.0), ("1,5", 1.5), ("2.5", 2.5), ("18", 18.0),
])
def test_numbers_as_written(written: str, value: float) -> None:
    assert parse_number(written) == value


@pytest.mark.parametrize("text, found", [
    ("history of heart failure", ["heart failure"]),
    ("heart-failure", ["heart-failure"]),  # a space matches hyphens too
    ("heartfailure", []),  # whole words only
    ("Heart Failure or stroke", ["Heart Failure", "stroke"]),
])
def test_phrase_regex_whole_words(text: str, found: list[str]) -> None:
    assert [m.group(0) for m in phrase_regex(["heart failure", "stroke", "heart"]).finditer(text)] == found


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)), max_size=12), st.integers(0, 90), st.integers(1, 10))
def test_spans_agree_with_a_set_of_positions(spans: list[tuple[int, int]], start: int, width: int) -> None:
    pairs = [(a, a + w) for a, w in spans]
    union = Spans(pairs[:len(pairs) // 2])
    for a, b in pairs[len(pairs) // 2:]:
        union.add(a, b)
    positions = {p for a, b in pairs for p in range(a, b)}
    assert union.contains(start) == (start in positions)
    assert union.overlaps(start, start + width) == bool(positions & set(range(start, start + width)))


@pytest.mark.parametrize("text, expected", [
    ("ANC >= 1,500/mm3 and platelets 100,000/mm3", [("variable", "neutrophils", False), ("variable", "platelets", False)]),
    ("Nonsmoker", [("condition", "smoking", True)]),  # fused to a negation prefix
    ("Not pregnant", [("condition", "pregnancy", False)]),  # a separate cue is the scope stage's business
])
def test_mentions_alone(text: str, expected: list[tuple[str, str, bool]]) -> None:
    reader: MentionReader = _quantities()
    assert [(m.kind, m.id, m.negated) for m in reader.mentions(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("ANC >= 1,500/mm3", [(">=", 1500.0, "/mm3")]),
    ("Age 18 to 65 years", [(">=", 18.0, "year"), ("<=", 65.0, "year")]),
    ("bilirubin <= 1.5 x ULN", [("<=", 1.5, "ULN")]),
    ("ECOG 0 or 1", [("<=", 1.0, None)]),
    ("platelets >= 100,000/mm3 and hemoglobin 9 g/dL", [(">=", 100000.0, "/mm3"), (">=", 9.0, "g/dL")]),  # carried over
    ("treated 3 times", []),  # a number without a comparator is no bound
])
def test_bounds_alone(text: str, expected: list[tuple[str, float, str | None]]) -> None:
    assert [(b.op, b.value, b.unit) for b in _quantities().bounds(text)] == expected


def test_a_limit_for_one_sex() -> None:
    (bound,) = _quantities().bounds("Hemoglobin > 12 g/dL for men")
    assert (bound.op, bound.value, bound.unit, bound.sex) == (">", 12.0, "g/dL", "male")


FILLERS = Fillers(["theoretical", "concentration", "definition", "value", "documented"])


@pytest.mark.parametrize("word, filler", [
    ("theoretical", True),
    ("theorical", True),         # "% of the theorical value": two letters dropped inside
    ("concentation", True),      # one letter dropped
    ("value", True),
    ("valu", False),             # short words are only read as written
    ("definitive", False),       # a real word, not a dropped-letter spelling
    ("definitio", False),        # the last letters must stay
    ("theoretically", False),    # letters added are not letters dropped
    ("docmented", False),        # the first four letters must stay
])
def test_a_filler_word_with_letters_dropped_stays_filler(word: str, filler: bool) -> None:
    assert (word in FILLERS) is filler


def test_the_seed_spelling_theorical_needs_no_entry_of_its_own() -> None:
    from screener.patterns import patterns

    assert "theorical" not in patterns()["filler_words"]
    reader = MentionReader()
    assert "theorical" in reader._ignored and "theoretical" in reader._ignored


@settings(max_examples=200)
@given(st.text(alphabet="ab (),", max_size=30), st.lists(st.tuples(st.integers(-5, 35), st.integers(0, 12)), max_size=6),
       st.integers(0, 30), st.integers(0, 30))
def test_blank_spans_blanks_each_position_of_a_span(text: str, spans: list[tuple[int, int]], start: int, width: int) -> None:
    end = min(start + width, len(text))
    pairs = [(a, a + w) for a, w in spans]
    expected = "".join(" " if any(a <= i < b for a, b in pairs) else text[i] for i in range(start, end))
    assert blank_spans(text, pairs, start, end) == expected

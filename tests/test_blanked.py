"""``clauses._blanked`` blanks spans as writing blanks over a list of the characters does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screener.clauses import _blanked


def by_characters(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    text = draw(st.text(alphabet="ab ,(≥é", max_size=40))
    bounds = st.integers(0, len(text))
    spans = [tuple(sorted(pair)) for pair in draw(st.lists(st.tuples(bounds, bounds), max_size=6))]
    return text, spans  # type: ignore[return-value]


@given(text_and_spans())
def test_blanked_spans_match_blanking_characters(case: tuple[str, list[tuple[int, int]]]) -> None:
    text, spans = case
    assert _blanked(text, spans) == by_characters(text, spans)


def test_overlapping_and_touching_spans() -> None:
    text = "greater than or equal to 5 or other disease"
    spans = [(0, 24), (8, 12), (24, 26), (30, 30)]
    assert _blanked(text, spans) == " " * 26 + " or other disease"

"""Guards in front of compiler regexes: a guard may only skip a search that finds nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.clauses import _SENTENCE, _split_places
from screener.phraseindex import anchored
from screener.compiler import _ENDS_WITH_OR, _ends_with_or

_PIECES = ["or", "OR", "Or", "and/or", " ", "\n", "\t", ":", ",", ";", ".", "x", "color", "/or", "\u00a0", "\u212a"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=2), max_size=8))
def test_ends_with_or_is_the_search(parts):
    text = "".join(parts)
    assert _ends_with_or(text) == bool(_ENDS_WITH_OR.search(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([".", ";", " ", "\x1c", "\n", "and", "And", "must", "A", "(", "x", "\u2003", ",", "will",
                                 "has to", "agrees"]) | st.text(max_size=2), max_size=12))
def test_sentence_splits_tried_at_their_places_are_the_scan(parts):
    text = "".join(parts)
    assert [m.span() for m in anchored(_SENTENCE, text, _split_places(text))] == [m.span() for m in _SENTENCE.finditer(text)]

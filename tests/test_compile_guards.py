"""Guards in front of compiler regexes: a guard may only skip a search that finds nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.clauses import _SENTENCE, _may_split
from screener.compiler import _ENDS_WITH_OR, _ends_with_or

_PIECES = ["or", "OR", "Or", "and/or", " ", "\n", "\t", ":", ",", ";", ".", "x", "color", "/or", "\u00a0", "\u212a"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=2), max_size=8))
def test_ends_with_or_is_the_search(parts):
    text = "".join(parts)
    assert _ends_with_or(text) == bool(_ENDS_WITH_OR.search(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([".", ";", " ", "\x1c", "\n", "and", "And", "must", "A", "(", "x", "\u2003"]) | st.text(max_size=2),
                max_size=10))
def test_a_text_without_a_split_has_none(parts):
    text = "".join(parts)
    assert _may_split(text) or _SENTENCE.search(text) is None

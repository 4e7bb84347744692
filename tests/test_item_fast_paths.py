"""Fast paths of item reading agree with the plain readings they replace: each is a test
that skips or narrows a regex pass, and may only skip a pass that finds nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.extract import Extractor
from screener.tokens import _OR_MORE, _REMARK, blank

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

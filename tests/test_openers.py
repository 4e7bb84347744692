"""``opening_chars`` never leaves out a character a match can open with, so that reading the
limit after a number ("x ULN", "lower limit of normal") skips only what cannot be one."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.extract import Extractor
from screener.openers import opening_chars
from screener.patterns import patterns
from screener.unit_spellings import read_unit_at

READER = Extractor()


@pytest.mark.parametrize("pattern, opens", [
    (r"ULN", "Uu"), (r"\s*(?:x|\*)?\s*(?:the\s+)?ULN", "*TUXtux"), (r"(?:a|b)?c", "ABCabc"), (r"[a-c]\d", "ABCabc"),
    (r"\s+", ""), (r"(?=x)y", "Yy"), (r"\bN\b", "Nn"), (r"[\s,]x", ",Xx"), (r"(?:the\s+)*x", "TXtx"), ("\u212a", "Kk"),
])
def test_opening_chars(pattern, opens):
    assert opening_chars(pattern) == frozenset(opens)


@pytest.mark.parametrize("pattern", [r".", r"\d+", r"[^x]", r"\S", r"(a)?\1b", r"\w"])
def test_opening_chars_not_judged(pattern):
    assert opening_chars(pattern) is None


LIMITS = [patterns()["upper_limit"], patterns()["lower_limit"]]
PIECES = ["x", "X", "*", "times", "-fold", "fold", " ", "  ", "\t", "the", "institutional", "upper", "lower", "limit", "of",
          "normal", "ULN", "LLN", "N", "LSN", "age-adjusted", "mg/dL", "%", "days", "(", "1.5", "range", "values", "é", "K"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=7), st.sampled_from([" ", "", "\n"]))
def test_a_limit_is_never_skipped(pieces, joint):
    """Every text a limit pattern matches with some non-blank text opens with one of its
    opening characters (or a non-ASCII one)."""
    text = joint.join(pieces)
    for limit in LIMITS:
        match = re.compile(r"\s*" + limit, re.I).match(text)
        if match and match.group(0).strip():
            first = text.lstrip()[:1]
            assert not first.isascii() or first in opening_chars(limit), (limit, text)


def _plain_unit_after(text: str, position: int) -> tuple[str | None, int]:
    for unit, pattern in (("ULN", READER._uln_re), ("LLN", READER._lln_re)):
        match = pattern.match(text, position)
        if match and match.end() > position and match.group(0).strip():
            return unit, match.end()
    unit = read_unit_at(text, position)
    return (unit[0].display, unit[1]) if unit else (None, position)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=7), st.sampled_from([" ", ""]))
def test_unit_after_agrees_with_matching_every_limit(pieces, joint):
    text = "5" + joint.join(pieces)
    assert READER._unit_after(text, 1) == _plain_unit_after(text, 1)

"""screener.prefilter: a pattern is skipped only where it certainly cannot match, so that
normalising with the prefilter gives exactly what searching every rule gives."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener import text
from screener.prefilter import NOTHING, needs, opens_with_literal

NEEDS = [
    # (pattern, text, excluded)
    (r"≤\s*5", "a <= 5", True),  # a non-ASCII character, on ASCII text
    (r"≤\s*5", "a ≤ 5", False),
    (r"[‐‑–—]", "a - b", True),
    (r"(?:higher|greater)\s+than\s+(?=ULN)", "greater than ULN", False),
    (r"(?:higher|greater)\s+than\s+(?=ULN)", "more than ULN", True),  # no alternative present
    (r"(?:higher|greater)\s+than\s+(?=ULN)", "greater than normal", True),  # the lookahead's word is missing
    (r"(?i)times\s+ULN", "3 TIMES uln", False),  # folded: compared in lower case
    (r"(?i)times\s+ULN", "3 fold uln", True),
    (r"(?i)times", "3 TİMES", False),  # folding beyond ASCII is the engine's: never skipped
    (r"\b(p[OC]O?|FEV)\s*\(", "pO2 (", False),
    (r"\b(p[OC]O?|FEV)\s*\(", "po2 (", True),  # case-sensitive
    (r"(?:a|b*)c", "xyz", True),  # "c" is needed although an alternative may be empty
    (r"a?", "xyz", False),  # nothing is needed: never skipped
    (r"(?:\s*≤|<)", "a < 5", False),  # one alternative needs no non-ASCII character
    (r"(?i)(?:\s*upper\s+normal|ULN)", "5 x uln", False),
    (r"(?i)(?:\s*upper\s+normal|ULN)", "5 x upper limit", True),  # each alternative needs one of its words
    (r"(?:\s*[1-3]\s*/\s*4|half)", "1 of 4", True),
    # a word boundary or negative lookbehind between literals takes no character: "to" or "than" whole
    (r"(t(?<!\wt)(?:han|o))(?=\d)", "at 5, t o5, tan5", True),
    (r"(t(?<!\wt)(?:han|o))(?=\d)", "up to5", False),
    (r"a\b-b", "a- b", True),
]


@pytest.mark.parametrize("pattern, sample, excluded", NEEDS)
def test_needs(pattern, sample, excluded):
    compiled = re.compile(pattern)
    assert needs(compiled).excludes(sample, sample.isascii()) == excluded
    if excluded:
        assert compiled.search(sample) is None


@pytest.mark.parametrize("pattern, flags, expected", [
    ("&lt;", 0, True),
    (r"(t(?<!\wt)(?:han|o))(?=\d)", 0, True),  # inside a group
    ("&lt;", re.I, False),  # compared ignoring case: the engine does not skip to it
    (r"(?=t)\bto", 0, False),
    (r"[<>]=", 0, False),
    ("", 0, False),
])
def test_opens_with_literal(pattern, flags, expected):
    assert opens_with_literal(re.compile(pattern, flags)) == expected


def test_an_unreadable_pattern_is_always_searched():
    class Strange:
        pattern, flags = "(", 0  # not a pattern the parser reads

    assert needs(Strange()) is NOTHING  # type: ignore[arg-type]


def _reference(source: str, offset: int = 0):
    """normalize() as it was before the prefilter: every rule searched."""
    value, starts, ends = source, list(range(offset, offset + len(source))), [offset + i + 1 for i in range(len(source))]
    for pattern, replacement in text._RULES:
        if pattern.search(value):
            value, starts, ends = text._apply(value, starts, ends, list(pattern.finditer(value)), replacement)
    return value, tuple(starts), tuple(ends)


_FRAGMENTS = ["≤", "≥ or =", "=<", "> or =", "\\<", "&lt;", "&amp;", "×", "μ", "·m-2", "mm(3)", "pO(2)", "FEV_1",
              "K/uL", "²/", "10³/", "three times", "twice the upper", "3 times higher than ULN", "2-fold above normal",
              "> 4/10", "class III or IV", "ASA II", "six months", "℃", "–", "’", "`", " ", "\u00a0", "5", "x",
              "ULN", "Uln", "TİMES", "K", "ſ", "\n", "(", ")", "/", "mg/dL"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=4), max_size=12), st.integers(0, 50))
def test_normalize_equals_searching_every_rule(parts, offset):
    source = "".join(parts)
    result = text.normalize(source, offset)
    assert (result.text, tuple(result.starts), tuple(result.ends)) == _reference(source, offset)


def _same_within(within: str, start: int, end: int) -> None:
    """An item normalised with only the rules its trial's text may need (``possible_rules``)
    reads as with every rule searched."""
    result = text.normalize(within[start:end], start, text.possible_rules(within))
    assert (result.text, tuple(result.starts), tuple(result.ends)) == _reference(within[start:end], start)


@pytest.mark.parametrize("fragment", _FRAGMENTS)
def test_an_item_reads_alike_with_the_rules_its_trial_may_need(fragment):
    within = f"Inclusion: 1. Age 18 upper limit of normal\n2. {fragment} 3 times the ULN\n"
    start = within.index("2.")
    _same_within(within, start, len(within))
    _same_within(within, 0, start)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=4), max_size=16), st.data())
def test_any_part_reads_alike_with_the_rules_its_trial_may_need(parts, data):
    within = "".join(parts)
    start = data.draw(st.integers(0, len(within)))
    _same_within(within, start, data.draw(st.integers(start, len(within))))


KEPT = [  # (pattern, the sets of strings its needs keep)
    # "females" holds "male" and "women" holds "men": one test of the shorter answers both
    (r"(?i)\b(?:females?|males?|men|women)\b", ((True, ("male", "men")),)),
    (r"(?i)(?:females?|males?)\s+(?:patients|subjects)", ((True, ("male",)), (True, ("patients", "subjects")))),
    # a text holding "ab" or "cd" holds one of "ab", "cd", "ef": the second set adds nothing
    (r"(?:ab|cd)x?(?:ab|cd|ef)", ((False, ("ab", "cd")),)),
]


@pytest.mark.parametrize("pattern, sets", KEPT)
def test_needs_keep_no_string_or_set_another_answers(pattern, sets):
    assert needs(re.compile(pattern)).sets == sets


_PATTERNS = [re.compile(p) for p, _ in KEPT + [(n[0], None) for n in NEEDS]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["female", "Males", "men", "WOMEN", " ", "patients", "ab", "c", "d", "ef", "x", "ULN",
                                 "upper normal", "greater than ", "≤", "5", "TİMES", "pO", "("]) | st.text(max_size=3),
                max_size=10))
def test_an_excluded_text_holds_no_match(parts):
    sample = "".join(parts)
    for pattern in _PATTERNS:
        if needs(pattern).excludes(sample, sample.isascii()):
            assert pattern.search(sample) is None

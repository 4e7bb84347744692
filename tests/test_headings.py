"""Section headings: the lines searched for them (``headings._candidate_lines``) must find what
trying every pattern on every line finds, in ASCII text and beyond it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.headings import _LINE_OPENING, _heading_patterns, _wrapped_end, find_headings, merged_headings


def _every_line(source: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """``find_headings`` without any prefilter: every line pattern on every line."""
    anywhere, line_patterns = _heading_patterns()
    found = [(m.start(), m.end(), section) for pattern, section in anywhere for m in pattern.finditer(source, start, end)]
    for match in _LINE_OPENING.finditer(source[start:end]):
        line_begin = start + match.end()
        line_end = source.find("\n", line_begin, end)
        line_end = end if line_end < 0 else line_end
        for pattern, section in line_patterns:
            heading = pattern.match(source, line_begin, line_end)
            if heading and (heading.group(0).rstrip().endswith(":") or not source[heading.end():line_end].strip(" \t:*")):
                found.append((start + match.start(), heading.end(), section))
            elif heading and (wrapped := _wrapped_end(source, heading, line_end, end)):
                found.append((start + match.start(), wrapped, section))
    return merged_headings(found)  # the same joining of overlaps: what is tested is which lines are searched


CASES = {
    "plain": ("Inclusion Criteria:\n- adults\nExclusion Criteria:\n- pregnancy", ["inclusion", "exclusion"]),
    "beyond ASCII in an item": ("Inclusion Criteria:\n- age ≥ 18\nExclusion Criteria:\n- pregnancy", ["inclusion", "exclusion"]),
    "beyond ASCII in the heading": ("Inclusion Criteria:\n- a\nExclusion Criteria – Phase 2:\n- b", ["inclusion", "exclusion"]),
    "bulleted heading": ("• Inclusion criteria\n• adults\n• Exclusion criteria\n• pregnancy", ["inclusion", "exclusion"]),
    "legacy heading": ("DISEASE CHARACTERISTICS:\n  - stage IV\nPATIENT CHARACTERISTICS:\n  - ECOG 0-1",
                       ["inclusion", "inclusion"]),
    "excluded patients": ("Patients will be excluded if they have:\n- an infection", ["exclusion"]),
    "mid-line start": ("x Inclusion Criteria:\n- adults", ["inclusion"]),
    "no heading": ("adults aged 18 or over\nno pregnancy", []),
}


@pytest.mark.parametrize("name", CASES)
def test_headings(name: str) -> None:
    text, sections = CASES[name]
    found = find_headings(text, 0, len(text))
    assert [section for _, _, section in found] == sections
    assert found == _every_line(text, 0, len(text))


_PIECES = ["Inclusion Criteria", "EXCLUSION CRITERIA", "exclusion criteria for phase 2", "Eligibility for the sub-study",
           "Patients are excluded if", "DISEASE CHARACTERISTICS", "Key inclusion", "Non-inclusion criteria", "criteria",
           "to be included", "Ineligibility criteria", "age ≥ 18", "ſubjects", "KEY", "– Phase 2", ":", " ", "\n", "\n- ",
           "\n  * ", "\n• ", "\n**", "\t", "or", "(ages 4 to 18)", "é", "prior concurrent therapy:",
           "EXCLUSİON CRITERIA", "ıneligibility criteria", "\u212aey inclusion", "Subjects excluded",
           "Study EXCLUSİON CRITERIA"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.integers(0, 3))
def test_the_lines_searched_find_what_every_line_finds(pieces: list[str], cut: int) -> None:
    text = "".join(pieces)
    start = min(cut, len(text))
    assert find_headings(text, start, len(text)) == _every_line(text, start, len(text))


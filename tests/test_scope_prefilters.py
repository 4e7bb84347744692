"""screener.scope: the cheap tests before the cue searches (a permission cue's last word
ending the sentence, a group's words in it, where a group's first words stand) skip only
sentences, and places, the search finds nothing in."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener import scope
from screener.prefilter import NOTHING

SENTENCES = [
    "Patients with basal cell carcinoma are eligible.",
    "Patients with basal cell carcinoma ARE ALSO ELIGIBLE ;\t",
    "Prior radiotherapy is allowed, :",
    "Prior radiotherapy is allowed)",  # a cue closes the sentence or it is no permission
    "Prior radiotherapy is allowed if completed",
    "Prior radiotherapy is not-allowed.",
    "Stable brain metastases may be included\x1c",  # an ASCII blank of the regex's \s
    "Patients with stage III disease are eligible.",
    "Treatment is\u00a0allowed.\u00a0",  # not ASCII: always searched
    "Women of childbearing potential must use contraception",
    "Females and males; WOCBP; woman (non-pregnant)",
    "No female-only condition; men over 60",
    "",
]


class _Scan:
    """A phrase index that searches the whole text."""

    def __init__(self, pattern):
        self.pattern = pattern

    def finditer(self, words):
        return list(self.pattern.finditer(words.text))


def _plain(sentence: str, section: str, alone: bool):
    """What the cue searches find with the cheap tests turned off."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(scope, "_permission_ends", lambda: None)
        patched.setattr(scope, "_group_needs", lambda: NOTHING)
        patched.setattr(scope, "_group_index", lambda: _Scan(scope._group_re()))
        groups = [(g.start, g.end, g.sex, g.condition) for g in scope.groups_in(sentence)]
        return scope.permission_at(sentence, section, alone), groups


def _same(sentence: str) -> None:
    groups = [(g.start, g.end, g.sex, g.condition) for g in scope.groups_in(sentence)]
    for section, alone in (("exclusion", False), ("inclusion", True)):
        assert (scope.permission_at(sentence, section, alone), groups) == _plain(sentence, section, alone)


@pytest.mark.parametrize("sentence", SENTENCES)
def test_examples(sentence):
    _same(sentence)


def test_the_examples_hold_cues():
    assert scope.permission_at(SENTENCES[0]) is not None and scope.permission_at(SENTENCES[3]) is None
    assert scope.groups_in(SENTENCES[9]) and scope.groups_in(SENTENCES[10])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["are", " ", "allowed", "ALLOWED", "is also", "eligible", "may be", "enrolled", ".", ";",
                                 ",", ")", "\t", "\u00a0", "-", "women", "Males", "childbearing", "potential", "wocbp", "of", "Women", "child-bearing",
                                 "female", "non", "_"])
                | st.text(max_size=3), max_size=10))
def test_equals_searching(parts):
    _same("".join(parts))

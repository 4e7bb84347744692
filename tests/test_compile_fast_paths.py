"""The compiler's fast paths agree with the plain computations they stand for.

Each test compares a shortcut (one walk of a tree serving several tests, a stage skipped
by a cheap test) with what it replaces, over every rule of the repository's rule files
and over hand-made trees with the rare shapes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener import compile_criteria
from screener.compiler import _CHECKED, _rewritten
from screener.rulecheck import rule_problem
from screener.rules import (AllOf, AnyOf, Comparison, Condition, Manual, Node, Not, Restrict, Sex, computes_nothing,
                            is_manual, load_rules, node_class, nodes_and_classes, walk)
from screener.scope import female_only, impossible_and, numbered, sex_specific
from screener.ages import age_words
from screener.phraseindex import finditer_at_heads
from screener.prefilter import needs
from screener.segment import _heading_person, _label_re, _lines, _lines_by_splitting, _names_patient
from screener.text import _RULES as text_rules
from screener.text import _prepared
from screener.stable_ids import may_key

ROOT = Path(__file__).resolve().parents[1]
_COMPILED = [c.rule for path in sorted((ROOT / "rules").glob("*.yaml")) for c in load_rules(path).criteria] + [
    c.rule for path in sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
    for c in compile_criteria(path.read_text(encoding="utf-8")).criteria]
RULES = [node for rule in _COMPILED for node in walk(rule) if not isinstance(node, (Comparison, Condition, Sex))]
"""Every compiled rule and every part of one that holds more than a leaf or is a question."""

_SPAN = (0, 1)
MADE: list[Node] = [
    Manual(question="q", span=_SPAN),
    AnyOf(items=[Manual(question="a"), Manual(question="b"), Manual(question="a")]),
    AllOf(items=[Comparison(variable="age", op="<", value=18, unit="year"), Comparison(variable="age", op=">", value=70, unit="year")]),
    AllOf(items=[Condition(condition="pregnancy"), Not(item=Manual(question="q", id="E1.2"))]),
    Restrict(group=Sex(sex="female"), item=Condition(condition="breastfeeding"), outside=False),
    Not(item=Manual(question="q", key="E-x-1a2b.q1")),
    AnyOf(items=[Condition(condition="diabetes"), Manual(question="why")]),
]
TREES = RULES + MADE


def test_the_rule_files_give_trees_to_test() -> None:
    assert len(RULES) > 100


@pytest.mark.parametrize("rule", TREES)
def test_one_walk_serves_every_test_of_a_tree(rule: Node) -> None:
    nodes, classes = nodes_and_classes(rule)
    assert nodes == list(walk(rule)) and all(a is b for a, b in zip(nodes, walk(rule)))
    assert classes == [node_class(n) for n in walk(rule)]
    assert computes_nothing(classes) == is_manual(rule)
    assert may_key(nodes, classes) == any(
        isinstance(n, Manual) and ((n.id is not None and "." in n.id) or n.key is not None) for n in walk(rule))


@pytest.mark.parametrize("rule", TREES)
def test_a_rule_with_nothing_checked_has_no_problem(rule: Node) -> None:
    if _CHECKED.isdisjoint(node_class(n) for n in walk(rule)):
        assert rule_problem(rule) is None


@pytest.mark.parametrize("rule", TREES)
def test_rewrites_skipped_only_where_they_change_nothing(rule: Node) -> None:
    plain = numbered(sex_specific(impossible_and(rule)), "E7")
    rewritten, nodes, classes = _rewritten(rule, "E7")
    assert rewritten == plain
    assert (nodes, classes) == nodes_and_classes(rewritten)


def test_a_condition_only_women_have_is_restricted_to_them() -> None:
    assert "pregnancy" in female_only()
    rule, _, classes = _rewritten(AllOf(items=[Condition(condition="pregnancy"), Manual(question="q")]), "E1")
    assert Restrict in classes and Sex in classes and rule != AllOf(items=[Condition(condition="pregnancy"), Manual(question="q")])


_LINE_PARTS = ["- ", "* ", "• ", "1. ", "a) ", "(ii) ", "[1] ", "  ", "\t", "\u00a0", "Age 18", "ECOG 0-1", " - Hb > 9", " - Platelets",
               " * Other", "ASA I - IV", "|", "**", "or", ":", "\n", "\n", "\n\n", "\r\n", "\u2028", "x" * 120, "word "]


@pytest.mark.parametrize("text", ["", "\n", "Inclusion:\n- a\n- b\n\n  * c |\n**\n", "- A - B - C\n1. one\n   wraps here",
                                  " - x" * 70, "a\r\nb\n- c", "- \n*\n  ", "Heading\n\t- Tab item *  \n"])
def test_lines_read_in_place_are_the_lines_split_apart(text: str) -> None:
    for start in range(min(len(text), 3) + 1):
        assert _lines(text, start, len(text)) == _lines_by_splitting(text, start, len(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PARTS), max_size=30), st.integers(0, 5))
def test_lines_in_place_agree_with_lines_split_apart(parts: list[str], cut: int) -> None:
    text = "".join(parts)
    start = min(cut, len(text))
    assert _lines(text, start, len(text)) == _lines_by_splitting(text, start, len(text))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="onetwfivxsclaFEVpOuLmK/<=> (2)\u00e9", max_size=40))
def test_needs_tried_shortest_first_exclude_what_they_did(text: str) -> None:
    ascii_text = text.isascii()
    for (pattern, _, need, _) in _prepared():
        assert need.excludes(text, ascii_text) == needs(pattern).excludes(text, ascii_text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["to", "than", "10", "5", " ", "mm", "cm", "m", "(", "2)", "Three", "one", " months", "-fold",
                                 "x", " higher than ", "the ULN", "1/2", "/", "% of ", "LLN", "ASA ", "class ", "III", " or IV",
                                 "Child-Pugh ", "B", "twice ", "FEV", "\\<", "<", " or =", "≥", "²", "K/uL"])
                | st.text(max_size=3), max_size=14))
def test_a_rule_tried_at_its_heads_finds_what_finditer_finds(parts: list[str]) -> None:
    text = "".join(parts)
    for (pattern, _, _, found_heads) in _prepared():
        expected = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groups()) for m in finditer_at_heads(pattern, found_heads, text, 0, len(text))] == expected


@pytest.mark.parametrize("heading", ["DONOR:", "Donor and recipient", "Caregiver inclusion criteria", "Hepatic", "Patients:", ""])
def test_what_a_heading_names_is_kept_unchanged(heading: str) -> None:
    for _ in range(2):  # the second time from what was kept
        assert _heading_person(heading) == age_words().heading_person(heading)
        assert _names_patient(heading) == any(w.lower() in age_words().self_words for w in re.findall(r"[A-Za-z]+", heading))


def _opening_lookahead_rules() -> list[tuple[re.Pattern[str], re.Pattern[str]]]:
    """Each normalisation rule that opens with a lookahead for its first letters, with the pattern without it."""
    pairs = []
    for pattern, _ in text_rules:
        found = re.match(r"\(\?=(?:\[[^\]]*\]|\(\?i:\[[^\]]*\]\)|\w)\)", pattern.pattern)
        if found:
            pairs.append((pattern, re.compile(pattern.pattern[found.end():], pattern.flags)))
    return pairs


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["than", "to", "t", "5", "\u0665", " ", "a", "_", "-", "T", "o", "han"]), max_size=10).map("".join))
def test_than_or_to_opening_with_its_letter_matches_as_after_a_word_boundary(text: str) -> None:
    """The rule that parts "than100" opens with its "t" (the engine skips to it), the word
    boundary before it a lookbehind: it finds what the plain form finds."""
    literal_first = next(pattern for pattern, _ in text_rules if pattern.pattern.startswith("(t(?<!"))
    plain = re.compile(r"\b(than|to)(?=\d)")
    assert [(m.span(), m.groups()) for m in literal_first.finditer(text)] == [(m.span(), m.groups()) for m in plain.finditer(text)]


def test_some_rules_open_with_a_lookahead_for_their_first_letters() -> None:
    assert len(_opening_lookahead_rules()) >= 3


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["than", "to", "5", " ", "ſix", "SIX", "two", "-", "years", "Stage", "ſtage", "class", "III",
                                 "or", "IV", "NYHA", "x", "İ", "K", "fold", "times", "grade"]), max_size=10).map("".join))
def test_a_lookahead_for_the_first_letters_changes_no_match(text: str) -> None:
    for with_lookahead, without in _opening_lookahead_rules():
        assert [(m.span(), m.groups()) for m in with_lookahead.finditer(text)] == \
            [(m.span(), m.groups()) for m in without.finditer(text)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["Age", "Performance status", "Hematopoietic", "Renal", "Other", ":", " ", "\n", "x", "18", "a",
                                 "AGE", "status:", "-"]), max_size=12).map("".join))
def test_the_label_lookahead_changes_no_label_found(text: str) -> None:
    label = _label_re()
    plain = re.compile(label.pattern[label.pattern.index("]") + 2:])  # without "(?=[...])"
    assert plain.pattern.startswith("(?<!")
    assert [(m.span(), m.group(1)) for m in label.finditer(text)] == [(m.span(), m.group(1)) for m in plain.finditer(text)]

"""What screener writes as YAML reads back unchanged, for any text and number."""

from __future__ import annotations

import math

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.compiler import compile_criteria, compile_source
from screener.rules import dump_rules, parse_rules
from screener.sources import from_text
from screener.yamlio import RULES_LIMITS, dump_yaml, parse_yaml

TRICKY = ["", " ", "a\rb", "a\r\nb", "\n", "\n\n", "a\n", "a\n\n", "\na", " a\nb", "a\n b", "a \nb", "a\n \n",
          "true", "No", "~", "null", "1", "-1", "0x1F", "1e5", ".inf", "2026-01-01", "- a", "a: b", "a #b", "#a",
          "'", '"', "\\", "\t", "a\tb", "\x00", "\x85", "\u2028", "\ufeff", "x" * 5000, "<<", "=",
          "@a", "`a", "%a", "a:", "[a]", "{a}", "? a", "! a", "&a", "*a", "|", ">", "café", "≥ 3 x ULN"]

# lone surrogates cannot be written as UTF-8: the compiler replaces them (tested below)
texts = st.one_of(st.sampled_from(TRICKY), st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
                  st.lists(st.sampled_from(TRICKY + ["a", " ", "\n", ":"]), max_size=6).map("".join))
numbers = st.one_of(st.integers(-10**40, 10**40), st.floats(allow_nan=False, allow_infinity=False))
leaves = st.one_of(texts, numbers, st.booleans(), st.none())
data = st.recursive(leaves, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)), max_leaves=12)


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(texts, data, min_size=1, max_size=5))
def test_dump_yaml_reads_back_the_same(value: dict) -> None:
    text = dump_yaml(value)
    assert same(parse_yaml(text, limits=RULES_LIMITS).data, value), text


def test_every_tricky_text_reads_back_as_a_mapping_value_and_a_list_item() -> None:
    value = {"text": TRICKY, **{f"k{i}": t for i, t in enumerate(TRICKY)}}
    assert parse_yaml(dump_yaml(value), limits=RULES_LIMITS).data == value


def test_wide_lines_are_not_folded() -> None:
    value = {"text": "word " * 20_000 + "end"}
    text = dump_yaml(value)
    assert text.count("\n") == 1 and parse_yaml(text, limits=RULES_LIMITS).data == value


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(TRICKY + ["\ud800", "ALT < 3 x ULN", "age >= 18 years", "Hb > 1" + "0" * 400 + " g/dL",
                                               "ECOG < 1" + "0" * 100, "age > 1" + "0" * 80 + " years"]),
                min_size=1, max_size=8).map(lambda parts: "Inclusion Criteria:\n- " + "\n- ".join(parts)))
def test_compiled_rules_read_back_with_text_equal_to_the_source_span(source: str) -> None:
    rules = compile_criteria(source)
    back = parse_rules(dump_rules(rules))
    assert back == rules
    for criterion in back.criteria:
        assert criterion.span is not None
        expected = source[criterion.span[0]:criterion.span[1]]
        assert criterion.text == expected.encode("utf-8", "replace").decode("utf-8").replace("?", "\ufffd") \
            or criterion.text == expected


@pytest.mark.parametrize("text", ["History of malignancy within 0 years", "ANC >= 1500/mm3 within 0 days prior to registration"])
def test_what_the_rules_reader_would_refuse_is_compiled_to_review(text: str) -> None:
    rules = compile_criteria("Exclusion Criteria:\n- " + text)
    assert parse_rules(dump_rules(rules)) == rules
    assert rules.criteria[0].manual and "left to review" in rules.criteria[0].notes[-1]


PAGE = "{title}\nNCT ID: NCT00000001\nEligibility Criteria\nInclusion Criteria\n* Age > 18 years\n{minimum} Years\n70 Years\nALL\nNo\n"


@pytest.mark.parametrize("title, origin", [("\ud800Stem cells for systemic sclerosis", "trial.txt"),
                                           ("Stem cells \udfff", "trial.txt"),
                                           ("Stem cells", "tri\udcc3al.txt")])
def test_a_lone_surrogate_outside_the_criteria_is_replaced_in_the_rules_file(title: str, origin: str) -> None:
    rules = compile_source(from_text(PAGE.format(title=title, minimum=18), origin=origin))
    back = parse_rules(dump_rules(rules))
    assert back == rules
    assert "\ufffd" in f"{back.trial.title}{back.trial.source}" and not any("\ud800" <= ch <= "\udfff" for ch in dump_rules(rules))

"""The compiler's per-trial stages agree with the plain computations they stand for.

The compiler keys each criterion as it makes it (``stable_ids.Keys``); ``with_keys`` keys a
finished rule set from its criteria's words: both must give every criterion and numbered
question the same key.  The prefilter's needs must stay sound where the regex parser moves
a shared start out of alternatives ("than|to" is "t" then "han|o")."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.compiler import _rewritten, compile_source
from screener.prefilter import needs
from screener.rules import AllOf, AnyOf, Condition, Manual, Node, Not, Restrict, RuleSet, Sex, Unless, nodes_and_classes, walk
from screener.scope import impossible_and, numbered, sex_specific
from screener.sources import Source, StructuredField, from_text
from screener.text import _RULES as text_rules
from screener.stable_ids import _LIST_MARK, _SIGN_WORDS, _SIGNS, _keyed_questions, _slug, _words, expected_keys, key_problems, normalise, slug, with_keys

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))

_FIELDS = [StructuredField("minimum_age", "18 Years", None), StructuredField("maximum_age", "75 Years", None),
           StructuredField("sex", "Female", None), StructuredField("minimum_age", "N/A", None)]


def _assert_keyed_as_with_keys(rules: RuleSet) -> None:
    assert with_keys(rules) == rules
    assert [c.key for c in rules.criteria] == expected_keys(rules)
    assert list(key_problems(rules)) == []


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_trials_are_keyed_as_with_keys_keys_them(path: Path) -> None:
    source = from_text(path.read_text(encoding="utf-8"), None, path.stem)
    rules = compile_source(Source(source.text, source.start, source.end, source.trial_id, fields=_FIELDS))
    _assert_keyed_as_with_keys(rules)
    questions = [n.key for c in rules.criteria for n in walk(c.rule) if isinstance(n, Manual) and n.key]
    assert all(key.startswith(tuple(f"{c.key}.q" for c in rules.criteria)) for key in questions)


def test_the_seeds_hold_numbered_questions_to_key() -> None:
    texts = [path.read_text(encoding="utf-8") for path in SEEDS]
    keys = [n.key for text in texts for c in compile_source(from_text(text)).criteria for n in walk(c.rule)
            if isinstance(n, Manual) and n.key]
    assert len(keys) >= 2 and all(".q" in key for key in keys)


CASES = [
    # repeated texts get -2, -3; the same text under two headings differs; two questions are numbered and keyed
    "Inclusion Criteria:\n- Signed consent\n- Signed consent\n- signed consent.\nRenal:\n- Signed consent\n",
    "Exclusion Criteria:\n- Any condition that, in the opinion of the investigator, would interfere; unable to swallow pills\n"
    "- Hemoglobin < 9 g/dL or > 18 g/dL\n- within 0 days of surgery\n- 1) a) Ribavirin\n- Ribavirin\n",
    "Inclusion Criteria:\n- Age >= 18 years\n- And/or\n- ECOG 0-1\nExclusion Criteria:\n- Pregnant or breastfeeding\n",
    "Inclusion Criteria:\n- \u2264 5 mg \u00e9t\u00e9 caf\u00e9 \u00b1 2\n- Ann\u00e9e < 2 % = +\n",
]


@pytest.mark.parametrize("text", CASES)
def test_made_cases_are_keyed_as_with_keys_keys_them(text: str) -> None:
    _assert_keyed_as_with_keys(compile_source(Source(text, 0, len(text), "NCT00000000", fields=_FIELDS)))


def test_repeated_texts_are_told_apart() -> None:
    rules = compile_source(Source(CASES[0], 0, len(CASES[0]), None))
    keys = [c.key or "" for c in rules.criteria]
    assert [k.rsplit("-", 1)[-1] for k in keys[1:3]] == ["2", "3"] and keys[3] != keys[0] and len(set(keys)) == 4


_BULLETS = ["Signed consent", "signed consent.", "Hemoglobin < 9 g/dL", "Prior therapy with ribavirin; unable to comply",
            "Pregnant or breastfeeding", "Renal Disease:", "1) Age 18-70", "the patient", "or", "\u00e9t\u00e9 \u2265 2"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_BULLETS), min_size=1, max_size=8), st.booleans())
def test_compiled_keys_are_the_keys_with_keys_makes(bullets: list[str], exclusion: bool) -> None:
    text = ("Exclusion" if exclusion else "Inclusion") + " Criteria:\n" + "".join(f"- {b}\n" for b in bullets)
    _assert_keyed_as_with_keys(compile_source(Source(text, 0, len(text), None, fields=_FIELDS[:2])))


@pytest.mark.parametrize("text", ["", "1. Signed consent", "The patient has had prior therapy with ribavirin", "< 2 % \u00b1"])
def test_a_slug_of_words_is_the_slug_of_the_normalised_text(text: str) -> None:
    assert _slug(_words(text)) == slug(normalise(text))


PREFIXED = [  # the parser moves the shared start out of these alternatives
    (r"(?=t)\b(than|to)(?=\d)", (False, ("than", "to"))),
    (r"(?i)\b(than|to)\d", (True, ("than", "to"))),
    (r"ab(?:cd|xe)f", (False, ("abcd", "abxe"))),
]


@pytest.mark.parametrize("pattern, kept", PREFIXED)
def test_a_shared_start_joins_the_strings_of_its_alternatives(pattern: str, kept: tuple) -> None:
    assert kept in needs(re.compile(pattern)).sets


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["t", "than", "to", "TO", "han", "o", "5", " ", "ab", "cd", "xe", "f", "abc"]) | st.text(max_size=3),
                max_size=10))
def test_a_text_a_shared_start_excludes_holds_no_match(parts: list[str]) -> None:
    sample = "".join(parts)
    for pattern, _ in PREFIXED:
        compiled = re.compile(pattern)
        if needs(compiled).excludes(sample, sample.isascii()):
            assert compiled.search(sample) is None


def _without_opening_lookahead(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A normalisation rule without the lookahead for its first characters it opens with."""
    found = re.match(r"\(\?=\[[^\]]*\]\)", pattern.pattern)
    assert found, pattern.pattern
    return re.compile(pattern.pattern[found.end():], pattern.flags)


_LOOKAHEAD_RULES = [pattern for pattern, _ in text_rules
                    if pattern.pattern.startswith(("(?=[cm])", "(?=[<>\\dabefghlmouw])", "(?=[<>lmot])"))]


def test_the_rules_given_a_lookahead_are_found() -> None:
    assert len(_LOOKAHEAD_RULES) == 3


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["3", "2.5", "\u0663", " ", "times", "-fold", "fold", "x", "X", "higher", "Greater", "than", "ULN",
                                 "upper", "normal", "the", "at least", "AT MOST", "up to", "over", "Above", "below", "within",
                                 "exceeding", "fewer", "<", ">=", "=", "/10", "/ 10", "4", "of", "to", "mm", "cm", "m", "(", ")",
                                 "2", "cc/min/m", ".", "a", "\u212a", "\u017f"]), max_size=12).map("".join))
def test_a_lookahead_for_the_first_characters_changes_no_match(text: str) -> None:
    for pattern in _LOOKAHEAD_RULES:
        plain = _without_opening_lookahead(pattern)
        assert [(m.span(), m.groups()) for m in pattern.finditer(text)] == [(m.span(), m.groups()) for m in plain.finditer(text)]


def test_no_word_for_a_sign_holds_a_sign() -> None:
    assert all(sign not in word for _, word in _SIGN_WORDS for sign, _ in _SIGN_WORDS) and len(_SIGN_WORDS) == len(_SIGNS)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>=%+\u00b1\u2264\u2265 ab1.\u00e9-", max_size=30))
def test_signs_replaced_one_after_another_are_the_signs_translated(text: str) -> None:
    assert [w.decode() for w in _words(text)] == _translated_words(text)


def _translated_words(text: str) -> list[str]:
    """``stable_ids._words`` as it was, every sign translated in one pass."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()
    while mark := _LIST_MARK.match(text):
        text = text[mark.end():]
    return re.findall(r"[0-9a-z]+", text.translate(_SIGNS))


_QUESTIONS: list[Node] = [
    Manual(question="q", span=(0, 1)),
    AnyOf(items=[Manual(question="a"), Manual(question="b"), Manual(question="a")]),
    AllOf(items=[Condition(condition="pregnancy"), Not(item=Manual(question="q", id="E1.2"))]),
    Not(item=Manual(question="q", key="E-x-1a2b.q1")),
    AllOf(items=[Manual(question="a"), Restrict(group=Sex(sex="female"), item=Manual(question="b"), outside=False),
                 Unless(item=Manual(question="c"), exception=Manual(question="a"))]),
    AnyOf(items=[Condition(condition="diabetes"), Manual(question="why")]),
]
_SEED_RULES = [c.rule for path in SEEDS for c in compile_source(from_text(path.read_text(encoding="utf-8"))).criteria]


@pytest.mark.parametrize("rule", _QUESTIONS + _SEED_RULES)
def test_questions_keyed_as_they_are_numbered_are_keyed_as_with_keys_keys_them(rule: Node) -> None:
    key = "E-some-words-1a2b"
    plain = numbered(sex_specific(impossible_and(rule)), "E7")
    keyed, nodes, classes = _rewritten(rule, "E7", key)
    assert keyed == _keyed_questions(plain, key)
    assert (nodes, classes) == nodes_and_classes(keyed)

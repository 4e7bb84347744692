"""The shortcuts of the sentence stages (screener.itemwords, readnodes, leaves, clauses) agree
with the plain readings they replace: nodes made without validating their values again, a
kept filler test, the cue test of the last text, the last clause break found from the last
mark, the clause test that skips the scan when too few words precede a condition, the unread
words of a sentence, a sentence with nothing to read skipped."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener import clauses
from screener import readnodes as made
from screener.extract import Extractor
from screener.itemwords import FillerTable, LastText
from screener.mentions import Mention
from screener.prefilter import cannot_match
from screener.rules import AllOf, AnyOf, Condition, Duration, Manual, Node, Not
from screener.text import normalize
from screener.tokens import WORD, Spans

WORDS = ["or", "and", "nor", "Or", "AND", "of", "the", "with", "history", "active", "such as", "including",
         "except", "unless", "e.g.", "other", "than", "disease", "heart", "-", "'s", "or-like", "color", "andes",
         "known", "patients", "HIV", "(", ")", ",", ";", ":", "  ", "1", "x"]
SENTENCES = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)


@pytest.fixture(scope="module")
def reader() -> Extractor:
    return Extractor()


def _plain_heads_clause(reader: Extractor, sentence: str, start: int, mention: Mention) -> bool:
    """``_heads_clause`` as it read before its shortcuts: every break scanned, every word tested."""
    def meaningful(text: str) -> list[str]:
        return [w for w in WORD.findall(text) if w.lower().strip("'-") not in reader._ignored]
    prefix = sentence[max(start, mention.start - 300):mention.start]
    separator = list(reader._clause_break_re.finditer(prefix))
    if not separator and mention.start - start > 300 and len(meaningful(prefix)) <= 2:
        prefix = sentence[start:mention.start]
        separator = list(reader._clause_break_re.finditer(prefix))
    clause = prefix[separator[-1].end():] if separator else prefix
    return len(meaningful(clause)) <= 2


def _plain_leftover(reader: Extractor, text: str, start: int, end: int, covered: list[tuple[int, int]]) -> list:
    remarks = [(start + p.start(), start + p.end()) for p in re.finditer(r"\(([^()]*)\)", text[start:end])
               if not reader._exceptions.search(p.group(1))]
    inside = Spans(covered + remarks)
    return [(w.start(), w.end()) for w in WORD.finditer(text, start, end) if not inside.contains(w.start())
            and w.group(0).lower().strip("'-") not in reader._ignored and len(w.group(0)) >= 2]


@settings(max_examples=200, deadline=None)
@given(SENTENCES, st.data())
def test_heads_clause_agrees_with_the_plain_reading(reader: Extractor, sentence: str, data) -> None:
    sentence = data.draw(st.sampled_from(["", "x " * 160, "a, " * 60])) + sentence
    start = data.draw(st.integers(0, len(sentence)))
    at = data.draw(st.integers(start, len(sentence)))
    mention = Mention(at, at, "condition", "x")
    assert reader._heads_clause(sentence, start, mention) == _plain_heads_clause(reader, sentence, start, mention)


@settings(max_examples=200, deadline=None)
@given(SENTENCES)
def test_the_last_break_is_that_of_a_scan_of_the_whole_text(reader: Extractor, text: str) -> None:
    every = list(reader._clause_break_re.finditer(text))
    assert reader._last_break(text, cannot_match(reader._cue_needs, text)) == (every[-1].end() if every else None)


@settings(max_examples=200, deadline=None)
@given(SENTENCES, st.data())
def test_leftover_agrees_with_the_plain_reading(reader: Extractor, text: str, data) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    a = data.draw(st.integers(0, len(text)))
    covered = [(a, data.draw(st.integers(a, len(text))))]
    assert reader._leftover(text, start, end, covered) == _plain_leftover(reader, text, start, end, covered)


@pytest.mark.parametrize("word", ["the", "The", "'the", "-of-", "history", "theorical", "concentation", "HIV", "x"])
def test_a_kept_filler_test_agrees_with_the_fillers(reader: Extractor, word: str) -> None:
    table = FillerTable(reader._ignored, kept=2)
    for _ in range(2):  # asked, then recalled
        assert table[word] == (word.lower().strip("'-") in reader._ignored)
    for other in ("a", "b", "c"):  # the table starts anew when full and still answers
        assert table[other] == (other in reader._ignored)
    assert len(table) <= 2


def test_last_text_recalls_only_the_text_asked_last() -> None:
    asked: list[str] = []

    def length(text: str) -> int:
        asked.append(text)
        return len(text)

    test = LastText(length)
    assert [test("ab"), test("ab"), test("abc"), test("ab")] == [2, 2, 3, 2]
    assert asked == ["ab", "abc", "ab"]


NODES = [
    (lambda: made.manual("Any other disease", (3, 20)), lambda: Manual(question="Any other disease", span=(3, 20))),
    (lambda: made.manual("Asked", None), lambda: Manual(question="Asked", span=None)),
    (lambda: made.condition("hiv", "HIV infection", "history", Duration(value=6, unit="month"), (0, 9)),
     lambda: Condition(condition="hiv", label="HIV infection", timing="history", within=Duration(value=6, unit="month"),
                       span=(0, 9), text=None)),
    (lambda: made.condition("hiv", None, "current", None, None), lambda: Condition(condition="hiv", label=None, timing="current", within=None, span=None, text=None)),
    (lambda: made.all_of([Manual(question="a"), Condition(condition="x")], (1, 2)),
     lambda: AllOf(items=[Manual(question="a"), Condition(condition="x")], span=(1, 2))),
    (lambda: made.any_of([Manual(question="a"), Not(item=Condition(condition="x"))], None),
     lambda: AnyOf(items=[Manual(question="a"), Not(item=Condition(condition="x"))], span=None)),
]


@pytest.mark.parametrize("made_node, validated", NODES)
def test_a_node_made_unvalidated_is_the_validated_node(made_node, validated) -> None:
    got, expected = made_node(), validated()
    assert type(got) is type(expected) and got == expected
    assert list(got.__dict__) == list(expected.__dict__)
    assert got.model_fields_set == expected.model_fields_set  # what model_dump(exclude_unset=True) reads
    assert got.model_dump(mode="json") == expected.model_dump(mode="json")
    assert type(got).model_validate(got.model_dump()) == got


def test_a_made_group_keeps_a_list_of_its_own() -> None:
    items: list[Node] = [Manual(question="a")]
    group = made.all_of(items, None)
    items.append(Manual(question="b"))
    assert len(group.items) == 1


ITEMS = [
    ("Willing to comply with the study procedures", "inclusion", None),
    ("Negative urine pregnancy test or surgically sterile", "inclusion", None),
    ("No negative attitude; able to swallow tablets.", "exclusion", None),
    ("Women of childbearing potential", "inclusion", None),
    ("For women, not pregnant. Able to give consent.", "inclusion", None),
    ("Signed informed consent. HIV infection. Platelets > 100,000/mm3", "exclusion", "Laboratory:"),
    ("Life expectancy of at least 12 weeks", "inclusion", "Life expectancy:"),
    ("Patients with basal cell carcinoma are eligible.", "exclusion", None),
    ("Male or female; any other serious illness", "exclusion", None),
]


@pytest.mark.parametrize("words, section, heading", ITEMS)
def test_a_sentence_with_nothing_to_read_is_skipped_as_read(reader: Extractor, monkeypatch, words, section, heading) -> None:
    text = normalize(words, 0)
    fast = reader._read_item(text, section, heading)
    monkeypatch.setattr(clauses, "_any_within", lambda found, start, end: True)  # every sentence read in full
    assert fast.model_dump() == reader._read_item(text, section, heading).model_dump()

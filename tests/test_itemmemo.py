"""screener.itemmemo: a repeated item's rule is the rule read anew, spans moved; each caller
gets its own copy, and the memory is bounded."""

from __future__ import annotations

import pytest

from screener.extract import Extractor
from screener.itemmemo import ItemMemo, moved
from screener.rules import AllOf, Comparison, Manual, walk
from screener.text import normalize

ITEMS = [
    ("Pregnant or breastfeeding women", "exclusion", None),
    ("Platelets ≥ 100,000/mm³ and ANC \\> 1500/µL", "inclusion", None),  # normalisation moves characters
    ("Hemoglobin > 9 g/dL unless due to tumor infiltration", "inclusion", "Laboratory:"),
    ("Creatinine clearance >= 60 mL/min; no active infection.", "inclusion", None),
    ("Age 18 years or older", "inclusion", "Age:"),
]


@pytest.fixture(scope="module")
def extractors() -> tuple[Extractor, Extractor]:
    plain = Extractor()
    plain.memo = None
    return Extractor(), plain


@pytest.mark.parametrize("words, section, heading", ITEMS)
def test_a_repeat_is_the_rule_read_anew(extractors, words: str, section, heading) -> None:
    remembering, plain = extractors
    for offset in (0, 7, 1234, 7):  # the second sighting keeps the rule, the later ones recall it
        expected = plain.item_rule(normalize(words, offset), section, heading)
        got = remembering.item_rule(normalize(words, offset), section, heading)
        assert got.model_dump() == expected.model_dump()
    assert remembering.memo is not None and remembering.memo.hits >= 1


def test_each_caller_gets_its_own_copy() -> None:
    memo, reads = ItemMemo(), []

    def read(text, section, heading):
        reads.append(text.text)
        return Manual(question=text.text, span=text.origin(0, len(text.text)))

    first, second, third = (memo.rule(normalize("Unable to consent", at), "exclusion", None, read) for at in (0, 10, 20))
    assert reads == ["Unable to consent"] * 2 and (third.span, second.span) == ((20, 37), (10, 27))
    third.id = "E1.1"  # the compiler numbers what it is given: the kept rule must not change
    assert memo.rule(normalize("Unable to consent", 5), "exclusion", None, read).id is None


def test_sections_and_headings_are_apart() -> None:
    memo = ItemMemo()
    read = lambda text, section, heading: Manual(question=f"{section} {heading}", span=(0, 1))  # noqa: E731
    answers = {memo.rule(normalize("x y", 0), section, heading, read).question
               for section in ("inclusion", "exclusion") for heading in (None, "A:") for _ in range(3)}
    assert answers == {"inclusion None", "inclusion A:", "exclusion None", "exclusion A:"}


def test_memory_is_bounded() -> None:
    memo = ItemMemo(sightings=4, rules=2)
    read = lambda text, section, heading: Manual(question=text.text, span=(0, 1))  # noqa: E731
    for _ in range(2):
        for word in "abcdef":
            memo.rule(normalize(word * 3, 0), "inclusion", None, read)
    assert len(memo._seen) <= 4 and len(memo._rules) <= 2


def test_a_shared_node_stays_shared_in_the_copy() -> None:
    limit = Comparison(variable="age", op=">=", value=18, unit="year", span=(0, 5))
    tree = AllOf(items=[limit, AllOf(items=[limit], span=(0, 9))], span=(0, 9))
    copy = moved(tree, 100)
    nodes = list(walk(copy))
    assert nodes[1] is nodes[3] and nodes[1] is not limit and nodes[1].span == (100, 105) and limit.span == (0, 5)


HEADINGS = ["Laboratory:", "Age:", "Life expectancy:", "Age (in years) -- Creatinine (in mg/dL)", "Other:"]
UNDER_HEADINGS = [
    ("Pregnant or breastfeeding women", "exclusion", False),
    ("History of stroke or myocardial infarction", "exclusion", False),
    ("AST and ALT <= 2.5 x ULN", "inclusion", True),  # a bound without a digit: the heading may name its variable
    ("At least 2 months", "inclusion", True),
    ("18 to 75", "inclusion", True),
    ("Younger than 5 -- no greater than 1.2", "inclusion", True),
]


@pytest.mark.parametrize("words, section, reads_heading", UNDER_HEADINGS)
def test_a_rule_that_reads_no_heading_is_recalled_under_any(words: str, section, reads_heading: bool) -> None:
    remembering, plain = Extractor(), Extractor()
    plain.memo = None
    for offset, heading in enumerate(HEADINGS * 2):
        text = normalize(words, offset)
        assert remembering._heading_read(text.text, heading) == (reads_heading or "--" in heading)
        expected = plain.item_rule(normalize(words, offset), section, heading)
        assert remembering.item_rule(text, section, heading).model_dump() == expected.model_dump()
    assert remembering.memo is not None and (remembering.memo.hits > 0) != reads_heading

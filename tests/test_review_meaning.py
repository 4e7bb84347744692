"""The review page on the rules model's meaning kinds: an exception (``unless``), a group
restriction (``restrict``), two readings of one limit (``readings``), question ids
(``manual.id``), measurement context and event windows.  Each case is a small hand-built
criterion; the page is rendered and read back from its DOM (words, flags, questions)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from screener.plain import describe, questions, variables
from screener.review import (
    build_review,
    criterion_kind,
    logic_flags,
    read_rules_data,
    render_review,
    review_page,
)
from screener.rules import parse_rules
from screener.sources import Source

PAO2 = {"kind": "comparison", "variable": "pao2", "op": "<", "value": 8, "unit": "kPa"}
PAO2_MMHG = {"kind": "comparison", "variable": "pao2", "op": "<", "value": 60, "unit": "mmHg"}
ALT = {"kind": "comparison", "variable": "alt", "op": ">", "value": 3, "unit": "ULN"}
AGE_65 = {"kind": "comparison", "variable": "age", "op": ">=", "value": 65, "unit": "year"}
LIVER = {"kind": "condition", "condition": "liver_metastases"}
FEMALE = {"kind": "sex", "sex": "female"}
TUMOR = {"kind": "manual", "id": "E1.1", "question": "Is it due to tumor involvement?"}
CHILDBEARING = {"kind": "manual", "id": "I2.1", "question": "Is she of childbearing potential?"}
PREGNANCY = {"kind": "manual", "id": "I2.2", "question": "Is the pregnancy test negative?"}
AT_REST = ["at rest", "without oxygen"]
TEN_DAYS = {"event": "symptom_onset", "end": {"value": 10, "unit": "day"}}


def _unless(item, exception):
    return {"kind": "unless", "item": item, "exception": exception}


def _restrict(group, item, outside):
    return {"kind": "restrict", "group": group, "item": item, "outside": outside}


def _readings(*items):
    return {"kind": "readings", "items": list(items)}


def _lines(words, depth=0) -> list[str]:
    return ["  " * depth + words.text] + [line for child in words.children for line in _lines(child, depth + 1)]


@pytest.mark.parametrize(
    "rule, section, lines",
    [
        (_unless(ALT, LIVER), "exclusion", ["ALT above 3 x ULN, unless liver metastases present"]),
        (_unless(ALT, TUMOR), "exclusion", ["ALT above 3 x ULN, unless the answer to question E1.1 is yes"]),
        (_unless({"kind": "all", "items": [ALT, PAO2]}, LIVER), "exclusion",
         ["with an exception:", "  all of:", "    ALT above 3 x ULN", "    PaO2 below 8 kPa", "  unless liver metastases present"]),
        (_unless(ALT, {"kind": "any", "items": [LIVER, TUMOR]}), "exclusion",
         ["with an exception:", "  ALT above 3 x ULN", "  unless:", "    any of:", "      liver metastases present",
          "      needs review: question E1.1"]),
        (_restrict(FEMALE, PREGNANCY, True), "inclusion",
         ["for female patients only: the answer to question I2.2 is yes (does not apply to others)"]),
        (_restrict(AGE_65, PAO2, False), "exclusion",
         ["for patients with age at or above 65 years only: PaO2 below 8 kPa (does not apply to others)"]),
        # the value outside the group against the section's direction is said, not hidden
        (_restrict(AGE_65, PAO2, False), "inclusion",
         ["for patients with age at or above 65 years only: PaO2 below 8 kPa (for others it does not hold)"]),
        (_restrict(CHILDBEARING, PREGNANCY, True), "inclusion",
         ["for patients for whom the answer to question I2.1 is yes only: the answer to question I2.2 is yes (does not apply to others)"]),
        (_restrict(FEMALE, {"kind": "all", "items": [PAO2, ALT]}, True), "inclusion",
         ["for female patients only (does not apply to others):", "  all of:", "    PaO2 below 8 kPa", "    ALT above 3 x ULN"]),
        (_restrict({"kind": "all", "items": [FEMALE, CHILDBEARING]}, PREGNANCY, True), "inclusion",
         ["for one group only (does not apply to others):", "  the group:", "    all of:", "      female patients only",
          "      needs review: question I2.1", "  needs review: question I2.2"]),
        # under a negation the section's direction is reversed: said as the value, not "does not apply"
        ({"kind": "not", "item": _restrict(FEMALE, PAO2, True)}, "inclusion",
         ["not:", "  for female patients only: PaO2 below 8 kPa (for others it holds)"]),
        (_readings({**PAO2, "context": AT_REST}, {**PAO2_MMHG, "context": AT_REST}), "inclusion",
         ["PaO2 below 8 kPa and below 60 mmHg (both readings must agree), measured at rest, without oxygen"]),
        (_readings(PAO2, PAO2_MMHG, {**PAO2, "value": 8000, "unit": "Pa"}), "inclusion",
         ["PaO2 below 8 kPa and below 60 mmHg and below 8,000 Pa (all 3 readings must agree)"]),
        # readings that differ in more than the limit are listed one by one
        (_readings(PAO2, {**PAO2_MMHG, "context": ["at rest"]}), "inclusion",
         ["readings of one limit (both readings must agree):", "  PaO2 below 8 kPa", "  PaO2 below 60 mmHg, measured at rest"]),
        ({**PAO2, "alt": [{"value": 60, "unit": "mmHg"}], "context": AT_REST}, "inclusion",
         ["PaO2 below 8 kPa (60 mmHg), measured at rest, without oxygen"]),
        ({**PAO2, "window": TEN_DAYS}, "inclusion", ["PaO2 below 8 kPa, measured within 10 days after onset of symptoms"]),
        ({**PAO2, "window": {**TEN_DAYS, "start": {"value": 2, "unit": "day"}}}, "inclusion",
         ["PaO2 below 8 kPa, measured from 2 days to 10 days after onset of symptoms"]),
        (TUMOR, "exclusion", ["needs review: question E1.1"]),
        ({"kind": "manual", "question": "Is it severe?"}, "exclusion", ["needs review: question E9"]),
    ],
)
def test_meaning_kinds_in_plain_words(rule, section, lines):
    parse_rules(json.dumps(_rules([("E9", section, "x", rule)])))  # every case is a valid rule of the model
    assert _lines(describe(rule, "E9", section)) == lines


@pytest.mark.parametrize(
    "rule, what",
    [
        ({"kind": "unless", "item": ALT}, "'unless'"),
        ({"kind": "restrict", "group": FEMALE, "item": PAO2, "outside": "yes"}, "'restrict'"),
        ({"kind": "readings", "items": []}, "'readings'"),
        ({"kind": "exempt_when", "item": ALT, "exception": LIVER}, "'exempt_when'"),
    ],
)
def test_a_node_this_version_cannot_read_keeps_the_generic_fallback(rule, what):
    words = describe(rule, "E9")
    assert words.kind == "unknown" and words.text.startswith("left to review") and what in words.text
    assert json.loads(words.data or "") == rule
    assert criterion_kind(rule) == "review"


@pytest.mark.parametrize(
    "rule, kind, flags",
    [
        (_unless(ALT, LIVER), "computed", ["exception"]),
        (_unless(ALT, TUMOR), "partial", ["exception"]),
        (_unless(TUMOR, TUMOR), "review", ["exception"]),
        (_unless({"kind": "not", "item": LIVER}, TUMOR), "partial", ["negation", "exception"]),
        (_restrict(FEMALE, PAO2, True), "computed", ["restriction"]),
        (_restrict(CHILDBEARING, PREGNANCY, True), "review", ["restriction"]),
        (_restrict(AGE_65, _unless(ALT, LIVER), False), "computed", ["exception", "restriction"]),
        (_readings(PAO2, PAO2_MMHG), "computed", []),
        (_readings(PAO2, TUMOR), "partial", []),
        ({**PAO2, "window": TEN_DAYS, "context": AT_REST}, "computed", []),
    ],
)
def test_kind_and_logic_flags(rule, kind, flags):
    assert (criterion_kind(rule), logic_flags(rule)) == (kind, flags)


@pytest.mark.parametrize(
    "rule, asked",
    [
        (_unless(ALT, TUMOR), [("E1.1", "Is it due to tumor involvement?", "yes: the exception applies")]),
        (_restrict(CHILDBEARING, PREGNANCY, True),
         [("I2.1", "Is she of childbearing potential?", "yes: the patient is in the group"),
          ("I2.2", "Is the pregnancy test negative?", None)]),
        # a question without an id is answered by the criterion's
        ({"kind": "all", "items": [TUMOR, {"kind": "manual", "question": "Is it severe?"}]},
         [("E1.1", "Is it due to tumor involvement?", None), ("E9", "Is it severe?", None)]),
        # under a negation "yes" would be reversed: no role is claimed
        (_unless(ALT, {"kind": "not", "item": {"kind": "any", "items": [TUMOR]}}), [("E1.1", "Is it due to tumor involvement?", None)]),
    ],
)
def test_questions_have_their_ids_and_roles(rule, asked):
    assert [(q["id"], q["question"], q["role"]) for q in questions(rule, "E9")] == asked


def test_variables_inside_new_kinds_and_window_events():
    rule = _restrict(AGE_65, _readings({**PAO2, "window": TEN_DAYS}, PAO2_MMHG), False)
    found = {(v.kind, v.id): v for v in variables(rule)}
    assert set(found) == {("variable", "age"), ("variable", "pao2"), ("event", "symptom_onset")}
    assert found[("variable", "pao2")].units == ("kPa", "mmHg")
    assert found[("event", "symptom_onset")].name == "onset of symptoms"


# ---------------------------------------------------------------------------- the rendered page

CASES = [
    # id, section, text, rule (spans added from the text), plain words, flags, kind
    ("I1", "inclusion", "PaO2 < 8 kPa (< 60 mmHg) at rest without oxygen",
     _readings({**PAO2, "context": AT_REST}, {**PAO2_MMHG, "context": AT_REST}),
     "PaO2 below 8 kPa and below 60 mmHg (both readings must agree), measured at rest, without oxygen", [], "computed"),
    ("I2", "inclusion", "Women of childbearing potential: negative pregnancy test",
     _restrict(CHILDBEARING, PREGNANCY, True),
     "for patients for whom the answer to question I2.1 is yes only: the answer to question I2.2 is yes (does not apply to others)",
     ["restriction"], "review"),
    ("I3", "inclusion", "PaO2 < 8 kPa within 10 days after onset", {**PAO2, "window": TEN_DAYS},
     "PaO2 below 8 kPa, measured within 10 days after onset of symptoms", [], "computed"),
    ("E1", "exclusion", "ALT > 3 x ULN unless due to tumor involvement", _unless(ALT, TUMOR),
     "ALT above 3 x ULN, unless the answer to question E1.1 is yes", ["exception"], "partial"),
    ("E2", "exclusion", "Women: PaO2 < 8 kPa unless liver metastases",
     _restrict(FEMALE, _unless(PAO2, LIVER), False),
     "for female patients only: PaO2 below 8 kPa, unless liver metastases present (does not apply to others)",
     ["exception", "restriction"], "computed"),
]


def _rules(cases) -> dict:
    return {"schema_version": 1, "trial": {"id": "T1"},
            "criteria": [{"id": i, "section": s, "text": t, "rule": r} for i, s, t, r in cases]}


def _page_rules() -> tuple[dict, str]:
    """The cases as one trial: their texts under two headings, each criterion on its span."""
    text = "Inclusion Criteria:\n" + "".join(f"- {c[2]}\n" for c in CASES if c[1] == "inclusion")
    text += "Exclusion Criteria:\n" + "".join(f"- {c[2]}\n" for c in CASES if c[1] == "exclusion")
    criteria = []
    for cid, section, words, rule, *_ in CASES:
        span = [text.index(words), text.index(words) + len(words)]
        criteria.append({"id": cid, "section": section, "text": words, "span": span, "rule": _spanned(rule, span)})
    return {"schema_version": 1, "trial": {"id": "T1"}, "criteria": criteria}, text


def _spanned(node, span: list[int]):
    """Every node of a rule with the criterion's span (so its numbers count as read)."""
    if isinstance(node, dict):
        return {**{k: _spanned(v, span) for k, v in node.items()}, **({"span": span} if "kind" in node else {})}
    if isinstance(node, list):
        return [_spanned(v, span) for v in node]
    return node


class _Dom(HTMLParser):
    """Text content of the elements with an id, and of each card's plain words and tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, list[str]]] = []  # tag and the keys collecting its text
        self.text: dict[str, str] = {}
        self.tags: dict[str, list[str]] = {}
        self.card: str | None = None
        self.kinds: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        keys = []
        if tag == "article" and (attributes.get("id") or "").startswith("c-"):
            self.card = attributes["id"][2:]
            self.kinds[self.card] = attributes.get("data-kind") or ""
            keys.append(f"card {self.card}")
        if tag == "dd" and "plain" in (attributes.get("class") or "").split() and self.card:
            keys.append(f"plain {self.card}")
        if tag == "span" and attributes.get("class") == "tag" and self.card:
            keys.append(f"tag {self.card}")
        if tag == "ul" and attributes.get("class") == "flags":
            keys.append("summary flags")
        if tag in ("meta", "link", "br", "input", "img"):
            return
        for key in keys:
            self.text.setdefault(key, "")
        self.open.append((tag, keys))

    def handle_endtag(self, tag):
        while self.open:
            opened, keys = self.open.pop()
            for key in keys:
                if key.startswith("tag "):
                    self.tags.setdefault(key[4:], []).append(self.text.pop(key).strip())
            if opened == tag:
                break

    def handle_data(self, data):
        for _, keys in self.open:
            for key in keys:
                self.text[key] += data


def _dom(page: str) -> _Dom:
    dom = _Dom()
    dom.feed(page)
    return dom


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def page() -> _Dom:
    rules, text = _page_rules()
    review = build_review(rules, Source(text, 0, len(text), "T1"))
    assert not review.warnings and not review.unread  # every number is read, "10 days" by its window
    return _dom(render_review(review))


@pytest.mark.parametrize("cid, words, flags, kind", [(c[0], c[4], c[5], c[6]) for c in CASES], ids=[c[0] for c in CASES])
def test_each_card_says_the_rule_and_its_flags(page, cid, words, flags, kind):
    assert _squash(page.text[f"plain {cid}"]) == words
    assert page.tags.get(cid, []) == flags
    assert page.kinds[cid] == kind


def test_summary_lists_the_flagged_criteria(page):
    flagged = _squash(page.text["summary flags"])
    assert flagged == " ".join(f"{c[0]} {' '.join(c[5])}" for c in CASES if c[5])


@pytest.mark.parametrize(
    "cid, lines",
    [
        ("E1", ["E1.1: Is it due to tumor involvement? (yes: the exception applies)", "E1.1: true", "E1: true"]),
        ("I2", ["I2.1: Is she of childbearing potential? (yes: the patient is in the group)",
                "I2.2: Is the pregnancy test negative?", "I2.1: true", "I2: true"]),
    ],
)
def test_review_questions_are_named_by_their_ids(page, cid, lines):
    card = _squash(page.text[f"card {cid}"])
    for line in lines:
        assert line in card


def test_a_rules_file_with_the_new_kinds_is_read_without_warnings(tmp_path: Path):
    rules, text = _page_rules()
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps({**rules, "trial": {"id": "T1", "source": "t.txt"}}), encoding="utf-8")
    assert read_rules_data(tmp_path / "r.json")[1] == []
    assert "left to review: a rule of kind" not in review_page(tmp_path / "r.json")


@pytest.mark.parametrize(
    "text, window, unread",
    [
        ("PaO2 < 8 kPa within 10 days after onset", TEN_DAYS, []),  # the window its rule reads
        ("PaO2 < 8 kPa from 2 days to 10 days after onset", {**TEN_DAYS, "start": {"value": 2, "unit": "day"}}, []),
        ("PaO2 < 8 kPa within 10 weeks after onset", TEN_DAYS, ["10"]),  # not the window's 10 days
        ("PaO2 < 8 kPa within 10 days after onset", None, ["10"]),
    ],
)
def test_an_event_window_read_by_its_rule_is_not_an_unread_number(text, window, unread):
    rule = {**PAO2, "span": [0, 12], **({"window": window} if window else {})}
    criteria = [{"id": "I1", "section": "inclusion", "text": text, "span": [0, len(text)], "rule": rule}]
    review = build_review({"trial": {"id": "T1"}, "criteria": criteria}, Source(text, 0, len(text), "T1"))
    assert [u.text for u in review.unread] == unread

"""The review page without a browser: kinds, logic flags, unread numbers, plain words,
where the source comes from, unknown node kinds, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from screener.errors import RulesError, SourceError
from screener.plain import describe, variables
from screener.review import (Piece, _nest, _rows, build_review, criterion_kind, logic_flags, read_rules_data, read_source,
                             render_review, review_page, unread_numbers)
from screener.sources import Source

ROOT = Path(__file__).resolve().parents[1]
SEED_RULES = ROOT / "rules" / "NCT02213705.yaml"
SEED_TEXT = ROOT / "tests" / "fixtures" / "seeds" / "NCT02213705.txt"

CMP = {"kind": "comparison", "variable": "pao2", "op": "<", "value": 8, "unit": "kPa"}
COND = {"kind": "condition", "condition": "hiv"}
MANUAL = {"kind": "manual", "question": "Is it severe?"}
NONE = {"kind": "none"}


@pytest.mark.parametrize(
    "rule, kind",
    [
        (CMP, "computed"),
        ({"kind": "all", "items": [CMP, COND]}, "computed"),
        ({"kind": "all", "items": [CMP, MANUAL]}, "partial"),
        ({"kind": "not", "item": {"kind": "any", "items": [MANUAL, COND]}}, "partial"),
        (MANUAL, "review"),
        ({"kind": "any", "items": [MANUAL, MANUAL]}, "review"),
        (NONE, "none"),
        ({"kind": "qualifier", "of": CMP}, "review"),  # a kind this version does not know
        ({"kind": "all", "items": [CMP, {"kind": "measured_in", "context": "at rest"}]}, "partial"),
        ({"kind": "sex", "sex": "female"}, "computed"),
    ],
)
def test_criterion_kind(rule, kind):
    assert criterion_kind(rule) == kind


@pytest.mark.parametrize(
    "rule, flags",
    [
        (CMP, []),
        ({"kind": "not", "item": COND}, ["negation"]),
        ({"kind": "all", "items": [COND, {"kind": "not", "item": COND}]}, ["negation", "exception"]),
        ({"kind": "any", "items": [{"kind": "not", "item": COND}, CMP]}, ["negation", "restriction"]),
        ({"kind": "all", "items": [{"kind": "sex", "sex": "male"}, CMP]}, ["restriction"]),
        ({"kind": "sex", "sex": "male"}, []),  # the registry's own sex field restricts the trial, not a limit
        ({"kind": "except", "items": [COND]}, ["exception"]),
    ],
)
def test_logic_flags(rule, flags):
    assert logic_flags(rule) == flags


@pytest.mark.parametrize(
    "text, read, unread",
    [
        ("PaO2 < 8 kPa", [(0, 12)], []),
        ("PaO2 < 8 kPa and at least 6 months", [(0, 12)], ["6"]),
        ("1. Respiratory disease: FVC < 70%", [(24, 33)], []),
        ("  2) Heart disease", [], []),
        ("HIV1, 2 or HTLV-1 and SF-36 and 10^9/L", [], ["2"]),
        ("platelets > 100,000/mm3 or 1.5 mg", [], ["100,000", "1.5"]),
        ("aged 18-75 years", [], ["18", "75"]),
        ("Grade 3 or more", [], ["3"]),
    ],
)
def test_unread_numbers(text, read, unread):
    assert [text[a:b] for a, b in unread_numbers(text, 0, len(text), read)] == unread


def test_a_recency_window_read_by_its_rule_is_not_unread():
    text = "ANC >= 1500/mm3 within 14 days prior to registration"
    at = text.index("14")
    assert unread_numbers(text, 0, len(text), [(0, 15)], {at: {(14.0, "day")}}) == []
    assert [text[a:b] for a, b in unread_numbers(text, 0, len(text), [(0, 15)], {at: {(7.0, "day")}})] == ["14"]


@pytest.mark.parametrize(
    "rule, words",
    [
        ({**CMP, "alt": [{"value": 60, "unit": "mmHg"}]}, "PaO2 below 8 kPa (60 mmHg)"),
        ({"kind": "comparison", "variable": "alt", "op": ">=", "value": 3, "unit": "ULN"}, "ALT at or above 3 x ULN"),
        ({"kind": "comparison", "variable": "creatinine", "op": "<", "value": 1.5, "unit": "mg/dL", "unit_implied": True},
         "serum creatinine below 1.5 mg/dL [unit not written: read from the value's range]"),
        ({"kind": "comparison", "variable": "neutrophils", "op": ">=", "value": 1500, "unit": "/uL", "within": {"value": 14, "unit": "day"}},
         "ANC at or above 1,500/uL, measured within the last 14 days"),
        ({"kind": "condition", "condition": "malignancy", "timing": "history", "within": {"value": 10, "unit": "year"}},
         "history of malignancy within 10 years"),
        ({"kind": "interval", "start": "symptom_onset", "end": "hospital_admission", "op": "<", "value": 10, "unit": "day"},
         "time from onset of symptoms to hospital admission below 10 days"),
        ({"kind": "sex", "sex": "female"}, "female patients only"),
        (NONE, "no requirement stated"),
        (MANUAL, "needs review: question E9"),
    ],
)
def test_plain_words_are_the_explanations_wording(rule, words):
    assert describe(rule, "E9").text == words


def test_unknown_kinds_and_fields_keep_their_data():
    words = describe({"kind": "qualifier", "context": "at rest"})
    assert words.kind == "unknown" and words.text.startswith("left to review")
    assert json.loads(words.data) == {"kind": "qualifier", "context": "at rest"}
    extra = describe({**CMP, "posture": "supine"})
    assert extra.kind == "comparison" and json.loads(extra.data) == {"posture": "supine"}


def test_variables_have_units_and_codes():
    rule = {"kind": "any", "items": [{**CMP, "alt": [{"value": 60, "unit": "mmHg"}]}, {**CMP, "value": 7}, COND]}
    found = {v.id: v for v in variables(rule)}
    assert found["pao2"].units == ("kPa", "mmHg") and found["pao2"].code and found["pao2"].canonical_unit
    assert found["hiv"].kind == "condition" and "ICD10" in (found["hiv"].code or "")


def _rules(criteria: list[dict], source: str | None = None) -> dict:
    return {"schema_version": 1, "trial": {"id": "T1", "source": source}, "criteria": criteria}


def _source(text: str) -> Source:
    return Source(text, 0, len(text), "T1")


def test_page_marks_spans_and_flags_numbers():
    text = "Inclusion Criteria:\n- PaO2 < 8 kPa for 6 months\n- Consent\n"
    a, b = text.index("PaO2"), text.index(" for")
    criteria = [
        {"id": "I1", "section": "inclusion", "text": text[a:text.index("\n- C")], "span": [a, text.index("\n- C")],
         "rule": {**CMP, "span": [a, b]}},
        {"id": "I2", "section": "inclusion", "text": "Consent", "span": [text.index("Consent"), text.index("Consent") + 7],
         "rule": {**MANUAL, "span": [text.index("Consent"), text.index("Consent") + 7]}},
    ]
    review = build_review(_rules(criteria), _source(text))
    assert [(u.text, u.criterion) for u in review.unread] == [("6", "I1")]
    assert review.counts == {"computed": 1, "partial": 0, "review": 1, "none": 0}
    page = render_review(review)
    assert '<mark class="criterion kind-computed" id="t-I1"' in page and 'id="c-I2"' in page
    assert re.search(r'<mark class="unread" id="n-\d+"[^>]*>6</mark>', page)
    assert '<span class="read">PaO2 &lt; 8 kPa</span>' in page


def test_page_without_script_has_none():
    review = build_review(_rules([]), _source("Inclusion: none"))
    assert "<script" not in render_review(review, filter_script=False)
    assert "<script>" in render_review(review) and "http" not in render_review(review)


def test_unknown_kind_renders_as_left_to_review(tmp_path):
    text = "PaO2 < 8 kPa at rest"
    rules = _rules([{"id": "E1", "section": "exclusion", "text": text, "span": [0, len(text)], "manual": False,
                     "rule": {"kind": "measured", "context": "at rest", "item": {**CMP, "span": [0, 12]}, "span": [0, len(text)]}}],
                   source=str(tmp_path / "t.txt"))
    (tmp_path / "t.txt").write_text(text)
    (tmp_path / "r.json").write_text(json.dumps(rules))
    with pytest.raises(RulesError):
        from screener.rules import load_rules

        load_rules(tmp_path / "r.json")
    _, warnings = read_rules_data(tmp_path / "r.json")
    assert warnings and "measured" in warnings[0] and "newer screener" in warnings[0]
    page = review_page(tmp_path / "r.json")
    assert 'class="rule kind-review"' in page and "left to review: a rule of kind &#39;measured&#39;" in page
    assert "&#34;context&#34;: &#34;at rest&#34;" in page


def test_a_field_this_version_does_not_know_is_shown(tmp_path):
    text = "PaO2 < 8 kPa at rest"
    node = {**CMP, "posture": "at rest", "span": [0, 12]}
    rules = _rules([{"id": "E1", "section": "exclusion", "text": text, "span": [0, len(text)], "rule": node}], str(tmp_path / "t.txt"))
    (tmp_path / "t.txt").write_text(text)
    (tmp_path / "r.json").write_text(json.dumps(rules))
    _, warnings = read_rules_data(tmp_path / "r.json")
    assert "field posture" in warnings[0]
    page = review_page(tmp_path / "r.json")
    assert 'class="rule kind-computed"' in page and "PaO2 below 8 kPa" in page and "&#34;posture&#34;: &#34;at rest&#34;" in page


@pytest.mark.parametrize(
    "name, text",
    [
        ("r.yaml", "trial: {id: T}\ncriteria:\n- id: I1\n  section: inclusion\n  text: x\n  rule: {kind: comparison, op: '<'}\n"),
        ("r.json", '{"trial": {"id": "T"}, "criteria": [{"id": "I1", "rule": {"kind": "new"}'),
        ("r.yaml", "trial: [unclosed\n"),
    ],
)
def test_a_malformed_rules_file_is_still_an_error(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    with pytest.raises(RulesError):
        read_rules_data(tmp_path / name)


def test_source_from_the_rules_file_or_the_option(tmp_path, monkeypatch):
    rules, _ = read_rules_data(SEED_RULES)
    monkeypatch.chdir(tmp_path)  # the seed rules name their source relative to the worktree
    with pytest.raises(SourceError, match="--source"):
        read_source(rules, SEED_RULES)
    assert read_source(rules, SEED_RULES, SEED_TEXT).text == SEED_TEXT.read_text(encoding="utf-8")
    (tmp_path / "trials.jsonl").write_text("{}\n" + json.dumps({"nct_id": "T1", "eligibility_criteria": "Age > 18"}) + "\n")
    source = read_source({"trial": {"id": "T1", "source": "trials.jsonl:2"}}, tmp_path / "r.yaml")
    assert source.text == "Age > 18" and source.trial_id == "T1"
    with pytest.raises(SourceError, match="no source"):
        read_source({"trial": {"id": "T1"}}, tmp_path / "r.yaml")


def test_the_wrong_source_is_an_error():
    rules, _ = read_rules_data(SEED_RULES)
    with pytest.raises(SourceError, match="is it the trial's source"):
        build_review(rules, _source(SEED_TEXT.read_text(encoding="utf-8")[100:]))


def test_cli_review(tmp_path):
    out = tmp_path / "review.html"
    run = subprocess.run([sys.executable, "-m", "screener", "review", str(SEED_RULES), "--source", str(SEED_TEXT), "--out", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "NCT02213705" in page and 'id="c-E3"' in page
    bad = subprocess.run([sys.executable, "-m", "screener", "review", str(SEED_RULES), "--source", str(tmp_path / "none.txt"),
                          "--out", str(tmp_path / "x.html")], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
    assert not (tmp_path / "x.html").exists()


# ---------------------------------------------------------------------------- properties

TEXTS = st.text(alphabet="ab 1234567890.,-()\n*^/x%<>", max_size=80)


def _intervals(size: int):
    """Sorted, non-overlapping intervals inside [0, size)."""
    return st.lists(st.integers(0, size), max_size=10).map(sorted).map(
        lambda cuts: [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b])


def _flat(pieces: list[Piece]) -> str:
    return "".join(p.text if p.tag is None else _flat(p.children) for p in pieces)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_marking_never_changes_the_text(data):
    text = data.draw(TEXTS)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    outer = data.draw(_intervals(len(text)))
    inner = data.draw(_intervals(len(text)))
    pieces = _nest(text, start, end, [[(a, b, "criterion", {"id": f"C{a}"}) for a, b in outer], [(a, b, "read", {}) for a, b in inner]])
    assert _flat(pieces) == text[start:end]
    views = {f"C{a}": None for a, _ in outer}
    rows = _rows(pieces, views)  # type: ignore[arg-type]
    assert "".join(_flat(row.pieces) for row in rows) == text[start:end]
    read = inner
    for a, b in unread_numbers(text, start, end, read):
        assert start <= a < b <= end and re.fullmatch(r"[\d.,]+", text[a:b])
        assert not any(x <= a and b <= y for x, y in read)

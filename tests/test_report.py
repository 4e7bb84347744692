"""Tests of screener.report: table, markdown and JSON renderings of a Result."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from screener.evaluate import Result, check
from screener.patient import ConditionState, Measurement, Patient
from screener.report import collapse, md_cell, render, truncate
from screener.rules import Comparison, Condition, Criterion, Manual, RuleSet, Trial

LONG_TEXT = (
    "Patients with   severe\n  pulmonary involvement: PaO2 < 8 kPa (60 mmHg) at rest | measured on room air "
    "with an arterial blood gas drawn at least twice within the screening period of the trial, confirmed "
    "by the investigator"
)


def rules() -> RuleSet:
    return RuleSet(
        trial=Trial(id="NCT02213705", title="Autologous stem cell\ntransplantation in severe systemic sclerosis"),
        criteria=[
            Criterion(id="I1", section="inclusion", text=LONG_TEXT,
                      rule=Comparison(variable="pao2", op="<", value=8, unit="kPa")),
            Criterion(id="I2", section="inclusion", text="Creatinine clearance ≥ 60 mL/min/1.73 m²",
                      rule=Comparison(variable="creatinine_clearance", op=">=", value=60, unit="mL/min/1.73m2")),
            Criterion(id="E1", section="exclusion", text="PASP > 55 mmHg",
                      rule=Comparison(variable="pasp", op=">", value=55, unit="mmHg")),
            Criterion(id="E2", section="exclusion", text="Pregnancy",
                      rule=Condition(condition="pregnancy", timing="current")),
            Criterion(id="E7", section="exclusion", text="Any condition | judged unsuitable", manual=True,
                      rule=Manual(question="Is there any condition that makes the patient unsuitable?")),
        ],
    )


def patient(**kw) -> Patient:
    measurements = {
        "pao2": Measurement(variable="pao2", name="PaO2", value=55, unit="mmHg"),
        "creatinine_clearance": Measurement(variable="creatinine_clearance", name="CrCl", value=78, unit="mL/min"),
        "pasp": Measurement(variable="pasp", name="PASP", value=32, unit="mmHg"),
    }
    base = dict(
        id="P-001",
        as_of=dt.date(2024, 5, 1),
        source="patients/p001.yaml",
        measurements=measurements,
        conditions={"pregnancy": ConditionState(condition="pregnancy", name="pregnant", status="absent")},
    )
    base.update(kw)
    return Patient(**base)


@pytest.fixture
def review() -> Result:
    """needs_review: no height/weight for I2, no answer for E7."""
    return check(rules(), patient())


@pytest.fixture
def eligible() -> Result:
    return check(rules(), patient(height_cm=170, weight_kg=60, answers={"E7": False}))


@pytest.fixture
def ineligible() -> Result:
    pasp = Measurement(variable="pasp", name="PASP", value=60, unit="mmHg")
    pat = patient(height_cm=170, weight_kg=60, answers={"E7": False})
    pat.measurements["pasp"] = pasp
    return check(rules(), pat)


def test_fixtures_have_the_expected_verdicts(review, eligible, ineligible):
    assert review.verdict == "needs_review"
    assert review.to_collect == [
        "height and weight (for body surface area)",
        "answer to E7: Is there any condition that makes the patient unsuitable?",
    ]
    assert eligible.verdict == "eligible"
    assert ineligible.verdict == "ineligible"


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
@pytest.mark.parametrize("which", ["review", "eligible", "ineligible"])
def test_each_format_renders(fmt, which, request):
    result = request.getfixturevalue(which)
    text = render(result, fmt)
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert result.patient.id in text
    assert "NCT02213705" in text
    for criterion in result.criteria:
        assert criterion.id in text


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format 'html'"):
        render(check(rules(), patient()), "html")


# ---------------------------------------------------------------------------- json


@pytest.mark.parametrize("which", ["review", "eligible", "ineligible"])
def test_json_round_trips(which, request):
    result = request.getfixturevalue(which)
    text = render(result, "json")
    assert text.startswith("{\n  \"trial\"")
    assert Result.model_validate_json(text) == result
    data = json.loads(text)
    assert list(data) == ["trial", "patient", "verdict", "criteria", "to_collect", "as_of"]
    assert data["verdict"] == result.verdict
    assert data["as_of"] == "2024-05-01"
    assert data["criteria"][0]["text"] == LONG_TEXT  # the exact text, not collapsed


# ---------------------------------------------------------------------------- table


def test_table_names_the_verdict_and_what_to_collect(review):
    text = render(review, "table")
    assert "NEEDS REVIEW" in text
    joined = " ".join(line.strip() for line in text.splitlines())
    assert "I2 (inclusion unknown)" in joined and "E7 (exclusion unknown)" in joined
    after = text.split("To collect next:", 1)[1]
    assert "height and weight (for body surface area)" in after
    assert "answer to E7: Is there any condition that makes the patient unsuitable?" in after


def test_table_header_line(review):
    # the header (wrapped when longer than the width) comes before the first blank line
    first = " ".join(line.strip() for line in render(review, "table").split("\n\n")[0].splitlines())
    assert "NCT02213705" in first
    assert "Autologous stem cell transplantation" in first  # whitespace collapsed
    assert "P-001" in first
    assert "2024-05-01" in first


def test_table_verdict_words(eligible, ineligible):
    text = render(ineligible, "table")
    assert "INELIGIBLE: E1 (exclusion met)" in text
    assert "To collect next:" not in text
    text = render(eligible, "table")
    assert re.search(r"^Verdict: ELIGIBLE", text, re.M)
    assert "INELIGIBLE" not in text


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_table_fits_the_width(review, width):
    text = render(review, "table", width=width)
    assert max(len(line) for line in text.splitlines()) <= width


def test_table_default_width_is_100(review):
    assert render(review, "table") == render(review, "table", width=100)


def test_table_rows_and_text(review):
    text = render(review, "table")
    lines = text.splitlines()
    rows = [line for line in lines if re.match(r"^(I|E)\d\s", line)]
    assert [row.split()[0] for row in rows] == ["I1", "I2", "E1", "E2", "E7"]
    i1 = rows[0].split()
    assert i1[1:4] == ["inclusion", "met", "pass"]
    # the long criterion text: collapsed and cut in the table...
    assert "Patients with severe pulmonary involvement" in text
    assert "confirmed by the investigator" not in text
    assert "…" in rows[0]
    # ...while the explanation is wrapped, never cut
    joined = " ".join(line.strip() for line in lines)
    assert "creatinine clearance 78 mL/min against a limit in mL/min/1.73m2" in joined
    assert "needs height and weight to compute body surface area" in joined


# ---------------------------------------------------------------------------- markdown


def test_markdown(review):
    text = render(review, "markdown")
    lines = text.splitlines()
    assert lines[0].startswith("# ")
    assert "**Verdict: NEEDS REVIEW" in text
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + len(review.criteria)
    for line in table:
        # every row has the same number of unescaped pipes
        assert len(re.findall(r"(?<!\\)\|", line)) == 7
    # the full criterion text, collapsed to one line, pipes escaped
    assert collapse(LONG_TEXT).replace("|", "\\|") in text
    assert "Any condition \\| judged unsuitable" in text
    assert "## To collect next" in text
    assert "- height and weight (for body surface area)" in text


def test_markdown_eligible_has_nothing_to_collect(eligible):
    text = render(eligible, "markdown")
    assert "**Verdict: ELIGIBLE" in text
    assert "Nothing" in text


# ---------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("short", 10, "short"),
        ("one two three four five", 12, "one two…"),
        ("abcdefghijklmnop", 8, "abcdefg…"),
        ("exactly ten", 11, "exactly ten"),
    ],
)
def test_truncate(text, limit, expected):
    assert truncate(text, limit) == expected
    assert len(truncate(text, limit)) <= limit


def test_collapse_and_md_cell():
    assert collapse("  a\n\tb   c ") == "a b c"
    assert collapse(None) == ""
    assert md_cell("a | b\nc") == "a \\| b c"

"""Tests of screener.report: table, markdown and JSON renderings of a Result."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from screener.evaluate import Result, check
from screener.patient import ConditionState, Measurement, Patient
from screener.errors import InputError
from screener.report import DISCLAIMER, FORMATS, collapse, md_cell, render, truncate
from screener.rules import AllOf, Comparison, Condition, Criterion, Manual, RuleSet, Trial

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


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "html"])
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
    with pytest.raises(ValueError, match="unknown format 'pdf'") as caught:
        render(check(rules(), patient()), "pdf")
    assert isinstance(caught.value, InputError)
    for fmt in FORMATS:
        assert fmt in str(caught.value)
    assert "html" in FORMATS


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
    # the long criterion text: collapsed and shown once, in full, wrapped in its own row...
    joined = " ".join(line.strip() for line in lines)
    assert "Patients with severe pulmonary involvement" in text
    assert joined.count("confirmed by the investigator") == 1
    assert "…" not in rows[0]
    # ...and the explanation is wrapped, never cut
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


# ---------------------------------------------------------------------------- html

NASTY_TEXT = "ALT > 3 x ULN\n  <script>alert(1)</script> & \\<60% \"quoted\" 'single'"
TRACKED = {"table", "thead", "tbody", "tr", "td", "th", "ul", "li", "section", "div"}


class TagChecker(HTMLParser):
    """Parses a page, keeps a stack of the tracked tags and fails on any mismatch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.seen: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.doctype: str | None = None

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self.seen.append(tag)
        self.links += [value or "" for name, value in attrs if name in {"href", "src", "action"}]
        if tag in TRACKED:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in TRACKED:
            assert self.stack, f"</{tag}> closes nothing"
            assert self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1]}>"
            self.stack.pop()

    def handle_startendtag(self, tag, attrs):
        assert tag not in TRACKED, f"<{tag}/> self-closed"
        self.seen.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parse_page(text: str) -> TagChecker:
    checker = TagChecker()
    checker.feed(text)
    checker.close()
    assert checker.stack == [], f"unclosed tags: {checker.stack}"
    return checker


def nasty_rules() -> RuleSet:
    return RuleSet(
        trial=Trial(id="T-<1>&", title="A <b>bold</b> & \"risky\" trial"),
        criteria=[
            Criterion(id="I1", section="inclusion", text="Age >= 18 years",
                      rule=Comparison(variable="age", op=">=", value=18, unit="year")),
            Criterion(id="E1", section="exclusion", text=NASTY_TEXT,
                      rule=Comparison(variable="alt", op=">", value=3, unit="ULN")),
        ],
    )


@pytest.fixture
def assumed() -> Result:
    """needs_review: ALT has no ULN in the profile, so E1 rests on the default adult range."""
    pat = Patient(id="P-<7>", as_of=dt.date(2024, 5, 1), birth_date=dt.date(1970, 1, 1),
                  measurements={"alt": Measurement(variable="alt", name="ALT", value=50, unit="U/L")})
    return check(nasty_rules(), pat)


@pytest.mark.parametrize("which", ["review", "eligible", "ineligible", "assumed"])
def test_html_is_well_formed_and_self_contained(which, request):
    result = request.getfixturevalue(which)
    text = render(result, "html")
    assert text.startswith("<!doctype html>\n")
    assert text.endswith("</html>\n")
    assert '<meta charset="utf-8">' in text
    page = parse_page(text)
    assert page.doctype is not None and page.doctype.lower() == "doctype html"
    for tag in ("html", "head", "title", "style", "body", "table", "section"):
        assert tag in page.seen
    assert "script" not in page.seen and "link" not in page.seen and "img" not in page.seen
    assert page.links == []
    assert "http://" not in text and "https://" not in text
    assert "@import" not in text and "url(" not in text
    assert "@media print" in text
    assert text.count("<tr") == 1 + sum(max(1, len(c.details)) for c in result.criteria)


def test_html_escapes_every_text(assumed):
    text = render(assumed, "html")
    page = parse_page(text)
    assert "<script" not in text.lower()
    assert "script" not in page.seen and "b" not in page.seen
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \\&lt;60%" in text
    assert "&#34;quoted&#34; &#39;single&#39;" in text  # markupsafe's entities for " and '
    assert "T-&lt;1&gt;&amp;" in text and "P-&lt;7&gt;" in text
    assert "A &lt;b&gt;bold&lt;/b&gt;" in text
    # parsed back, the page's text holds the criterion text exactly (whitespace kept)
    assert NASTY_TEXT in "".join(page.text)
    assert "white-space: pre-wrap" in text


@pytest.mark.parametrize(
    "which, words",
    [("review", "Needs review"), ("eligible", "Eligible"), ("ineligible", "Ineligible")],
)
def test_html_verdict_banner_and_disclaimer(which, words, request):
    result = request.getfixturevalue(which)
    text = render(result, "html")
    banner = re.search(r'<div class="verdict verdict-(\w+)"[^>]*>(.*?)</div>', text, re.S)
    assert banner and banner.group(1) == result.verdict
    assert f"{words}:" in banner.group(2)
    assert DISCLAIMER == "Pre-screen only: to be confirmed by the investigator; not a clinical decision."
    assert DISCLAIMER in text
    for other in {"Needs review", "Eligible", "Ineligible"} - {words}:
        assert f"{other}:</strong>" not in text
    head = text.split("<body>", 1)[1].split('<div class="verdict', 1)[0]
    assert "NCT02213705" in head and "Autologous stem cell transplantation" in head
    assert "P-001" in head and "2024-05-01" in head


def test_html_order_deciding_then_to_collect_then_table(review):
    text = render(review, "html")
    deciding = text.index("What needs review")
    collect = text.index("Data to collect next")
    table = text.index("<table")
    assert deciding < collect < table
    section = text[deciding:collect]
    assert "I2 (inclusion unknown)" in section and "E7 (exclusion unknown)" in section
    assert "I1 (" not in section
    items = re.findall(r"<li>(.*?)</li>", text[collect:table])
    assert items == [
        "height and weight (for body surface area)",
        "answer to E7: Is there any condition that makes the patient unsuitable?",
    ]


def test_html_ineligible_explains_why(ineligible):
    text = render(ineligible, "html")
    section = text[text.index("Why ineligible"):text.index("Data to collect next")]
    assert "E1 (exclusion met)" in section
    assert "PASP 60 mmHg, above 55 mmHg: met" in section
    assert "Nothing to collect: the verdict is decided." in text


def test_html_table_shows_values_thresholds_and_full_text(review):
    text = render(review, "html")
    table = text[text.index("<table"):]
    # full source text, escaped, whitespace kept (the pre-wrap cell shows the newlines)
    assert "Patients with   severe\n  pulmonary involvement: PaO2 &lt; 8 kPa" in table
    assert "confirmed by the investigator" in table
    for header in ("Patient value", "Converted", "Threshold", "Explanation"):
        assert f">{header}</th>" in table
    row = re.search(r'<tr[^>]*id="c-I1"[^>]*>(.*?)</tr>', table, re.S).group(1)
    assert "<td>55 mmHg</td><td>7.33 kPa</td><td>&lt; 8 kPa</td>" in row
    assert "PaO2 55 mmHg = 7.33 kPa, below 8 kPa: met" in row
    assert ">met<" in row and ">pass<" in row
    row = re.search(r'<tr[^>]*id="c-I2"[^>]*>(.*?)</tr>', table, re.S).group(1)
    assert ">unknown<" in row and ">review<" in row
    assert "Missing: height and weight (for body surface area)" in row
    assert 'class="tag">manual<' in table  # E7 is a manual criterion


def test_html_flags_assumed_defaults(assumed, review):
    assert assumed.criteria[1].details[0].assumed
    text = render(assumed, "html")
    flag = re.search(r'<div class="assumed">(.*?)</div>', text)
    assert flag and flag.group(1) == "Default used: ALT upper limit of normal from the lab"
    assert "Needs review:" in text
    assert "ALT upper limit of normal from the lab</li>" in text  # and it is to be collected
    assert 'class="assumed"' not in render(review, "html")


def test_html_one_row_per_leaf():
    rules_ = RuleSet(
        trial=Trial(id="T2"),
        criteria=[
            Criterion(id="I1", section="inclusion", text="PaO2 < 8 kPa and PASP > 20 mmHg",
                      rule=AllOf(items=[Comparison(variable="pao2", op="<", value=8, unit="kPa"),
                                         Comparison(variable="pasp", op=">", value=20, unit="mmHg")])),
        ],
    )
    result = check(rules_, patient())
    assert len(result.criteria[0].details) == 2
    text = render(result, "html")
    parse_page(text)
    assert 'rowspan="2"' in text
    assert "(untitled trial)" not in text and "T2" in text

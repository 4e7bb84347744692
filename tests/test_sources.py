"""screener.sources: finding the criteria and the structured fields in saved registry
pages, and reading registry JSON (API v2), corpus JSONL and legacy XML records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.errors import InputError, SourceError
from screener.segment import segment
from screener.sources import Source, StructuredField, from_record, from_text, read_sources

# A registry web page (excerpt of seed 000): criteria under "Eligibility Criteria", then the
# minimum age, maximum age and sex on their own lines.  It also lists related trials' ids.
REGISTRY_PAGE = """Treatment of Refractory Sever Systemic Scleroderma by Injection of Allogeneic Mesenchymal Stem Cells
NCT ID: NCT02213705
Last Updated: 2024-05-01
Related Clinical Trials
Explore similar clinical trials based on study characteristics and research focus.
Allogeneic Mesenchymal Stem Cells Transplantation for Systemic Sclerosis (SSc)
NCT00962923
Eligibility Criteria
Check the participation requirements, including inclusion and exclusion rules, age limits, and whether healthy volunteers are accepted.
Inclusion Criteria
* Established diagnosis of systemic sclerosis according to the criteria of the American College of Rheumatology
* Signed informed consent.
Exclusion Criteria
* systolic Pulmonary arterial pressure (PASP)\\>55mmHg (on echocardiography or after right heart catheterization);
Renal Disease:
* Calculated creatinine clearance \\<20 ml/mn/m2
* Risk of poor patient compliance.
18 Years
70 Years
ALL
No
Sponsors
Meet the organizations funding or collaborating on the study and learn about their roles.
"""

# An aggregator page (excerpt of seed 004): a table, criteria in one "Eligibility | ... |" cell,
# and related trials listed with their ids but no label.
AGGREGATOR_PAGE = """Mesenchymal Stromal Cells Clinical Trial
— LYSYMEOfficial title:
Mesenchymal Stromal Cells Treatment in Lyell Syndrome: A Pilot Phase 1-2 Open Trial
Stevens-Johnson syndrome (SJS) and toxic epidermal necrolysis (TEN) are rare severe cutaneous adverse reactions (SCARs) to drugs.
Status | Not yet recruiting |
Enrollment | 15 |
Accepts healthy volunteers | No |
Gender | All |
Age group | 18 Years to 75 Years |
Eligibility | Inclusion Criteria: - Patients aged from 18 to 75 years-old - Admission less than 10 days after onset of the reaction - Affiliated to a social security scheme Exclusion Criteria: - Pregnant or breastfeeding women - Positive serology for HIV - Patient under psychiatric care according to art. L1121-6 CSP |
Country | Name | City | State |
---|---|---|---|
n/a |
Status | Clinical Trial | Phase | |
---|---|---|---|
Completed |
NCT03265613 -
Safety and Efficacy of Expanded Allogeneic AD-MSCs in Patients With Moderate to Severe Psoriasis
|
Phase 1/Phase 2 | |
"""

SEEDS = Path("/work/shared/seeds")
REGISTRY_SEED = SEEDS / "000_1ac93559ada48c77.txt"
AGGREGATOR_SEED = SEEDS / "004_c0dd39c51916fc4e.txt"


def _fields(source: Source) -> dict[str, StructuredField]:
    return {f.name: f for f in source.fields}


# ------------------------------------------------------------------ saved pages


def _check_registry_page(text: str, source: Source) -> None:
    region = text[source.start:source.end]
    assert region.startswith("Inclusion Criteria\n* Established diagnosis")
    assert region.rstrip().endswith("* Risk of poor patient compliance.")
    assert text[source.end:].startswith("18 Years\n70 Years\nALL")
    assert "Check the participation requirements" not in region
    assert source.trial_id == "NCT02213705"
    assert source.title == "Treatment of Refractory Sever Systemic Scleroderma by Injection of Allogeneic Mesenchymal Stem Cells"
    fields = _fields(source)
    assert set(fields) == {"minimum_age", "maximum_age", "sex"}
    for name, value in [("minimum_age", "18 Years"), ("maximum_age", "70 Years"), ("sex", "ALL")]:
        assert fields[name].value == value
        a, b = fields[name].span
        assert text[a:b] == value
    assert fields["minimum_age"].span[0] < fields["maximum_age"].span[0] < fields["sex"].span[0]


def _check_aggregator_page(text: str, source: Source) -> None:
    region = text[source.start:source.end]
    assert region.startswith("Inclusion Criteria: - Patients aged from 18 to 75 years-old")
    assert region.rstrip().endswith("art. L1121-6 CSP")
    assert text[source.end] == "|"
    assert "|" not in region
    assert text[:source.start].endswith("Eligibility | ")
    assert source.trial_id is None  # only related trials' ids are on the page
    assert source.title == "Mesenchymal Stromal Cells Treatment in Lyell Syndrome: A Pilot Phase 1-2 Open Trial"
    fields = _fields(source)
    assert set(fields) == {"minimum_age", "maximum_age", "sex"}
    for name, value in [("minimum_age", "18 Years"), ("maximum_age", "75 Years"), ("sex", "All")]:
        assert fields[name].value == value
        a, b = fields[name].span
        assert text[a:b] == value


def test_registry_page():
    source = from_text(REGISTRY_PAGE, origin="page.txt")
    assert source.origin == "page.txt"
    assert source.text is REGISTRY_PAGE
    _check_registry_page(REGISTRY_PAGE, source)


def test_aggregator_page():
    _check_aggregator_page(AGGREGATOR_PAGE, from_text(AGGREGATOR_PAGE))


@pytest.mark.parametrize(
    "page, expected",
    [
        (
            REGISTRY_PAGE,
            [
                ("inclusion", "Established diagnosis of systemic sclerosis according to the criteria of the American College of Rheumatology", None),
                ("inclusion", "Signed informed consent.", None),
                ("exclusion", "systolic Pulmonary arterial pressure (PASP)\\>55mmHg (on echocardiography or after right heart catheterization);", None),
                ("exclusion", "Calculated creatinine clearance \\<20 ml/mn/m2", "Renal Disease"),
                ("exclusion", "Risk of poor patient compliance.", "Renal Disease"),
            ],
        ),
        (
            AGGREGATOR_PAGE,
            [
                ("inclusion", "Patients aged from 18 to 75 years-old", None),
                ("inclusion", "Admission less than 10 days after onset of the reaction", None),
                ("inclusion", "Affiliated to a social security scheme", None),
                ("exclusion", "Pregnant or breastfeeding women", None),
                ("exclusion", "Positive serology for HIV", None),
                ("exclusion", "Patient under psychiatric care according to art. L1121-6 CSP", None),
            ],
        ),
    ],
    ids=["registry", "aggregator"],
)
def test_page_region_segments_into_the_criteria(page, expected):
    source = from_text(page)
    items = segment(source.text, source.start, source.end)
    assert [(it.section, page[it.start:it.end], it.heading) for it in items] == expected


def test_explicit_trial_id_wins_over_the_labelled_one():
    assert from_text(REGISTRY_PAGE, trial_id="NCT99999999").trial_id == "NCT99999999"
    assert from_text(AGGREGATOR_PAGE, trial_id="NCT03265613").trial_id == "NCT03265613"


def test_registry_page_without_maximum_age():
    page = REGISTRY_PAGE.replace("18 Years\n70 Years\nALL\n", "6 Months\nFEMALE\n")
    source = from_text(page)
    assert page[source.start:source.end].rstrip().endswith("compliance.")
    fields = _fields(source)
    assert set(fields) == {"minimum_age", "sex"}
    assert fields["minimum_age"].value == "6 Months"
    assert fields["sex"].value == "FEMALE"
    for f in source.fields:
        assert page[f.span[0]:f.span[1]] == f.value


@pytest.mark.parametrize(
    "text",
    [
        "Inclusion Criteria:\n* Adults\nExclusion Criteria:\n* Pregnancy\n",
        "Adults with asthma; FEV1 > 50%",
        # a heading but no "Eligibility Criteria" page marker: plain criteria text
        "Title line\nInclusion Criteria\n* a\n18 Years\n",
        "",
    ],
)
def test_plain_text_is_the_whole_source(text):
    source = from_text(text, origin="x.txt", trial_id="NCT00000001")
    assert (source.start, source.end) == (0, len(text))
    assert source.trial_id == "NCT00000001"
    assert source.fields == []
    assert source.title is None


# --------------------------------------------------------------------- the seeds


@pytest.mark.skipif(not REGISTRY_SEED.exists(), reason="seed pages not available")
def test_registry_seed_page():
    text = REGISTRY_SEED.read_text(encoding="utf-8")
    _check_registry_page(text, from_text(text))


@pytest.mark.skipif(not AGGREGATOR_SEED.exists(), reason="seed pages not available")
def test_aggregator_seed_page():
    text = AGGREGATOR_SEED.read_text(encoding="utf-8")
    source = from_text(text)
    region = text[source.start:source.end]
    assert region.startswith("Inclusion Criteria: - Patients aged from 18 to 75 years-old")
    assert region.rstrip().endswith("art. L1121-6 CSP")
    assert text[source.end] == "|"
    assert source.trial_id is None
    fields = _fields(source)
    assert {n: f.value for n, f in fields.items()} == {"minimum_age": "18 Years", "maximum_age": "75 Years", "sex": "All"}
    for f in source.fields:
        assert text[f.span[0]:f.span[1]] == f.value


@pytest.mark.skipif(not SEEDS.exists(), reason="seed pages not available")
@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")) if SEEDS.exists() else [], ids=lambda p: p.name)
def test_read_sources_on_seed_files(path):
    (source,) = read_sources(str(path))
    assert source.origin == str(path)
    assert 0 <= source.start < source.end <= len(source.text)
    assert source.text[source.start:].lower().startswith("inclusion criteria")


# ---------------------------------------------------------------- registry files

CRITERIA = "Inclusion Criteria:\n\n* Age \\>= 18\n\nExclusion Criteria:\n\n* Pregnancy"


def _study(nct: str, criteria: str = CRITERIA, **eligibility) -> dict:
    module = {"eligibilityCriteria": criteria, "minimumAge": "18 Years", "sex": "ALL", **eligibility}
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": f"Study {nct}", "officialTitle": "Official"},
            "eligibilityModule": module,
        }
    }


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "name, payload, ids",
    [
        ("one.json", _study("NCT00000001"), ["NCT00000001"]),
        ("list.json", [_study("NCT00000001"), _study("NCT00000002")], ["NCT00000001", "NCT00000002"]),
        ("studies.json", {"studies": [_study("NCT00000003"), _study("NCT00000004")]}, ["NCT00000003", "NCT00000004"]),
        ("study", _study("NCT00000005"), ["NCT00000005"]),  # no suffix: the content says JSON
    ],
)
def test_read_api_v2_json(tmp_path, name, payload, ids):
    path = _write(tmp_path, name, json.dumps(payload, indent=2))
    sources = read_sources(path)
    assert [s.trial_id for s in sources] == ids
    for source in sources:
        assert source.text == CRITERIA
        assert (source.start, source.end) == (0, len(CRITERIA))
        assert source.title == f"Study {source.trial_id}"
        assert source.origin == path
        assert {f.name: f.value for f in source.fields} == {"minimum_age": "18 Years", "sex": "ALL"}
        assert all(f.span is None for f in source.fields)


def test_api_v2_title_falls_back_to_official_title_and_na_ages_are_dropped():
    study = _study("NCT00000006", maximumAge="N/A", minimumAge=" 12 Years ")
    del study["protocolSection"]["identificationModule"]["briefTitle"]
    source = from_record(study)
    assert source.title == "Official"
    assert {f.name: f.value for f in source.fields} == {"minimum_age": "12 Years", "sex": "ALL"}


def test_read_corpus_jsonl(tmp_path):
    # shaped like /work/shared/corpus/trials.jsonl
    records = [
        {"nct_id": "NCT00000143", "title": "Foscarnet for CMV retinitis", "conditions": ["CMV Retinitis"],
         "eligibility_criteria": "\n        Inclusion criteria:\n\n          -  Age 13 years or older\n",
         "minimum_age": "13 Years", "maximum_age": "N/A", "sex": "All", "healthy_volunteers": False,
         "source": "ctgov"},
        {"nct_id": "NCT00000168", "title": "Second", "eligibility_criteria": "Adults",
         "minimum_age": None, "maximum_age": "65 Years", "sex": "ALL"},
    ]
    path = _write(tmp_path, "trials.jsonl", "\n".join(json.dumps(r) for r in records[:1]) + "\n\n" + json.dumps(records[1]) + "\n")
    first, second = read_sources(path)
    assert first.trial_id == "NCT00000143"
    assert first.title == "Foscarnet for CMV retinitis"
    assert first.text == records[0]["eligibility_criteria"]
    assert (first.start, first.end) == (0, len(first.text))
    assert {f.name: f.value for f in first.fields} == {"minimum_age": "13 Years", "sex": "All"}
    assert first.origin == f"{path}:1"
    assert second.origin == f"{path}:3"  # the origin names the line, blank lines counted
    assert {f.name: f.value for f in second.fields} == {"maximum_age": "65 Years", "sex": "ALL"}


LEGACY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<clinical_study rank="1">
  <id_info>
    <org_study_id>ACTG 1</org_study_id>
    <nct_id>NCT00000143</nct_id>
  </id_info>
  <brief_title>Brief &amp; short</brief_title>
  <official_title>Foscarnet &amp; Ganciclovir in CMV Retinitis</official_title>
  <eligibility>
    <criteria>
      <textblock>
        Inclusion criteria:

          -  Platelet count 50,000 cells/&#181;L or greater &lt; 1 year
      </textblock>
    </criteria>
    <gender>All</gender>
    <minimum_age>13 Years</minimum_age>
    <maximum_age>N/A</maximum_age>
    <healthy_volunteers>No</healthy_volunteers>
  </eligibility>
</clinical_study>
"""


@pytest.mark.parametrize("name", ["NCT00000143.xml", "record"])
def test_read_legacy_xml(tmp_path, name):
    path = _write(tmp_path, name, LEGACY_XML)
    (source,) = read_sources(path)
    assert source.trial_id == "NCT00000143"
    assert source.title == "Foscarnet & Ganciclovir in CMV Retinitis"
    assert "Platelet count 50,000 cells/µL or greater < 1 year" in source.text
    assert source.text.strip().startswith("Inclusion criteria:")
    assert (source.start, source.end) == (0, len(source.text))
    assert {f.name: f.value for f in source.fields} == {"minimum_age": "13 Years", "sex": "All"}


def test_read_xml_without_declaration_and_trial_id_override(tmp_path):
    text = LEGACY_XML.split("\n", 1)[1]
    path = _write(tmp_path, "r.xml", text)
    (source,) = read_sources(path, trial_id="NCT12345678")
    assert source.trial_id == "NCT12345678"


def test_read_plain_text_file(tmp_path):
    path = _write(tmp_path, "criteria.txt", CRITERIA)
    (source,) = read_sources(path, trial_id="NCT00000009")
    assert source.text == CRITERIA
    assert source.trial_id == "NCT00000009"
    assert source.origin == path


def test_read_saved_page_file(tmp_path):
    path = _write(tmp_path, "page.txt", REGISTRY_PAGE)
    (source,) = read_sources(path)
    _check_registry_page(REGISTRY_PAGE, source)


def test_trial_id_is_not_forced_on_several_sources(tmp_path):
    path = _write(tmp_path, "list.json", json.dumps([_study("NCT00000001"), _study("NCT00000002")]))
    assert [s.trial_id for s in read_sources(path, trial_id="NCT99999999")] == ["NCT00000001", "NCT00000002"]


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "name, content, line",
    [
        ("bad.json", '{\n  "studies": [\n    {"a": 1,}\n  ]\n}\n', 3),
        ("bad2.json", '[\n  {"nct_id": "NCT1"},\n\n  oops\n]', 4),
        ("bad.jsonl", json.dumps({"nct_id": "N", "eligibility_criteria": "x"}) + "\n\n{not json\n", 3),
        ("bad.xml", "<clinical_study>\n<eligibility>\n<criteria><textblock>x</textblock></criteria>\n</oops>\n", 4),
    ],
)
def test_invalid_files_raise_source_error_with_line(tmp_path, name, content, line):
    path = _write(tmp_path, name, content)
    with pytest.raises(SourceError) as caught:
        read_sources(path)
    assert caught.value.line == line
    assert caught.value.file == path
    assert str(caught.value).startswith(f"{path}:{line}: invalid ")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("binary.txt", b"\x00\x01\x02criteria", "binary"),
        ("binary.json", b'{"a": "\x00"}', "binary"),
        ("latin1.txt", "Âge ≥ 18".encode("latin-1", errors="replace"), "UTF-8"),
        ("scalar.json", '"just a string"', "study object"),
        ("numbers.json", "[1, 2]", "study object"),
        ("nocriteria.json", json.dumps(_study("NCT1", criteria=None)), "no eligibility criteria"),
        ("nocriteria.jsonl", json.dumps({"nct_id": "NCT1"}) + "\n", "no eligibility criteria"),
        ("notextblock.xml", "<clinical_study><eligibility/></clinical_study>", "textblock"),
    ],
)
def test_unusable_files_raise_source_error(tmp_path, name, content, message):
    path = _write(tmp_path, name, content)
    with pytest.raises(SourceError, match=message) as caught:
        read_sources(path)
    assert isinstance(caught.value, InputError) and isinstance(caught.value, ValueError)
    assert path in str(caught.value)


def test_missing_file_and_directory_raise_source_error(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        read_sources(str(tmp_path / "absent.json"))
    with pytest.raises(SourceError, match="directory"):
        read_sources(str(tmp_path))


@pytest.mark.parametrize("line", ["[1, 2]", "42", '"text"'])
def test_jsonl_line_that_is_not_an_object(tmp_path, line):
    path = _write(tmp_path, "t.jsonl", json.dumps({"nct_id": "N", "eligibility_criteria": "x"}) + "\n" + line + "\n")
    with pytest.raises(SourceError) as caught:
        read_sources(path)
    assert caught.value.line == 2 or ":2" in str(caught.value)


@pytest.mark.parametrize("text", ["[Inclusion criteria]\n- Adults aged 18 or over\n", "{Draft} Adults aged 18 or over\n"])
def test_text_file_starting_with_a_bracket_is_text(tmp_path, text):
    path = _write(tmp_path, "criteria.txt", text)
    (source,) = read_sources(path)
    assert source.text == text

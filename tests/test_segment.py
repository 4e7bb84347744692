"""screener.segment: eligibility text -> items with their section, sub-heading and
"And/or" joins; every item is a verbatim slice of the source."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.segment import Item, segment

I, E = "inclusion", "exclusion"

MARKDOWN = "Inclusion Criteria\n* a\n* b\nExclusion Criteria\n* c"
API_V2 = "Inclusion Criteria:\n\n* a\n\nExclusion Criteria:\n\n* b"
API_V2_INDENTED = (
    "Inclusion Criteria:\n\n  * Age 18 or older\n  * Signed informed consent\n\n"
    "Exclusion Criteria:\n\n  * Pregnancy\n  * Hemoglobin \\< 9 g/dL\n"
)
ONE_LINE = "Inclusion Criteria: - Alpha one - Beta two Exclusion Criteria: - Gamma three"
AGGREGATOR = (  # the "Eligibility | ... |" cell of an aggregator page (excerpt)
    "Inclusion Criteria: - Patients aged from 18 to 75 years-old - Admission less than 10 days after "
    "onset of the reaction - Affiliated to a social security scheme Exclusion Criteria: - Pregnant or "
    "breastfeeding women - Positive serology for HIV |"
)
# legacy registry text (excerpt of a real record; "Age" written bare, as some records do)
LEGACY = """
        DISEASE CHARACTERISTICS:

          -  Histologically proven carcinoid tumor with radiologically confirmed metastatic disease

          -  Must meet at least 1 of the following conditions:

               -  Symptomatic carcinoid syndrome not controlled

               -  Bone metastases

        PATIENT CHARACTERISTICS:

        Age

          -  18 and over

        Hepatic:

          -  Bilirubin no greater than 3.0 mg/dL

        Other:

          -  No concurrent infection (no fever for at least 3 days prior to treatment unless fever
             due to tumor)

          -  No other malignancy within the past 5 years except basal cell or squamous cell skin
             cancer or curatively treated stage I carcinoma of the cervix

          -  Not pregnant

        PRIOR CONCURRENT THERAPY:

        Biologic therapy

          -  No prior interferon therapy
      """
NUMBERED = "Inclusion Criteria:\n1. Age >= 18 years\n2. ECOG 0-1\nExclusion Criteria:\n1. Pregnancy\n2) HIV"
AND_OR = (  # from a registry page: numbered sub-headers, an "And/or" line between two items
    "Inclusion Criteria\n"
    "1. Respiratory disease :\n"
    "DLCO \\<60% of the theoretical value\n"
    "And/or\n"
    "2. Heart disease:\n"
    "congestive heart failure reversible\n"
    "Exclusion Criteria\n"
    "* Respiratory Disease:\n"
    "* systolic Pulmonary arterial pressure (PASP)\\>55mmHg (on echocardiography);\n"
    "Renal Disease:\n"
    "* Calculated creatinine clearance \\<20 ml/mn/m2\n"
    "* Sequelae cystopathy post treatment by cyclophosphamide\n"
)
CONNECTORS = "Exclusion Criteria:\n- Heart failure\n\nand/or\n\n- Renal failure\n- Diabetes\nOr\n- Stroke"
NO_HEADINGS = "Adults with asthma\nFEV1 > 50% of predicted\n"
KEY_HEADINGS = "Key Inclusion Criteria:\n- Adults\nKey Exclusion Criteria:\n- Children"
WRAPPED = "Inclusion criteria:\n- Patients with a long item that\n  continues here\n- Next item"
WRAPPED_LOWER = "Inclusion criteria:\n- Patients with a long item that\ncontinues in lowercase\n- Next item"
CRLF = "Inclusion Criteria:\r\n* first\r\n* second\r\nExclusion Criteria:\r\n* third\r\n"

CASES = {
    "markdown": (MARKDOWN, [(I, "a", None, False), (I, "b", None, False), (E, "c", None, False)]),
    "api-v2": (API_V2, [(I, "a", None, False), (E, "b", None, False)]),
    "api-v2-indented": (
        API_V2_INDENTED,
        [
            (I, "Age 18 or older", None, False),
            (I, "Signed informed consent", None, False),
            (E, "Pregnancy", None, False),
            (E, "Hemoglobin \\< 9 g/dL", None, False),
        ],
    ),
    "one-line": (
        ONE_LINE,
        [(I, "Alpha one", None, False), (I, "Beta two", None, False), (E, "Gamma three", None, False)],
    ),
    "aggregator-cell": (
        AGGREGATOR,
        [
            (I, "Patients aged from 18 to 75 years-old", None, False),
            (I, "Admission less than 10 days after onset of the reaction", None, False),
            (I, "Affiliated to a social security scheme", None, False),
            (E, "Pregnant or breastfeeding women", None, False),
            (E, "Positive serology for HIV", None, False),
        ],
    ),
    "legacy": (
        LEGACY,
        [
            (I, "Histologically proven carcinoid tumor with radiologically confirmed metastatic disease", None, False),
            (I, "Must meet at least 1 of the following conditions:", None, False),
            (I, "Symptomatic carcinoid syndrome not controlled", None, False),
            (I, "Bone metastases", None, False),
            (I, "18 and over", "Age", False),
            (I, "Bilirubin no greater than 3.0 mg/dL", "Hepatic", False),
            (
                I,
                "No concurrent infection (no fever for at least 3 days prior to treatment unless fever\n"
                "             due to tumor)",
                "Other",
                False,
            ),
            (
                I,
                "No other malignancy within the past 5 years except basal cell or squamous cell skin\n"
                "             cancer or curatively treated stage I carcinoma of the cervix",
                "Other",
                False,
            ),
            (I, "Not pregnant", "Other", False),
            (I, "No prior interferon therapy", "Biologic therapy", False),
        ],
    ),
    "numbered": (
        NUMBERED,
        [
            (I, "Age >= 18 years", None, False),
            (I, "ECOG 0-1", None, False),
            (E, "Pregnancy", None, False),
            (E, "HIV", None, False),
        ],
    ),
    "and-or": (
        AND_OR,
        [
            (I, "DLCO \\<60% of the theoretical value", "Respiratory disease", False),
            (I, "congestive heart failure reversible", "Heart disease", True),
            (E, "systolic Pulmonary arterial pressure (PASP)\\>55mmHg (on echocardiography);", "Respiratory Disease", False),
            (E, "Calculated creatinine clearance \\<20 ml/mn/m2", "Renal Disease", False),
            (E, "Sequelae cystopathy post treatment by cyclophosphamide", "Renal Disease", False),
        ],
    ),
    "connectors": (
        CONNECTORS,
        [
            (E, "Heart failure", None, False),
            (E, "Renal failure", None, True),
            (E, "Diabetes", None, False),
            (E, "Stroke", None, True),
        ],
    ),
    "no-headings": (NO_HEADINGS, [(I, "Adults with asthma", None, False), (I, "FEV1 > 50% of predicted", None, False)]),
    "key-headings": (KEY_HEADINGS, [(I, "Adults", None, False), (E, "Children", None, False)]),
    "wrapped-indented": (
        WRAPPED,
        [(I, "Patients with a long item that\n  continues here", None, False), (I, "Next item", None, False)],
    ),
    "wrapped-lowercase": (
        WRAPPED_LOWER,
        [(I, "Patients with a long item that\ncontinues in lowercase", None, False), (I, "Next item", None, False)],
    ),
    "crlf": (CRLF, [(I, "first", None, False), (I, "second", None, False), (E, "third", None, False)]),
    "empty": ("", []),
    "blank": ("  \n\n  ", []),
}


def _described(source: str, items: list[Item]):
    return [(it.section, source[it.start:it.end], it.heading, it.joined_by_or) for it in items]


@pytest.mark.parametrize("source, expected", CASES.values(), ids=list(CASES))
def test_segment(source, expected):
    assert _described(source, segment(source)) == expected


@pytest.mark.parametrize("source", [c[0] for c in CASES.values()], ids=list(CASES))
def test_items_are_verbatim_trimmed_slices_in_order(source):
    items = segment(source)
    previous_end = 0
    for item in items:
        assert 0 <= item.start < item.end <= len(source)
        assert item.start >= previous_end
        previous_end = item.end
        text = source[item.start:item.end]
        assert text == text.strip()
        assert not text.endswith("|")
        assert not re.match(r"(?:[-*•]|\d{1,2}[.)])\s", text), "bullet left in the item"
        assert item.section in (I, E)


@pytest.mark.parametrize(
    "source, heading_word",
    [(MARKDOWN, "Criteria"), (API_V2, "Criteria"), (ONE_LINE, "Criteria"), (LEGACY, "CHARACTERISTICS")],
)
def test_section_headings_are_not_items(source, heading_word):
    for item in segment(source):
        assert heading_word not in source[item.start:item.end]


def test_indent_is_recorded():
    items = segment(LEGACY)
    texts = {LEGACY[it.start:it.end]: it.indent for it in items}
    assert texts["Bone metastases"] == 15
    assert texts["18 and over"] == 10


def test_segment_region_only_and_offsets_are_absolute():
    page = "Header words - not - criteria\nEligibility Criteria\n" + MARKDOWN + "\n18 Years\n70 Years\nALL\n"
    start = page.index("Inclusion Criteria")
    end = page.index("18 Years")
    items = segment(page, start, end)
    assert _described(page, items) == [(I, "a", None, False), (I, "b", None, False), (E, "c", None, False)]
    assert all(start <= it.start and it.end <= end for it in items)


def test_region_without_headings_is_inclusion_and_inherits_nothing():
    source = "Exclusion Criteria:\n* first\n* second"
    # a region cut after the heading: no heading seen, so the section defaults to inclusion
    start = source.index("* first")
    assert [it.section for it in segment(source, start)] == [I, I]
    assert [it.section for it in segment(source)] == [E, E]


def test_subheading_does_not_cross_into_the_next_section():
    source = "Inclusion Criteria:\nRenal:\n  - Creatinine < 1.5 mg/dL\nExclusion Criteria:\n- Pregnancy"
    assert _described(source, segment(source)) == [
        (I, "Creatinine < 1.5 mg/dL", "Renal", False),
        (E, "Pregnancy", None, False),
    ]


def test_wrapped_line_starting_with_parenthesised_abbreviation_is_joined():
    source = (
        "\n        Inclusion criteria:\n\n          -  Age 13 years or older\n\n"
        "          -  Diagnosis of AIDS according to current Centers for Disease Control and Prevention\n"
        "             (CDC) definition\n\n"
        "          -  Best corrected visual acuity of 20/100 or better in at least one eye\n"
    )
    assert [source[it.start:it.end] for it in segment(source)] == [
        "Age 13 years or older",
        "Diagnosis of AIDS according to current Centers for Disease Control and Prevention\n"
        "             (CDC) definition",
        "Best corrected visual acuity of 20/100 or better in at least one eye",
    ]


def test_bold_markdown_headings_leave_no_stray_item():
    source = "**Inclusion Criteria:**\n- Adults\n**Exclusion Criteria:**\n- Children"
    assert _described(source, segment(source)) == [(I, "Adults", None, False), (E, "Children", None, False)]


# -------------------------------------------------------------------- properties

FIRST = ["Age", "Platelets", "No", "Prior", "Signed", "ECOG", "HIV", "Count", "Hemoglobin"]
WORDS = ["age", "over", "eighteen", "platelets", "above", "100", "mg/dL", "no", "prior", "therapy",
         "signed", "consent", "5%", "ECOG", "HIV", "(ANC)", "<", ">=", "and", "or", "x"]
# an item is never a bare connector ("Or") nor a "Name:" sub-header; it holds no " - Word"
# (a dash before a capital is read as an inline bullet, by design of one-line layouts)
item_text = st.builds(
    lambda first, rest: " ".join([first, *rest]),
    st.sampled_from(FIRST),
    st.lists(st.sampled_from(WORDS), max_size=8),
)
bullets = st.sampled_from(["* ", "- ", "  * ", "  -  ", "• "])


@settings(max_examples=200)
@given(
    inclusion=st.lists(item_text, max_size=6),
    exclusion=st.lists(item_text, max_size=6),
    bullet=bullets,
    colon=st.sampled_from(["", ":"]),
    blank=st.sampled_from(["\n", "\n\n"]),
    numbered=st.booleans(),
)
def test_bulleted_lists_round_trip(inclusion, exclusion, bullet, colon, blank, numbered):
    def render(items):
        return "".join(
            f"{(f'{n}. ' if numbered else bullet)}{text}{blank}" for n, text in enumerate(items, start=1)
        )

    source = f"Inclusion Criteria{colon}{blank}{render(inclusion)}Exclusion Criteria{colon}{blank}{render(exclusion)}"
    got = _described(source, segment(source))
    assert got == [(I, t, None, False) for t in inclusion] + [(E, t, None, False) for t in exclusion]


# Section headings with qualifiers before or after: every item below an exclusion heading is
# an exclusion (a missed heading turns its limits into requirements).  (heading, section)
QUALIFIED_HEADINGS = [
    ("Exclusion Criteria - Phase 2", E),
    ("Laboratory Exclusion Criteria", E),
    ("Patient's exclusion criteria", E),
    ("Subject Exclusion", E),
    ("Non-inclusion criteria", E),
    ("EXCLUSION CRITERIA FOR HEALTHY VOLUNTEERS:", E),
    ("Exclusion criteria for SCD or CP patients with PAH:", E),
    ("Ineligibility Criteria", E),
    ("INCLUSION CRITERIA FOR PATIENTS (ages 18 to 65):", I),
    ("Eligibility for the imaging sub-study:", I),
    ("Donor Inclusion Criteria:", I),
    ("Inclusion", I),
]


@pytest.mark.parametrize("heading, section", QUALIFIED_HEADINGS)
def test_qualified_headings_open_their_section(heading, section):
    other = "Exclusion Criteria:" if section == I else "Inclusion Criteria:"
    items = segment(f"{other}\n- First item\n{heading}\n- Second item\n")
    assert [(i.section, i.heading) for i in items][-1] == (section, None)
    assert len(items) == 2


# Lines that name the criteria but are no heading: they stay items of their section.
NOT_HEADINGS = [
    "Inclusion and exclusion criteria for each group are given below",
    "Does not meet inclusion criteria",
    "None of the exclusion criteria",
    "Exclusion of patients with diabetes",
]


@pytest.mark.parametrize("line", NOT_HEADINGS)
def test_sentences_about_criteria_are_no_headings(line):
    items = segment(f"Inclusion Criteria:\n- First item\n- {line}\n")
    assert [i.section for i in items] == [I, I]


ABOUT_CASES = [
    # criteria for two groups: the donor's items are about the donor
    ("PATIENTS:\n  Age 10 to 50.\nDONOR:\n  Family donor, up to 80 years old.\n  Must be HIV negative.",
     [None, "donor", "donor"]),
    ("Inclusion Criteria:\n* Age 18-60\nDonor Inclusion Criteria:\n* Age 18 to 60 years\nExclusion criteria - Recipient:\n* Age > 70",
     [None, "donor", None]),
    # a sub-heading naming the patient ends the donor's part
    ("INCLUSION CRITERIA:\nDonor:\n  - HLA identical sibling\nRecipient:\n  - Age < 70 years", ["donor", None]),
    # "Donor and recipient" names the patient too
    ("PATIENT CRITERIA:\n  Age 1 to 55\nDONOR AND RECIPIENT:\n  HIV negative", [None, None]),
    # no heading names the patient: the caregivers take part, their criteria are theirs
    ("Inclusion Criteria for Parent/Caregiver:\n* Aged 18 and older\nExclusion Criteria:\n* Not fluent in English",
     [None, None]),
]


@pytest.mark.parametrize("text, expected", ABOUT_CASES)
def test_items_under_another_persons_heading_are_about_that_person(text: str, expected: list[str | None]) -> None:
    assert [item.about for item in segment(text)] == expected

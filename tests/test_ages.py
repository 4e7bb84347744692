"""The patient's age in every way registry text writes it, and never another quantity read
as the patient's age (gestational age, age at onset, another person's age, durations, counts)."""

from __future__ import annotations

import pytest

from screener.compiler import compile_source
from screener.rules import Comparison, walk
from screener.sources import from_text


def _comparisons(text: str, section: str = "Inclusion") -> list[tuple[str, str, float, str | None]]:
    rules = compile_source(from_text(f"{section} Criteria:\n- {text}\n"))
    return [(n.variable, n.op, n.value, n.unit) for c in rules.criteria for n in walk(c.rule) if isinstance(n, Comparison)]


AGES = [
    ("18 years of age or older", [("age", ">=", 18, "year")]),
    ("Patient 18 years old or more", [("age", ">=", 18, "year")]),
    ("19 years and older", [("age", ">=", 19, "year")]),
    ("Ages 18-59", [("age", ">=", 18, "year"), ("age", "<=", 59, "year")]),
    ("Over 18 years", [("age", ">", 18, "year")]),
    ("18-40 years", [("age", ">=", 18, "year"), ("age", "<=", 40, "year")]),
    ("patients <18", [("age", "<", 18, "year")]),
    ("Men or women 18 years of age or older.", [("age", ">=", 18, "year")]),
    ("18-35-year-old women", [("age", ">=", 18, "year"), ("age", "<=", 35, "year")]),
    ("aged between 18- and 65-years", [("age", ">=", 18, "year"), ("age", "<=", 65, "year")]),
    ("Age: 19~45", [("age", ">=", 19, "year"), ("age", "<=", 45, "year")]),
    (">= 3 and <= 18 years", [("age", ">=", 3, "year"), ("age", "<=", 18, "year")]),
    ("Being between the ages of 18-60", [("age", ">=", 18, "year"), ("age", "<=", 60, "year")]),
    ("Recipient age >= 18 years", [("age", ">=", 18, "year")]),
    ("more or equal 18 years-old and less or equal 45 years-old", [("age", ">=", 18, "year"), ("age", "<=", 45, "year")]),
    ("Women >18 yo", [("age", ">", 18, "year")]),
    ("Age equal or above 18", [("age", ">=", 18, "year")]),
    ("Age >= 18, male or female;", [("age", ">=", 18, "year")]),
    ("Patients between the age of 18 and 75", [("age", ">=", 18, "year"), ("age", "<=", 75, "year")]),
    ("Being older than 18 ;", [("age", ">", 18, "year")]),
    ("Patients that were younger than 18,", [("age", "<", 18, "year")]),
    ("Patients under the age of 18", [("age", "<", 18, "year")]),
    ("Patient older than six months", [("age", ">", 6, "month")]),
    ("18 and 65 years old", [("age", ">=", 18, "year"), ("age", "<=", 65, "year")]),
    ("Be aged 10-18 years at the time of surgery", [("age", ">=", 10, "year"), ("age", "<=", 18, "year")]),
]


@pytest.mark.parametrize("text, expected", AGES, ids=[a[0] for a in AGES])
def test_ages_are_read(text, expected):
    assert _comparisons(text) == expected


NOT_THE_PATIENTS_AGE = [
    "training at least 3 years",
    "Donor age > 65 years",
    "infants born from mothers aged less than 18 years old",
    "Older than 50 years of age at migraine onset",
    "Patients diagnosed before age 40",
    "Experienced user of the device (>= 6 months)",
    "Recent (<= 3 months) change in medication dosage",
    "Episode duration more than 2 months and less than 5 years",
    "Patients >= 1 and <= 6 months after myocardial infarction",
    "Adult outpatients on 3-4 times per week dialysis sessions",
    "Diabetes for more than 5 years",
    "Liver biopsy older than 6 months",
    "diagnosed under the age of 40",
    "onset before the age of 40",
]


@pytest.mark.parametrize("text", NOT_THE_PATIENTS_AGE)
def test_other_quantities_are_not_the_patients_age(text):
    assert [c for c in _comparisons(text) if c[0] == "age"] == []


def test_gestational_age_is_its_own_variable():
    assert _comparisons("gestational age < 36 weeks", "Exclusion") == [("gestational_age", "<", 36, "week")]


def test_a_bare_duration_under_another_sub_heading_is_no_age():
    rules = compile_source(from_text("Inclusion Criteria:\nLife expectancy:\n  - At least 2 months\n"))
    assert not [n for c in rules.criteria for n in walk(c.rule) if isinstance(n, Comparison) and n.variable == "age"]


def test_no_restriction_phrases_leave_the_age_alone():
    rules = compile_source(from_text("Inclusion Criteria:\n- Age >= 18, male or female\n"))
    assert isinstance(rules.criteria[0].rule, Comparison)


# Another person's age, or the age at an event, is its own variable, never the patient's age.
OTHER_AGES = [
    ("Donor age > 65 years", ("donor_age", ">", 65, "year")),
    ("mother >= 15 years of age", ("maternal_age", ">=", 15, "year")),
    ("infants born from mothers aged less than 18 years old", ("maternal_age", "<", 18, "year")),
    ("Older than 50 years of age at migraine onset", ("age_at_onset", ">", 50, "year")),
]


@pytest.mark.parametrize("text, expected", OTHER_AGES, ids=[a[0] for a in OTHER_AGES])
def test_other_ages_are_their_own_variables(text, expected):
    assert _comparisons(text) == [expected]

"""Titres ("ANA >= 1:160"): read from real corpus sentences as limits on a reciprocal dilution,
never from ratios, times, numbering or epitopes; a profile gives "1:160" or 160; explanations
show "1:160"; the SQL engine decides as the Python engine does."""

from __future__ import annotations

import duckdb
import pytest
from sentence_cases import checked

from screener import compile_criteria
from screener.errors import PatientError
from screener.patient import parse_patient
from screener.rules import Comparison, walk
from screener.sql_run import load_duckdb, patient_tables, run_duckdb
from screener.titres import profile_titre, titre_at
from screener.units import compatible


def _comparisons(section: str, text: str) -> list[Comparison]:
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    rules = compile_criteria(f"{heading}\n\n- {text}\n")
    return [n for c in rules.criteria for n in walk(c.rule) if isinstance(n, Comparison)]


READ = [  # (section, corpus sentence (trial), variable, op, reciprocal dilution)
    ("inclusion", "Positive serum AMA (titer > 1:20).", "ama_titre", ">", 20),  # NCT00490620
    ("inclusion", "antinuclear antibodies <= 1:160", "ana_titre", "<=", 160),  # NCT00493805
    ("inclusion", "antinuclear antibody (ANA) positive (titer \\>= 1:80)", "ana_titre", ">=", 80),  # NCT05843643
    ("exclusion", "Autoimmune hepatitis (FANA titer >= 1:160 and anti-smooth muscle antibody titer >= 1:160).",
     "smooth_muscle_antibody_titre", ">=", 160),  # NCT00001035
    ("inclusion", "NAB titre >or equal to 20 via CPE assay", "neutralising_antibody_titre", ">=", 20),  # NCT00493116
    ("exclusion", "Interferon-neutralizing antibody positive with a titer greater than 20",
     "neutralising_antibody_titre", ">", 20),  # NCT00497952
    ("inclusion", "Neutralizing antibody titre > 20 and <500 in two consecutive NAb tests.",
     "neutralising_antibody_titre", "<", 500),  # NCT00493077
    # the forms
    ("inclusion", "anti-dsDNA titre > 1:160", "anti_dsdna_titre", ">", 160),
    ("inclusion", "HAI titer ≥1:40", "hai_titre", ">=", 40),
    ("inclusion", "HAI antibody titer of 1:40 or greater", "hai_titre", ">=", 40),
    ("exclusion", "neutralizing antibody titer < 1:8", "neutralising_antibody_titre", "<", 8),
]


@pytest.mark.parametrize("section,text,variable,op,value", READ, ids=[r[1][:40] for r in READ])
def test_a_titre_is_read_as_its_reciprocal_dilution(section, text, variable, op, value):
    found = [c for c in _comparisons(section, text) if c.variable == variable and c.op == op]
    assert [(c.value, c.unit) for c in found] == [(value, "titer")]


NOT_TITRES = [  # real corpus sentences whose "N:M" is no titre (trial)
    ("exclusion", "Habitual bedtime is between 9:00 PM and 1:00 AM based on sleep history."),  # NCT00492232
    ("inclusion", "Group 1: 4 months to less than 2 years."),  # NCT00006519
    ("exclusion", "No prior MART-1:26-35, gp100:209-217, or tyrosinase:368-376 peptide"),  # NCT00006113
    ("exclusion", "greater than 14.4 ml of local anesthetic (2% lidocaine with 1:100,000 epinephrine)"),  # NCT00006289
    ("inclusion", "more than 200 mg/m2 of paclitaxel (using a 1:1.3 ratio between paclitaxel doses)"),  # NCT00002854
    ("inclusion", "the ratio of male to female is 3:1, and the age is between 50 and 70 years old"),  # NCT03922230
    ("inclusion", "sleep onset time later than 10:40 pm for 10- to 13-year- olds"),  # NCT03926221
    ("inclusion", "HAI score ≥ 4 and modified Ishak fibrosis score ≤ 5"),  # NCT00496002: histology activity index
    ("inclusion", "Philadelphia chromosome 9:22, 8:14, or 4:11"),  # NCT00004255
]


@pytest.mark.parametrize("section,text", NOT_TITRES, ids=[t[1][:40] for t in NOT_TITRES])
def test_ratios_times_numbering_and_epitopes_are_no_titres(section, text):
    assert [c for c in _comparisons(section, text) if c.unit == "titer" or "titre" in c.variable] == []


@pytest.mark.parametrize("text,expected", [
    ("1:160", (160.0, 5)), ("1:8 or more", (8.0, 3)),
    ("1:1 randomisation", None), ("1:2 ratio", None), ("1:00 AM", None), ("1:30 pm", None),
    ("1:26-35", None), ("1:100,000", None), ("1:1.3", None), ("1:30:00", None),
])
def test_titre_at(text, expected):
    assert titre_at(text, 0) == expected


def test_a_titre_never_compares_with_a_concentration():
    assert compatible("titer", "titre") and not compatible("titer", "U/mL") and not compatible("titer", "%")


@pytest.mark.parametrize("value,status,shown", [
    ("'1:160'", "met", "1:160, at or above 1:80"),
    ("1:160", "met", "1:160, at or above 1:80"),  # unquoted YAML: still a titre, never a sexagesimal number
    ("160", "met", "1:160, at or above 1:80"),
    ("1:40", "not_met", "1:40 is not at or above 1:80"),
    ("{value: '1:80', date: 2026-11-01}", "met", "1:80, at or above 1:80"),
])
def test_a_profile_gives_a_titre_as_a_dilution_or_its_reciprocal(value, status, shown):
    result = checked("inclusion", "ANA titer ≥ 1:80", f"measurements:\n  ANA: {value}")
    assert [c.status for c in result.criteria] == [status]
    assert shown in result.criteria[0].explanation


def test_a_concentration_is_no_titre_in_a_profile():
    with pytest.raises(Exception, match="not compatible with titer"):
        parse_patient("id: P\nmeasurements:\n  ANA: 5 U/mL\n")


def test_a_titre_given_for_the_variable_in_units_names_the_titre_variable():
    with pytest.raises(PatientError, match="is a titre; .* give the titre as anti-dsDNA titer: 1:160"):
        parse_patient("id: P\nmeasurements:\n  anti-dsDNA: 1:160\n")
    assert parse_patient("id: P\nmeasurements:\n  anti-dsDNA titer: 1:160\n").measurements["anti_dsdna_titre"].value == 160


@pytest.mark.parametrize("unit,raw,expected", [
    ("titer", "1:320", "320 titer"), ("titer", 40, "40 titer"), ("titer", " 1 : 80 ", "80 titer"),
    ("titer", "80 titre", "80 titre"), ("U/L", "1:320", "1:320"), ("titer", True, True),
])
def test_profile_titre(unit, raw, expected):
    assert profile_titre(unit, raw) == expected


def test_the_sql_engine_decides_titres_as_the_python_engine():
    from screener import check

    rules = compile_criteria("Inclusion Criteria:\n\n- ANA titer >= 1:80\n\nExclusion Criteria:\n\n"
                             "- neutralizing antibody titer < 1:8\n")
    people = [parse_patient(f"id: P{i}\nas_of: 2026-11-20\nmeasurements:\n{m}\n") for i, m in enumerate([
        "  ANA: 1:160\n  NAb: 1:16", "  ANA: 1:40", "  ANA: 80\n  NAb: 1:4", "  NAb: 1:8"])]
    connection = duckdb.connect()
    load_duckdb(connection, patient_tables(people))
    got = {r[0]: r[3] for r in run_duckdb([rules], connection).fetchall()}
    want = {p.id: check(rules, p).verdict for p in people}
    assert got == want and set(want.values()) == {"eligible", "ineligible", "needs_review"}

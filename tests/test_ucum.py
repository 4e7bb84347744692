"""UCUM codes (FHIR valueQuantity.code, OMOP unit_source_value) read through the one
unit registry: display, conversions, unitless annotations and codes that stay unknown."""

from __future__ import annotations

import pytest

from screener.errors import UnitError
from screener.units import convert, parse_unit, read_unit_at, ucum_spelling

UCUM = [
    # (UCUM code, display, same unit as)
    ("mm[Hg]", "mmHg", "mmHg"),
    ("cm[H2O]", "cmH2O", "cmH2O"),
    ("10*3/uL", "10^3/uL", "x 10^3/uL"),
    ("10*9/L", "10^9/L", "x10^9/L"),
    ("10*6/uL", "10^6/uL", "x 10^6/uL"),
    ("10*12/L", "10^12/L", "T/L"),
    ("Cel", "degC", "°C"),
    ("[degF]", "degF", "°F"),
    ("mL/min/{1.73_m2}", "mL/min/1.73m2", "mL/min/1.73 m2"),
    ("[in_i]", "inch", "inches"),
    ("[ft_i]", "ft", "feet"),
    ("[lb_av]", "lb", "lbs"),
    ("[oz_av]", "oz", "oz"),
    ("{cells}/uL", "cells/uL", "cells/uL"),
    ("{beats}/min", "/min", "bpm"),
    ("[IU]/L", "IU/L", "IU/L"),
    ("m[IU]/mL", "mIU/mL", "mIU/mL"),
    ("/[HPF]", "/hpf", "/hpf"),
    ("meq/L", "mEq/L", "mEq/L"),
    ("mg/d", "mg/day", "mg/day"),
    ("mg/(24.h)", "mg/day", "mg/day"),
    ("fL", "fL", "fl"),
    ("mg/g", "mg/g", "mg/g"),
    ("kg/m2", "kg/m2", "kg/m²"),
]


@pytest.mark.parametrize("code, display, same", UCUM)
def test_ucum_code_reads_as_the_usual_unit(code, display, same):
    unit, usual = parse_unit(code), parse_unit(same)
    assert unit is not None and unit.display == display
    assert unit.scale == pytest.approx(usual.scale)
    assert unit.dimensionality == usual.dimensionality


@pytest.mark.parametrize("code", ["{score}", "{T-score}", "{nominal}", "[pH]", "pH", "{ratio}"])
def test_ucum_annotation_alone_is_unitless(code):
    assert parse_unit(code) is None


@pytest.mark.parametrize(
    "value, source, target, expected",
    [
        (68, "[in_i]", "cm", 172.72),
        (5.5, "[ft_i]", "cm", 167.64),
        (150, "[lb_av]", "kg", 68.0389),
        (37, "Cel", "[degF]", 98.6),
        (98.6, "[degF]", "Cel", 37.0),
        (250, "10*3/uL", "10*9/L", 250.0),
        (1.5, "10*3/uL", "/mm3", 1500.0),
        (120, "mm[Hg]", "kPa", 15.9987),
    ],
)
def test_ucum_conversions(value, source, target, expected):
    assert convert(value, source, target) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("code", ["ug/(kg.min)", "[arb'U]/mL", "{", "10*/L"])
def test_ucum_code_not_read_is_an_error(code):
    with pytest.raises(UnitError, match="unknown unit"):
        parse_unit(code)


@pytest.mark.parametrize(
    "code, spelling",
    [("mm[Hg]", "mmHg"), ("10*3/uL", "10^3/uL"), ("mL/min/{1.73_m2}", "mL/min/1.73m2"), ("{score}", ""), ("mg/d", "mg/day")],
)
def test_ucum_spelling(code, spelling):
    assert ucum_spelling(code) == spelling


@pytest.mark.parametrize("text", ["2 d after", "1 a week", "3 in 10 patients"])
def test_bare_day_year_and_in_are_never_read_in_trial_text(text):
    """'d', 'a' (UCUM day, year) only count after a slash; 'in' is never inches."""
    assert read_unit_at(text, 1) is None


@pytest.mark.parametrize("code", [c for c, _, _ in UCUM])
def test_ucum_display_reads_back_as_the_same_unit(code):
    """What a UCUM code is shown as (in profiles written by convert) must be readable again."""
    unit = parse_unit(code)
    again = parse_unit(unit.display)
    assert again.scale == pytest.approx(unit.scale) and again.dimensionality == unit.dimensionality

"""screener.units: reading clinical unit spellings, conversions, body-surface-area
normalisation, reading a unit written after a number, and number formatting."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from screener.errors import InputError, UnitError
from screener.text import normalize
from screener.units import (
    Analyte,
    Equation,
    area_exponent,
    bsa_mosteller,
    canonical,
    compatible,
    convert,
    convert_with_area,
    converter,
    format_number,
    parse_unit,
    read_unit_at,
)

# ------------------------------------------------------------------- parse_unit

DISPLAY = [
    # powers of ten, written every way trial text writes them
    ("x 109 / L", "10^9/L"),
    ("x109/L", "10^9/L"),
    ("10⁹/L", "10^9/L"),
    ("x 10^9/L", "10^9/L"),
    ("×10^9/L", "10^9/L"),
    ("10^9/L", "10^9/L"),
    ("10e9/L", "10^9/L"),
    ("x 106 / L", "10^6/L"),
    ("x10^3/mm3", "10^3/mm3"),
    ("10^3/uL", "10^3/uL"),
    ("x 1012/L", "10^12/L"),
    ("x 10^9 cells/L", "10^9 cells/L"),
    # counts per volume
    ("cells/mm3", "cells/mm3"),
    ("/mm^3", "/mm3"),
    ("/mm3", "/mm3"),
    ("/mm³", "/mm3"),
    ("/cu mm", "/mm3"),
    ("cells/uL", "cells/uL"),
    ("/µL", "/uL"),
    ("/μL", "/uL"),
    ("/mcL", "/uL"),
    ("cells per microliter", "cells/uL"),
    ("G/L", "G/L"),
    ("T/L", "T/L"),
    # mass concentration
    ("g / dL", "g/dL"),
    ("g/dl", "g/dL"),
    ("g/L", "g/L"),
    ("mg/dL", "mg/dL"),
    ("mg per dL", "mg/dL"),
    ("mg%", "mg/dL"),
    ("mg %", "mg/dL"),
    ("g%", "g/dL"),
    ("gm%", "g/dL"),
    ("ng/mL", "ng/mL"),
    ("mcg/L", "ug/L"),
    # amount concentration
    ("µmol/L", "umol/L"),
    ("μmol/L", "umol/L"),
    ("umol/L", "umol/L"),
    ("umol/l", "umol/L"),
    ("mmol/L", "mmol/L"),
    # clearances
    ("ml/mn/m2", "mL/min/m2"),
    ("mL/min", "mL/min"),
    ("mL/min/1.73m2", "mL/min/1.73m2"),
    ("mL/min/1.73 m2", "mL/min/1.73m2"),
    ("mL/min/1.73 m²", "mL/min/1.73m2"),
    ("mL/min/1.73m^2", "mL/min/1.73m2"),
    ("ml/min/1.73 m^2", "mL/min/1.73m2"),
    # pressure
    ("mmHg", "mmHg"),
    ("mm Hg", "mmHg"),
    ("mmhg", "mmHg"),
    ("kPa", "kPa"),
    ("cmH2O", "cmH2O"),
    # enzymes, dimensionless, temperature, rates, dosing
    ("%", "%"),
    ("percent", "%"),
    ("U/L", "U/L"),
    ("IU/L", "IU/L"),
    ("UI/L", "IU/L"),
    ("mIU/mL", "mIU/mL"),
    ("ukat/L", "ukat/L"),
    ("°C", "degC"),
    ("ºC", "degC"),
    ("degF", "degF"),
    ("bpm", "1/min"),
    ("mg/m2", "mg/m2"),
    ("kg/m²", "kg/m2"),
    ("mcg/kg/min", "ug/kg/min"),
    ("years", "year"),
    ("wks", "week"),
    # counts per minute, slashless thousands, units seen on unseen registry text
    ("breaths/minute", "1/min"),
    ("beats per minute", "1/min"),
    ("mls/min", "mL/min"),
    ("microunits/mL", "uIU/mL"),
    ("µIU/mL", "uIU/mL"),
    ("torr", "Torr"),
    ("fL", "fL"),
    ("ppm", "ppm"),
    ("times 10^3/mm^3", "10^3/mm3"),
    ("mL/min/1.73m", "mL/min/1.73m2"),
    ("mg/24 hours", "mg/day"),
    ("g/24h", "g/day"),
    ("degrees", "degree"),
    ("°", "degree"),
]


@pytest.mark.parametrize("spelling, display", DISPLAY)
def test_parse_unit_display(spelling, display):
    unit = parse_unit(spelling)
    assert unit is not None
    assert unit.display == display
    assert unit.relative is None
    assert canonical(spelling) == display


@pytest.mark.parametrize("spelling, display", DISPLAY)
def test_display_spelling_reads_back_to_itself(spelling, display):
    """What parse_unit writes into rules files must be readable again as the same unit
    (and, but for "1/min" shown as "/min", with the same spelling)."""
    again = parse_unit(display)
    assert again.display == ("/min" if display == "1/min" else display)
    assert parse_unit(again.display).display == again.display
    original = parse_unit(spelling)
    assert again.scale == pytest.approx(original.scale)
    assert again.dimensionality == original.dimensionality


@pytest.mark.parametrize(
    "spelling, scale",
    [
        ("x 109 / L", 1e9),
        ("10⁹/L", 1e9),
        ("x 106 / L", 1e6),
        ("10^3/uL", 1e3),
        ("G/L", 1e9),
        ("T/L", 1e12),
        ("mIU/mL", 1e-3),
        ("g/L", 1.0),
        ("mmHg", 1.0),
    ],
)
def test_parse_unit_scale(spelling, scale):
    assert parse_unit(spelling).scale == pytest.approx(scale)


def test_capital_g_per_litre_is_giga_per_litre_not_gauss():
    giga = parse_unit("G/L")
    assert giga.dimensionality == parse_unit("/L").dimensionality
    assert giga.dimensionality != parse_unit("g/L").dimensionality
    assert convert(1.5, "G/L", "10^9/L") == pytest.approx(1.5)
    assert convert(1, "G/L", "/mm3") == pytest.approx(1000)


@pytest.mark.parametrize(
    "spelling, kind",
    [
        ("ULN", "ULN"),
        ("uln", "ULN"),
        ("x ULN", "ULN"),
        ("× ULN", "ULN"),
        ("*ULN", "ULN"),
        ("times ULN", "ULN"),
        ("times the upper limit of normal", "ULN"),
        ("upper limit of normal", "ULN"),
        ("LLN", "LLN"),
        ("x LLN", "LLN"),
        ("lower limit of normal", "LLN"),
    ],
)
def test_parse_unit_relative(spelling, kind):
    unit = parse_unit(spelling)
    assert unit.relative == kind
    assert unit.display == kind
    assert unit.units is None
    assert unit.dimensionality is None


@pytest.mark.parametrize("spelling", [None, "", "   ", "\t"])
def test_parse_unit_empty_is_unitless(spelling):
    assert parse_unit(spelling) is None
    assert canonical(spelling) is None


@pytest.mark.parametrize(
    "spelling",
    ["in", "gr", "foo/L", "foo", "mg/", "/", "x", "mm in", "g/l/", "mg//dL", "10", "ml/min/1.72m2"],
)
def test_parse_unit_unknown_raises(spelling):
    with pytest.raises(UnitError, match="unknown unit"):
        parse_unit(spelling)


def test_unit_error_is_a_value_error_and_input_error():
    with pytest.raises(ValueError):
        parse_unit("foo/L")
    with pytest.raises(InputError):
        parse_unit("foo/L")


@pytest.mark.parametrize("spelling", ["per mm3", "per microliter", "per uL"])
def test_leading_per_reads_like_a_slash(spelling):
    assert parse_unit(spelling).display == parse_unit("/" + spelling.split()[1]).display


# ------------------------------------------------------------------ conversions

CONVERSIONS = [
    # value, source, target, molar mass, expected
    (55, "mmHg", "kPa", None, 7.333),
    (7.333, "kPa", "mmHg", None, 55.0),
    (60, "mm Hg", "kPa", None, 8.0),
    (8, "g/dL", "g/L", None, 80.0),
    (8, "g / dL", "mg/dL", None, 8000.0),
    (1, "mg%", "mg/dL", None, 1.0),
    (350, "/uL", "10^9/L", None, 0.35),
    (350, "/uL", "x 109 / L", None, 0.35),
    (1500, "cells/mm3", "10^9/L", None, 1.5),
    (100000, "/mm3", "G/L", None, 100.0),
    (150, "10^3/uL", "10^9/L", None, 150.0),
    (0.5, "x 109 / L", "/mm3", None, 500.0),
    (200, "x 106 / L", "/mm3", None, 200.0),
    (1, "mg/dL", "umol/L", 113.12, 88.4),
    (88.4, "µmol/L", "mg/dL", 113.12, 1.0),
    (100, "mg/dL", "mmol/L", 180.16, 5.55),
    (1, "IU/L", "U/L", None, 1.0),
    (1, "ukat/L", "U/L", None, 60.0),
    (37, "degC", "degF", None, 98.6),
    (37, "°C", "degF", None, 98.6),
    (98.6, "degF", "°C", None, 37.0),
    (0, "degC", "degF", None, 32.0),
    (-40, "degC", "degF", None, -40.0),
    (20, "mL/min/m2", "mL/min/1.73m2", None, 34.6),
    (20, "ml/mn/m2", "mL/min/1.73 m²", None, 34.6),
    (34.6, "mL/min/1.73m2", "mL/min/m2", None, 20.0),
    (1, "lb", "kg", None, 0.4536),
    (2, "h", "min", None, 120.0),
    (50, "%", "percent", None, 50.0),
    (3, "ULN", "x ULN", None, 3.0),
    (3, None, None, None, 3.0),
    (3, "", None, None, 3.0),
]


@pytest.mark.parametrize("value, source, target, molar_mass, expected", CONVERSIONS)
def test_convert(value, source, target, molar_mass, expected):
    assert convert(value, source, target, molar_mass) == pytest.approx(expected, rel=1e-3, abs=1e-9)


@pytest.mark.parametrize(
    "source, target, molar_mass, message",
    [
        ("mg/dL", "umol/L", None, "molar mass"),
        ("umol/L", "mg/dL", None, "molar mass"),
        ("mg/dL", "mmol/L", None, "molar mass"),
        ("mmHg", "kg", None, "cannot be converted"),
        ("mmHg", "kg", 113.12, "cannot be converted"),
        (None, "%", None, "unitless"),
        ("%", None, None, "unitless"),
        ("mg/dL", None, None, "unitless"),
        ("ULN", "LLN", None, "cannot be converted"),
        ("ULN", "mg/dL", None, "cannot be converted"),
        ("mg/dL", "ULN", None, "cannot be converted"),
        ("mL/min", "mL/min/1.73m2", None, "cannot be converted"),
        ("g/L", "G/L", None, "cannot be converted"),
        ("foo/L", "g/L", None, "unknown unit"),
    ],
)
def test_convert_incompatible_raises(source, target, molar_mass, message):
    with pytest.raises(UnitError, match=message):
        convert(1.0, source, target, molar_mass)


def test_molar_mass_message_names_both_units():
    with pytest.raises(UnitError) as caught:
        converter("mg/dL", "umol/L")
    text = str(caught.value)
    assert "molar mass" in text and "mg/dL" in text and "umol/L" in text


def test_converter_is_cached_and_identity_for_same_unit():
    assert converter("mg/dL", "umol/L", 113.12) is converter("mg/dL", "umol/L", 113.12)
    identity = converter("g / dL", "g/dL")
    assert identity(7.25) == 7.25


@pytest.mark.parametrize(
    "source, target, molar_mass, expected",
    [
        ("mmHg", "kPa", None, True),
        ("mg/dL", "umol/L", None, False),
        ("mg/dL", "umol/L", 113.12, True),
        ("mmHg", "kg", None, False),
        ("mL/min", "mL/min/1.73m2", None, False),  # only with per_area (see below)
        ("kg", "kg/m2", None, False),
        (None, "%", None, False),
        (None, None, None, True),
        ("ULN", "ULN", None, True),
        ("ULN", "LLN", None, False),
        ("/mm3", "G/L", None, True),
    ],
)
def test_compatible(source, target, molar_mass, expected):
    assert compatible(source, target, molar_mass) is expected


@pytest.mark.parametrize("source, target", [("mL/min", "mL/min/1.73m2"), ("mL/min/1.73m2", "mL/min"), ("mL/min", "mL/min/m2")])
def test_compatible_per_area_only_when_asked(source, target):
    """Clearances convert with the patient's body surface area; a BMI in kg never does."""
    assert compatible(source, target, per_area=True)
    assert not compatible(source, target)



# ------------------------------------------------------------ body surface area


@pytest.mark.parametrize(
    "source, target, expected",
    [
        ("mL/min", "mL/min/1.73m2", 1),
        ("mL/min", "mL/min/m2", 1),
        ("mg", "mg/m2", 1),
        ("mL/min/1.73m2", "mL/min", -1),
        ("ml/mn/m2", "mL/min", -1),
        ("mL/min", "mL/min", 0),
        ("mL/min/m2", "mL/min/1.73m2", 0),
        ("mg/dL", "mL/min", 0),
        ("ULN", "mL/min", 0),
        (None, "mL/min", 0),
        ("mL/min", None, 0),
    ],
)
def test_area_exponent(source, target, expected):
    assert area_exponent(source, target) == expected


@pytest.mark.parametrize(
    "value, source, target, bsa, expected",
    [
        (100, "mL/min", "mL/min/1.73m2", 2.0, 86.5),
        (100, "mL/min", "mL/min/1.73m2", 1.73, 100.0),
        (86.5, "mL/min/1.73m2", "mL/min", 2.0, 100.0),
        (50, "mL/min", "mL/min/m2", 2.0, 25.0),
        (25, "ml/mn/m2", "mL/min", 2.0, 50.0),
        # no area difference: a plain conversion, the area is not used
        (8, "g/dL", "g/L", 2.0, 80.0),
        (20, "mL/min/m2", "mL/min/1.73m2", 2.0, 34.6),
    ],
)
def test_convert_with_area(value, source, target, bsa, expected):
    assert convert_with_area(value, source, target, bsa) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(
    "height, weight, expected",
    [(180, 80, 2.0), (170, 70, 1.818), (150, 50, 1.443), (100, 36, 1.0)],
)
def test_bsa_mosteller(height, weight, expected):
    assert bsa_mosteller(height, weight) == pytest.approx(expected, rel=1e-3)


# ------------------------------------------------------------------ read_unit_at

READ = [
    # text, position, display (None: no unit), the words read
    ("55mmHg (on", 2, "mmHg", "mmHg"),
    ("5 mm in diameter", 1, "mm", " mm"),
    ("and one", 0, None, None),
    (" and one", 0, None, None),
    (" mL/min/1.73 m2 and", 0, "mL/min/1.73m2", " mL/min/1.73 m2"),
    ("eGFR < 60 ml/min/1.73m² or", 9, "mL/min/1.73m2", " ml/min/1.73m²"),
    ("0.5 x 109 / L, thrombocytopenia", 3, "10^9/L", " x 109 / L"),
    ("8 g / dL, CD4", 1, "g/dL", " g / dL"),
    ("200 x 106 / L.", 3, "10^6/L", " x 106 / L"),
    ("20 ml/mn/m2\n* Sequelae", 2, "mL/min/m2", " ml/mn/m2"),
    ("500 cells per mm3 or", 3, "cells/mm3", " cells per mm3"),
    ("1500/mm3,", 4, "/mm3", "/mm3"),
    ("100,000/mm³ (unless", 7, "/mm3", "/mm³"),
    ("60% of", 2, "%", "%"),
    ("60 % of", 2, "%", " %"),
    ("8 kPa (", 1, "kPa", " kPa"),
    ("60 mm Hg)", 2, "mmHg", " mm Hg"),
    ("1.5 mg/dL or 1.5 x ULN", 3, "mg/dL", " mg/dL"),
    ("2 mg%", 1, "mg/dL", " mg%"),
    ("40 U/L", 2, "U/L", " U/L"),
    ("40 IU/L", 2, "IU/L", " IU/L"),
    ("30 µmol/L", 2, "umol/L", " µmol/L"),
    ("30 umol/l ", 2, "umol/L", " umol/l"),
    ("38.5 °C", 4, "degC", " °C"),
    ("1.5 G/L", 3, "G/L", " G/L"),
    ("1.5 x10^9/L", 3, "10^9/L", " x10^9/L"),
    ("18 years old", 2, "year", " years"),
    ("3 mg per dL", 1, "mg/dL", " mg per dL"),
    ("5 mcg/kg/min infusion", 1, "ug/kg/min", " mcg/kg/min"),
    ("30 kg/m2 (BMI)", 2, "kg/m2", " kg/m2"),
    # not units: words, relative limits
    ("5 in", 1, None, None),
    ("2 gr", 1, None, None),
    ("2.5 x ULN", 3, None, None),
    ("2 foo/L", 1, None, None),
    ("12", 2, None, None),
]


@pytest.mark.parametrize("text, position, display, words", READ)
def test_read_unit_at(text, position, display, words):
    found = read_unit_at(text, position)
    if display is None:
        assert found is None
        return
    assert found is not None
    unit, end = found
    assert unit.display == display
    assert text[position:end] == words


@pytest.mark.parametrize(
    "raw, number, display",
    [
        ("ANC ≥ 1.5 × 10⁹/L", "1.5", "10^9/L"),
        ("platelets > 100 x 10³/mm³", "100", "10^3/mm3"),
        ("count >= 1,500/mm(3)", "1,500", "/mm3"),
    ],
)
def test_read_unit_at_after_normalize(raw, number, display):
    """The extractor reads units in normalised text, where superscripts are spelled out."""
    text = normalize(raw).text
    position = text.index(number) + len(number)
    unit, _ = read_unit_at(text, position)
    assert unit.display == display


def test_read_unit_at_leading_per():
    unit, end = read_unit_at("1500 per mm3 or more", 4)
    assert unit.display == "/mm3"


# ----------------------------------------------------------------- format_number


@pytest.mark.parametrize(
    "value, text",
    [
        (55, "55"),
        (55.0, "55"),
        (7.3327, "7.33"),
        (0.5, "0.5"),
        (0.35000000000000003, "0.35"),
        (0.1 + 0.2, "0.3"),
        (12.345, "12.3"),
        (150000, "150,000"),
        (1000, "1,000"),
        (1500.4, "1,500"),
        (1e6, "1,000,000"),
        (-3, "-3"),
        (-1500, "-1,500"),
        (0, "0"),
        (0.000123, "0.000123"),
        (98.59999999999982, "98.6"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize("value", [999.5, 999.7, 999.99])
def test_format_number_just_below_one_thousand(value):
    assert format_number(value) == "1,000"


# -------------------------------------------------------------------- properties

# pairs of units that convert into each other, with the molar mass they need
PAIRS = [
    ("mmHg", "kPa", None),
    ("mm Hg", "cmH2O", None),
    ("g/dL", "g/L", None),
    ("mg%", "g/L", None),
    ("/uL", "10^9/L", None),
    ("cells/mm3", "G/L", None),
    ("x 109 / L", "/mm3", None),
    ("10^3/uL", "x 106 / L", None),
    ("mg/dL", "umol/L", 113.12),
    ("mg/dL", "mmol/L", 180.16),
    ("µmol/L", "mg/dL", 584.66),
    ("U/L", "ukat/L", None),
    ("IU/L", "mIU/mL", None),
    ("mL/min/m2", "mL/min/1.73m2", None),
    ("ml/mn/m2", "mL/min/1.73 m²", None),
    ("lb", "kg", None),
    ("h", "min", None),
    ("weeks", "days", None),
    ("%", "percent", None),
    ("degC", "degF", None),
]
LINEAR_PAIRS = [p for p in PAIRS if p[0] != "degC"]

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@given(pair=st.sampled_from(PAIRS), x=values)
def test_round_trip(pair, x):
    a, b, molar_mass = pair
    back = convert(convert(x, a, b, molar_mass), b, a, molar_mass)
    assert back == pytest.approx(x, rel=1e-9, abs=1e-6)


@given(pair=st.sampled_from(PAIRS), x=values)
def test_conversion_is_monotone_increasing(pair, x):
    a, b, molar_mass = pair
    f = converter(a, b, molar_mass)
    assert f(x + 1.0) > f(x)


@given(pair=st.sampled_from(LINEAR_PAIRS), x=values, y=values, k=st.floats(-1e3, 1e3, allow_nan=False))
def test_linearity(pair, x, y, k):
    a, b, molar_mass = pair
    f = converter(a, b, molar_mass)
    slope = abs(f(1.0))
    assert slope > 0
    # tolerance: float rounding relative to the size of the operands
    tolerance = 1e-9 * slope * (abs(x) + abs(y) + 1.0) * (abs(k) + 1.0)
    assert f(x + y) == pytest.approx(f(x) + f(y), abs=tolerance)
    assert f(k * x) == pytest.approx(k * f(x), abs=tolerance)
    assert f(0.0) == 0.0


@given(x=values, y=values)
def test_temperature_is_affine(x, y):
    f = converter("degC", "degF")
    assert f(x) - f(y) == pytest.approx(1.8 * (x - y), rel=1e-9, abs=1e-6)


@given(
    pair=st.sampled_from([("mL/min", "mL/min/1.73m2"), ("mL/min", "mL/min/m2"), ("mg", "mg/m2")]),
    x=st.floats(0, 1e4, allow_nan=False),
    bsa=st.floats(0.3, 3.0),
)
def test_area_round_trip(pair, x, bsa):
    a, b = pair
    there = convert_with_area(x, a, b, bsa)
    assert convert_with_area(there, b, a, bsa) == pytest.approx(x, rel=1e-9, abs=1e-9)


@given(height=st.floats(30, 250), weight=st.floats(1, 300))
def test_bsa_mosteller_squares_back(height, weight):
    bsa = bsa_mosteller(height, weight)
    assert bsa > 0
    assert bsa * bsa * 3600 == pytest.approx(height * weight, rel=1e-9)


@settings(max_examples=300)
@given(x=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_format_number_reads_back_close(x):
    assume(abs(x) >= 0.001 or x == 0)
    text = format_number(x)
    assert "e" not in text
    value = float(text.replace(",", ""))
    if abs(x) >= 1000 or float(x).is_integer():
        assert abs(value - x) <= 0.5 + 1e-9 * abs(x)
    else:
        assert math.isclose(value, x, rel_tol=5e-3)


@pytest.mark.parametrize(
    "value, source, target, analyte, expected",
    [
        (4, "mEq/L", "mmol/L", Analyte(valence=2), 2.0),  # calcium: divalent
        (140, "mEq/L", "mmol/L", Analyte(valence=1), 140.0),  # sodium
        (4, "mEq/L", "mg/dL", Analyte(molar_mass=40.08, valence=2), 8.016),  # through both contexts
        (7, "%", "mmol/mol", Analyte(equations=(Equation("%", "mmol/mol", 10.929, -2.15),)), 53.0),  # HbA1c NGSP -> IFCC
        (53, "mmol/mol", "%", Analyte(equations=(Equation("%", "mmol/mol", 10.929, -2.15),)), 7.0),
        (1, "ukat/L", "U/L", None, 60.0),
    ],
)
def test_analyte_conversions(value, source, target, analyte, expected):
    assert convert(value, source, target, analyte) == pytest.approx(expected, rel=1e-3)


def test_charge_needs_the_valence():
    with pytest.raises(UnitError, match="valence"):
        convert(4, "mEq/L", "mmol/L")

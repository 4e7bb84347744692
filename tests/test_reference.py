"""Default adult reference ranges (screener/data/reference_ranges.yaml): the file loads and
fits the lexicon, sex-specific rows need the sex, limits convert into the measurement's
unit with a warning, and the loader rejects bad input with its line."""

from __future__ import annotations

import math

import pytest

from screener.errors import InputError
from screener.lexicon import get_lexicon
from screener.reference import (
    ReferenceRange,
    ReferenceTable,
    default_range,
    get_reference_ranges,
    limit,
    parse_reference_ranges,
)
from screener.units import compatible, convert

LEX = get_lexicon()
TABLE = get_reference_ranges()
ROWS = list(TABLE)


def _id(row: ReferenceRange) -> str:
    return f"{row.variable}-{row.sex}" if row.sex else row.variable


# ------------------------------------------------------------------------ loading


def test_package_table_loads_once() -> None:
    assert isinstance(TABLE, ReferenceTable)
    assert get_reference_ranges() is TABLE  # cached


REQUIRED = """
alt ast alkaline_phosphatase ggt bilirubin direct_bilirubin creatinine albumin hemoglobin hematocrit platelets wbc
neutrophils lymphocytes sodium potassium calcium magnesium phosphate glucose inr prothrombin_time aptt ldh
creatine_kinase amylase lipase uric_acid tsh ferritin crp urea bun egfr
""".split()

SEX_SPECIFIC = ["creatinine", "hemoglobin", "hematocrit", "creatine_kinase", "uric_acid", "ferritin"]


def test_required_variables_have_a_default() -> None:
    assert [v for v in REQUIRED if v not in TABLE.variables] == []


@pytest.mark.parametrize("variable", SEX_SPECIFIC)
def test_sex_specific_variables_have_one_row_per_sex(variable: str) -> None:
    assert TABLE.sex_specific(variable)
    assert sorted(r.sex for r in TABLE if r.variable == variable) == ["female", "male"]


@pytest.mark.parametrize("variable, sex, unit, low, high", [
    ("alt", None, "U/L", 7, 56),
    ("alt", "female", "U/L", 7, 56),         # a row without sex applies to both
    ("ast", "male", "U/L", 10, 40),
    ("bilirubin", None, "mg/dL", 0.3, 1.2),
    ("direct_bilirubin", None, "mg/dL", None, 0.3),
    ("creatinine", "male", "mg/dL", 0.74, 1.35),
    ("creatinine", "female", "mg/dL", 0.59, 1.04),
    ("hemoglobin", "female", "g/dL", 12.0, 15.5),
    ("hemoglobin", "male", "g/dL", 13.5, 17.5),
    ("platelets", None, "10^9/L", 150, 450),
    ("inr", None, None, 0.8, 1.1),
    ("egfr", None, "mL/min/1.73m2", 60, None),
    ("crp", None, "mg/L", None, 8.0),
])
def test_known_defaults(variable, sex, unit, low, high) -> None:
    row = default_range(variable, sex)
    assert row is not None
    assert (row.variable, row.unit, row.low, row.high) == (variable, unit, low, high)
    assert row.source.startswith("default adult ")


@pytest.mark.parametrize("variable", SEX_SPECIFIC)
def test_missing_sex_gives_no_default_for_a_sex_specific_variable(variable: str) -> None:
    assert default_range(variable, None) is None
    assert limit(variable, "uln", TABLE.get(variable, "male").unit, None) is None
    assert limit(variable, "lln", TABLE.get(variable, "female").unit, None) is None


@pytest.mark.parametrize("variable", ["ammonia", "psa", "ecog", "no_such_variable"])
def test_variables_without_a_default(variable: str) -> None:
    assert default_range(variable, "male") is None
    assert limit(variable, "uln", "U/L", "male") is None


def test_ldl_has_no_default_uln() -> None:
    assert default_range("ldl_cholesterol", None) is None


# ------------------------------------------------------------------------ limits


@pytest.mark.parametrize("variable, which, unit, sex, molar_mass, expected", [
    ("alt", "uln", "U/L", None, None, 56),
    ("alt", "uln", "ukat/L", None, None, 56 / 60),        # 1 ukat = 60 U
    ("alt", "uln", "IU/L", "male", None, 56),
    ("alt", "lln", "U/L", None, None, 7),
    ("creatinine", "uln", "mg/dL", "male", 113.12, 1.35),
    ("creatinine", "uln", "umol/L", "male", 113.12, 1.35 * 10_000 / 113.12),
    ("creatinine", "uln", "umol/L", "female", 113.12, 1.04 * 10_000 / 113.12),
    ("creatinine", "uln", "umol/L", "female", None, 1.04 * 10_000 / 113.12),  # the lexicon's molar mass
    ("bilirubin", "uln", "umol/L", None, 584.66, 1.2 * 10_000 / 584.66),
    ("hemoglobin", "lln", "g/L", "female", None, 120),
    ("platelets", "lln", "10^3/uL", None, None, 150),
    ("platelets", "lln", "/mm3", None, None, 150_000),
    ("glucose", "uln", "mmol/L", None, 180.16, 99 * 10 / 180.16),
    ("inr", "uln", None, None, None, 1.1),
    ("egfr", "lln", "mL/min/1.73 m2", None, None, 60),
])
def test_limit_converts_into_the_measurement_unit(variable, which, unit, sex, molar_mass, expected) -> None:
    result = limit(variable, which, unit, sex, molar_mass)
    assert result is not None
    value, warning = result
    assert math.isclose(value, expected, rel_tol=1e-9)
    assert warning.startswith(which.upper())
    assert "default adult" in warning
    assert warning.endswith("give the lab's range to be sure")


@pytest.mark.parametrize("variable, which, unit, sex, expected", [
    ("alt", "uln", "U/L", None,
     "ULN taken from the default adult range 7-56 U/L; give the lab's range to be sure"),
    ("alt", "uln", "ukat/L", None,
     "ULN 0.933 ukat/L taken from the default adult range 7-56 U/L; give the lab's range to be sure"),
    ("creatinine", "uln", "umol/L", "male",
     "ULN 119 umol/L taken from the default adult male range 0.74-1.35 mg/dL; give the lab's range to be sure"),
    ("direct_bilirubin", "uln", "mg/dL", None,
     "ULN taken from the default adult range up to 0.3 mg/dL; give the lab's range to be sure"),
    ("egfr", "lln", "mL/min/1.73m2", None,
     "LLN taken from the default adult range 60 mL/min/1.73m2 or more; give the lab's range to be sure"),
])
def test_limit_warning_text(variable, which, unit, sex, expected) -> None:
    assert limit(variable, which, unit, sex)[1] == expected


@pytest.mark.parametrize("variable, which, unit, sex", [
    ("egfr", "uln", "mL/min/1.73m2", None),      # no upper limit
    ("direct_bilirubin", "lln", "mg/dL", None),  # no lower limit
    ("crp", "lln", "mg/L", None),
    ("alt", "uln", "mg/dL", None),               # not convertible into the measurement's unit
    ("egfr", "lln", "mL/min", None),             # absolute clearance needs the BSA
    ("inr", "uln", "s", None),
])
def test_limit_unknown(variable, which, unit, sex) -> None:
    assert limit(variable, which, unit, sex) is None


def test_limit_rejects_a_bad_which() -> None:
    with pytest.raises(ValueError):
        limit("alt", "ULN", "U/L", None)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ every row fits the lexicon


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_row_variable_and_unit_fit_the_lexicon(row: ReferenceRange) -> None:
    variable = LEX.variables.get(row.variable)
    assert variable is not None
    assert compatible(row.unit, variable.unit, variable.molar_mass)


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_row_limits_are_ordered_and_plausible(row: ReferenceRange) -> None:
    assert row.low is not None or row.high is not None
    if row.low is not None and row.high is not None:
        assert row.low < row.high
    variable = LEX.variables[row.variable]
    if variable.range:
        low, high = variable.range
        for bound in (row.low, row.high):
            if bound is not None:
                assert low <= convert(bound, row.unit, variable.unit, variable.molar_mass) <= high


# ------------------------------------------------------------------------ the loader


def test_loader_reads_text() -> None:
    table = parse_reference_ranges(
        "ranges:\n"
        "- variable: alt\n  unit: U/L\n  high: 40\n"
        "- variable: creatinine\n  unit: umol/L\n  sex: male\n  low: 60\n  high: 110\n"
        "- variable: creatinine\n  unit: umol/L\n  sex: female\n  low: 45\n  high: 90\n"
    )
    assert len(table) == 3
    assert table.get("alt", None).source == "default adult range up to 40 U/L"
    assert table.get("creatinine", "female").source == "default adult female range 45-90 umol/L"
    assert table.get("creatinine", None) is None
    assert parse_reference_ranges("").variables == set()


ENTRY = "ranges:\n- variable: alt\n  unit: U/L\n  low: 7\n  high: 56\n"


@pytest.mark.parametrize("text, line, words", [
    (ENTRY + "- variable: no_such_lab\n  unit: U/L\n  high: 5\n", 6, "unknown variable"),
    (ENTRY + "- variable: ALT\n  unit: U/L\n  high: 5\n", 6, "did you mean alt?"),
    (ENTRY + "- variable: ast\n  unit: furlongs/L\n  high: 5\n", 7, "unknown unit"),
    (ENTRY + "- variable: ast\n  unit: x ULN\n  high: 5\n", 7, "limit of normal"),
    (ENTRY + "- variable: ast\n  unit: mg/dL\n  high: 5\n", 7, "does not fit"),
    (ENTRY + "- variable: inr\n  unit: s\n  high: 1.1\n", 7, "does not fit"),
    (ENTRY + "- variable: ast\n  unit: U/L\n  low: 40\n  high: 10\n", 6, "not below"),
    (ENTRY + "- variable: ast\n  unit: U/L\n  low: 10\n  high: 10\n", 6, "not below"),
    (ENTRY + "- variable: ast\n  unit: U/L\n", 6, "give low, high or both"),
    (ENTRY + "- variable: ast\n  unit: U/L\n  high: many\n", 8, "number"),
    (ENTRY + "- variable: ast\n  unit: U/L\n  high: .nan\n", 8, "finite"),
    (ENTRY + "- variable: ast\n  unit: U/L\n  high: 40\n  sex: both\n", 9, "female"),
    (ENTRY + "- variable: ast\n  unit: U/L\n  high: 40\n  uln: 40\n", 9, "Extra"),
    (ENTRY + "- variable: alt\n  unit: U/L\n  high: 40\n", 6, "already has a range"),
    (ENTRY + "- variable: alt\n  unit: U/L\n  sex: male\n  high: 40\n", 6, "mixes"),
    ("ranges:\n- variable: ast\n  unit: U/L\n  sex: male\n  high: 40\n"
     "- variable: ast\n  unit: U/L\n  sex: male\n  high: 50\n", 6, "already has a range for males"),
    (ENTRY + "  high: 60\n", 6, "duplicate key"),
    (ENTRY + "defaults: {}\n", 6, "unknown key"),
    ("- variable: alt\n", 1, "mapping"),
    ("ranges: alt\n", 1, "list"),
])
def test_malformed_entries_are_errors_with_their_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_reference_ranges(text, file="ranges.yaml")
    assert caught.value.file == "ranges.yaml"
    assert caught.value.line == line
    assert words in str(caught.value)

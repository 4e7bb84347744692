"""The unit table (computed once with pint, cached) converts exactly as pint does, so that
start-up can skip building pint's registry without changing a single comparison."""

from __future__ import annotations

import itertools
import math

import pytest

from screener import units
from screener.errors import UnitError
from screener.units import Analyte, _linear, _pint_contexts, _spellings, converter, convert_with_area, parse_unit

SPELLINGS = sorted({atom.display for table in _spellings()[:2] for atom in table.values()})
COMPOUNDS = ["mg/dL", "umol/L", "mmol/L", "mEq/L", "g/L", "10^9/L", "/mm3", "mL/min", "mL/min/1.73m2", "U/L",
             "ng/mL", "pmol/L", "mg/m2", "kg/m2", "mmHg", "kPa", "%", "year", "month", "day", "G/L", "cells/uL"]
ANALYTES = [Analyte(), Analyte(molar_mass=113.12), Analyte(valence=1), Analyte(molar_mass=40.08, valence=2)]


def _pint(source: str, target: str, analyte: Analyte):
    src, dst = parse_unit(source), parse_unit(target)
    try:
        return _linear(src, dst, _pint_contexts(src, dst, analyte))
    except UnitError:
        return None


def _table(source: str, target: str, analyte: Analyte):
    try:
        return converter(source, target, analyte)
    except UnitError:
        return None


@pytest.mark.parametrize("analyte", ANALYTES)
def test_table_converts_as_pint(analyte):
    """Every pair of compound units and single spellings: convertible exactly when pint
    says so, with the same factor (and offset for temperatures)."""
    pairs = list(itertools.product(COMPOUNDS, COMPOUNDS)) + list(itertools.combinations(SPELLINGS, 2))
    checked = 0
    for source, target in pairs:
        if parse_unit(source).offset or parse_unit(target).offset:
            continue
        reference, fast = _pint(source, target, analyte), _table(source, target, analyte)
        assert (reference is None) == (fast is None), (source, target, analyte)
        if reference is not None:
            checked += 1
            for value in (0.0, 1.0, 37.5):
                assert math.isclose(fast(value), reference(value), rel_tol=1e-12, abs_tol=1e-12), (source, target, value)
    assert checked > 100


@pytest.mark.parametrize("source, target", [("mL/min", "mL/min/1.73m2"), ("mL/min/1.73m2", "mL/min"), ("mg", "mg/m2")])
def test_area_conversion_matches_pint(source, target):
    src, dst = parse_unit(source), parse_unit(target)
    reference = (units.Q_(70 * src.scale, src.units) / units.Q_(1.9, "m**2") ** units.area_exponent(source, target))
    assert convert_with_area(70, source, target, 1.9) == pytest.approx(float(reference.to(dst.units).magnitude) / dst.scale, rel=1e-12)


def test_reading_units_does_not_build_the_registry(monkeypatch):
    """Once the table is cached, reading and converting ratio units never touches pint."""
    _spellings()
    monkeypatch.setattr(units, "registry", lambda: pytest.fail("pint registry built"))
    parse_unit.cache_clear()
    converter.cache_clear()
    assert converter("mg/dL", "umol/L", Analyte(molar_mass=113.12))(1.0) == pytest.approx(88.4, rel=1e-3)
    assert parse_unit("x 10^9 / L").display == "10^9/L"
    parse_unit.cache_clear()
    converter.cache_clear()


WRITTEN = sorted({key for table in _spellings()[:2] for key in table})  # as texts write them: "°C", "deg F"
OFFSET = [s for s in WRITTEN if parse_unit(s) is not None and parse_unit(s).offset]
OTHERS = ["%", "degree", "year", "mg/dL", "mmol/L", "K", "kelvin", "degC/min", "degF", "degC", "G/L", "1.73m2"]


@pytest.mark.parametrize("analyte", [Analyte(), Analyte(molar_mass=113.12), Analyte(valence=1)])
def test_temperatures_convert_exactly_as_pint(analyte):
    """Every pair with an offset unit: refused exactly when pint refuses, else the same slope
    and offset to the last bit."""
    assert len(OFFSET) > 5
    checked = 0
    for source, target in itertools.permutations(OFFSET + OTHERS, 2):
        try:
            src, dst = parse_unit(source), parse_unit(target)
        except UnitError:
            continue
        if src is None or dst is None or not (src.offset or dst.offset):
            continue
        reference, fast = _pint(source, target, analyte), _table(source, target, analyte)
        assert (reference is None) == (fast is None), (source, target, analyte)
        if reference is not None:
            checked += 1
            for value in (0.0, 1.0, 37.5, -40.0, 98.6):
                assert fast(value) == reference(value), (source, target, value)
    assert checked > 20

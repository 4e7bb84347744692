"""The fast paths of unit reading and conversion agree with the plain ones: reading units
stops at the first word no spelling contains, and temperatures convert from a table pint
computed, without building its registry."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener import units
from screener.errors import UnitError
from screener.unit_offsets import _build, _lines
from screener import unit_spellings
from screener.unit_spellings import _UNIT_TOKEN, _may_spell, read_unit_at
from screener.units import _spellings, converter


def _plain_read_unit_at(text: str, position: int):
    """``read_unit_at`` without its word check: every run of up to 8 tokens is tried."""
    with mock.patch.object(unit_spellings, "_may_spell", lambda token: True):
        return read_unit_at(text, position)


def test_the_word_check_is_what_stops_reading():
    """The plain reading above really turns the check off: a check refusing every word
    reads no unit at all."""
    assert read_unit_at(" mg/dL", 0) is not None
    with mock.patch.object(unit_spellings, "_may_spell", lambda token: False):
        assert read_unit_at(" mg/dL", 0) is None


SPELLINGS = sorted({key for table in _spellings()[:2] for key in table})
WORDS = ["and", "or", "of", "the", "platelets", "in", "per", "x", "times", "ULN", "upper", "limit", "normal", "X", "Per",
         "gm%", "mg", "%", "/", "10^9", "x10^3", "10e9", "1.73", "m2", "m²", "mm³", "µL", "μg", "°C", "ºF", "24", "hours",
         "Hg", "mm", "cu", "sq", "square", "meters", "{cells}", "mm[Hg]", "Cel", "[IU]", "pH", "a", "d", "h", "(", ")"]


@pytest.mark.parametrize("text", [
    " mg/dL and platelets >= 100", " x 10^9/L or more", " times 10^9/L", " mm Hg", " gm% in women", " mg %",
    " mL/min/1.73 m2 (Cockcroft)", " cells/mm³ or", " x ULN", " per cubic mm", " 24 hours urine", " °C or higher",
    " years of age", " IU/L", " mg/100 ml", " mcg/kg/min", " mmol / L", " X 10^9/L", " Per L",
])
def test_reading_stops_only_where_no_unit_can_follow(text):
    assert read_unit_at(text, 0) == _plain_read_unit_at(text, 0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SPELLINGS + WORDS), min_size=1, max_size=9), st.sampled_from(["", " ", "  ", "\t"]))
def test_reading_agrees_with_trying_every_run(words, blank):
    text = " " + blank.join(words) if blank else " " + "".join(words)
    assert read_unit_at(text, 0) == _plain_read_unit_at(text, 0)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_may_be_spelled(spelling):
    for token in _UNIT_TOKEN.finditer(spelling):
        assert _may_spell(token.group().strip(" \t")), (spelling, token.group())


@pytest.mark.parametrize("word", ["and", "platelets", "of", "the", "patients", "ULN", "X"])
def test_words_of_no_spelling(word):
    assert not _may_spell(word)


def test_offset_table_is_what_pint_gives():
    assert _lines() == _build()
    assert any(slope != 1.0 for slope, _ in _lines().values())  # degF <-> degC is in it


def test_temperatures_convert_without_the_registry(monkeypatch):
    _spellings()
    _lines()
    monkeypatch.setattr(units, "registry", lambda: pytest.fail("pint registry built"))
    converter.cache_clear()
    try:
        assert converter("degF", "degC")(212.0) == pytest.approx(100.0)
        assert converter("°C", "degC")(37.5) == 37.5
        with pytest.raises(UnitError):
            converter("%", "degC")
        with pytest.raises(UnitError):
            converter("degree", "degC")
    finally:
        converter.cache_clear()

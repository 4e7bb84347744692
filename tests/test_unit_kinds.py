"""Units of the right dimensions but the wrong kind (mm/h for a clearance) are never
compared, on every engine: the criterion is unknown and the explanation says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener import check, load_rules
from screener.cli import app
from screener.errors import InputError
from screener.lexicon import get_lexicon
from screener.patient import parse_patient
from screener.unit_kinds import get_unit_kinds, kind_problem, parse_unit_kinds
from screener.units import canonical, convert

ROOT = Path(__file__).resolve().parents[1]
SSC = ROOT / "rules" / "NCT02213705.yaml"


@pytest.mark.parametrize("variable, unit, problem", [
    ("creatinine_clearance", "mm/h", "creatinine clearance given in mm/h (a velocity), expected a flow such as mL/min "
                                     "or a flow per body surface area such as mL/min/1.73m2"),
    ("creatinine_clearance", "m/s", "(a velocity)"),
    ("esr", "mL/min/1.73m2", "(a flow per body surface area), expected a velocity such as mm/h"),
    ("creatinine_clearance", "mL/min", None),
    ("creatinine_clearance", "L/h", None),
    ("creatinine_clearance", "ml/mn/m2", None),
    ("creatinine_clearance", "mL/min/{1.73_m2}", None),  # UCUM
    ("egfr", "mL/min/1.73 m2", None),
    ("esr", "mm/hr", None),
    ("pasp", "kPa", None),  # a variable not listed accepts every unit of its dimensions
])
def test_a_unit_of_the_wrong_kind_is_named(variable, unit, problem):
    found = kind_problem(variable, unit)
    assert (found is None) == (problem is None)
    if problem is not None:
        assert problem in found


def test_these_units_have_equal_dimensions_yet_other_kinds():
    """Why the table is needed at all: the registry converts mm/h into a clearance."""
    assert convert(3, "mm/h", "mL/min/1.73m2") == pytest.approx(3e-3 / 60 * 1e6 * 1.73)


def test_every_listed_variable_accepts_the_units_the_lexicon_writes_it_in():
    table, lexicon = get_unit_kinds(), get_lexicon()
    for variable in table.variables:
        term = lexicon.variables[variable]
        units = [term.unit, *(b.unit for b in term.bare_units), *(e.source for e in term.equations),
                 *(e.target for e in term.equations)]
        for unit in filter(None, units):
            assert kind_problem(variable, canonical(unit)) is None, (variable, unit)


@pytest.mark.parametrize("text, message", [
    ("kinds:\n  flow: [mL/min]\nvariables:\n  clearance_of_nothing: [flow]\n", "not a lexicon variable id"),
    ("kinds:\n  flow: [mL/min]\nvariables:\n  egfr: [velocity]\n", "must be a list of kinds from: flow"),
    ("kinds:\n  flow: [furlongs/fortnight]\n", "every example must be a unit"),
    ("kind: {}\n", "top level"),
])
def test_a_malformed_table_is_an_error_with_its_line(text, message):
    with pytest.raises(InputError) as caught:
        parse_unit_kinds(text, file="k.yaml")
    assert message in caught.value.message and caught.value.line is not None


def test_check_leaves_the_criterion_unknown_with_the_reason():
    patient = parse_patient("id: X\nsex: female\nage: 40\nmeasurements:\n  creatinine clearance: 78 mm/h\n")
    result = check(load_rules(SSC), patient)  # 78 mm/h would be 2249 mL/min: not rejected as implausible either
    e4 = next(c for c in result.criteria if c.text.startswith("Calculated creatinine clearance"))
    assert e4.status == "unknown" and "given in mm/h (a velocity), expected a flow" in e4.explanation


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_every_engine_leaves_it_undecided(tmp_path, engine):
    profile = tmp_path / "cc.yaml"
    profile.write_text("id: X\nsex: female\nage: 40\nmeasurements:\n  creatinine clearance: 3 mm/h\n")
    result = CliRunner().invoke(app, ["screen", str(profile), "--rules", str(SSC), "--engine", engine, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout.splitlines()[0])
    assert row["verdict"] == "needs_review"
    assert any(item.startswith("creatinine clearance in a unit comparable with") for item in row["to_collect"])

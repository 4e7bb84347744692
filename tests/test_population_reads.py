"""What ``screener screen --omop`` reads and builds: the screening plan once, and only the
measured variables the rules read (with the inputs of the values derived for them), on
every engine, with the same results as reading everything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener.cli import app
from screener.compiler import compile_source
from screener.engines import python_results, read_variables
from screener.omop import load_omop
from screener.rules import RuleSet, load_rule_sets
from screener.sources import read_sources

from test_omop import needs_sample, synthea  # noqa: F401  (fixtures: the Synthea OMOP sample, unpacked once)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "trials.jsonl"
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"the corpus is not at {CORPUS}")
runner = CliRunner()


@pytest.fixture(scope="module")
def trials() -> list[RuleSet]:
    """The seed trials and the first 100 corpus trials with criteria: 102, as the benchmark screens."""
    compiled = []
    for source in read_sources(str(CORPUS)):
        rules = compile_source(source)
        if rules.criteria:
            compiled.append(rules)
        if len(compiled) == 100:
            break
    return load_rule_sets([ROOT / "rules"]) + compiled


def _count_plans(monkeypatch) -> list[int]:
    import screener.sql as sql
    import screener.sql_run as sql_run

    built = [0]
    original = sql.screening_plan

    def counted(*args, **kwargs):
        built[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(sql, "screening_plan", counted)
    monkeypatch.setattr(sql_run, "screening_plan", counted)
    return built


@needs_sample
def test_screen_omop_on_duckdb_builds_the_screening_plan_once(synthea, tmp_path, monkeypatch) -> None:  # noqa: F811
    built = _count_plans(monkeypatch)
    result = runner.invoke(app, ["screen", "--omop", str(synthea), "--rules", str(ROOT / "rules"), "--engine", "duckdb",
                                 "--out", str(tmp_path / "log.csv")])
    assert result.exit_code == 0, result.output
    assert built[0] == 1


@needs_sample
def test_sql_units_from_builds_the_screening_plan_once(synthea, monkeypatch) -> None:  # noqa: F811
    built = _count_plans(monkeypatch)
    result = runner.invoke(app, ["sql", str(ROOT / "rules"), "--units-from", str(synthea)])
    assert result.exit_code == 0, result.output
    assert built[0] == 1


@needs_sample
@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_screen_omop_reads_only_the_variables_the_rules_read(engine, synthea, tmp_path, monkeypatch) -> None:  # noqa: F811
    import screener.omop as omop

    asked: list[object] = []
    original = omop.load_omop

    def recorded(*args, **kwargs):
        asked.append(kwargs.get("variables"))
        return original(*args, **kwargs)

    monkeypatch.setattr(omop, "load_omop", recorded)
    result = runner.invoke(app, ["screen", "--omop", str(synthea), "--rules", str(ROOT / "rules"), "--engine", engine,
                                 "--out", str(tmp_path / "log.csv")])
    assert result.exit_code == 0, result.output
    assert asked == [read_variables(load_rule_sets([ROOT / "rules"]), engine)]


@needs_corpus
def test_the_variables_read_are_the_sql_plans_and_the_python_engine_reads_no_fewer(trials) -> None:
    from screener.sql import screening_plan

    planned = set(screening_plan(trials, answers=False).variables)
    assert set(read_variables(trials, "duckdb")) == planned
    assert set(read_variables(trials, "python")) >= planned
    assert {"creatinine", "height", "weight"} <= planned  # the trials read derived values, with their inputs


@needs_sample
@needs_corpus
def test_the_python_engine_gives_the_same_results_reading_only_those_variables(synthea, trials) -> None:  # noqa: F811
    everything = load_omop(synthea)
    needed = load_omop(synthea, variables=read_variables(trials, "python"))
    kept, total = (con.execute("SELECT count(*) FROM measurement").fetchone()[0] for con in (needed, everything))
    assert 0 < kept < total  # the sample holds variables no trial reads

    def results(con) -> list[dict]:
        return [json.loads(r.model_dump_json()) for r in python_results(con, trials)]

    assert results(needed) == results(everything)

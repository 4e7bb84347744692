"""Explanations a coordinator can act on: the short default check output, what would decide
each undecided criterion, and "to collect next" ranked by decisiveness."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener import check, load_patient, load_rules
from screener.cli import app
from screener.answers import answers_for
from screener.collect import confirm, rank, ranked_result
from screener.patient import ConditionState, Measurement, Patient
from screener.rules import AllOf, AnyOf, Comparison, Condition, Criterion, Manual, RuleSet, Trial

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "patients"
TRIAL_OF = {"ssc": ROOT / "rules" / "NCT02213705.yaml", "ten": ROOT / "rules" / "NCT04711200.yaml"}
runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, env={"NO_COLOR": "1", "COLUMNS": "100"})


def rules_of(example: Path) -> Path:
    return TRIAL_OF[example.name.split("-")[0]]


def crit(id: str, section: str, rule) -> Criterion:
    return Criterion(id=id, section=section, text=f"criterion {id} " + "with a long text " * 10, rule=rule)


def ruleset(*criteria: Criterion) -> RuleSet:
    return RuleSet(trial=Trial(id="NCT00000001"), criteria=list(criteria))


def person(sex: str | None = "female", **kw) -> Patient:
    return Patient(id="P1", sex=sex, age=50, as_of=dt.date(2024, 5, 1), **kw)


HEART = AllOf(items=[Condition(condition="heart_failure"), Manual(question="refractory")])
PREGNANT = Condition(condition="pregnancy")
FVC = Comparison(variable="fvc", op=">=", value=50, unit="%")


# ---------------------------------------------------------------------------- ranking

def test_decisive_item_comes_first_whatever_the_criterion_order():
    """Heart failure alone can only clear E1 (its qualifier still needs an answer); FVC alone
    can fail the inclusion I1: FVC is asked first although E1 comes first."""
    rules = ruleset(crit("E1", "exclusion", HEART), crit("I1", "inclusion", FVC))
    items = rank(rules, check(rules, person()), "female")
    assert [i.text for i in items][0] == "FVC"
    assert items[0].decisive and not any(i.decisive for i in items[1:])


def test_the_last_undecided_criterion_is_decisive_both_ways():
    rules = ruleset(crit("E1", "exclusion", HEART))
    items = rank(rules, check(rules, person()), "female")
    assert items and all(i.decisive for i in items)


@pytest.mark.parametrize("sex, asked", [("female", True), (None, True), ("male", False)])
def test_pregnancy_is_asked_only_when_sex_allows(sex, asked):
    rules = ruleset(crit("E1", "exclusion", AnyOf(items=[PREGNANT, Condition(condition="hiv")])))
    result = check(rules, person(sex))
    texts = [i.text for i in rank(rules, result, sex)]
    assert ("pregnancy (present, past or absent)" in texts) is asked
    assert "HIV infection (present, past or absent)" in texts or any("HIV" in t for t in texts)


def test_nothing_to_collect_once_ineligible_on_decided_data():
    rules = ruleset(crit("I1", "inclusion", FVC), crit("E1", "exclusion", HEART))
    low = person(measurements={"fvc": Measurement(variable="fvc", name="FVC", value=30, unit="%")})
    result = check(rules, low)
    assert result.verdict == "ineligible" and result.to_collect  # the engine lists them...
    assert rank(rules, result, "female") == []  # ...but no missing value can overturn a decided failure
    assert [i.line() for i in confirm(rules, result)] == ["FVC 30% is not at or above 50% (for I1; to confirm)"]


PASP = Comparison(variable="pasp", op=">", value=55, unit="mmHg")
PAO2 = Comparison(variable="pao2", op="<", value=8, unit="kPa")
HIGH_PASP = {"pasp": Measurement(variable="pasp", name="PASP", value=61, unit="mmHg")}
LOW_PAO2 = {"pao2": Measurement(variable="pao2", name="PaO2", value=7, unit="kPa")}


@pytest.mark.parametrize("criteria, measurements, answers, expected", [
    # one failing criterion: the datum that decided it
    ([("E1", PASP)], HIGH_PASP, {}, ["PASP 61 mmHg, above 55 mmHg (for E1; to confirm)"]),
    # two failing criteria on the same datum: that datum, for both
    ([("E1", PASP), ("E2", Comparison(variable="pasp", op=">", value=50, unit="mmHg"))], HIGH_PASP, {},
     ["PASP 61 mmHg, above 55 mmHg (for E1, E2; to confirm)"]),
    # two failing criteria on different data: no single item overturns, nothing listed
    ([("E1", PASP), ("E2", PAO2)], {**HIGH_PASP, **LOW_PAO2}, {}, []),
    # either of two present conditions excludes: neither alone could overturn it
    ([("E1", AnyOf(items=[Condition(condition="hiv"), Condition(condition="epilepsy")]))], {}, {}, []),
    # both are needed to exclude: each alone could overturn it
    ([("E1", AllOf(items=[Condition(condition="hiv"), Condition(condition="epilepsy")]))], {}, {},
     ["HIV infection present (for E1; to confirm)", "epilepsy present (for E1; to confirm)"]),
    # an answer that decided the criterion is what to confirm
    ([("E1", Manual(question="unsuitable"))], {}, {"E1": True}, ["answer yes given to E-criterion-e1-long-7010 (for E1; to confirm)"]),
])
def test_an_ineligible_verdict_lists_only_what_could_overturn_it(criteria, measurements, answers, expected):
    rules = ruleset(*(crit(id, "exclusion", rule) for id, rule in criteria))
    conditions = {c: ConditionState(condition=c, name=c, status="present") for c in ("hiv", "epilepsy")}
    result = check(rules, person(measurements=measurements, answers=answers, conditions=conditions))
    assert result.verdict == "ineligible"
    assert ranked_result(rules, result, "female").to_collect == expected


def test_answers_to_one_criterion_are_one_item():
    rule = AllOf(items=[Manual(question="first words"), Manual(question="second words")])
    rules = ruleset(crit("I1", "inclusion", rule))
    items = rank(rules, check(rules, person()), "female")
    assert [i.key for i in items] == ["answer:I1"]


@pytest.mark.parametrize("trial", sorted(TRIAL_OF))
@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_seed_examples_rank_a_decisive_item_first(example, trial):
    rules, patient = load_rules(TRIAL_OF[trial]), load_patient(example)
    result = check(rules, answers_for(rules, patient))
    items = rank(rules, result, patient.sex)
    if result.verdict != "needs_review":  # decided: nothing to collect
        assert items == []
        return
    assert items[0].decisive
    decisive = [i.decisive for i in items]
    assert decisive == sorted(decisive, reverse=True)  # every decisive item before the others
    assert len({i.key for i in items}) == len(items)
    if patient.sex == "male":
        assert not any("pregnan" in i.text or "breastfeeding" in i.text for i in items)


# ---------------------------------------------------------------------------- check output

@pytest.mark.parametrize("example, trial, expected", [
    ("ten-ineligible", "ssc", ["confirm history of malignancy"]),  # E14 alone excludes
    ("ssc-ineligible", "ssc", [""]),  # E1 (PASP) and E3 (PaO2): no single datum overturns
    ("ten-ineligible", "ten", [""]),  # I2 (dates) and E2 (malignancy end)
])
def test_screening_log_of_an_ineligible_seed_lists_only_what_to_confirm(tmp_path, example, trial, expected):
    import csv

    out = tmp_path / "log.csv"
    assert run("screen", str(EXAMPLES / f"{example}.yaml"), "--rules", str(TRIAL_OF[trial]), "--out", str(out)).exit_code == 0
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert row["verdict"] == "ineligible" and row["data to collect next"].split(" | ") == expected


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*-needs-review.yaml")), ids=lambda p: p.name)
def test_screening_log_ranks_what_to_collect_as_check_does(tmp_path, example):
    import csv

    out = tmp_path / "log.csv"
    assert run("screen", str(example), "--rules", str(rules_of(example)), "--out", str(out)).exit_code == 0
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    rules, patient = load_rules(rules_of(example)), load_patient(example)
    items = rank(rules, check(rules, patient), patient.sex)
    cell = row["data to collect next"].split(" | ")
    assert cell[0].startswith("decisive: ") and len(cell) == len(items)
    first = items[0].text.replace("answer yes/no to ", "answer ")
    assert cell[0] == "decisive: " + first and all("answer to " not in item for item in cell)


def test_check_table_of_the_eligible_example_fits_in_40_lines():
    result = run("check", str(TRIAL_OF["ssc"]), str(EXAMPLES / "ssc-eligible.yaml"))
    assert result.exit_code == 0
    assert len(result.output.splitlines()) <= 40
    assert "Verdict: ELIGIBLE" in result.output


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_default_check_names_failing_values_and_one_line_per_undecided(example):
    result = run("check", str(rules_of(example)), str(example))
    lines = result.output.splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert "\x1b[" not in result.output  # no colour outside a terminal
    full = check(load_rules(rules_of(example)), load_patient(example))
    for criterion in full.criteria:
        if criterion.outcome == "review" and full.verdict == "needs_review":
            row = [line for line in lines if line.startswith(f"  {criterion.id} ")]
            assert len(row) == 1  # one line, with the id
            assert len(criterion.text) < 60 or criterion.text.strip() not in row[0]
        if criterion.outcome == "fail":
            assert any(line.startswith(f"  {criterion.id} ") for line in lines)


def test_failing_criterion_shows_value_and_limit():
    result = run("check", str(TRIAL_OF["ssc"]), str(EXAMPLES / "ssc-ineligible.yaml"))
    assert "Why not eligible:" in result.output
    # "< 8 kPa (< 60 mmHg)" and a value in mmHg: the limit as written in mmHg
    assert "PaO2 55 mmHg, below 60 mmHg: met" in result.output.split("Why not eligible:", 1)[1]


def test_width_follows_columns():
    narrow = runner.invoke(app, ["check", str(TRIAL_OF["ten"]), str(EXAMPLES / "ten-ineligible.yaml"), "--all"],
                           env={"COLUMNS": "70", "NO_COLOR": "1"})
    assert max(len(line) for line in narrow.output.splitlines()) <= 70


# ---------------------------------------------------------------------------- conventions

def test_dash_reads_the_patient_from_standard_input_and_writes_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (EXAMPLES / "ssc-eligible.yaml").read_text(encoding="utf-8")
    result = run("check", str(TRIAL_OF["ssc"]), "-", "--out", "-", input=text)
    assert result.exit_code == 0, result.output
    assert "Verdict: ELIGIBLE" in result.output
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "table"])
def test_every_report_records_version_rules_hash_and_time(fmt):
    rules = TRIAL_OF["ssc"]
    digest = hashlib.sha256(rules.read_bytes()).hexdigest()
    result = run("check", str(rules), str(EXAMPLES / "ssc-eligible.yaml"), "--format", fmt)
    output = result.output.replace("\n  ", " ")
    assert digest in output and "screener 0.1.0" in output.replace('"screener": "0.1.0"', "screener 0.1.0")
    if fmt == "json":
        report = json.loads(result.output)["report"]
        assert report["rules_sha256"] == {"NCT02213705": digest}
        assert dt.datetime.fromisoformat(report["made"].replace("Z", "+00:00"))


@pytest.mark.parametrize("fmt", ["json", "markdown", "html", "table"])
def test_patient_path_only_with_show_paths(fmt):
    path = str(EXAMPLES / "ssc-eligible.yaml")
    assert path not in run("check", str(TRIAL_OF["ssc"]), path, "--format", fmt).output
    assert path in run("check", str(TRIAL_OF["ssc"]), path, "--format", fmt, "--show-paths").output.replace("\n  ", " ")


def test_review_reads_the_rules_from_standard_input(monkeypatch):
    monkeypatch.chdir(ROOT)  # the rules' relative trial.source is found from the current folder
    page = run("review", "-", "--source", "tests/fixtures/seeds/NCT04711200.txt", input=TRIAL_OF["ten"].read_text())
    assert page.exit_code == 0, page.output
    assert page.output.startswith("<!doctype html>") and "Lyell" in page.output
    broken = run("review", "-", input="trial: [\n")
    assert broken.exit_code == 2 and broken.output.startswith("error: <stdin>:")


BUNDLE = {"resourceType": "Bundle", "type": "collection", "entry": [
    {"resource": {"resourceType": "Patient", "id": "p-1", "gender": "female", "birthDate": "1970-02-03"}}]}


@pytest.mark.parametrize("text", [json.dumps(BUNDLE), json.dumps(BUNDLE["entry"][0]["resource"]) + "\n"],
                         ids=["bundle", "ndjson"])
def test_convert_reads_fhir_from_standard_input(text):
    result = run("convert", "-", input=text)
    assert result.exit_code == 0, result.output
    assert "# converted from <stdin>" in result.output and "birth_date: 1970-02-03" in result.output


# ---------------------------------------------------------------------------- screening log

def test_screening_log_cells_are_short_and_record_provenance(tmp_path):
    import csv

    out = tmp_path / "log.csv"
    assert run("screen", str(EXAMPLES), "--rules", str(ROOT / "rules"), "--format", "csv", "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    digest = hashlib.sha256(TRIAL_OF["ssc"].read_bytes()).hexdigest()
    for row in rows:
        for cell in ("reasons for ineligibility", "data to collect next"):
            assert all(len(item) <= 60 for item in row[cell].split(" | "))
        assert "answer to I" not in row["data to collect next"] or ":" not in row["data to collect next"]
        if row["verdict"] == "ineligible":  # only what the verdict rests on, to confirm
            assert all(item.startswith("confirm ") for item in row["data to collect next"].split(" | ") if item)
        assert row["screener"] == "0.1.0" and row["made"]
    assert {row["rules sha256"] for row in rows if row["trial"] == "NCT02213705"} == {digest}
    jsonl = run("screen", str(EXAMPLES), "--rules", str(ROOT / "rules"), "--format", "jsonl")
    lines = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert any(len(" ".join(line["to_collect"])) > 200 for line in lines)  # the full texts stay in the JSONL
    assert all(line["report"]["screener"] == "0.1.0" for line in lines)


def test_stats_exits_2_when_an_input_failed(tmp_path):
    result = run("stats", str(tmp_path / "missing.jsonl"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_compile_writes_standard_output_for_dash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("compile", "-", "--id", "NCT1", "--out", "-", input="Inclusion Criteria:\n- Age > 18 years\n")
    assert result.exit_code == 0 and "schema_version: 1" in result.output
    assert not (tmp_path / "-").exists()


def test_one_version_source_and_a_licence():
    from importlib.metadata import version

    import screener

    assert version("trial-screener") == screener.__version__
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("tty, env, colour", [(True, {}, True), (True, {"NO_COLOR": "1"}, False), (False, {}, False),
                                              (True, {"TERM": "dumb"}, False)])
def test_colour_only_on_a_terminal_without_no_color(monkeypatch, tty, env, colour):
    import sys

    from screener import cli

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    assert cli.colour() is colour


def test_coloured_table_keeps_the_text(capsys):
    from screener.report import print_table

    text = "Verdict: INELIGIBLE: I2 (inclusion not met)\n"
    print_table(text)
    assert capsys.readouterr().out == text

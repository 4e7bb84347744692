"""Answers stay on the criterion they were given for: stable keys survive an inserted
bullet; an answer whose words changed, or that names nothing, is a clean error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener.answers import AnswerIndex, answers_for
from screener.cli import app
from screener.compiler import compile_criteria, compile_source
from screener.errors import PatientError, RulesError
from screener.evaluate import check
from screener.patient import load_patient, parse_patient
from screener.rules import Manual, RuleSet, dump_rules, load_rules, parse_rules, walk
from screener.sources import Source
from screener.stable_ids import fingerprint, normalise
from screener.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = load_yaml(ROOT / "tests" / "fixtures" / "corpus_golden.yaml").data["trials"]
SSC = ROOT / "rules" / "NCT02213705.yaml"
TEN = ROOT / "rules" / "NCT04711200.yaml"
NEW_BULLET = "Body weight of at least 40 kg at screening"


def _compile(text: str, trial: str) -> RuleSet:
    return compile_source(Source(text, 0, len(text), trial))


def _with_inserted_bullet(text: str, rules: RuleSet) -> str | None:
    """The text with one more bullet before the first inclusion, in the same list marker."""
    first = next((c for c in rules.criteria if c.section == "inclusion" and c.span and not c.field), None)
    if first is None or first.span is None:
        return None
    start = first.span[0]
    marker = text[text.rfind("\n", 0, start) + 1:start]
    if not marker.strip() or len(marker.strip()) > 4:
        return None
    return text[:start] + NEW_BULLET + "\n" + marker + text[start:]


def _answers(rules: RuleSet) -> dict[str, bool]:
    return {c.key: i % 2 == 0 for i, c in enumerate(rules.criteria) if c.key}


def test_inserting_a_bullet_keeps_every_answer_on_its_criterion():
    moved = 0
    for trial in GOLDEN:
        before = _compile(trial["criteria"], trial["id"])
        text = _with_inserted_bullet(trial["criteria"], before)
        if text is None:
            continue
        after = _compile(text, trial["id"])
        assert NEW_BULLET in [c.text.strip() for c in after.criteria], trial["id"]
        patient = parse_patient("id: P\nage: 40\n").model_copy(update={"answers": _answers(before)})
        landed = answers_for(after, patient).answers
        given = {c.text: _answers(before)[c.key] for c in before.criteria if c.key}  # type: ignore[index]
        assert {after.criterion(cid).text: value for cid, value in landed.items()} == given, trial["id"]
        moved += sum(b.id != a.id for b in before.criteria for a in after.criteria if a.text == b.text)
    assert moved >= 50  # positions did move: a positional answer would have landed elsewhere


def test_recompiled_seed_with_an_inserted_bullet_keeps_the_example_answers():
    source = (ROOT / "tests" / "fixtures" / "seeds" / "NCT04711200.txt").read_text()
    text = source.replace("Inclusion Criteria: - ", f"Inclusion Criteria: - {NEW_BULLET} - ", 1)
    after = compile_criteria(text, "NCT04711200")
    patient = load_patient(ROOT / "examples" / "patients" / "ten-eligible.yaml")
    before = check(load_rules(TEN), patient)
    assert before.verdict == "eligible"
    outcomes = {c.text: (c.status, c.explanation) for c in check(after, patient).criteria}
    assert after.criteria[0].text.strip() == NEW_BULLET and after.criteria[3].text == before.criteria[2].text
    assert {c.text: (c.status, c.explanation) for c in before.criteria} == {t: o for t, o in outcomes.items() if t != NEW_BULLET}


@pytest.mark.parametrize("answer, message", [
    ("I44", "no criterion or question 'I44' in NCT04711200 (did you mean I4?)"),
    ("i3", "(did you mean I3?)"),
    ("I-confirmed-sjs-ten-0000", "the words of this criterion changed since the answer was given: it is now "
                                 "I-confirmed-sjs-ten-2675 (I3:"),
    ("I-confirmd-sjs-ten-2675", "(did you mean I-confirmed-sjs-ten-2675?)"),
])
def test_an_answer_that_lands_nowhere_is_an_error_with_its_line(tmp_path, answer, message):
    profile = tmp_path / "p.yaml"
    profile.write_text(f"id: P\nage: 40\nanswers:\n  I1: true\n  {answer}: true\n")
    with pytest.raises(PatientError) as caught:
        check(load_rules(TEN), load_patient(profile))
    assert (caught.value.file, caught.value.line, caught.value.field) == (str(profile), 5, f"answers.{answer}")
    assert message in caught.value.message
    result = CliRunner().invoke(app, ["check", str(TEN), str(profile)])
    assert result.exit_code == 2 and f"p.yaml:5: answers.{answer}: " in result.output
    assert "Traceback" not in result.output


def test_positional_ids_are_aliases_only_where_unambiguous():
    rules = [load_rules(SSC), load_rules(TEN)]
    one = parse_patient("id: P\nage: 40\nanswers:\n  I3: true\n")
    assert answers_for(rules[1], one).answers == {"I3": True}
    with pytest.raises(PatientError, match="I3 is a position in 2 trials; answer by the criterion's key, or under the trial's id: "
                                           "I-these-forms-severe-7a5f .NCT02213705., I-confirmed-sjs-ten-2675"):
        AnswerIndex(rules).for_rule_sets(one)
    keyed = parse_patient("id: P\nage: 40\nanswers:\n  I-confirmed-sjs-ten-2675: true\n")
    assert [p.answers for p in AnswerIndex(rules).for_rule_sets(keyed)] == [{}, {"I3": True}]


def test_a_question_key_answers_that_question_only():
    rules = load_rules(SSC)
    keys = {n.key: n.id for c in rules.criteria for n in walk(c.rule) if isinstance(n, Manual) and n.key}
    assert keys["I-dlco-60-fvc-e65d.q2"] == "I4.2" and len(keys) == 4
    patient = parse_patient("id: P\nage: 40\nanswers:\n  I-dlco-60-fvc-e65d.q2: false\n")
    assert answers_for(rules, patient).answers == {"I4.2": False}


def test_the_same_criterion_answered_twice_both_ways_is_an_error():
    patient = parse_patient("id: P\nage: 40\nanswers:\n  I3: true\n  I-confirmed-sjs-ten-2675: false\n")
    with pytest.raises(PatientError, match="answers I3 .NCT04711200. as I3 does, with the other value"):
        answers_for(load_rules(TEN), patient)


@pytest.mark.parametrize("a, b", [
    ("1. Signed informed consent.", "- signed  informed consent"),
    ("a) Age ≥ 18 years", "age  ≥ 18 years;"),
    ("• Créatinine < 2", "creatinine < 2"),
])
def test_list_marks_case_accents_and_spacing_do_not_change_the_fingerprint(a, b):
    assert fingerprint(a) == fingerprint(b)
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize("a, b", [("creatinine < 2", "creatinine > 2"), ("age ≥ 18", "age ≤ 18"), ("ALT 1.5 x ULN", "ALT 15 x ULN"),
                                  ("Hb 10 %", "Hb 10")])
def test_signs_and_numbers_change_the_fingerprint(a, b):
    assert fingerprint(a) != fingerprint(b)


def test_a_criterion_reworded_by_hand_after_compiling_is_a_rules_error():
    text = TEN.read_text().replace("text: Uncontrolled epilepsia", "text: Controlled epilepsia", 1)
    with pytest.raises(RulesError, match="the fingerprint does not match the text or heading of E6") as caught:
        parse_rules(text, file="r.yaml")
    assert caught.value.field and caught.value.field.endswith(".fingerprint")


def test_keys_are_written_and_read_back():
    rules = load_rules(TEN)
    assert parse_rules(dump_rules(rules)) == rules
    assert all(re.fullmatch(r"(I|E|AGE_MIN|AGE_MAX|SEX)-[a-z0-9-]+-[0-9a-f]{4}(-\d+)?", c.key or "") for c in rules.criteria)
    assert len({c.key for c in rules.criteria}) == len(rules.criteria)


def test_answers_under_a_trial_id_apply_to_that_trial_only():
    rules = [load_rules(SSC), load_rules(TEN)]
    text = "id: P\nage: 40\nanswers:\n  NCT04711200:\n    I3: true\n    E-uncontrolled-epilepsia-119c: false\n  NCT09999999:\n    I1: true\n"
    patient = parse_patient(text, file="p.yaml")
    assert [p.answers for p in AnswerIndex(rules).for_rule_sets(patient)] == [{}, {"I3": True, "E6": False}]
    assert answers_for(rules[0], patient).answers == {}  # a trial not checked: nothing to attach, no error
    bad = parse_patient(text.replace("    I3: true", "    I33: true"), file="p.yaml")
    with pytest.raises(PatientError) as caught:
        answers_for(rules[1], bad)
    assert (caught.value.line, caught.value.field) == (5, "answers.NCT04711200/I33")


def test_the_heading_is_part_of_a_criterions_identity():
    text = ("Exclusion Criteria:\n\nExcluded:\n\n  - Ribavirin.\n\n"
            "Excluded within 3 months of study entry:\n\n  - Ribavirin.\n")
    rules = _compile(text, "T")
    assert [c.heading for c in rules.criteria] == ["Excluded", "Excluded within 3 months of study entry"]
    assert rules.criteria[0].key != rules.criteria[1].key
    assert not rules.criteria[1].key.endswith("-2")  # not a mere repeat

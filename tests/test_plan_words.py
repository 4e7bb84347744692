"""The plan's explanations (worded from parts prepared at plan time: ``screener.limit``,
``screener.plan_leaves``) against a plain wording written here from the words module's
building blocks: label, the patient's value, its conversion, the limit, the sentence, the
criterion's meaning.  The statuses are checked against a reference in ``test_plan.py``;
here, for every status the engine gives, the words must be the reference's, word for word,
in the criterion's explanation and in its details."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener import check
from screener.patient import Measurement, Patient
from screener.rules import AllOf, AnyOf, Comparison, Criterion, Interval, RuleSet, Trial
from screener.units import converter, format_number
from screener.wording import (
    STATUS_WORDS, duration_text, event_label, limit_text, plural, quantity_text, relative_of, same_unit, sentence, shown_number,
    variable_info, with_unit,
)

AS_OF = dt.date(2024, 5, 1)

LIMITS = {  # variable: (limit units, patient units)
    "pao2": (["kPa", "mmHg"], ["kPa", "mmHg"]),
    "hemoglobin": (["g/dL", "g/L"], ["g/dL", "g/L"]),
    "platelets": (["10^9/L", "/uL"], ["10^9/L", "/uL"]),
    "fvc": (["%"], ["%"]),
    "mrss": ([None], [None]),
    "alt": (["ULN"], ["U/L"]),
}
NUMBERS = st.one_of(
    st.integers(0, 200_000).map(float),
    st.floats(0.01, 2_000, allow_nan=False).map(lambda v: round(v, 3)),
    st.sampled_from([999.4, 999.5, 1000.0, 1.0, 0.5, 7.999, 8.0, 150_000.0]),
)


@st.composite
def comparisons(draw) -> tuple[Comparison, Measurement]:
    variable = draw(st.sampled_from(sorted(LIMITS)))
    limit_units, patient_units = LIMITS[variable]
    unit = draw(st.sampled_from(limit_units))
    value = draw(st.one_of(st.sampled_from([3, 8, 60, 100, 1.5, 1.125]), NUMBERS.filter(lambda v: v > 0)))
    context = draw(st.sampled_from([[], ["at rest"]]))
    node = Comparison(variable=variable, op=draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="])), value=value,
                      unit=unit, context=context)
    patient_unit = draw(st.sampled_from(patient_units))
    uln = draw(st.sampled_from([40.0, 35.5])) if variable == "alt" else None
    measured = draw(NUMBERS)
    if draw(st.booleans()):  # a value near the limit: its words must not look equal to the limit's
        near = value * draw(st.sampled_from([1.0, 1.0001, 0.9999, 1.001, 1.004]))
        measured = near * uln if uln else converter(unit, patient_unit, variable_info(variable, None)[1])(near)
    measurement = Measurement(variable=variable, name=variable, value=measured, unit=patient_unit, uln=uln,
                              note=draw(st.sampled_from([None, "lowest of 3"])))
    return node, measurement


def reference_words(node: Comparison, m: Measurement | None, age: float | None, status: str) -> str:
    """The leaf's explanation, worded plainly (``test_plan.py`` checks ``status``)."""
    label, analyte = variable_info(node.variable, node.label)
    limit = limit_text(node.value, node.unit)
    context = f" (assumes {label} measured {', '.join(node.context)})" if node.context else ""
    if m is None:  # an age in years
        assert age is not None
        return sentence(f"{label} {quantity_text(age, 'year')}", status, node.op, limit) + context
    subject = f"{label} {with_unit(format_number(m.value), m.value, m.unit)}" + (f" ({m.note})" if m.note else "")
    relative = relative_of(node.unit)
    if relative:
        shown, note, show = m.value / m.uln, f" ({relative} {quantity_text(m.uln, m.unit)})", True
    else:
        shown, note, show = converter(m.unit, node.unit, analyte)(m.value), "", not same_unit(m.unit, node.unit)
    if show:
        subject += f" = {with_unit(shown_number(shown, node.value), shown, node.unit)}{note}"
    return sentence(subject, status, node.op, limit) + context


def meaning(section: str, status: str, outcome: str) -> str:
    words = f"{section} {STATUS_WORDS[status]}"
    if status == "unknown":
        return words + " (needs review)"
    return words + (" with a default range (needs review)" if outcome == "review" else "")


def rule_set(rule, section: str) -> RuleSet:
    return RuleSet(trial=Trial(id="T"), criteria=[Criterion(id="C1", section=section, text="c", rule=rule)])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaves=st.lists(comparisons(), min_size=1, max_size=3), section=st.sampled_from(["inclusion", "exclusion"]),
       group=st.sampled_from([AllOf, AnyOf]))
def test_comparison_words_are_the_reference_wording(leaves, section, group):
    measurements = {}
    for _, m in leaves:
        measurements.setdefault(m.variable, m)  # one value a variable, as a profile has
    nodes = [node for node, _ in leaves]
    rule = nodes[0] if len(nodes) == 1 else group(items=nodes)
    patient = Patient(id="P", as_of=AS_OF, measurements=measurements)
    result = check(rule_set(rule, section), patient).criteria[0]
    details = result.details
    assert len(details) == len(nodes)
    expected = [reference_words(node, measurements[node.variable], None, d.status) for node, d in zip(nodes, details)]
    assert [d.explanation for d in details] == expected
    assert result.explanation == "; ".join(expected) + " → " + meaning(section, result.status, result.outcome)
    for node, d in zip(nodes, details):
        m = measurements[node.variable]
        assert d.given == with_unit(format_number(m.value), m.value, m.unit) + (f" ({m.note})" if m.note else "")
        assert d.threshold == f"{node.op} {limit_text(node.value, node.unit)}"


@settings(max_examples=100, deadline=None)
@given(age=st.one_of(st.floats(0.5, 110, allow_nan=False), st.sampled_from([1.0, 17.999, 18.0, 64.5])),
       op=st.sampled_from(["<", "<=", ">", ">="]), value=st.sampled_from([1, 18, 65, 17.5]))
def test_age_words_are_the_reference_wording(age, op, value):
    node = Comparison(variable="age", op=op, value=value, unit="year")
    patient = Patient(id="P", as_of=AS_OF, age=age)
    result = check(rule_set(node, "inclusion"), patient).criteria[0]
    words = reference_words(node, None, patient.age_years(), result.status)
    assert result.details[0].explanation == words
    assert result.explanation == words + " → " + meaning("inclusion", result.status, result.outcome)


@settings(max_examples=100, deadline=None)
@given(days=st.integers(0, 400), unit=st.sampled_from(["day", "week", "month"]), value=st.sampled_from([1, 2, 10, 1.5]),
       op=st.sampled_from(["<", "<=", ">", ">="]))
def test_interval_words_are_the_reference_wording(days, unit, value, op):
    node = Interval(start="symptom_onset", end="hospital_admission", op=op, value=value, unit=unit)
    onset = dt.date(2024, 1, 1)
    patient = Patient(id="P", as_of=AS_OF, events={"symptom_onset": onset, "hospital_admission": onset + dt.timedelta(days)})
    result = check(rule_set(node, "exclusion"), patient).criteria[0]
    given_days = duration_text(days, "day")
    subject = f"time from {event_label('symptom_onset')} to {event_label('hospital_admission')} {given_days}"
    converted = None
    if unit != "day":
        in_unit = days / {"week": 7.0, "month": 30.44}[unit]
        converted = f"{shown_number(in_unit, value)} {plural(unit, in_unit)}"
        subject += f" = {converted}"
    detail = result.details[0]
    assert (detail.explanation, detail.given, detail.converted) == (
        sentence(subject, detail.status, op, duration_text(value, unit)), given_days, converted)

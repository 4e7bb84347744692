"""Rule nodes the compiler makes most, from values it already holds in their fields' types.

Reading an item makes a question for most items, a condition for each one named, and an
"and"/"or" of what was read with a question on the words left; the scope rules add "not"s
and restrictions, and every trial ends in a rule set.  Validating those values again (a
string, a span of two ints, nodes already made) was a tenth of reading an item.  Each
function here gives the node that validating its docstring's call gives, the same fields
counted as set (``screener.trusted.assembled``); a value that validation would convert or
refuse (an operator or sex not among the field's choices, a number that is not finite)
takes the validating path.  ``tests/test_sentence_shortcuts.py`` and ``tests/test_trusted.py``
check they are equal.
"""

from __future__ import annotations

from typing import Any, get_args

from .rules import (AllOf, AnyOf, Comparison, Condition, Criterion, Duration, Manual, Node, Not, Op, Quantity, Restrict,
                    RuleSet, SCHEMA_VERSION, Sex, Span, Trial, Unless, kept_as_number)
from .trusted import assembled

_OPS = frozenset(get_args(Op))
_SEXES = frozenset(get_args(Sex.model_fields["sex"].annotation))
_QUESTION = ("question", "span")
_CONDITION = ("condition", "label", "timing", "within", "span", "text")
_ITEMS = ("items", "span")
_ITEM = ("item", "span")
_RESTRICT = ("group", "item", "outside", "span")
_SEX = ("sex", "span")
_UNLESS = ("item", "exception", "span")
_TRIAL = ("id", "title", "source")
_RULE_SET = ("trial", "criteria")


def manual(question: str, span: Span | None) -> Manual:
    """``Manual(question=question, span=span)``."""
    return assembled(Manual, {"span": span, "text": None, "kind": "manual", "question": question, "id": None, "key": None},
                     _QUESTION)


def condition(condition_id: str, label: str | None, timing: str, within: Duration | None, span: Span | None) -> Condition:
    """``Condition(condition=..., label=..., timing=..., within=..., span=..., text=None)``; ``timing``
    is "current" or "history"."""
    return assembled(Condition, {"span": span, "text": None, "kind": "condition", "condition": condition_id, "label": label,
                                 "timing": timing, "within": within}, _CONDITION)


def all_of(items: list[Node], span: Span | None) -> AllOf:
    """``AllOf(items=items, span=span)``, on a list of its own."""
    return assembled(AllOf, {"span": span, "text": None, "kind": "all", "items": list(items)}, _ITEMS)


def any_of(items: list[Node], span: Span | None) -> AnyOf:
    """``AnyOf(items=items, span=span)``, on a list of its own."""
    return assembled(AnyOf, {"span": span, "text": None, "kind": "any", "items": list(items)}, _ITEMS)


def not_(item: Node, span: Span | None) -> Not:
    """``Not(item=item, span=span)``."""
    return assembled(Not, {"span": span, "text": None, "kind": "not", "item": item}, _ITEM)


def unless(item: Node, exception: Node, span: Span | None) -> Unless:
    """``Unless(item=item, exception=exception, span=span)``."""
    return assembled(Unless, {"span": span, "text": None, "kind": "unless", "item": item, "exception": exception}, _UNLESS)


def restrict(group: Node, item: Node, outside: bool, span: Span | None) -> Restrict:
    """``Restrict(group=group, item=item, outside=outside, span=span)``."""
    return assembled(Restrict, {"span": span, "text": None, "kind": "restrict", "group": group, "item": item,
                                "outside": outside}, _RESTRICT)


def sex(sex: str, span: Span | None) -> Sex:
    """``Sex(sex=sex, span=span)``."""
    if sex not in _SEXES:
        return Sex(sex=sex, span=span)  # validation names the choices
    return assembled(Sex, {"span": span, "text": None, "kind": "sex", "sex": sex}, _SEX)


def comparison(variable: str, label: str | None, op: str, value: int | float, unit: str | None, unit_implied: bool | None,
               alt: list[Quantity], span: Span | None) -> Comparison:
    """``Comparison(variable=..., label=..., op=..., value=..., unit=..., unit_implied=..., alt=..., span=...,
    text=None)``, ``alt`` on a list of its own."""
    return _comparison({"variable": variable, "label": label, "op": op, "value": value, "unit": unit,
                        "unit_implied": unit_implied, "alt": list(alt), "span": span, "text": None})


def limit(variable: str, label: str | None, op: str, value: int | float, unit: str | None, span: Span | None) -> Comparison:
    """``Comparison(variable=..., label=..., op=..., value=..., unit=..., span=...)``: a limit a registry field states."""
    return _comparison({"variable": variable, "label": label, "op": op, "value": value, "unit": unit, "span": span})


def _comparison(given: dict[str, Any]) -> Comparison:
    """``Comparison(**given)``; validated where the operator or the number is not one the model keeps as it is."""
    if given["op"] not in _OPS or not kept_as_number(given["value"]):
        return Comparison(**given)
    data: dict[str, Any] = {"span": None, "text": None, "kind": "comparison", "variable": None, "label": None, "op": None,
                            "value": None, "unit": None, "unit_implied": None, "alt": [], "within": None, "window": None,
                            "context": []}  # every field in order, with its default: ``given`` sets the rest
    data.update(given)
    return assembled(Comparison, data, given)


def trial(trial_id: str | None, title: str | None, source: str | None) -> Trial:
    """``Trial(id=trial_id, title=title, source=source)``."""
    return assembled(Trial, {"id": trial_id, "title": title, "source": source}, _TRIAL)


def rule_set(trial: Trial, criteria: list[Criterion]) -> RuleSet:
    """``RuleSet(trial=trial, criteria=criteria)``, on a list of its own."""
    return assembled(RuleSet, {"schema_version": SCHEMA_VERSION, "trial": trial, "criteria": list(criteria)}, _RULE_SET)

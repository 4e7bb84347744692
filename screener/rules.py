"""The rule model: a trial's eligibility criteria as expression trees with provenance.

A rule set is what the compiler writes and what the evaluator reads.  Every criterion
keeps the exact source text and its ``span`` (start, end offsets into the eligibility
text it was compiled from); every node keeps the span of the words it came from.

Comparisons are stored as the text states them ("PASP > 55 mmHg" in an exclusion is
``op: ">"``); the criterion's ``section`` says whether meeting it includes or excludes.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Annotated, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_serializer

from .errors import RulesError, quote
from .rulecheck import check_rules
from .plaindata import Unusual, plain
from .ruletree import ITEM, ITEMS, LEAF, NODE_CLASS, RESTRICT, SHAPES, UNLESS, node_class, walk
from .ruletree import nodes_and_classes as nodes_and_classes  # defined there to be compiled; imported from here
from .yamlio import RULES_LIMITS, dump_json, dump_yaml, parse_json, parse_yaml, printable_name, read_text

Op = Literal["<", "<=", ">", ">=", "==", "!="]
Section = Literal["inclusion", "exclusion"]
Span = tuple[int, int]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", allow_inf_nan=False)


def _finite_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, not {quote(value)}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, not {value}")
    if isinstance(value, int) and abs(value) > 2**53:  # beyond exact floats: kept as a float, written short
        return float(value)
    return value


Number = Annotated[Union[int, float], BeforeValidator(_finite_number)]
"""A finite number written as one: ``true``, ``"5"`` and ``.nan`` are refused (a NaN
limit compares false both ways and would switch an exclusion off)."""


def kept_as_number(value: object) -> bool:
    """Whether validating ``value`` as a ``Number`` stores it as it is: a finite int or float
    (``screener.readnodes`` builds nodes without validating such values again)."""
    try:
        return type(value) in (int, float) and _finite_number(value) is value
    except ValueError:
        return False


class _Node(_Model):
    span: Span | None = Field(None, description="start, end offsets of the node's words in the source text")
    text: str | None = Field(None, description="the source words this node was read from")

    @model_serializer(mode="wrap")
    def _kind_first(self, handler):
        """Dump ``kind`` first and the provenance last, so files read top-down."""
        data = handler(self)
        return dict(sorted(data.items(), key=lambda item: (item[0] != "kind", item[0] in ("span", "text"))))


class Quantity(_Model):
    """A value with a unit, e.g. the restatement "(< 60 mmHg)" of "< 8 kPa"."""

    value: Number
    unit: str | None = None


class Comparison(_Node):
    """A measured variable against a threshold: ``variable op value unit``.

    ``unit`` is a unit string the unit registry reads, ``ULN``/``LLN`` for multiples
    of the patient's upper/lower limit of normal, or null for a unitless score.
    """

    kind: Literal["comparison"] = "comparison"
    variable: str = Field(description="lexicon id of the measured variable")
    label: str | None = Field(None, description="human name of the variable")
    op: Op
    value: Number
    unit: str | None = None
    unit_implied: bool | None = Field(None, description="true when the text gave no unit and it was read from the value's range")
    alt: list[Quantity] = Field(
        default_factory=list,
        description="the same threshold restated in other units: a second reading; decided only where all agree",
    )
    within: "Duration | None" = Field(None, description="the value must have been measured this recently")
    window: "Window | None" = Field(None, description="only a value measured in this window after an event counts")
    context: list[str] = Field(
        default_factory=list,
        description="how the value is to be measured ('at rest', 'without oxygen'); shown, never blocks the decision",
    )

    def readings(self) -> list["Comparison"]:
        """The limit as written and each restatement in ``alt`` ("< 8 kPa (< 60 mmHg)"), one
        comparison each: every engine decides such a limit only where all readings agree."""
        first = self.model_copy(update={"alt": []})
        return [first] + [first.model_copy(update={"value": q.value, "unit": q.unit}) for q in self.alt]


class Duration(_Model):
    value: Number
    unit: Literal["day", "week", "month", "year", "hour"]


class Window(_Model):
    """A time window anchored on an event: from ``start`` to ``end`` after the event's date.

    "during the first 10 days after onset" is ``event: onset, end: 10 day``.  Only a
    value dated inside the window counts; while the window is still open at the
    profile's date a threshold not yet reached is unknown, not failed.
    """

    event: str = Field(description="lexicon id of the anchoring event")
    start: Duration | None = Field(None, description="offset of the window's start after the event (default 0)")
    end: Duration = Field(description="offset of the window's end after the event")


class Condition(_Node):
    """A clinical condition or history, optionally within a time window.

    ``timing``: ``current`` (present now), ``history`` (present now or in the past),
    with ``within`` limiting how long ago a past condition may have ended.
    """

    kind: Literal["condition"] = "condition"
    condition: str = Field(description="lexicon id of the condition")
    label: str | None = None
    timing: Literal["current", "history"] = "current"
    within: Duration | None = None


class Interval(_Node):
    """Time from one event to another (or to the profile's date): "admission < 10 days after onset"."""

    kind: Literal["interval"] = "interval"
    start: str = Field(description="lexicon id of the first event")
    end: str | None = Field(None, description="lexicon id of the second event; null means the profile's as_of date")
    op: Op
    value: Number
    unit: Literal["day", "week", "month", "year", "hour"]


class Sex(_Node):
    """The registry's sex restriction: the trial takes only female or only male patients."""

    kind: Literal["sex"] = "sex"
    sex: Literal["female", "male"]


class NoRequirement(_Node):
    """Text that states no requirement ("Surgery: Not specified"): passes in either section."""

    kind: Literal["none"] = "none"


class Manual(_Node):
    """Something a person must judge: the question to answer, in the words of the text.

    ``id`` (``I4.1``) names the question; ``answers: {I4.1: true}`` says its words hold
    for the patient.  A Manual is never put under a ``not``: the compiler words the
    question so that "yes" points the way the text does.
    """

    kind: Literal["manual"] = "manual"
    question: str
    id: str | None = Field(None, description="the question's own id, e.g. 'I4.1'; answers use it")
    key: str | None = Field(None, description="the question's stable id, e.g. 'I-dlco-fvc-3b1a.q1' (stable_ids.py)")


class AllOf(_Node):
    kind: Literal["all"] = "all"
    items: list["Node"]


class AnyOf(_Node):
    kind: Literal["any"] = "any"
    items: list["Node"]


class Not(_Node):
    kind: Literal["not"] = "not"
    item: "Node"


class Unless(_Node):
    """An escape: ``item`` holds unless ``exception`` holds ("... unless due to tumor").

    Kleene: ``item AND NOT exception``; an unknown exception leaves the result unknown
    only where it could change it (the item itself not met decides).
    """

    kind: Literal["unless"] = "unless"
    item: "Node"
    exception: "Node"


class Restrict(_Node):
    """A criterion that applies to one group only ("women of childbearing potential").

    Inside the group (``group`` met) the value is ``item``'s; outside it the criterion
    does not apply and the value is ``outside`` (true in an inclusion: satisfied; false
    in an exclusion: does not exclude).  Kleene: ``(group AND item) OR (NOT group AND
    outside)``, so an unknown group is unknown only when ``item`` differs from ``outside``.
    """

    kind: Literal["restrict"] = "restrict"
    group: "Node"
    item: "Node"
    outside: bool


class Readings(_Node):
    """Two or more readings of one limit ("< 8 kPa (< 60 mmHg)", "ml/mn/m2").

    Decided only where every reading agrees: met when all are met, not met when all
    are not met, otherwise unknown (with every reading shown).
    """

    kind: Literal["readings"] = "readings"
    items: list["Node"]


Node = Annotated[
    Union[Comparison, Condition, Interval, Sex, NoRequirement, Manual, AllOf, AnyOf, Not, Unless, Restrict, Readings],
    Field(discriminator="kind"),
]

# The models that name "Node" are completed on first use (``defer_build``): a check whose
# rules come from the data cache never validates them, and skips building their schemas.


class Criterion(_Model):
    """One eligibility criterion with its provenance and its rule."""

    id: str
    key: str | None = Field(None, description="stable id from the normalised text, e.g. 'I-signed-informed-consent-9c1e'; "
                            "answers use it (stable_ids.py)")
    section: Section
    text: str = Field(description="the exact source text of the criterion")
    fingerprint: str | None = Field(None, description="SHA-256 (first 16 hex digits) of the normalised text")
    span: Span | None = Field(None, description="start, end offsets of the text in the source")
    heading: str | None = Field(None, description="the header the criterion stands under, e.g. 'Renal Disease'")
    field: str | None = Field(None, description="the registry field a structured criterion comes from")
    manual: bool = Field(False, description="true when no part of the rule can be computed")
    rule: Node
    notes: list[str] = Field(default_factory=list)


class Trial(_Model):
    id: str | None = None
    title: str | None = None
    source: str | None = Field(None, description="where the criteria text came from")


class RuleSet(_Model):
    """A trial's compiled eligibility criteria."""

    schema_version: int = SCHEMA_VERSION
    trial: Trial
    criteria: list[Criterion]

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


# the node classes and how each holds its children, for the walks of ``screener.ruletree``
SHAPES.update({Comparison: LEAF, Condition: LEAF, Interval: LEAF, Sex: LEAF, NoRequirement: LEAF, Manual: LEAF,
               AllOf: ITEMS, AnyOf: ITEMS, Readings: ITEMS, Not: ITEM, Unless: UNLESS, Restrict: RESTRICT})
NODE_CLASS.update({cls: cls for cls in SHAPES})
_UNCOMPUTED = frozenset({Manual, AllOf, AnyOf, Not, Unless, Restrict, Readings})


def is_manual(node: Node) -> bool:
    """True when no part of the tree can be computed from patient data."""
    return all(type(n) in _UNCOMPUTED or (type(n) not in SHAPES and node_class(n) in _UNCOMPUTED) for n in walk(node))


def computes_nothing(classes: list[type]) -> bool:
    """``is_manual`` of a tree given by the ``node_class`` of its nodes (``nodes_and_classes``)."""
    return _UNCOMPUTED.issuperset(classes)


def limits_only(node: Node) -> bool:
    """True when the tree compares values and names no condition and no question: a limit
    (or limits) alone, which a condition's bracket or a group's cue may qualify."""
    classes = {node_class(n) for n in walk(node)}
    return Comparison in classes and Condition not in classes and Manual not in classes


def _without_empty(data):
    """Drop empty "alt", "context" and "notes" lists so files show only what was found."""
    if isinstance(data, dict):  # scalars are kept without a call each: most values are scalars
        return {k: _without_empty(v) if isinstance(v, (dict, list)) else v for k, v in data.items()
                if not (k in ("alt", "context", "notes") and v == [])}
    if isinstance(data, list):
        return [_without_empty(v) if isinstance(v, (dict, list)) else v for v in data]
    return data


def rules_data(rules: RuleSet) -> dict:
    """The rule set as plain JSON-ready data, in the stable key order of the model.

    Read from the models' fields directly (``screener.plaindata``): pydantic's serializer, with the
    ``_kind_first`` hook called for every node, was half the time of writing a rules file.
    A value the fields should not hold (a float that is not finite, a foreign type) takes
    pydantic's path, which decides what such a value becomes."""
    try:
        return plain(rules, _field_order, _Model)
    except Unusual:
        return _without_empty(rules.model_dump(mode="json", exclude_none=True))


@cache
def _field_order(cls: type[_Model]) -> tuple[str, ...]:
    """The keys of a model's data in the order ``model_dump`` gives them (``_Node._kind_first``)."""
    names = list(cls.model_fields)
    if issubclass(cls, _Node):
        names.sort(key=lambda name: (name != "kind", name in ("span", "text")))
    return tuple(names)


def dump_rules(rules: RuleSet, fmt: Literal["yaml", "json"] = "yaml") -> str:
    data = rules_data(rules)
    if fmt == "json":
        return dump_json(data)
    header = "# screener rules: compiled from the trial's eligibility text; review before use.\n"
    return header + dump_yaml(data)


def parse_rules(text: str, file: str | None = None) -> RuleSet:
    """Read a rules file (YAML or JSON); errors name the line and the field."""
    if text.lstrip().startswith("{"):
        document = parse_json(text, file=file, cls=RulesError)
    else:
        document = parse_yaml(text, file=file, cls=RulesError, limits=RULES_LIMITS)
    if not isinstance(document.data, dict):
        raise RulesError("a rules file must be a mapping with 'trial' and 'criteria'", file=file, line=1)
    if "criteria" not in document.data:
        raise RulesError("not a rules file: it has no 'criteria' (expected a rules file from screener compile)",
                         file=file, line=1)
    try:
        rules = RuleSet.model_validate(document.data)
    except ValidationError as exc:
        error = exc.errors()[0]
        path = tuple(p for p in error["loc"] if not (isinstance(p, str) and p in _NODE_KINDS))
        raise document.error(error["msg"], path, RulesError) from None
    check_rules(rules, lambda message, path: document.error(message, path, RulesError))
    from .stable_ids import filled, key_problems

    for message, path in key_problems(rules):
        raise document.error(message, path, RulesError)
    return filled(rules)


def load_rules(path) -> RuleSet:
    """Load a rules file written by ``screener compile`` (or by hand)."""
    return parse_rules(read_text(path, RulesError), file=printable_name(path))


_NODE_KINDS = {"comparison", "condition", "interval", "sex", "none", "manual", "all", "any", "not", "unless", "restrict", "readings"}


def load_rule_sets(paths) -> list[RuleSet]:
    """Every rules file named, or found (``*.yaml``, ``*.yml``, ``*.json``) in the folders named."""
    from pathlib import Path

    files: list[Path] = []
    for path in map(Path, paths):
        files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json")) if path.is_dir() else [path]
    return [load_rules(file) for file in files]

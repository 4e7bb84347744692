"""What a rules file must satisfy beyond its shape, so that ``check`` never meets a rule it
cannot apply as written.

The model (``rules.py``) checks kinds and types; this checks meaning against the lexicon
and the unit registry: known variable, condition and event ids, units of the variable's
dimension, unique criterion ids, a known schema version and positive time windows.  A rule
that failed these checks would evaluate to "unknown" at best and, at worst, compare in
the wrong unit; a rules file is reviewed by hand, so the error names its line and field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import UnitError, quote
from .lexicon import Lexicon, get_lexicon
from .units import compatible, parse_unit

SCHEMA_VERSIONS = (1,)
"""The rules-file versions this screener reads."""

_DURATION_UNITS = ("year", "month", "week", "day", "hour")

Path_ = tuple[str | int, ...]


def check_rules(rules: Any, error: Any, lexicon: Lexicon | None = None) -> None:
    """Raise ``error(message, path)`` (a ``RulesError``) for the first rule ``check`` cannot apply.

    ``rules`` is a ``RuleSet``; ``error`` locates a path in the file it was read from.
    """
    lexicon = lexicon or get_lexicon()
    if rules.schema_version not in SCHEMA_VERSIONS:
        raise error(f"unknown schema_version {rules.schema_version}; this screener reads "
                    f"{', '.join(map(str, SCHEMA_VERSIONS))}", ("schema_version",))
    seen: dict[str, int] = {}
    for index, criterion in enumerate(rules.criteria):
        if criterion.id in seen:
            raise error(f"criterion id {quote(criterion.id)} is used twice (also criteria {seen[criterion.id]});"
                        " an answer would answer both", ("criteria", index, "id"))
        seen[criterion.id] = index
        problem = _rule_problem(criterion.rule, ("criteria", index, "rule"), lexicon)
        if problem:
            raise error(*problem)


_CHECKED = frozenset({"comparison", "condition", "interval"})


def rule_problem(rule: Any, lexicon: Lexicon | None = None) -> str | None:
    """Why ``check`` could not apply ``rule`` as written, or None: ``_rule_problem``'s first
    message, found in the same order without the paths only a file's error needs (the
    compiler asks this of every rule before it makes the criterion)."""
    stack = [rule]
    while stack:
        node = stack.pop()
        kind = node.kind
        if kind in _CHECKED:
            message = _problem(node, lexicon or get_lexicon())
            if message:
                return message[0]
        elif kind == "all" or kind == "any":
            stack.extend(node.items)
        elif kind == "not":
            stack.append(node.item)
    return None


def _rule_problem(rule: Any, path: Path_, lexicon: Lexicon) -> tuple[str, Path_] | None:
    for node, node_path in _walk(rule, path):
        message = _problem(node, lexicon)
        if message:
            return message[0], node_path + message[1]
    return None


def _walk(node: Any, path: Path_) -> Iterator[tuple[Any, Path_]]:
    """Every node with its path in the file, iteratively (rule trees may be deep)."""
    stack = [(node, path)]
    while stack:
        node, path = stack.pop()
        yield node, path
        if node.kind in ("all", "any"):
            stack.extend((item, path + ("items", i)) for i, item in enumerate(node.items))
        elif node.kind == "not":
            stack.append((node.item, path + ("item",)))


def _problem(node: Any, lexicon: Lexicon) -> tuple[str, Path_] | None:
    """(message, path below the node) for the node's first problem, or None."""
    if node.kind == "comparison":
        return _comparison_problem(node, lexicon)
    if node.kind == "condition":
        if node.condition not in lexicon.conditions:
            return f"unknown condition id {quote(node.condition)} (not in the lexicon)", ("condition",)
        if node.within is not None and node.within.value <= 0:
            return f"the time window must be positive, not {node.within.value}", ("within", "value")
    if node.kind == "interval":
        for key in ("start", "end"):
            event = getattr(node, key)
            if event is not None and event not in lexicon.events:
                return f"unknown event id {quote(event)} (not in the lexicon)", (key,)
        if node.value < 0:
            return f"a time interval cannot be negative ({node.value})", ("value",)
    return None


def _comparison_problem(node: Any, lexicon: Lexicon) -> tuple[str, Path_] | None:
    variable = lexicon.variables.get(node.variable)
    if variable is None:
        return f"unknown variable id {quote(node.variable)} (not in the lexicon)", ("variable",)
    if node.within is not None and node.within.value <= 0:
        return f"the time window must be positive, not {node.within.value}", ("within", "value")
    quantities = [((), node.unit)] + [(("alt", i), alt.unit) for i, alt in enumerate(node.alt)]
    for path, unit in quantities:
        message = _unit_problem(variable, unit)
        if message:
            return message, path + ("unit",)
    return None


def _unit_problem(variable: Any, unit_text: str | None) -> str | None:
    """Why ``unit_text`` cannot measure ``variable``, or None when it can."""
    try:
        unit = parse_unit(unit_text)
    except UnitError as exc:
        return exc.message
    if unit is None:
        if variable.unit is not None and variable.id != "age":
            return f"a limit for {variable.id} needs a unit ({variable.unit} or a compatible one)"
        return None
    if unit.relative:
        return None  # multiples of the patient's own limits: any unit
    if variable.id == "age" and unit_text in _DURATION_UNITS:
        return None
    if variable.unit is None:
        return f"{variable.id} is a unitless score; {quote(unit.display)} cannot measure it"
    if not compatible(unit_text, variable.unit, variable.analyte, variable.bsa_normalised):
        return f"{quote(unit.display)} is not compatible with {variable.unit}, the unit of {variable.id}"
    return None

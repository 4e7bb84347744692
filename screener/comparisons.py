"""Comparisons: a bound read against the variable it speaks of becomes a comparison node, or
nothing when it cannot be about that variable (wrong dimension, implausible value, the edge of
a scale); a limit with a variant under a condition becomes the limit and its alternative."""

from __future__ import annotations

import re

from . import readnodes as made
from .lexicon import Variable
from .mentions import Mention
from .patterns import patterns
from .quantities import Bound, QuantityReader
from .rules import AllOf, AnyOf, Comparison, Condition, Manual, Node, Restrict, Section
from .text import Text
from .tokens import WORD, blank_spans, clean
from .units import UnitError, compatible, convert, parse_unit

_MULTIPLE_OF = re.compile(r"\s*(?:x|×|\*|times|-?fold)\s*[^\W\d]", re.I)
_TIME_UNITS = {"day", "week", "month", "year", "h", "min", "s", "ms"}
_AFTER_WORDS = frozenset({"post", "after", "following", "since"})  # "post bone marrow transplantation": its history


class ComparisonReader(QuantityReader):
    """Turns bounds and the variables they speak of into comparison nodes."""

    def _leaf(self, text: Text, chosen: list[Mention], group: list[Bound], section: Section, sentence: str) -> Node | None:
        variables = self._variables(chosen)
        if any(b.pair is not None for b in group) or any(m.kind == "group" and self._groups[m.id] == ["systolic_bp", "diastolic_bp"] for m in chosen):
            return self._pair_leaf(text, variables, group[0], min(m.start for m in chosen)) if len(group) == 1 else None
        per_variable: list[Node] = []
        for variable in variables:
            main = [b for b in group if b.variant_of is None]
            main_ids = {id(b) for b in main}
            main = self._scale_edges(variable, main)
            if not main:
                continue
            start = min(m.start for m in chosen)
            comparisons = [self._comparison(variable, b, start, text) for b in main]
            read = [c for c in comparisons if c is not None]
            if len(read) != len(comparisons):
                continue
            node: Node = read[0] if len(read) == 1 else AllOf(items=list(read), span=text.origin(start, max(b.end for b in main)))
            variants = [b for b in group if b.variant_of is not None and id(b.variant_of) in main_ids]
            for variant in variants:
                alternative = self._comparison(variable, variant, variant.start, text)
                if alternative is None:
                    continue
                condition = self._condition_for(variant.variant_condition or "", text)
                node = self._with_variant(node, alternative, condition, text.origin(start, variant.end))
            per_variable.append(node)
        if not per_variable or len(per_variable) != len(variables):
            return None
        if len(per_variable) == 1:
            return per_variable[0]
        joints = [sentence[a.end:b.start] for a, b in zip(chosen, chosen[1:])]
        span = text.origin(min(m.start for m in chosen), max(b.end for b in group))
        if any(re.search(r"\bor\b", j, re.I) for j in joints):
            return AnyOf(items=per_variable, span=span)
        if any(re.search(r"\band\b", j, re.I) for j in joints):
            return AllOf(items=per_variable, span=span)
        return (AllOf if section == "inclusion" else AnyOf)(items=per_variable, span=span)

    def _pair_leaf(self, text: Text, variables: list[Variable], bound: Bound, start: int) -> Node | None:
        """"Blood pressure < 140/90 mmHg": systolic < 140 and diastolic < 90; "> 160/100":
        either one above its limit is enough."""
        if [v.id for v in variables] != ["systolic_bp", "diastolic_bp"] or bound.pair is None:
            return None
        diastolic = Bound(bound.start, bound.end, bound.op, bound.pair, bound.unit or "mmHg")
        systolic = Bound(bound.start, bound.end, bound.op, bound.value, bound.unit or "mmHg")
        parts = [self._comparison(v, b, start, text) for v, b in zip(variables, (systolic, diastolic))]
        if None in parts:
            return None
        joined = AnyOf if bound.op in (">", ">=") else AllOf
        return joined(items=parts, span=text.origin(min(start, bound.start), bound.end))

    def _comparison(self, variable: Variable, bound: Bound, start: int, text: Text) -> Comparison | None:
        """A comparison, or None when the bound cannot be about this variable (wrong dimension,
        implausible); the variable's variants are tried when its own unit does not fit."""
        for candidate in (variable, *(self.lexicon.variables[v] for v in variable.variants)):
            comparison = self._comparison_of(candidate, bound, start, text)
            if comparison is not None:
                return comparison
        return None

    def _comparison_of(self, variable: Variable, bound: Bound, start: int, text: Text) -> Comparison | None:
        unit = bound.unit
        implied = False
        if unit == "%" and variable.unit is None:
            unit = None
        op, value = bound.op, bound.value
        if bound.listed:
            listed = self._score_list(variable, bound.listed)
            if listed is None:
                return None
            op, value = listed
        if unit is None and variable.id == "age":
            unit = "year"
        if unit is None and variable.unit is not None and _MULTIPLE_OF.match(text.text, bound.end):
            return None  # "2 x UNRL": a multiple of a limit not read, never a bare value in the usual unit
        if unit is None and variable.unit is not None:
            if bound.shared_unit and compatible(bound.shared_unit, variable.unit, variable.analyte, variable.bsa_normalised):
                unit = bound.shared_unit
            else:
                unit, implied = variable.implied_unit(bound.value), True
        if unit in ("ULN", "LLN"):
            if variable.unit is None or variable.kind in ("demographic", "anthropometric", "imaging"):
                return None
        elif unit is None:
            if variable.unit is not None:
                return None
        else:
            parsed = parse_unit(unit)
            if parsed is not None and parsed.display in _TIME_UNITS and variable.id != "age" and variable.unit not in _TIME_UNITS:
                return None
            if variable.unit is None or not compatible(unit, variable.unit, variable.analyte, variable.bsa_normalised):
                return None
            if variable.range and not self._plausible(bound.value, unit, variable):
                return None
            if not variable.typical(bound.value, unit):
                return None
        span = text.origin(start, bound.end)
        return made.comparison(variable.id, variable.label, op, clean(value), unit, implied or None, bound.alt, span)

    @staticmethod
    def _score_list(variable: Variable, values: tuple[float, ...]) -> tuple[str, float] | None:
        """"ECOG 0 or 1" is "<= 1", "NYHA class 3 or 4" is ">= 3": a run of scores from one end
        of the scale; any other list is not a threshold."""
        if variable.unit is not None or not variable.range:
            return None
        low, high = (int(edge) for edge in variable.range)
        run = tuple(float(v) for v in range(int(min(values)), int(max(values)) + 1))
        if tuple(sorted(values)) != run:
            return None
        if min(values) == low:
            return "<=", max(values)
        if len(values) == 1 and max(values) < high:  # "NYHA class III": that class
            return "==", values[0]
        if max(values) == high:
            return ">=", min(values)
        return None

    @staticmethod
    def _plausible(value: float, unit: str, variable: Variable) -> bool:
        try:
            canonical = convert(value, unit, variable.unit, variable.analyte)
        except UnitError:
            return True  # per-area and absolute clearances: the range cannot judge, keep
        if variable.range is None:
            return True
        low, high = variable.range
        return low <= canonical <= high

    def _scale_edges(self, variable: Variable, bounds: list[Bound]) -> list[Bound]:
        """"ECOG 0-1", "Karnofsky 60-100%": a range edge at the limit of the scale says nothing."""
        if len(bounds) != 2 or not variable.range:
            return bounds
        low, high = variable.range
        kept = []
        for bound in bounds:
            unit = None if bound.unit == "%" and variable.unit is None else bound.unit
            try:
                value = convert(bound.value, unit, variable.unit, variable.analyte) if unit not in ("ULN", "LLN") else None
            except UnitError:
                value = None
            trivial = value is not None and ((bound.op == ">=" and value <= low) or (bound.op == "<=" and value >= high))
            if not trivial:
                kept.append(bound)
        return kept

    @staticmethod
    def _with_variant(node: Node, alternative: Comparison, condition: Node, span: tuple[int, int]) -> Node:
        """The limit with a second one under a condition: a looser variant ("<= 5 x ULN if liver
        metastases") is enough under the condition; a stricter one ("1.5 mg/dL in patients under
        50 kg") is required under it as well as the main limit."""
        if isinstance(node, Comparison) and _stricter(alternative, node):
            return AllOf(items=[node, Restrict(group=condition, item=alternative, outside=True)], span=span)
        return AnyOf(items=[node, AllOf(items=[condition, alternative])], span=span)

    def _condition_for(self, phrase: str, text: Text) -> Node:
        """The condition under which a second limit holds: a known condition ("with diabetes";
        "post bone marrow transplantation" is its history), a known quantity ("patients under 50 kg",
        "older than 70 years"), else a question."""
        found = [m for m in self.mentions(phrase) if m.kind == "condition"]
        words = [w.lower() for w in WORD.findall(phrase) if w.lower() not in self._ignored]
        after = [w for w in words if w in _AFTER_WORDS]
        covered_words = {w.lower() for m in found for w in WORD.findall(phrase[m.start:m.end])}
        if len(found) == 1 and all(w in covered_words for w in words if w not in _AFTER_WORDS):
            term = self.lexicon.conditions[found[0].id]
            return Condition(condition=term.id, label=term.label, timing="history" if after else "current")
        return self._quantity_condition(phrase) or Manual(question=f"Does this apply: {phrase}?")

    def _quantity_condition(self, phrase: str) -> Node | None:
        """"patients under 50 kg": one limit on the patient's age or body measures, named or implied by its unit."""
        bounds = [b for b in self.bounds(phrase) if b.op is not None and b.variant_of is None and b.partner is None]
        if len(bounds) != 1 or bounds[0].unit is None:
            return None
        bound = bounds[0]
        named = [m for m in self.mentions(phrase) if m.kind == "variable"]
        variable_id = named[0].id if len(named) == 1 else patterns()["unit_variables"].get(bound.unit)
        variable = self.lexicon.variables.get(variable_id) if variable_id else None
        if variable is None or variable.kind not in ("demographic", "anthropometric"):
            return None  # a lab limit as the condition ("allowed if conjugated bilirubin < 1.5 x ULN") is an exception
        spans = [(bound.start, bound.end)] + [(m.start, m.end) for m in named]
        rest = blank_spans(phrase, spans, 0, len(phrase))
        if any(w.lower() not in self._ignored for w in WORD.findall(rest)):
            return None
        plain = Text(phrase, tuple(range(len(phrase))), tuple(range(1, len(phrase) + 1)))
        comparison = self._comparison_of(variable, bound, bound.start, plain)
        return None if comparison is None else comparison.model_copy(update={"span": None})


def _stricter(alternative: Comparison, main: Comparison) -> bool:
    """Whether ``alternative`` admits fewer values than ``main`` (same direction of limit)."""
    if alternative.op[0] != main.op[0] or alternative.op[0] not in "<>":
        return False
    try:
        value = alternative.value if alternative.unit == main.unit else convert(alternative.value, alternative.unit, main.unit)
    except UnitError:
        return False
    return value < main.value if main.op[0] == "<" else value > main.value

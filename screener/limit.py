"""A comparison's limit prepared once (``Limit``): its names, the limit in its own and in
the canonical unit, how a value in each patient unit is compared, and the words of the
comparison's explanation, prepared so that a patient costs a number formatting and a
concatenation.
"""

from __future__ import annotations

from typing import Callable

from .errors import UnitError
from .evaluate import MET, NOT_MET, UNKNOWN, Later, Leaf
from .facts import holds, node_result
from .rules import Comparison
from .unit_kinds import kind_problem
from .units import area_exponent, convert_with_area, converter, format_number
from .wording import (
    canonical_unit, limit_number, limit_text, relative_of, same_unit, sentence, shown_number, variable_info, with_unit,
)

class Limit:
    """What one comparison needs, prepared once: names, limit in its own and in the
    canonical unit, and, per patient unit, how to read a value (``route``)."""

    __slots__ = ("node", "variable", "label", "analyte", "unit", "limit", "threshold", "holds", "holds_canonical",
                 "canonical", "relative", "routes", "tails", "context", "limit_number")

    def __init__(self, node: Comparison) -> None:
        self.node = node
        self.variable = node.variable
        self.label, self.analyte = variable_info(node.variable, node.label)
        self.unit = node.unit
        self.limit = limit_text(node.value, node.unit)
        self.limit_number = limit_number(node.value)
        self.threshold = f"{node.op} {self.limit}"
        self.holds = holds(node.op, float(node.value))
        self.relative = relative_of(node.unit)
        self.canonical, self.holds_canonical = self._canonical(node)
        self.routes: dict[str | None, tuple] = {}
        self.tails = self._tails()
        self.context = f" (assumes {self.label} measured {', '.join(node.context)})" if node.context else ""

    def _canonical(self, node: Comparison) -> tuple[str | None, Callable[[float], bool]]:
        """The lexicon's unit and the limit converted into it (the limit's own unit when
        it does not convert: the comparison is then made there)."""
        unit = canonical_unit(node.variable)
        if self.relative or unit == node.unit:
            return node.unit, self.holds
        try:
            value = converter(node.unit, unit, self.analyte)(float(node.value))
        except UnitError:
            return node.unit, self.holds
        return unit, holds(node.op, value)

    def route(self, unit: str | None) -> tuple:
        """How a value in ``unit`` is compared: ("area", factor, exponent), ("convert",
        to compare, holds, to show, whether the units differ so the conversion is shown) or
        ("error", message); found once per unit."""
        found = self.routes.get(unit)
        if found is None:
            found = self.routes[unit] = self._route(unit)
        return found

    def _route(self, unit: str | None) -> tuple:
        wrong_kind = kind_problem(self.variable, unit)  # mm/h is no clearance, though pint converts it
        if wrong_kind is not None:
            return ("error", wrong_kind)
        try:
            exponent = area_exponent(unit, self.unit)
        except UnitError:
            exponent = 0
        if exponent and unit is not None and self.unit is not None:
            return ("area", convert_with_area(1.0, unit, self.unit, 1.0), exponent)
        try:
            show = converter(unit, self.unit, self.analyte)
        except UnitError as exc:
            return ("error", exc.message)
        if self.canonical != self.unit:
            try:
                return ("convert", converter(unit, self.canonical, self.analyte), self.holds_canonical, show,
                        not same_unit(unit, self.unit))
            except UnitError:
                pass
        return ("convert", show, self.holds, show, not same_unit(unit, self.unit))

    def unknown(self, sink: list[Leaf] | None, explanation: str, missing: list[str], given: str | None = None) -> str:
        if sink is not None:
            sink.append(node_result("comparison", UNKNOWN, explanation, variable=self.variable, given=given,
                                     threshold=self.threshold, missing=missing))
        return UNKNOWN

    def finish(self, sink: list[Leaf], status: str, given: tuple, converted: float, target: str | None, show: bool,
               note: str = "", via: str = "", assumed: list[str] | None = None) -> None:
        """Append the decided comparison, worded when read (``_worded``); ``given`` is how to
        word the patient's value: a function and its arguments."""
        sink.append(Later((status, self._worded, (status, given, converted, target, show, note, via, assumed), assumed or ())))

    def _worded(self, status: str, value: tuple, converted: float, target: str | None, show: bool, note: str, via: str,
                assumed: list[str] | None) -> dict:
        """The result's fields: "<label> <given><via> = <converted><note>, <op words> <limit>: met"."""
        given: str = value[0](value[1], value[2])  # (quantity_text, value, unit) or (_given, measurement, derivation)
        subject = f"{self.label} {given}{via}"
        converted_text = None
        if show:  # shown_number with the limit's number worded once (a value shown as the limit is rare)
            number = format_number(converted)
            if number == self.limit_number:
                number = shown_number(converted, self.node.value)
            converted_text = with_unit(number, converted, target)
            subject += f" = {converted_text}{note}"
        tail = self.tails.get(status)
        explanation = (subject + tail if tail is not None else sentence(subject, status, self.node.op, self.limit)) + self.context
        return {
            "kind": "comparison", "status": status, "explanation": explanation, "variable": self.variable, "given": given,
            "converted": converted_text, "threshold": self.threshold, "missing": [], "assumed": assumed or [],
        }

    def _tails(self) -> dict[str, str]:
        """What ``sentence`` adds after the subject, per status, where it only adds (worded
        once here rather than for every patient)."""
        tails: dict[str, str] = {}
        for status in (MET, NOT_MET):
            probe = sentence("\x00", status, self.node.op, self.limit)
            if probe.startswith("\x00") and probe.count("\x00") == 1:
                tails[status] = probe[1:]
        return tails

__all__ = ["Limit"]

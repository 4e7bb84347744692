"""A comparison's limit prepared once (``Limit``): its names, the limit in its own and in
the canonical unit, how a value in each patient unit is compared, and the words of the
comparison's explanation, prepared so that a patient costs a number formatting and a
concatenation.
"""

from __future__ import annotations

import math
from math import isclose
from typing import Callable

from .errors import UnitError
from .evaluate import MET, NOT_MET, UNKNOWN, Leaf
from .facts import holds, node_result
from .patient import Measurement
from .rules import Comparison
from .unit_kinds import kind_problem
from .units import area_exponent, convert_with_area, converter
from .wording import (
    canonical_unit, limit_number, limit_text, number_text, quantity_text, relative_of, same_unit, sentence, shown_number, unit_suffix,
    variable_info, with_unit,
)

class Limit:
    """What one comparison needs, prepared once: names, limit in its own and in the
    canonical unit, and, per patient unit, how to read a value (``route``)."""

    __slots__ = ("node", "variable", "label", "analyte", "unit", "limit", "threshold", "holds", "holds_canonical",
                 "canonical", "relative", "routes", "ends", "context", "limit_number", "head",
                 "suffix")
    kind = "comparison"

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
        self.context = f" (assumes {self.label} measured {', '.join(node.context)})" if node.context else ""
        self.head = self.label + " "
        self.suffix = unit_suffix(node.unit)
        self.ends = self._ends()

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
        to compare, holds, to show, whether the units differ so the conversion is shown, what
        follows a number in ``unit``), ("relative",) (a value to compare with a limit of
        normal) or ("error", message); found once per unit."""
        found = self.routes.get(unit)
        if found is None:
            found = self.routes[unit] = self._route(unit)
        return found

    def _route(self, unit: str | None) -> tuple:
        if self.relative and relative_of(unit) != self.relative:
            return ("relative",)  # a multiple of a limit of normal, from a value in absolute units
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
                        not same_unit(unit, self.unit), unit_suffix(unit))
            except UnitError:
                pass
        return ("convert", show, self.holds, show, not same_unit(unit, self.unit), unit_suffix(unit))

    def unknown(self, sink: list[Leaf] | None, explanation: str, missing: list[str], given: str | None = None) -> str:
        if sink is not None:
            sink.append(node_result("comparison", UNKNOWN, explanation, variable=self.variable, given=given,
                                     threshold=self.threshold, missing=missing))
        return UNKNOWN

    def finish(self, sink: list[Leaf], status: str, given: tuple, converted: float, target: str | None, show: bool,
               note: str = "", via: str = "", assumed: list[str] | None = None) -> None:
        """Append the decided comparison, worded when read (``say``); ``given`` is how to
        word the patient's value: a function and its arguments."""
        sink.append((status, self.say, (status, given, converted, target, show, note, via), assumed or ()))

    def said(self, status: str, measurement: Measurement, derivation: str, route: tuple) -> tuple[str, str, str | None]:
        """``say`` for a measured value on a "convert" route: the conversion made now."""
        value = measurement.value
        if type(value) is float:  # number_text, inlined (two calls a comparison)
            number = f"{round(value):,}" if value.is_integer() or value >= 999.5 or value <= -999.5 else f"{value:.3g}"
        else:
            number = number_text(value)
        suffix = route[5]
        given = number + suffix if suffix is not None else with_unit(number, value, measurement.unit)
        if derivation:
            given += derivation
        if measurement.note:
            given += f" ({measurement.note})"
        if not route[4]:
            end = self.ends.get(status)
            return (self.head + given + end if end is not None else self._sentence(self.head + given, status)), given, None
        converted = route[3](value)
        if type(converted) is float:
            number = (f"{round(converted):,}" if converted.is_integer() or converted >= 999.5 or converted <= -999.5
                      else f"{converted:.3g}")
        else:
            number = number_text(converted)
        if number == self.limit_number:  # a value shown as the limit is rare: worded with more digits
            number = shown_number(converted, self.node.value)
        suffix = self.suffix
        converted_text = number + suffix if suffix is not None else with_unit(number, converted, self.unit)
        subject = self.head + given + " = " + converted_text
        end = self.ends.get(status)
        return (subject + end if end is not None else self._sentence(subject, status)), given, converted_text

    def said_relative(self, status: str, measurement: Measurement, derivation: str, normal: float,
                      warning: str | None) -> tuple[str, str, str | None]:
        """``say`` for a multiple of a limit of normal: the lab's (no ``warning``) or a default one."""
        unit = measurement.unit
        suffix = unit_suffix(unit)
        normal_text = number_text(normal) + suffix if suffix is not None else quantity_text(normal, unit)
        note = f" ({self.relative} {normal_text})" if warning is None else f" ({self.relative} {normal_text}: {warning})"
        value = measurement.value
        number = number_text(value)
        given = number + suffix if suffix is not None else with_unit(number, value, unit)
        if derivation:
            given += derivation
        if measurement.note:
            given += f" ({measurement.note})"
        return self._shown(status, given, value / normal, self.unit, note, "")

    def said_age(self, status: str, age: float) -> tuple[str, str, str | None]:
        """``say`` for an age limit in years: "age 33 years, at or above 18 years: met"; the
        age's words kept for the next limit (a patient's age limits are worded one after another)."""
        global _last_age
        last = _last_age
        if age == last[0] and type(age) is float:  # a float's words (number_text words an int otherwise)
            given = last[1]
        else:
            given = number_text(age) + (" year" if isclose(age, 1.0) else " years")  # with_unit(..., "year"), inlined
            if type(age) is float:
                _last_age = (age, given)
        end = self.ends.get(status)
        return (self.head + given + end if end is not None else self._sentence(self.head + given, status)), given, None

    def say(self, status: str, value: tuple, converted: float, target: str | None, show: bool, note: str,
            via: str) -> tuple[str, str, str | None]:
        """(explanation, given, converted): "<label> <given><via> = <converted><note>, <op
        words> <limit>: met", from the parts worded once here."""
        given: str = value[0](value[1], value[2])  # (quantity_text, value, unit) or (given_text, measurement, derivation)
        if not show:
            end = self.ends.get(status)
            if end is not None:
                return self.head + given + via + end, given, None
            return self._sentence(self.head + given + via, status), given, None
        return self._shown(status, given, converted, target, note, via)

    def _shown(self, status: str, given: str, converted: float, target: str | None, note: str,
               via: str) -> tuple[str, str, str | None]:
        """``say`` where the value is shown in the limit's unit too."""
        number = number_text(converted)
        if number == self.limit_number:  # a value shown as the limit is rare: worded with more digits
            number = shown_number(converted, self.node.value)
        converted_text = with_unit(number, converted, target)
        subject = self.head + given + via + " = " + converted_text + note
        end = self.ends.get(status)
        return (subject + end if end is not None else self._sentence(subject, status)), given, converted_text

    def _sentence(self, subject: str, status: str) -> str:
        return sentence(subject, status, self.node.op, self.limit) + self.context

    def _ends(self) -> dict[str, str]:
        """What the explanation adds after the subject, per status, where ``sentence`` only
        adds (worded once here rather than for every patient), the context included."""
        ends: dict[str, str] = {}
        for status in (MET, NOT_MET):
            probe = sentence("\x00", status, self.node.op, self.limit)
            if probe.startswith("\x00") and probe.count("\x00") == 1:
                ends[status] = probe[1:] + self.context
        return ends


_last_age: tuple[float, str] = (math.nan, "")
"""The last age worded by ``Limit.said_age`` and its words (replaced whole: safe for threads)."""


def given_text(measurement: Measurement, derivation: str) -> str:
    """A patient's value as the explanation gives it: "55 mmHg", "61 mL/min (Cockcroft-Gault)"."""
    value = measurement.value  # quantity_text, inlined
    return (with_unit(number_text(value), value, measurement.unit) + derivation
            + (f" ({measurement.note})" if measurement.note else ""))


__all__ = ["Limit", "given_text"]

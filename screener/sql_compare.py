"""A comparison leaf in SQL, branch by branch as ``screener.comparison`` decides it.

The measured value is read in the variable's canonical unit (the feature table converts
it through ``unit_conversion``); the rule's limit is converted to that unit here, once,
so the SQL compares plain doubles.  Order of the branches, as in Python: no value (or a
derived value that cannot be computed), too old for a recency window, outside an event
window, then limits of normal (the lab's own, else the default range: shown but never
deciding) or units (per body surface area with the BSA).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlglot import exp

from .derive import FORMULAS as PYTHON_FORMULAS
from .errors import UnitError
from .comparison import DISAGREEMENT_FACTOR
from .wording import BSA_MISSING, DAYS_PER, duration_text as _duration_text, event_label as _event_label, is_lab as _is_lab
from .wording import variable_info as _variable_info
from .lexicon import get_lexicon
from .reference import default_range
from .rules import Comparison
from .sql_derived import FORMULAS
from .sql_expr import add_days, and_, case, cast, col, days_between, is_null, not_, not_null, null, num, or_, text, truthy
from .sql_units import conversion
from .units import area_exponent, convert_with_area, converter, unit_or_none

Step = tuple[exp.Expression, exp.Expression, list[str], bool]
"""A branch of a leaf: when, status, what to collect, decided by a default range."""

if TYPE_CHECKING:
    from .sql import Part, Translator
    from .sql_features import Features


def completed(value: exp.Expression) -> exp.Expression:
    """Whole units completed, tolerant of rounding noise (``evaluate.completed``)."""
    from .sql import near

    nearest = exp.Round(this=value)
    return case((near(value, nearest, 1e-9), nearest), default=exp.Floor(this=value))


def _linear(value: exp.Expression, source: str | None, target: str | None) -> exp.Expression | None:
    try:
        convert = converter(source, target)
    except UnitError:
        return None
    offset = convert(0.0)
    slope = convert(1.0) - offset
    if (slope, offset) == (1.0, 0.0):
        return value
    return exp.Paren(this=exp.Add(this=exp.Mul(this=value, expression=num(slope)), expression=num(offset)))


def _age(translator: "Translator", node: Comparison) -> "Part":
    from .sql import _ladder, compare

    age = col("age")
    years = _linear(age, "year", node.unit or "year")
    steps = [(is_null(age), null(), ["age or birth date"], False)]
    if years is None:
        return _ladder(translator, steps, cast(null(), "BOOLEAN"))
    whole = col("age_completed") if years is age else completed(years)
    return _ladder(translator, steps, compare(whole, node.op, node.value))


def _limit_in_canonical(node: Comparison, unit: str | None) -> tuple[float, int] | None:
    """(the limit in the canonical unit, area exponent of the rule's unit against it)."""
    variable = get_lexicon().variables[node.variable]
    try:
        return converter(node.unit, unit, variable.analyte)(node.value), 0
    except UnitError:
        pass
    try:
        area = area_exponent(node.unit, unit)
    except UnitError:
        return None
    if not area:
        return None
    return convert_with_area(node.value, node.unit, unit, 1.0), area  # type: ignore[arg-type]


def _default_bound(variable: str, which: str) -> exp.Expression | None:
    """The default adult limit of normal in the canonical unit, by sex where it differs."""
    term = get_lexicon().variables[variable]
    by_sex = {}
    for sex in ("female", "male"):
        reference = default_range(variable, sex)
        bound = None if reference is None else (reference.high if which == "ULN" else reference.low)
        if reference is not None and bound is not None:
            try:
                by_sex[sex] = converter(reference.unit, term.unit, term.analyte)(bound)
            except UnitError:
                pass
    if not by_sex:
        return None
    if default_range(variable, None) is not None and len(set(by_sex.values())) == 1:
        return num(next(iter(by_sex.values())))
    return case(*((exp.EQ(this=col("sex"), expression=text(s)), num(v)) for s, v in by_sex.items()))


class _Measured(dict):
    """The latest-measurement columns of a variable (has, value, unit, canon, area, date,
    high, low), each added to the feature table when first read, so the table holds only
    the columns some rule reads."""

    def __init__(self, features: "Features", variable: str):
        super().__init__()
        self.features, self.variable = features, variable

    def __missing__(self, attribute: str) -> exp.Expression:
        column = self[attribute] = self.features.measured(self.variable, attribute)
        return column


class _Value:
    """The value a comparison reads: measured (latest row), else derived."""

    def __init__(self, translator: "Translator", variable: str):
        features = translator.features
        self.measured: dict[str, exp.Expression] = _Measured(features, variable)
        row = truthy(exp.EQ(this=self.measured["has"], expression=num(1)))
        self.derived = features.derive(variable) if variable in PYTHON_FORMULAS else None
        self.cols: dict[str, exp.Expression] = _Measured(features, variable)
        label = _variable_info(variable, None)[0]
        if self.derived is None:
            self.has = row
            self.conflict: exp.Expression | None = None
            self.absent: list[tuple[str, exp.Expression]] = [(label, not_(row))]
            if variable in PYTHON_FORMULAS:  # computed by Python but not in SQL: never a silent answer
                self.absent = [(label, not_(row)), (f"{label} (its formula is not computed in SQL)", not_(row))]
            return
        formula_unit = FORMULAS[variable].unit
        factor, offset, area = conversion(variable, formula_unit) or (1.0, 0.0, 0)
        derived = self.derived.value
        canon = exp.Paren(this=exp.Add(this=exp.Mul(this=derived, expression=num(factor)), expression=num(offset)))
        self.has = or_(row, not_null(derived))
        self.cols["value"] = case((row, self.measured["value"]), default=derived)
        self.cols["unit"] = case((row, self.measured["unit"]), default=text(formula_unit or ""))
        self.cols["canon"] = case((row, self.measured["canon"]), default=canon)
        self.cols["area"] = case((row, self.measured["area"]), default=num(area))
        self.absent = [(item, and_(not_(row), when)) for item, when in self.derived.items]
        self.conflict = self._disagreement(translator, row, canon, area)

    def _disagreement(self, translator: "Translator", row: exp.Expression, derived: exp.Expression, area: int) -> exp.Expression:
        """A measured value that its formula's value contradicts (more than
        DISAGREEMENT_FACTOR apart, as ``comparison.measured_vs_derived``): the comparison is
        unknown. Per-area values are brought to the measured value's basis with the BSA."""
        measured, measured_area = self.measured["canon"], self.measured["area"]
        bsa = translator.features.body_surface_area()
        same_area = exp.EQ(this=measured_area, expression=num(area))
        computed = case((same_area, derived), default=exp.Div(this=derived, expression=exp.Pow(
            this=bsa, expression=exp.Sub(this=num(area), expression=measured_area))))
        high = exp.Greatest(this=measured, expressions=[computed])
        low = exp.Least(this=measured, expressions=[computed])
        known = and_(row, not_null(derived), or_(same_area, not_null(bsa)),
                     exp.GT(this=measured, expression=num(0)), exp.GT(this=computed, expression=num(0)))
        return and_(known, exp.GT(this=high, expression=exp.Mul(this=num(DISAGREEMENT_FACTOR), expression=low)))


def _windows(translator: "Translator", node: Comparison, label: str) -> list[Step]:
    """Steps for a value too old for the recency window, or outside the event window."""
    steps: list[Step] = []
    date, as_of = translator.features.measured(node.variable, "date"), col("as_of")
    windows = []
    if node.within is not None:
        windows.append((node.within.value * DAYS_PER[node.within.unit], _duration_text(node.within.value, node.within.unit)))
    if translator.max_lab_age_days is not None and _is_lab(node.variable):
        windows.append((translator.max_lab_age_days, _duration_text(translator.max_lab_age_days, "day")))
    if windows:
        days, words = min(windows)
        wanted = f"{label} measured within the last {words}"
        steps.append((or_(is_null(date), exp.GT(this=days_between(date, as_of), expression=num(days))), null(), [wanted], False))
    window = getattr(node, "window", None)
    if window is not None:
        event = translator.features.event(window.event)
        event_label = _event_label(window.event)
        span = f"{_duration_text(window.end.value, window.end.unit)} after {event_label}"
        first = dt.timedelta(days=window.start.value * DAYS_PER[window.start.unit]).days if window.start else 0
        last = dt.timedelta(days=window.end.value * DAYS_PER[window.end.unit]).days
        steps.append((is_null(event), null(), [f"date of {event_label}"], False))
        dated = exp.Coalesce(this=date, expressions=[as_of])  # an undated value is taken as of the profile's date
        outside = or_(exp.LT(this=dated, expression=add_days(event, first)), exp.GT(this=dated, expression=add_days(event, last)))
        steps.append((outside, null(), [f"{label} measured within {span}"], False))
    return steps


def comparison(translator: "Translator", node: Comparison) -> "Part":
    from .sql import Part, _ladder, compare

    if node.variable == "age":
        return _age(translator, node)
    term = get_lexicon().variables.get(node.variable)
    label = _variable_info(node.variable, node.label)[0]
    if term is None:
        return Part(cast(null(), "BOOLEAN"), [(label, exp.true())])
    value = _Value(translator, node.variable)
    v = value.cols
    steps: list[Step] = [(not_(value.has), null(), [], False)]
    steps += _windows(translator, node, label)
    if value.conflict is not None:
        steps.append((value.conflict, null(), [f"{label} confirmed (measured and computed values disagree)"], False))
    parsed = unit_or_none(node.unit)
    relative = parsed.relative if parsed is not None else None
    if relative:
        steps += _relative_steps(node, v, relative, label)
        default: exp.Expression = cast(null(), "BOOLEAN")
    else:
        found = _limit_in_canonical(node, term.unit)
        if found is None:
            wanted = f"{label} in a unit comparable with {node.unit}" if node.unit else f"{label} as a unitless value"
            steps.append((exp.true(), null(), [wanted], False))
            default = cast(null(), "BOOLEAN")
        else:
            limit, area = found
            wanted = f"{label} in a unit comparable with {node.unit}" if node.unit else f"{label} as a unitless value"
            if term.bsa_normalised or area:
                bsa = translator.features.body_surface_area()
                per_area = exp.NEQ(this=v["area"], expression=num(area))
                steps.append((is_null(v["canon"]), null(), [wanted], False))
                steps.append((and_(per_area, is_null(bsa)), null(), [BSA_MISSING], False))
                scaled = case((per_area, exp.Div(this=v["canon"], expression=exp.Pow(
                    this=bsa, expression=exp.Sub(this=v["area"], expression=num(area))))), default=v["canon"])
            else:  # a per-area value of a variable that is never per area does not compare
                steps.append((or_(is_null(v["canon"]), exp.NEQ(this=v["area"], expression=num(0))), null(), [wanted], False))
                scaled = v["canon"]
            default = compare(scaled, node.op, limit)
    part = _ladder(translator, steps, default)
    part.items = value.absent + part.items
    if getattr(node, "window", None) is not None:
        part.status = _open_window(translator, node, part.status)
    return part


def _relative_steps(node: Comparison, v: dict, relative: str, label: str) -> list:
    from .sql import compare

    bound = v["high"] if relative == "ULN" else v["low"]
    words = "upper" if relative == "ULN" else "lower"
    default = _default_bound(node.variable, relative)
    name = f"{label} {words} limit of normal"
    sex_would_help = default_range(node.variable, "female") is not None
    steps: list[Step] = [
        (exp.EQ(this=v["unit"], expression=text(relative)), compare(v["value"], node.op, node.value), [], False),
        (exp.GT(this=bound, expression=num(0)), compare(exp.Div(this=v["value"], expression=bound), node.op, node.value), [], False),
    ]
    sex_missing = and_(is_null(col("sex")), exp.true() if sex_would_help else exp.false())
    if default is None:
        return steps + [(sex_missing, null(), [name, "sex"], False), (exp.true(), null(), [name], False)]
    unusable = or_(is_null(default), is_null(v["canon"]))
    steps.append((and_(unusable, sex_missing), null(), [name, "sex"], False))
    steps.append((unusable, null(), [name], False))
    steps.append((exp.true(), compare(exp.Div(this=v["canon"], expression=default), node.op, node.value),
                  [f"{label} {words} limit of normal from the lab"], True))
    return steps


def _open_window(translator: "Translator", node: Comparison, status: exp.Expression) -> exp.Expression:
    """While the event window is still open, a threshold not yet reached is unknown."""
    window = node.window
    assert window is not None
    event = translator.features.event(window.event)
    last = dt.timedelta(days=window.end.value * DAYS_PER[window.end.unit]).days
    still_open = and_(not_null(event), exp.LT(this=col("as_of"), expression=add_days(event, last)))
    return case((and_(still_open, exp.EQ(this=exp.Paren(this=status), expression=exp.false())), cast(null(), "BOOLEAN")), default=status)

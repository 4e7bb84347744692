"""The per-person feature table that the screening SQL reads, built from the long tables.

``screener.sql`` turns rules into SQL; this module builds the part every trial shares:
one row per person with, for each variable, condition and event the rules need, the
latest measurement converted to the variable's canonical unit (through the
``unit_conversion`` rows made here from the pint definitions), its date and normal
range, the condition's status as a Kleene code, the event's date, the age in completed
years, the body surface area and the derived values (Cockcroft-Gault, CKD-EPI 2021,
BMI, BSA, PaO2/FiO2, QTc) computed in SQL as ``screener.derive`` computes them.

Everything is a sqlglot expression tree, so one plan prints in every dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

from sqlglot import exp

from .errors import UnitError
from .lexicon import get_lexicon
from .reference import get_reference_ranges
from .units import area_exponent, canonical, convert_with_area, converter

ADULT_AGE = 18.0

# ---------------------------------------------------------------------------- expression helpers


def col(name: str, table: str | None = None) -> exp.Expression:
    return exp.Column(this=exp.Identifier(this=name), table=exp.Identifier(this=table) if table else None)


def alias(expression: exp.Expression, name: str) -> exp.Alias:
    return exp.Alias(this=expression, alias=exp.Identifier(this=name))


def not_(expression: exp.Expression) -> exp.Not:
    return exp.Not(this=_wrap(expression))


def _wrap(expression: exp.Expression) -> exp.Expression:
    return exp.Paren(this=expression) if isinstance(expression, exp.Connector) else expression


def num(value: float) -> exp.Expression:
    """A numeric literal written so that it reads back as the same double."""
    number = float(value)
    text = str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    literal = exp.Literal.number(text.lstrip("-"))
    return exp.Neg(this=literal) if number < 0 else literal


def text(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def cast(expression: exp.Expression, to: str) -> exp.Cast:
    return exp.Cast(this=expression, to=exp.DataType.build(to))


def null() -> exp.Expression:
    return exp.null()


def case(*whens: tuple[exp.Expression, exp.Expression], default: exp.Expression | None = None) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in whens], default=default)


def is_null(expression: exp.Expression) -> exp.Expression:
    return exp.Is(this=expression, expression=exp.null())


def not_null(expression: exp.Expression) -> exp.Expression:
    return not_(is_null(expression))


def and_(*parts: exp.Expression) -> exp.Expression:
    result = parts[0]
    for part in parts[1:]:
        result = exp.And(this=_wrap(result) if isinstance(result, exp.Or) else result, expression=_wrap(part))
    return result


def or_(*parts: exp.Expression) -> exp.Expression:
    result = parts[0]
    for part in parts[1:]:
        result = exp.Or(this=result, expression=_wrap(part) if isinstance(part, exp.And) else part)
    return result


def paren(expression: exp.Expression) -> exp.Paren:
    return exp.Paren(this=expression)


def days_between(start: exp.Expression, end: exp.Expression) -> exp.Expression:
    """Whole days from ``start`` to ``end`` (end - start)."""
    return exp.DateDiff(this=end, expression=start, unit=exp.var("DAY"))


def add_days(date: exp.Expression, days: int) -> exp.Expression:
    return exp.DateAdd(this=date, expression=exp.Literal.number(days), unit=exp.var("DAY"))


def truthy(expression: exp.Expression) -> exp.Expression:
    """TRUE / FALSE, never NULL: for flags that gate what to collect."""
    return exp.Coalesce(this=expression, expressions=[exp.false()])


# ---------------------------------------------------------------------------- unit conversion


def _unit_key(unit: str | None) -> str:
    return unit or ""


@lru_cache(maxsize=16384)
def conversion(variable: str, unit: str | None) -> tuple[float, float, int] | None:
    """(factor, offset, area) turning a value of ``variable`` in ``unit`` into its canonical
    unit: ``(value * factor + offset) / bsa ** area``; ``area`` is +1 for an absolute value
    of a per-area canonical unit (mL/min for mL/min/1.73m2), -1 the reverse, else 0 and
    the BSA is not needed.  ``None`` when the unit does not convert."""
    term = get_lexicon().variables.get(variable)
    if term is None:
        return None
    target = term.unit
    try:
        convert = converter(unit, target, term.analyte)
        offset = convert(0.0)
        return (convert(1.0) - offset, offset, 0)
    except UnitError:
        pass
    try:
        area = area_exponent(unit, target)
        return (convert_with_area(1.0, unit, target, 1.0), 0.0, area) if area else None  # type: ignore[arg-type]
    except UnitError:
        return None


@lru_cache(maxsize=1)
def known_units() -> tuple[str, ...]:
    """Units worth a conversion row by default: every unit the lexicon and the default
    ranges name (canonical units, bare-number units, equation ends)."""
    lexicon = get_lexicon()
    seen: dict[str, None] = {}
    for term in lexicon.variables.values():
        spellings = [term.unit, *(b.unit for b in term.bare_units), *(e.source for e in term.equations),
                     *(e.target for e in term.equations)]
        for spelling in spellings:
            if spelling:
                seen[canonical(spelling) or ""] = None
    for reference in get_reference_ranges():
        if reference.unit:
            seen[reference.unit] = None
    seen.pop("", None)
    return tuple(seen)


def unit_conversion_rows(variables: Iterable[str], extra: Iterable[tuple[str, str | None]] = ()) -> list[tuple[str, str, float, float, int]]:
    """Rows (variable, unit, factor, offset, area) of the ``unit_conversion`` table for
    ``variables`` in every known unit, plus the (variable, unit) pairs of ``extra`` (the
    pairs a population actually holds).  Unit '' stands for a unitless value."""
    pairs: dict[tuple[str, str | None], None] = {}
    for variable in variables:
        term = get_lexicon().variables.get(variable)
        if term is None:
            continue
        pairs[(variable, term.unit)] = None
        for unit in known_units():
            pairs[(variable, unit)] = None
    for pair in extra:
        pairs[pair] = None
    rows = []
    for variable, given in pairs:
        found = conversion(variable, given or None)
        if found is not None:
            rows.append((variable, _unit_key(given), *found))
    return rows


# ---------------------------------------------------------------------------- derived values


@dataclass(frozen=True)
class Input:
    """One input of a formula: how to read it, and its name in "needs ..." lists."""

    label: str
    variable: str | None = None  # a measured variable, read in ``unit``
    unit: str | None = None
    special: str | None = None  # "age" | "sex" | "fio2" | "urea" | "malignancy"


@dataclass(frozen=True)
class Formula:
    """A ``screener.derive`` formula in SQL: the default formula of its variable."""

    variable: str
    unit: str | None
    inputs: tuple[Input, ...]
    value: Callable[[list[exp.Expression]], exp.Expression]  # inputs in order -> value, NULL outside the domain
    adult_only: bool = False


def _positive(*values: exp.Expression) -> exp.Expression:
    return and_(*(exp.GT(this=v, expression=num(0)) for v in values))


def _cockcroft_gault(v: list[exp.Expression]) -> exp.Expression:
    age, weight, creatinine, sex = v
    clearance = exp.Div(this=exp.Mul(this=paren(exp.Sub(this=num(140.0), expression=age)), expression=weight),
                        expression=paren(exp.Mul(this=num(72.0), expression=creatinine)))
    value = case((exp.EQ(this=sex, expression=text("female")), exp.Mul(this=clearance, expression=num(0.85))), default=clearance)
    domain = and_(_positive(weight, creatinine), exp.GTE(this=age, expression=num(0)), exp.LT(this=age, expression=num(140)))
    return case((domain, value))


def _ckd_epi_2021(v: list[exp.Expression]) -> exp.Expression:
    age, creatinine, sex = v
    female = exp.EQ(this=sex, expression=text("female"))
    ratio = exp.Div(this=creatinine, expression=case((female, num(0.7)), default=num(0.9)))
    alpha = case((female, num(-0.241)), default=num(-0.302))
    egfr = exp.Mul(
        this=exp.Mul(this=exp.Mul(this=num(142.0), expression=exp.Pow(this=exp.Least(this=ratio, expressions=[num(1.0)]), expression=alpha)),
                     expression=exp.Pow(this=exp.Greatest(this=ratio, expressions=[num(1.0)]), expression=num(-1.2))),
        expression=exp.Pow(this=num(0.9938), expression=age),
    )
    value = case((female, exp.Mul(this=egfr, expression=num(1.012))), default=egfr)
    return case((and_(_positive(creatinine), exp.GTE(this=age, expression=num(0))), value))


def _bsa(v: list[exp.Expression]) -> exp.Expression:
    height, weight = v
    product = exp.Mul(this=height, expression=weight)
    return case((exp.GTE(this=product, expression=num(0)), exp.Sqrt(this=exp.Div(this=product, expression=num(3600.0)))))


def _bmi(v: list[exp.Expression]) -> exp.Expression:
    weight, height = v
    metres = paren(exp.Div(this=height, expression=num(100.0)))
    return case((_positive(height, weight), exp.Div(this=weight, expression=exp.Pow(this=metres, expression=num(2)))))


def _pf_ratio(v: list[exp.Expression]) -> exp.Expression:
    pao2, fio2 = v
    domain = and_(_positive(pao2), exp.GTE(this=fio2, expression=num(0.21 - 1e-9)), exp.LTE(this=fio2, expression=num(1.0 + 1e-9)))
    return case((domain, exp.Div(this=pao2, expression=fio2)))


def _qtc_fridericia(v: list[exp.Expression]) -> exp.Expression:
    qt, rate = v
    rr = exp.Div(this=num(60.0), expression=rate)
    return case((_positive(qt, rate), exp.Div(this=qt, expression=exp.Pow(this=rr, expression=num(1.0 / 3.0)))))


def _scorten(v: list[exp.Expression]) -> exp.Expression:
    """SCORTEN 0-7 (Bastuji-Garin 2000), with ``derive.scorten``'s slack on the cut-offs."""
    age, malignancy, rate, detached, urea, bicarbonate, glucose = v
    points = [
        exp.GTE(this=age, expression=num(40.0)), malignancy,
        exp.GTE(this=rate, expression=num(120.0 * (1 - 1e-9))), exp.GT(this=detached, expression=num(10.0 * (1 + 1e-9))),
        exp.GT(this=urea, expression=num(10.0 * (1 + 1e-9))), exp.LT(this=bicarbonate, expression=num(20.0 * (1 - 1e-9))),
        exp.GT(this=glucose, expression=num(14.0 * (1 + 1e-9))),
    ]
    total: exp.Expression = case((points[0], num(1)), default=num(0))
    for point in points[1:]:
        total = exp.Add(this=total, expression=case((point, num(1)), default=num(0)))
    return exp.Paren(this=total)


AGE = Input("age", special="age")
SEX = Input("sex", special="sex")
CREATININE = Input("serum creatinine", "creatinine", "mg/dL")
WEIGHT = Input("weight", "weight", "kg")
HEIGHT = Input("height", "height", "cm")

FORMULAS: dict[str, Formula] = {
    f.variable: f
    for f in (
        Formula("bsa", "m2", (HEIGHT, WEIGHT), _bsa),
        Formula("bmi", "kg/m2", (WEIGHT, HEIGHT), _bmi),
        Formula("creatinine_clearance", "mL/min", (AGE, WEIGHT, CREATININE, SEX), _cockcroft_gault, adult_only=True),
        Formula("egfr", "mL/min/1.73m2", (AGE, CREATININE, SEX), _ckd_epi_2021, adult_only=True),
        Formula("pf_ratio", "mmHg", (Input("PaO2", "pao2", "mmHg"), Input("FiO2", special="fio2")), _pf_ratio),
        Formula("qtc", "ms", (Input("QT interval", "qt", "ms"), Input("heart rate", "heart_rate", "1/min")), _qtc_fridericia),
        Formula("scorten", None, (
            AGE, Input("malignancy (present or absent)", special="malignancy"), Input("heart rate", "heart_rate", "1/min"),
            Input("detached body surface area", "detached_bsa", "%"), Input("serum urea or BUN", special="urea"),
            Input("serum bicarbonate", "bicarbonate", "mmol/L"), Input("serum glucose", "glucose", "mmol/L"),
        ), _scorten),
    )
}
"""The formulas computed in SQL, by variable (``screener.derive``'s default for each)."""


# ---------------------------------------------------------------------------- the feature table


@dataclass
class Derived:
    """A derived variable's columns: its value (formula unit), and why it may be missing."""

    value: exp.Expression
    items: list[tuple[str, exp.Expression]]  # (what to collect, when), the label first


@dataclass
class Features:
    """What the rules read, registered while translating them; ``select()`` builds the table."""

    variables: dict[str, dict[str, None]] = field(default_factory=dict)  # variable -> attributes read
    conditions: dict[str, tuple[str, str, float | None]] = field(default_factory=dict)
    events: dict[str, None] = field(default_factory=dict)
    derived: dict[str, None] = field(default_factory=dict)
    bsa: bool = False

    # -- registration, returning column references

    def measured(self, variable: str, attribute: str) -> exp.Expression:
        """A column of the latest measurement of ``variable``: has, value, unit, canon, area,
        date, high, low (``canon``: in the canonical unit, NULL when the unit does not convert)."""
        self.variables.setdefault(variable, {})[attribute] = None
        return col(f"m_{variable}__{attribute}")

    def condition(self, condition: str, timing: str, window_days: float | None) -> exp.Expression:
        """The condition's Kleene code for this timing and window: 2 met, 0 not met, 1
        unknown (past, no date), NULL no record."""
        name = f"c_{condition}__{timing}" + (f"_{round(window_days * 100)}" if window_days is not None else "")
        self.conditions[name] = (condition, timing, window_days)
        return col(name)

    def event(self, event: str) -> exp.Expression:
        self.events[event] = None
        return col(f"e_{event}")

    def body_surface_area(self) -> exp.Expression:
        self.bsa = True
        for variable in ("height", "weight"):
            self.measured(variable, "canon")
            self.measured(variable, "area")
        return col("bsa")

    def derive(self, variable: str) -> Derived | None:
        """The columns of a derived variable, or None when SQL has no formula for it."""
        formula = FORMULAS.get(variable)
        if formula is None:
            return None
        self.derived[variable] = None
        for item in formula.inputs:
            self._input(item)  # registers the columns it reads
        return Derived(col(f"d_{variable}"), self._derived_items(formula))

    def _input(self, item: Input) -> tuple[exp.Expression, exp.Expression, exp.Expression]:
        """(value in the formula's unit, present, unit readable) of one input."""
        if item.special == "age":
            return col("age"), not_null(col("age")), exp.true()
        if item.special == "sex":
            return col("sex"), not_null(col("sex")), exp.true()
        if item.special == "fio2":
            value, unit, canon = (self.measured("fio2", a) for a in ("value", "unit", "canon"))
            fraction = case(
                (is_null(unit), case((exp.LTE(this=value, expression=num(1.0)), value), default=exp.Div(this=value, expression=num(100.0)))),
                default=exp.Div(this=canon, expression=num(100.0)),
            )
            readable = or_(is_null(unit), not_null(canon))
            return fraction, exp.EQ(this=self.measured("fio2", "has"), expression=num(1)), readable
        if item.special == "malignancy":
            code = self.condition("malignancy", "current", None)
            return exp.EQ(this=code, expression=num(2)), not_null(code), exp.true()
        if item.special == "urea":
            urea, bun = (self._input(Input(item.label, v, "mmol/L")) for v in ("urea", "bun"))
            first = truthy(urea[1])
            return (case((first, urea[0]), default=bun[0]), or_(urea[1], bun[1]), case((first, urea[2]), default=bun[2]))
        assert item.variable is not None
        term = get_lexicon().variables[item.variable]
        canon = self.measured(item.variable, "canon")
        to_unit = converter(term.unit, item.unit, term.analyte)
        offset = to_unit(0.0)
        slope = to_unit(1.0) - offset
        converted: exp.Expression = canon if (slope, offset) == (1.0, 0.0) else exp.Add(
            this=exp.Mul(this=canon, expression=num(slope)), expression=num(offset))
        has = exp.EQ(this=self.measured(item.variable, "has"), expression=num(1))
        readable = and_(not_null(canon), exp.EQ(this=self.measured(item.variable, "area"), expression=num(0)))
        return converted, has, readable

    def _guards(self, formula: Formula) -> tuple[exp.Expression, exp.Expression]:
        """(adult-only formula and a known age under 18, an input in a unit that does not convert)."""
        child = exp.LT(this=col("age"), expression=num(ADULT_AGE)) if formula.adult_only else exp.false()
        errors = [and_(has, not_(readable)) for _, has, readable in map(self._input, formula.inputs)]
        return truthy(child), truthy(or_(*errors))

    def _derived_value(self, formula: Formula) -> exp.Expression:
        inputs = [self._input(item) for item in formula.inputs]
        child, error = self._guards(formula)
        complete = and_(*(truthy(has) for _, has, _ in inputs))
        return case((and_(not_(child), not_(error), complete), formula.value([v for v, _, _ in inputs])))

    def _derived_items(self, formula: Formula) -> list[tuple[str, exp.Expression]]:
        child, error = self._guards(formula)
        label = _short_label(formula.variable)
        items = [(label, is_null(col(f"d_{formula.variable}")))]
        for item in formula.inputs:
            _, has, _ = self._input(item)
            items.append((item.label, and_(not_(child), not_(error), not_(truthy(has)))))
        return items

    # -- the SELECT

    def select(self, tables: dict[str, exp.Expression]) -> exp.Select:
        """SELECT ... one row per person, from the long tables (``tables`` maps a long-table
        name to the expression to read it from) and the unit_conversion rows."""
        base = exp.select(
            col("person_id", "p"), col("sex", "p"), col("as_of", "p"), alias(_age(), "age"), copy=False).from_(alias(tables["person"], "p"), copy=False)
        from .sql_compare import completed

        columns: list[exp.Expression] = [exp.Star(), alias(completed(col("age")), "age_completed")]
        if self.variables:
            base = base.join(alias(self._measurements(tables), "m"), on=exp.EQ(this=col("person_id", "m"), expression=col("person_id", "p")), join_type="LEFT", copy=False)
        if self.conditions:
            base = base.join(alias(self._conditions(tables), "c"), on=exp.EQ(this=col("person_id", "c"), expression=col("person_id", "p")), join_type="LEFT", copy=False)
        if self.events:
            base = base.join(alias(self._events(tables), "e"), on=exp.EQ(this=col("person_id", "e"), expression=col("person_id", "p")), join_type="LEFT", copy=False)
        names = [f"m_{v}__{a}" for v, attributes in self.variables.items() for a in attributes] + list(self.conditions) + [f"e_{e}" for e in self.events]
        base = base.select(*(col(n) for n in names))
        if self.bsa:
            columns.append(alias(_bsa_column(), "bsa"))
        staged = exp.select(*columns, copy=False).from_(alias(exp.Subquery(this=base), "b"), copy=False)
        if not self.derived:
            return staged
        return exp.select(exp.Star(), *(alias(self._derived_value(FORMULAS[v]), f"d_{v}") for v in self.derived), copy=False).from_(
            alias(exp.Subquery(this=staged), "s"), copy=False)

    def _measurements(self, tables: dict[str, exp.Expression]) -> exp.Expression:
        ranked = (
            exp.select(
                col("person_id", "x"), col("variable", "x"), col("value", "x"), col("unit", "x"), col("measured_on", "x"),
                col("range_low", "x"), col("range_high", "x"),
                alias(exp.Add(this=exp.Mul(this=col("value", "x"), expression=col("factor", "u")), expression=col("intercept", "u")), "canon"),
                alias(col("area", "u"), "area"),
                alias(
                    exp.Window(
                        this=exp.RowNumber(),
                        partition_by=[col("person_id", "x"), col("variable", "x")],
                        order=exp.Order(expressions=[
                            exp.Ordered(this=col("measured_on", "x"), desc=True, nulls_first=False),
                            exp.Ordered(this=col("source", "x"), desc=True, nulls_first=False),
                            exp.Ordered(this=col("value", "x"), desc=True, nulls_first=False),
                        ]),
                    ),
                    "rank",
                ), copy=False)
            .from_(alias(tables["measurement"], "x"), copy=False)
            .join(
                alias(tables["unit_conversion"], "u"),
                on=and_(exp.EQ(this=col("variable", "u"), expression=col("variable", "x")),
                        exp.EQ(this=col("unit", "u"), expression=exp.Coalesce(this=col("unit", "x"), expressions=[text("")]))),
                join_type="LEFT", copy=False)
            .where(exp.In(this=col("variable", "x"), expressions=[text(v) for v in self.variables]), copy=False)
        )
        pivot = []
        for variable, attributes in self.variables.items():
            this = exp.EQ(this=col("variable"), expression=text(variable))
            for attribute in attributes:
                source = _MEASURED[attribute]
                value = num(1) if source is None else col(source)
                pivot.append(alias(exp.Max(this=case((this, value))), f"m_{variable}__{attribute}"))
        return exp.Subquery(this=exp.select(col("person_id"), *pivot, copy=False).from_(alias(exp.Subquery(this=ranked), "r"), copy=False)
                            .where(exp.EQ(this=col("rank"), expression=num(1)), copy=False).group_by(col("person_id"), copy=False))

    def _conditions(self, tables: dict[str, exp.Expression]) -> exp.Expression:
        codes = []
        for name, (condition, timing, window) in self.conditions.items():
            codes.append(alias(exp.Max(this=case((exp.EQ(this=col("condition", "x"), expression=text(condition)), _condition_code(timing, window)))), name))
        rows = exp.select(col("person_id", "x"), *codes, copy=False).from_(alias(tables["condition"], "x"), copy=False).join(
            alias(tables["person"], "q"), on=exp.EQ(this=col("person_id", "q"), expression=col("person_id", "x")), copy=False).where(exp.In(this=col("condition", "x"), expressions=[text(c) for c in {c for c, _, _ in self.conditions.values()}]), copy=False)
        return exp.Subquery(this=rows.group_by(col("person_id", "x"), copy=False))

    def _events(self, tables: dict[str, exp.Expression]) -> exp.Expression:
        dates = [alias(exp.Max(this=case((exp.EQ(this=col("event"), expression=text(e)), col("event_date")))), f"e_{e}") for e in self.events]
        rows = exp.select(col("person_id"), *dates, copy=False).from_(tables["event"], copy=False).where(
            exp.In(this=col("event"), expressions=[text(e) for e in self.events]), copy=False)
        return exp.Subquery(this=rows.group_by(col("person_id"), copy=False))


_MEASURED: dict[str, str | None] = {
    "has": None, "value": "value", "unit": "unit", "canon": "canon", "area": "area", "date": "measured_on",
    "high": "range_high", "low": "range_low",
}


def _short_label(variable: str) -> str:
    from .evaluate import _variable_info

    return _variable_info(variable, None)[0]


def _age() -> exp.Expression:
    """Completed years at as_of from the birth date, else the stated age."""
    birth, as_of = col("birth_date", "p"), col("as_of", "p")
    before_birthday = or_(
        exp.LT(this=exp.Month(this=as_of), expression=exp.Month(this=birth)),
        and_(exp.EQ(this=exp.Month(this=as_of), expression=exp.Month(this=birth)), exp.LT(this=exp.Day(this=as_of), expression=exp.Day(this=birth))),
    )
    years = exp.Sub(this=exp.Sub(this=exp.Year(this=as_of), expression=exp.Year(this=birth)), expression=case((before_birthday, num(1)), default=num(0)))
    return case((not_null(birth), cast(years, "DOUBLE")), default=cast(col("age_years", "p"), "DOUBLE"))


def _bsa_column() -> exp.Expression:
    """Mosteller BSA from the latest height (cm) and weight (kg), as the Python engine's."""
    height, weight = col("m_height__canon"), col("m_weight__canon")
    usable = and_(exp.GT(this=height, expression=num(0)), exp.GT(this=weight, expression=num(0)),
                  exp.EQ(this=col("m_height__area"), expression=num(0)), exp.EQ(this=col("m_weight__area"), expression=num(0)))
    return case((usable, exp.Sqrt(this=exp.Div(this=exp.Mul(this=height, expression=weight), expression=num(3600.0)))))


def _condition_code(timing: str, window_days: float | None) -> exp.Expression:
    """2 met, 0 not met, 1 unknown for one condition row; the person's code is the MAX
    over rows (Kleene OR: any row met decides)."""
    status, ended, started = col("status", "x"), col("end_date", "x"), col("start_date", "x")
    if timing == "current":
        past: exp.Expression = num(0)
    elif window_days is None:
        past = num(2)
    else:
        date = exp.Coalesce(this=ended, expressions=[started])
        past = case(
            (is_null(date), num(1)),
            (exp.LTE(this=days_between(date, col("as_of", "q")), expression=num(window_days)), num(2)),
            (not_null(ended), num(0)),
            default=num(1),
        )
    return case((exp.EQ(this=status, expression=text("present")), num(2)), (exp.EQ(this=status, expression=text("past")), past), default=num(0))

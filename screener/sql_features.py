"""The per-person feature table that the screening SQL reads, built from the long tables.

``screener.sql`` turns rules into SQL; this module builds the part every trial shares:
one row per person with, for each variable, condition and event the rules need, the
latest measurement converted to the variable's canonical unit (through the
``unit_conversion`` rows of ``sql_units``), its date and normal
range, the condition's status as a Kleene code, the event's date, the age in completed
years, the body surface area and the derived values (Cockcroft-Gault, CKD-EPI 2021,
BMI, BSA, PaO2/FiO2, QTc) computed in SQL as ``screener.derive`` computes them.

Everything is a sqlglot expression tree, so one plan prints in every dialect.  The
expression helpers are in ``sql_expr``, the unit conversion rows in ``sql_units``, the
formulas in ``sql_derived``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from .lexicon import get_lexicon
from .sql_derived import FORMULAS, Formula, Input
from .sql_expr import alias, and_, case, cast, col, days_between, is_null, not_, not_null, null, num, or_, text, truthy
from .units import converter

ADULT_AGE = 18.0

# ---------------------------------------------------------------------------- the feature table


@dataclass
class Derived:
    """A derived variable's columns: its value (formula unit), and why it may be missing."""

    value: exp.Expression
    items: list[tuple[str, exp.Expression]]  # (what to collect, when), the label first


@dataclass(frozen=True)
class Present:
    """What a population holds: the variables measured, the conditions and events recorded.
    A feature of anything else is NULL for every person, so the SQL reads a typed NULL
    (folded away by the engine's optimizer) instead of a column of NULLs."""

    variables: frozenset[str]
    conditions: frozenset[str]
    events: frozenset[str]


_TYPES = {"has": "INT", "value": "DOUBLE", "unit": "VARCHAR", "canon": "DOUBLE", "area": "INT", "date": "DATE",
          "high": "DOUBLE", "low": "DOUBLE"}
"""The SQL type of each column of a latest measurement."""


@dataclass
class Features:
    """What the rules read, registered while translating them; ``select()`` builds the table.
    ``present``: what the population holds, when known (None: anything may be there)."""

    present: Present | None = None
    variables: dict[str, dict[str, None]] = field(default_factory=dict)  # variable -> attributes read
    conditions: dict[str, tuple[str, str, float | None]] = field(default_factory=dict)
    events: dict[str, None] = field(default_factory=dict)
    derived: dict[str, None] = field(default_factory=dict)
    bsa: bool = False

    # -- registration, returning column references

    def measured(self, variable: str, attribute: str) -> exp.Expression:
        """A column of the latest measurement of ``variable``: has, value, unit, canon, area,
        date, high, low (``canon``: in the canonical unit, NULL when the unit does not convert)."""
        if self.present is not None and variable not in self.present.variables:
            return cast(null(), _TYPES[attribute])
        self.variables.setdefault(variable, {})[attribute] = None
        return col(f"m_{variable}__{attribute}")

    def condition(self, condition: str, timing: str, window_days: float | None) -> exp.Expression:
        """The condition's Kleene code for this timing and window: 2 met, 0 not met, 1
        unknown (past, no date), NULL no record."""
        if self.present is not None and condition not in self.present.conditions:
            return cast(null(), "INT")
        name = f"c_{condition}__{timing}" + (f"_{round(window_days * 100)}" if window_days is not None else "")
        self.conditions[name] = (condition, timing, window_days)
        return col(name)

    def event(self, event: str) -> exp.Expression:
        if self.present is not None and event not in self.present.events:
            return cast(null(), "DATE")
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
        converted: exp.Expression = canon if (slope, offset) == (1.0, 0.0) else exp.Paren(this=exp.Add(
            this=exp.Mul(this=canon, expression=num(slope)), expression=num(offset)))
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
        name to the expression to read it from, ``latest_measurement`` to the rows of
        ``latest()``)."""
        from .sql_compare import completed

        base = exp.select(
            col("person_id", "p"), col("sex", "p"), col("as_of", "p"), alias(_age(), "age"), copy=False).from_(alias(tables["person"], "p"), copy=False)
        for number, (variable, attributes) in enumerate(self.variables.items()):
            base = _left_join(base, self._measured_columns(variable, attributes, tables["latest_measurement"]), f"m{number}")
        if self.conditions:
            base = _left_join(base, self._conditions(tables), "c")
        if self.events:
            base = _left_join(base, self._events(tables), "e")
        names = [f"m_{v}__{a}" for v, attributes in self.variables.items() for a in attributes] + list(self.conditions) + [f"e_{e}" for e in self.events]
        base = base.select(*(col(n) for n in names), copy=False)
        columns: list[exp.Expression] = [exp.Star(), alias(completed(col("age")), "age_completed")]
        if self.bsa:
            columns.append(alias(self._bsa_column(), "bsa"))
        staged = exp.select(*columns, copy=False).from_(alias(exp.Subquery(this=base), "b"), copy=False)
        if not self.derived:
            return staged
        return exp.select(exp.Star(), *(alias(self._derived_value(FORMULAS[v]), f"d_{v}") for v in self.derived), copy=False).from_(
            alias(exp.Subquery(this=staged), "s"), copy=False)

    def latest(self, tables: dict[str, exp.Expression]) -> exp.Select | None:
        """The latest row of each person's variables the rules read (measured_on descending,
        undated last, ties to the larger source, then the larger value), with its value in
        the canonical unit (``canon``, through ``unit_conversion``) and ``area``; None when
        the rules read no measurement."""
        if not self.variables:
            return None
        order = [exp.Ordered(this=col(c, "x"), desc=True, nulls_first=False) for c in ("measured_on", "source", "value")]
        rank = exp.Window(this=exp.RowNumber(), partition_by=[col("person_id", "x"), col("variable", "x")],
                          order=exp.Order(expressions=order))
        ranked = (exp.select(*(col(c, "x") for c in _LATEST_COLUMNS), alias(rank, "rank"), copy=False)
                  .from_(alias(tables["measurement"], "x"), copy=False)
                  .where(exp.In(this=col("variable", "x"), expressions=[text(v) for v in self.variables]), copy=False))
        canon = exp.Add(this=exp.Mul(this=col("value", "r"), expression=col("factor", "u")), expression=col("intercept", "u"))
        return (exp.select(*(col(c, "r") for c in _LATEST_COLUMNS), alias(canon, "canon"), alias(col("area", "u"), "area"), copy=False)
                .from_(alias(exp.Subquery(this=ranked), "r"), copy=False)
                .join(alias(tables["unit_conversion"], "u"),
                      on=and_(exp.EQ(this=col("variable", "u"), expression=col("variable", "r")),
                              exp.EQ(this=col("unit", "u"), expression=exp.Coalesce(this=col("unit", "r"), expressions=[text("")]))),
                      join_type="LEFT", copy=False)
                .where(exp.EQ(this=col("rank", "r"), expression=num(1)), copy=False))

    def _measured_columns(self, variable: str, attributes: dict[str, None], latest: exp.Expression) -> exp.Expression:
        """The columns of one variable's latest row that the rules read, one row per person
        who has one (a join per variable: no aggregate holding every column of every person)."""
        columns = [alias(col(source) if (source := _MEASURED[a]) else num(1), f"m_{variable}__{a}") for a in attributes]
        return exp.Subquery(this=exp.select(col("person_id"), *columns, copy=False).from_(latest.copy(), copy=False)
                            .where(exp.EQ(this=col("variable"), expression=text(variable)), copy=False))

    def _bsa_column(self) -> exp.Expression:
        """Mosteller BSA from the latest height (cm) and weight (kg), as the Python engine's."""
        height, weight = self.measured("height", "canon"), self.measured("weight", "canon")
        usable = and_(exp.GT(this=height, expression=num(0)), exp.GT(this=weight, expression=num(0)),
                      exp.EQ(this=self.measured("height", "area"), expression=num(0)),
                      exp.EQ(this=self.measured("weight", "area"), expression=num(0)))
        return case((usable, exp.Sqrt(this=exp.Div(this=exp.Mul(this=height, expression=weight), expression=num(3600.0)))))

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


_LATEST_COLUMNS = ("person_id", "variable", "value", "unit", "measured_on", "range_low", "range_high")

_MEASURED: dict[str, str | None] = {
    "has": None, "value": "value", "unit": "unit", "canon": "canon", "area": "area", "date": "measured_on",
    "high": "range_high", "low": "range_low",
}


def _left_join(base: exp.Select, rows: exp.Expression, name: str) -> exp.Select:
    return base.join(alias(rows, name), on=exp.EQ(this=col("person_id", name), expression=col("person_id", "p")),
                     join_type="LEFT", copy=False)


def _short_label(variable: str) -> str:
    from .wording import variable_info

    return variable_info(variable, None)[0]


def _age() -> exp.Expression:
    """Completed years at as_of from the birth date, else the stated age."""
    birth, as_of = col("birth_date", "p"), col("as_of", "p")
    before_birthday = or_(
        exp.LT(this=exp.Month(this=as_of), expression=exp.Month(this=birth)),
        and_(exp.EQ(this=exp.Month(this=as_of), expression=exp.Month(this=birth)), exp.LT(this=exp.Day(this=as_of), expression=exp.Day(this=birth))),
    )
    years = exp.Sub(this=exp.Sub(this=exp.Year(this=as_of), expression=exp.Year(this=birth)), expression=case((before_birthday, num(1)), default=num(0)))
    return case((not_null(birth), cast(years, "DOUBLE")), default=cast(col("age_years", "p"), "DOUBLE"))


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

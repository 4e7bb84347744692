"""Rules as SQL: a population screened in one query, on DuckDB, Spark or any SQL engine.

``screening_query(rule_sets)`` translates the rule trees into a sqlglot expression tree
that reads the long tables of ``/work/notes/population-schema.md`` (person, measurement,
condition, event, answer) and returns one row per person and trial: ``verdict``,
``failing`` (ids of the criteria that exclude), ``undecided`` (ids needing review) and
``to_collect`` (the data to collect, as ``check`` lists it).  ``screening_sql`` prints it
in a dialect.  The semantics are the Python engine's (``screener.evaluate``): a leaf is
TRUE (met), FALSE (not met) or NULL (unknown), and SQL's AND / OR / NOT are Kleene's.
A node kind this module does not know is NULL, with its criterion listed as undecided.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable

import sqlglot
from sqlglot import exp

from .derive import FORMULAS as PYTHON_FORMULAS
from .errors import UnitError
from .evaluate import BSA_MISSING, DAYS_PER, REL_TOL, _condition_label, _duration_text, _event_label, _is_lab, _variable_info
from .lexicon import get_lexicon
from .reference import default_range
from .rules import (
    AllOf, AnyOf, Comparison, Condition, Criterion, Interval, Manual, NoRequirement, Node, Not, Readings, Restrict, RuleSet,
    Sex, Unless,
)
from .sql_features import (
    Features, and_, case, col, conversion, days_between, add_days, is_null, not_null, null, num, or_, text, truthy,
    unit_conversion_rows,
)
from .units import area_exponent, convert_with_area, converter, parse_unit

DIALECTS = ("duckdb", "spark", "postgres", "trino", "bigquery", "snowflake")
LONG_TABLES = ("person", "measurement", "condition", "event", "answer")

Item = tuple[str, exp.Expression]  # (what to collect, when it is missing)


@dataclass
class Part:
    """A translated node: its status (BOOLEAN, NULL unknown), what it leaves to collect and
    when a default reference range decided it (shown but never deciding the verdict)."""

    status: exp.Expression
    items: list[Item] = field(default_factory=list)
    assumed: list[exp.Expression] = field(default_factory=list)


def compare(value: exp.Expression, op: str, limit: float) -> exp.Expression:
    """``value op limit`` with the Python engine's tolerance: within a relative 1e-9 is equal."""
    near = exp.LTE(this=exp.Abs(this=exp.Sub(this=value, expression=num(limit))),
                   expression=exp.Mul(this=num(REL_TOL), expression=exp.Greatest(this=exp.Abs(this=value), expressions=[num(abs(limit))])))
    below, above = exp.LT(this=value, expression=num(limit)), exp.GT(this=value, expression=num(limit))
    tests = {
        "<": lambda: and_(below, exp.not_(near)), "<=": lambda: exp.Paren(this=or_(below, near)),
        ">": lambda: and_(above, exp.not_(near)), ">=": lambda: exp.Paren(this=or_(above, near)),
        "==": lambda: near, "!=": lambda: exp.not_(near),
    }
    return exp.Paren(this=tests[op]())


def _ladder(steps: list[tuple[exp.Expression, exp.Expression, list[str], bool]], default: exp.Expression) -> Part:
    """A CASE whose branches are (when, status, items to collect, decided by a default range);
    an item or assumption holds when its branch is the one taken."""
    expression = exp.Case()
    items: list[Item] = []
    assumed: list[exp.Expression] = []
    earlier: list[exp.Expression] = []
    for when, status, wanted, by_default in steps:
        expression = expression.when(when, status)
        taken = and_(*(exp.not_(truthy(e)) for e in earlier), truthy(when))
        items += [(item, taken) for item in wanted]
        if by_default:
            assumed.append(taken)
        earlier.append(when)
    return Part(expression.else_(default), items, assumed)


def _boolean(condition: exp.Expression) -> exp.Expression:
    """TRUE / FALSE for a decided comparison, NULL when it is NULL."""
    return condition


class Translator:
    """Translates one trial's criteria; shares the person features across trials."""

    def __init__(self, features: Features, max_lab_age_days: float | None = None):
        self.features = features
        self.max_lab_age_days = max_lab_age_days
        self.answers: dict[str, str] = {}  # question or criterion id -> column
        self.criterion: Criterion | None = None

    def answer(self, key: str) -> exp.Column:
        if key not in self.answers:
            self.answers[key] = f"q{len(self.answers)}_{re.sub(r'[^A-Za-z0-9]+', '_', key)}"
        return col(self.answers[key], "a")

    def node(self, node: Node) -> Part:
        handler = getattr(self, "_" + type(node).__name__.lower(), None)
        if handler is None:  # a kind this translator does not know: unknown, to review
            return Part(exp.cast(null(), "BOOLEAN"), [(f"review of {self._id()}: a '{getattr(node, 'kind', '?')}' rule", exp.true())])
        return handler(node)

    def _id(self) -> str:
        return self.criterion.id if self.criterion is not None else ""

    # -- logic

    def _group(self, node: AllOf | AnyOf) -> Part:
        if not node.items:
            return Part(exp.cast(null(), "BOOLEAN"))
        parts = [self.node(item) for item in node.items]
        joined = (exp.and_ if isinstance(node, AllOf) else exp.or_)(*(exp.Paren(this=p.status) for p in parts))
        return Part(exp.Paren(this=joined), [i for p in parts for i in p.items], [a for p in parts for a in p.assumed])

    _allof = _anyof = _group

    def _not(self, node: Not) -> Part:
        inner = self.node(node.item)
        return Part(exp.not_(exp.Paren(this=inner.status)), inner.items, inner.assumed)

    def _unless(self, node: Unless) -> Part:
        item, exception = self.node(node.item), self.node(node.exception)
        status = and_(exp.Paren(this=item.status), exp.not_(exp.Paren(this=exception.status)))
        return Part(exp.Paren(this=status), item.items + exception.items, item.assumed + exception.assumed)

    def _restrict(self, node: Restrict) -> Part:
        group, item = self.node(node.group), self.node(node.item)
        inside = exp.not_(truthy(exp.not_(exp.Paren(this=group.status))))  # the item is evaluated unless group is FALSE
        status = or_(exp.not_(exp.Paren(this=group.status)), exp.Paren(this=item.status)) if node.outside else and_(
            exp.Paren(this=group.status), exp.Paren(this=item.status))
        items = group.items + [(wanted, and_(inside, when)) for wanted, when in item.items]
        return Part(exp.Paren(this=status), items, group.assumed + [and_(inside, a) for a in item.assumed])

    def _readings(self, node: Readings) -> Part:
        parts = [self.node(item) for item in node.items]
        if not parts:
            return Part(exp.cast(null(), "BOOLEAN"))
        statuses = [exp.Paren(this=p.status) for p in parts]
        status = case((and_(*statuses), exp.true()), (and_(*(exp.not_(s) for s in statuses)), exp.false()))
        return Part(status, [i for p in parts for i in p.items], [a for p in parts for a in p.assumed])

    # -- leaves

    def _norequirement(self, node: NoRequirement) -> Part:
        inclusion = self.criterion is None or self.criterion.section == "inclusion"
        return Part(exp.true() if inclusion else exp.false())

    def _sex(self, node: Sex) -> Part:
        sex = col("sex")
        return Part(exp.EQ(this=sex, expression=text(node.sex)), [("sex", is_null(sex))])

    def _manual(self, node: Manual) -> Part:
        key = node.id or self._id()
        answer = self.answer(key)
        question = re.sub(r"\s+", " ", node.question).strip()
        return Part(answer, [(f"answer to {key}: {question}", is_null(answer))])

    def _condition(self, node: Condition) -> Part:
        label = _condition_label(node.condition, node.label)
        window = node.within.value * DAYS_PER[node.within.unit] if node.within and node.timing == "history" else None
        code = self.features.condition(node.condition, node.timing, window)
        status = case((exp.EQ(this=code, expression=num(2)), exp.true()), (exp.EQ(this=code, expression=num(0)), exp.false()))
        items = [(f"{label} (present, past or absent)", is_null(code)),
                 (f"date {label} ended", truthy(exp.EQ(this=code, expression=num(1))))]
        return Part(status, items)

    def _interval(self, node: Interval) -> Part:
        start_label = _event_label(node.start)
        end_label = _event_label(node.end) if node.end else "the profile date"
        start = self.features.event(node.start)
        end = self.features.event(node.end) if node.end else col("as_of")
        days = days_between(start, end)
        steps = [
            (or_(is_null(start), is_null(end)), null(), [], False),
            (exp.LT(this=days, expression=num(0)), null(), [f"correct dates of {start_label} and {end_label}"], False),
        ]
        part = _ladder(steps, compare(days, node.op, node.value * DAYS_PER[node.unit]))
        part.items = [(f"date of {start_label}", is_null(start))] + ([(f"date of {end_label}", is_null(end))] if node.end else []) + part.items
        return part

    def _comparison(self, node: Comparison) -> Part:
        from .sql_compare import comparison

        return comparison(self, node)


def _criterion_columns(translator: Translator, criteria: list[Criterion]) -> tuple[list[exp.Expression], list[tuple[str, str, int]]]:
    """The first stage of a trial: per criterion its status s<i> and default-range flag u<i>,
    and one flag k<j> per possible item to collect; returns (columns, [(item, criterion, j)])."""
    columns: list[exp.Expression] = []
    occurrences: list[tuple[str, int, int]] = []
    for index, criterion in enumerate(criteria):
        translator.criterion = criterion
        part = translator.node(criterion.rule)
        decided = translator.answer(criterion.id)  # an answer to the criterion decides it as written
        open_ = is_null(decided)
        columns.append(exp.alias_(exp.func("COALESCE", decided, part.status), f"s{index}"))
        columns.append(exp.alias_(and_(open_, truthy(or_(*part.assumed))) if part.assumed else exp.false(), f"u{index}"))
        for wanted, when in part.items:
            columns.append(exp.alias_(and_(open_, truthy(when)), f"k{len(occurrences)}"))
            occurrences.append((wanted, index, len(occurrences)))
    return columns, occurrences


def _filtered(values: list[exp.Expression]) -> exp.Expression:
    """An array of the non-NULL values, in order."""
    if not values:
        return exp.cast(exp.Array(expressions=[]), "ARRAY<VARCHAR>")
    keep = exp.Lambda(this=not_null(exp.column("x")), expressions=[exp.to_identifier("x")])
    return exp.ArrayFilter(this=exp.Array(expressions=values), expression=keep)


def _trial_select(rules: RuleSet, number: int, features: Features, max_lab_age_days: float | None) -> exp.Select:
    translator = Translator(features, max_lab_age_days)
    criteria = rules.criteria
    columns, occurrences = _criterion_columns(translator, criteria)
    stage = exp.select(col("person_id", "f"), col("as_of", "f"), *columns).from_(exp.alias_(exp.to_table("features"), "f"))
    stage = stage.join(exp.alias_(_answers(rules, translator.answers), "a"),
                       on=exp.EQ(this=col("person_id", "a"), expression=col("person_id", "f")), join_type="LEFT")
    fails, reviews = [], []
    for index, criterion in enumerate(criteria):
        status, assumed = col(f"s{index}"), col(f"u{index}")
        failing = exp.not_(status) if criterion.section == "inclusion" else status
        fails.append(and_(exp.not_(assumed), truthy(failing)))
        reviews.append(or_(is_null(status), assumed))
    verdict = case(
        *([(or_(*fails), text("ineligible"))] if fails else []),
        *([(or_(*reviews), text("needs_review"))] if reviews else []),
        default=text("eligible" if criteria else "needs_review"),
    )
    collect = []
    for wanted, index, j in occurrences:
        active = lambda k, i: and_(col(f"k{k}"), exp.Paren(this=reviews[i]))  # noqa: E731
        earlier = [active(k, i) for w, i, k in occurrences[:j] if w == wanted]
        first = and_(active(j, index), *(exp.not_(e) for e in earlier))
        collect.append(case((first, text(wanted))))
    trial_id = rules.trial.id or f"trial {number + 1}"
    return exp.select(
        col("person_id"), exp.alias_(text(trial_id), "trial_id"), col("as_of"), exp.alias_(verdict, "verdict"),
        exp.alias_(_filtered([case((exp.Paren(this=f), text(c.id))) for f, c in zip(fails, criteria)]), "failing"),
        exp.alias_(_filtered([case((exp.Paren(this=r), text(c.id))) for r, c in zip(reviews, criteria)]), "undecided"),
        exp.alias_(_filtered(collect), "to_collect"),
    ).from_(exp.alias_(exp.Subquery(this=stage), "t"))


def _answers(rules: RuleSet, columns: dict[str, str]) -> exp.Expression:
    """The trial's answers pivoted to one row per person (rows without a trial id answer every trial)."""
    pivot = [
        exp.alias_(exp.Max(this=case((exp.EQ(this=col("question_id"), expression=text(key)), exp.cast(col("value"), "INT")))), name)
        for key, name in columns.items()
    ]
    trial = or_(is_null(col("trial_id")), exp.EQ(this=col("trial_id"), expression=text(rules.trial.id or "")))
    rows = exp.select(col("person_id"), *pivot).from_("answer").where(trial).group_by(col("person_id"))
    decided = [exp.alias_(case((not_null(col(name)), exp.EQ(this=col(name), expression=num(1)))), name) for name in columns.values()]
    return exp.Subquery(this=exp.select(col("person_id"), *decided).from_(exp.alias_(exp.Subquery(this=rows), "w")))


def screening_query(
    rule_sets: Iterable[RuleSet], *, max_lab_age_days: float | None = None, units: list[tuple[str, str | None]] = (),
) -> exp.Expression:
    """The screening of every person in the long tables against every rule set, as one
    sqlglot query: (person_id, trial_id, as_of, verdict, failing, undecided, to_collect).

    ``units``: (variable, unit) pairs the population holds, added to the conversion rows
    made for every unit the lexicon names.
    """
    rule_sets = list(rule_sets)
    features = Features()
    trials = [_trial_select(rules, n, features, max_lab_age_days) for n, rules in enumerate(rule_sets)]
    if not trials:
        raise ValueError("no rule sets to screen against")
    tables: dict[str, exp.Expression] = {name: exp.to_table(name) for name in LONG_TABLES}
    tables["unit_conversion"] = exp.to_table("unit_conversion")
    query: exp.Expression = trials[0]
    for trial in trials[1:]:
        query = exp.union(query, trial, distinct=False)
    with_features = exp.select(exp.Star()).from_(exp.alias_(exp.Subquery(this=query), "screened"))
    rows = unit_conversion_rows(features.variables, units)
    if features.variables:
        with_features = with_features.with_("unit_conversion", as_=_unit_table(rows))
    return with_features.with_("features", as_=features.select(tables))


def _unit_table(rows: list[tuple[str, str, float, float, int]]) -> exp.Select:
    values = exp.values([tuple(exp.Literal.string(v) if isinstance(v, str) else num(v) for v in row) for row in rows] or
                        [(text(""), text(""), num(1), num(0), num(0))],
                        alias="v", columns=["variable", "unit", "factor", "intercept", "area"])
    typed = [col("variable"), col("unit"), exp.alias_(exp.cast(col("factor"), "DOUBLE"), "factor"),
             exp.alias_(exp.cast(col("intercept"), "DOUBLE"), "intercept"), exp.alias_(exp.cast(col("area"), "INT"), "area")]
    return exp.select(*typed).from_(values)


def screening_sql(rule_sets: Iterable[RuleSet], dialect: str = "duckdb", *, pretty: bool = True, **options) -> str:
    """The screening query as SQL text in ``dialect`` (one of ``DIALECTS``)."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    return screening_query(rule_sets, **options).sql(dialect=dialect, pretty=pretty)


__all__ = ["DIALECTS", "LONG_TABLES", "compare", "screening_query", "screening_sql", "unit_conversion_rows"]

"""sqlglot expression helpers for the screening SQL: columns, literals, Kleene logic.

Every part of the generated SQL is built from these, so that one tree prints in every
dialect; ``and_`` / ``or_`` parenthesize so that SQL's precedence never regroups a rule.
"""

from __future__ import annotations

from functools import lru_cache

from sqlglot import exp


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
    return exp.Cast(this=expression, to=_data_type(to).copy())


@lru_cache(maxsize=64)
def _data_type(to: str) -> exp.DataType:
    """A type parsed once: parsing it for each of thousands of casts costs more than the rest."""
    return exp.DataType.build(to)


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

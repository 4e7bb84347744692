"""The screening on DuckDB in compact rows: bit codes per pair, the lists made once per code.

Building three arrays of strings for every person and trial costs more than deciding the
criteria.  Here each trial's stage (``sql.Outcome``) gives per pair its verdict and three
sets of bit words: criteria that fail (``f*``), criteria under review (``r*``), items to
collect (``c*``), 62 bits to a BIGINT.  A population holds few distinct codes per trial,
so the arrays ``failing``, ``undecided`` and ``to_collect`` are built once per distinct
code, from the same expressions (``sql.lists_of``) read on the bits, and joined back.
The result has the columns of ``sql.screening_query`` and the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from .sql import Outcome, lists_of, verdict_of
from .sql_expr import alias, and_, case, cast, col, text

WORD = 62
"""Bits per BIGINT word (the sum of 62 powers of two stays positive)."""


def _power(bit: int) -> exp.Expression:
    return exp.Literal.number(str(2 ** bit))


@dataclass(frozen=True)
class Layout:
    """How many words each kind of bit takes, the same for every trial of a run so that
    the trials' rows share one table."""

    fails: int
    reviews: int
    collect: int

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> "Layout":
        def words(count: int) -> int:
            return max(1, -(-count // WORD))

        return cls(words(max(len(o.fails) for o in outcomes)), words(max(len(o.reviews) for o in outcomes)),
                   words(max(len(o.collect) for o in outcomes)))

    def names(self) -> list[str]:
        return [f"{kind}{i}" for kind, count in (("f", self.fails), ("r", self.reviews), ("c", self.collect)) for i in range(count)]


def _words(flags: list[exp.Expression], count: int) -> list[exp.Expression]:
    """``count`` BIGINTs holding one bit per flag (flags are TRUE or FALSE, never NULL)."""
    words: list[exp.Expression] = []
    for start in range(0, count * WORD, WORD):
        terms = [case((exp.Paren(this=flag), _power(i)), default=exp.Literal.number("0")) for i, flag in enumerate(flags[start:start + WORD])]
        total: exp.Expression = terms[0] if terms else exp.Literal.number("0")
        for term in terms[1:]:
            total = exp.Add(this=total, expression=term)
        words.append(cast(total, "BIGINT"))
    return words


def _bits(prefix: str, count: int) -> list[exp.Expression]:
    """The ``count`` flags read back from the words ``prefix0``, ``prefix1``, ..."""
    return [exp.NEQ(this=exp.BitwiseAnd(this=col(f"{prefix}{i // WORD}"), expression=_power(i % WORD)),
                    expression=exp.Literal.number("0")) for i in range(count)]


def coded_select(outcome: Outcome, layout: Layout) -> exp.Select:
    """(person_id, trial_id, as_of, verdict, f*, r*, c*) of one trial."""
    words = (_words(outcome.fails, layout.fails) + _words(outcome.reviews, layout.reviews)
             + _words([c for _, c in outcome.collect], layout.collect))
    return exp.select(
        col("person_id"), alias(text(outcome.trial_id), "trial_id"), col("as_of"),
        alias(verdict_of(outcome.fails, outcome.reviews), "verdict"),
        *(alias(word, name) for word, name in zip(words, layout.names())), copy=False,
    ).from_(alias(exp.Subquery(this=outcome.stage), "t"), copy=False)


def decoded_select(outcome: Outcome, layout: Layout, codes: str) -> exp.Select:
    """(trial_id, f*, r*, c*, failing, undecided, to_collect) for the distinct codes of one
    trial held in the table ``codes``."""
    lists = lists_of(outcome, _bits("f", len(outcome.fails)), _bits("r", len(outcome.reviews)), _bits("c", len(outcome.collect)))
    return exp.select(col("trial_id"), *(col(n) for n in layout.names()), *lists, copy=False).from_(codes, copy=False).where(
        exp.EQ(this=col("trial_id"), expression=text(outcome.trial_id)), copy=False)


def joined_sql(layout: Layout, codes: str, lists: str, *, text_lists: bool = False) -> str:
    """The screening rows: each pair's code joined to its lists; with ``text_lists`` the
    failing criteria and the items to collect as text joined by " | " (the log's columns,
    made once per code)."""
    on = and_(*(exp.EQ(this=col(n, "s"), expression=col(n, "l")) for n in ["trial_id", *layout.names()]))
    side: exp.Expression = exp.to_table(lists)
    if text_lists:
        joined = [alias(exp.ArrayToString(this=col(n), expression=text(" | ")), n) for n in ("failing", "undecided", "to_collect")]
        side = exp.Subquery(this=exp.select(col("trial_id"), *(col(n) for n in layout.names()), *joined, copy=False).from_(lists, copy=False))
    query = exp.select(col("person_id", "s"), col("trial_id", "s"), col("as_of", "s"), col("verdict", "s"), col("failing", "l"),
                       col("undecided", "l"), col("to_collect", "l"), copy=False).from_(alias(exp.to_table(codes), "s"), copy=False).join(
        alias(side, "l"), on=on, copy=False)
    return query.sql(dialect="duckdb", copy=False)

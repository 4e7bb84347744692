"""The screening on DuckDB in compact rows: one fingerprint of the criterion states per
pair, the verdict and the lists made once per distinct state.

Building three arrays of strings for every person and trial costs more than deciding the
criteria, and so does packing flags into bit words.  Here each trial's stage
(``sql.Outcome.stage``: per person the criterion statuses ``s*``, default-range flags
``u*`` and item flags ``k*``) is computed in one pass over the persons and kept as a
128-bit fingerprint per pair (two 64-bit hashes of the states, in opposite orders).  The
stage is then computed again for one person per fingerprint only, and the verdict and
the lists (``sql.verdict_of``, ``sql.lists_of``: the expressions of the one-query SQL)
on those few rows; every pair is joined to its fingerprint's row.  Two distinct states
with one fingerprint are not checked for (the chance is about n² / 2¹²⁹ for n distinct
states of a trial, far below that of a hardware error).

For logs the lists are also kept as text in ENUM columns, so that a Parquet log of
millions of rows writes each long cell once, as a dictionary entry.
"""

from __future__ import annotations

from sqlglot import exp

from .sql import Outcome, lists_of, verdict_of
from .sql_expr import alias


def screen_states(connection, outcomes: list[Outcome], table: str) -> None:
    """Create the view ``table`` (person_id, trial_id, as_of, verdict, failing, undecided,
    to_collect) and ``<table>_text`` over the pairs and states of ``outcomes``, which read
    the temporary table ``features``."""
    states = f"{table}_states"
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {states} (t SMALLINT, fp UHUGEINT, trial_id VARCHAR, verdict VARCHAR, "
                       "failing VARCHAR[], undecided VARCHAR[], to_collect VARCHAR[])")
    for number, outcome in enumerate(outcomes):
        _trial(connection, number, outcome, f"{table}_p{number}", states)
    connection.execute("DROP TABLE IF EXISTS _representatives")
    pairs = " UNION ALL ".join(f"SELECT person_id, as_of, {n} AS t, fp FROM {table}_p{n}" for n in range(len(outcomes)))
    connection.execute(f"CREATE OR REPLACE TEMP VIEW {table}_pairs AS {pairs}")
    connection.execute(f"""CREATE OR REPLACE TEMP VIEW {table} AS
        SELECT p.person_id, s.trial_id, p.as_of, s.verdict, s.failing, s.undecided, s.to_collect
        FROM {table}_pairs p JOIN {states} s ON s.t = p.t AND s.fp = p.fp""")
    _text_view(connection, table)


def _fingerprint(columns: list[str]) -> str:
    forward, backward = ", ".join(columns), ", ".join(reversed(columns))
    return f"((hash({forward})::UHUGEINT << 64) | hash({backward}, 1)::UHUGEINT)"


def _trial(connection, number: int, outcome: Outcome, pairs: str, states: str) -> None:
    """The pairs (person, fingerprint of the states) of one trial, and its distinct states
    decided, from one person each."""
    columns = [c.alias_or_name for c in outcome.stage.expressions[2:]] or ["NULL"]
    fingerprint = _fingerprint(columns)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {pairs} AS SELECT person_id, as_of, {fingerprint} AS fp "
                       f"FROM ({outcome.stage.sql(dialect='duckdb', copy=False)}) t")
    connection.execute(f"""CREATE OR REPLACE TEMP TABLE _representatives AS SELECT * FROM features
                           WHERE person_id IN (SELECT min(person_id) FROM {pairs} GROUP BY fp)""")
    few = outcome.stage.transform(
        lambda node: exp.to_table("_representatives") if isinstance(node, exp.Table) and node.name == "features" else node)
    decided = exp.select(
        alias(exp.Literal.number(number), "t"), exp.column("fp"),
        alias(exp.Literal.string(outcome.trial_id), "trial_id"), alias(verdict_of(outcome.fails, outcome.reviews), "verdict"),
        *lists_of(outcome, outcome.fails, outcome.reviews, [c for _, c in outcome.collect]), copy=False,
    ).from_(exp.to_table("_decided"), copy=False)
    connection.execute(f"INSERT INTO {states} WITH _decided AS (SELECT DISTINCT * EXCLUDE (person_id, as_of), {fingerprint} AS fp "
                       f"FROM ({few.sql(dialect='duckdb', copy=False)}) t) " + decided.sql(dialect="duckdb", copy=False))


_TEXT_COLUMNS = ("trial_id", "verdict", "failing", "undecided", "to_collect", "log_collect")


def _text_view(connection, table: str) -> None:
    """``<table>_text``: the pairs with their lists as text, each text column an ENUM of
    its distinct values (a log writes them as a dictionary, not once per row)."""
    texts = f"{table}_texts"
    connection.execute(f"""CREATE OR REPLACE TEMP TABLE {texts} AS
        SELECT t, fp, trial_id, verdict, array_to_string(failing, ' | ') AS failing,
               array_to_string(undecided, ' | ') AS undecided, array_to_string(to_collect, ' | ') AS to_collect,
               CASE WHEN verdict = 'ineligible' THEN '' ELSE array_to_string(to_collect, ' | ') END AS log_collect
        FROM {table}_states""")
    for column in _TEXT_COLUMNS:
        connection.execute(f"CREATE OR REPLACE TEMP TYPE {table}_{column}_t AS ENUM "
                           f"(SELECT DISTINCT {column} FROM {texts} WHERE {column} IS NOT NULL)")
    typed = ", ".join(f"CAST({c} AS {table}_{c}_t) AS {c}" for c in _TEXT_COLUMNS)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {texts} AS SELECT t, fp, {typed} FROM {texts}")
    connection.execute(f"""CREATE OR REPLACE TEMP VIEW {table}_text AS
        SELECT p.person_id, s.trial_id, p.as_of, s.verdict, s.failing, s.undecided, s.to_collect, s.log_collect
        FROM {table}_pairs p JOIN {texts} s ON s.t = p.t AND s.fp = p.fp""")

"""The screening on DuckDB in compact rows: one fingerprint of the criterion states per
pair, the verdict and the lists made once per distinct state.

Building three arrays of strings for every person and trial costs more than deciding the
criteria, and so does packing flags into bit words.  Here each trial's stage
(``sql.Outcome.stage``: per person the criterion statuses ``s*``, default-range flags
``u*`` and item flags ``k*``) is computed in one pass over the persons, several trials
per pass (``sql.stage_of``), and kept as a 128-bit fingerprint per pair (two 64-bit
hashes of the states that vary, in opposite orders).  The same SELECT then runs on one
person per fingerprint only, and the verdict and
the lists (``sql.verdict_of``, ``sql.lists_of``: the expressions of the one-query SQL)
on those few rows; every pair is joined to its fingerprint's row.  Two distinct states
with one fingerprint are not checked for (the chance is about n² / 2¹²⁹ for n distinct
states of a trial, far below that of a hardware error).

For logs the lists are also kept as text in ENUM columns, so that a Parquet log of
millions of rows writes each long cell once, as a dictionary entry.
"""

from __future__ import annotations

from sqlglot import exp

from .screen import collect_cell
from .sql import Outcome, lists_of, stage_of, verdict_of
from .sql_expr import alias


def screen_states(connection, outcomes: list[Outcome], table: str, *, batch: int = 16) -> None:
    """Create the view ``table`` (person_id, trial_id, as_of, verdict, failing, undecided,
    to_collect) and ``<table>_text`` over the pairs and states of ``outcomes``, which read
    the temporary table ``features``; ``batch`` trials share each query."""
    states = f"{table}_states"
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {states} (t SMALLINT, fp UHUGEINT, trial_id VARCHAR, verdict VARCHAR, "
                       "failing VARCHAR[], undecided VARCHAR[], to_collect VARCHAR[])")
    connection.execute(f"CREATE OR REPLACE TEMP TYPE {table}_date_t AS ENUM (SELECT DISTINCT CAST(as_of AS VARCHAR) FROM features "
                       "WHERE as_of IS NOT NULL)")  # the log's date cell, written once per distinct date
    batches = [range(start, min(start + batch, len(outcomes))) for start in range(0, len(outcomes), batch)]
    stages, where = [], {}  # the SELECT of each batch; trial number -> the table holding its fingerprints
    for number, trials in enumerate(batches):
        prints = ", ".join(f"{_fingerprint(outcomes[n])} AS fp{n}" for n in trials)
        stages.append(f"SELECT *, {prints} FROM ({stage_of([outcomes[n] for n in trials]).sql(dialect='duckdb', copy=False)}) t")
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {table}_p{number} AS SELECT person_id, as_of, "
                           f"CAST(CAST(as_of AS VARCHAR) AS {table}_date_t) AS date, {', '.join(f'fp{n}' for n in trials)} "
                           f"FROM ({stages[-1]})")
        where.update({n: f"{table}_p{number}" for n in trials})
    firsts = " UNION ".join(f"SELECT min(person_id) FROM {where[n]} GROUP BY fp{n}" for n in range(len(outcomes)))
    connection.execute(f"CREATE OR REPLACE TEMP TABLE _representatives AS SELECT * FROM features WHERE person_id IN ({firsts})")
    for trials, stage in zip(batches, stages):  # the same SELECT, its features the representatives
        connection.execute(f"CREATE OR REPLACE TEMP TABLE _few AS WITH features AS (SELECT * FROM _representatives) {stage}")
        decided = [_decided(n, outcomes[n]).sql(dialect="duckdb", copy=False) for n in trials]
        connection.execute(f"INSERT INTO {states} " + " UNION ALL ".join(decided))
    connection.execute("DROP TABLE _representatives")
    connection.execute("DROP TABLE _few")
    pairs = " UNION ALL ".join(f"SELECT person_id, as_of, date, {n} AS t, fp{n} AS fp FROM {where[n]}" for n in range(len(outcomes)))
    connection.execute(f"CREATE OR REPLACE TEMP VIEW {table}_pairs AS {pairs}")
    connection.execute(f"""CREATE OR REPLACE TEMP VIEW {table} AS
        SELECT p.person_id, s.trial_id, p.as_of, s.verdict, s.failing, s.undecided, s.to_collect
        FROM {table}_pairs p JOIN {states} s ON s.t = p.t AND s.fp = p.fp""")
    _text_view(connection, table)


def _fingerprint(outcome: Outcome) -> str:
    """Two 64-bit hashes of the trial's state columns, in opposite orders, as one UHUGEINT.
    A column that reads no column is the same for every person and is left out (most are,
    when the population holds no answers and few of the variables)."""
    columns = [c.alias_or_name for c in outcome.columns if c.find(exp.Column) is not None] or ["NULL"]
    forward, backward = ", ".join(columns), ", ".join(reversed(columns))
    return f"((hash({forward})::UHUGEINT << 64) | hash({backward}, 1)::UHUGEINT)"


def _decided(number: int, outcome: Outcome) -> exp.Select:
    """(t, fp, trial_id, verdict, failing, undecided, to_collect) of the distinct states of
    one trial, from its columns in ``_few`` (the stage of the representatives: one person
    per state of every trial)."""
    columns = [exp.column(c) for c in outcome.states]
    states = exp.select(*columns, alias(exp.column(f"fp{number}"), "fp"), copy=False).distinct(copy=False).from_("_few", copy=False)
    return exp.select(
        alias(exp.Literal.number(number), "t"), exp.column("fp"),
        alias(exp.Literal.string(outcome.trial_id), "trial_id"), alias(verdict_of(outcome.fails, outcome.reviews), "verdict"),
        *lists_of(outcome, outcome.fails, outcome.reviews, [c for _, c in outcome.collect]), copy=False,
    ).from_(alias(exp.Subquery(this=states), "_decided"), copy=False)


_TEXT_COLUMNS = ("trial_id", "verdict", "failing", "undecided", "to_collect", "log_collect")


def _text_view(connection, table: str) -> None:
    """``<table>_text``: the pairs with their lists as text, each text column an ENUM of
    its distinct values (a log writes them as a dictionary, not once per row);
    ``log_collect`` is the python engine's log cell (``screen.collect_cell``), made once
    per distinct state."""
    texts = f"{table}_texts"
    cells = [(t, str(fp), collect_cell(verdict, items)) for t, fp, verdict, items in
             connection.execute(f"SELECT t, fp, verdict, to_collect FROM {table}_states").fetchall()]
    connection.execute("CREATE OR REPLACE TEMP TABLE _cells (t SMALLINT, fp UHUGEINT, log_collect VARCHAR)")
    if cells:
        connection.executemany("INSERT INTO _cells VALUES (?, ?, ?)", cells)
    connection.execute(f"""CREATE OR REPLACE TEMP TABLE {texts} AS
        SELECT s.t, s.fp, trial_id, verdict, array_to_string(failing, ' | ') AS failing,
               array_to_string(undecided, ' | ') AS undecided, array_to_string(to_collect, ' | ') AS to_collect, c.log_collect
        FROM {table}_states s JOIN _cells c ON c.t = s.t AND c.fp = s.fp""")
    connection.execute("DROP TABLE _cells")
    for column in _TEXT_COLUMNS:
        connection.execute(f"CREATE OR REPLACE TEMP TYPE {table}_{column}_t AS ENUM "
                           f"(SELECT DISTINCT {column} FROM {texts} WHERE {column} IS NOT NULL)")
    typed = ", ".join(f"CAST({c} AS {table}_{c}_t) AS {c}" for c in _TEXT_COLUMNS)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {texts} AS SELECT t, fp, {typed} FROM {texts}")
    connection.execute(f"""CREATE OR REPLACE TEMP VIEW {table}_text AS
        SELECT p.person_id, s.trial_id, p.as_of, p.date, s.verdict, s.failing, s.undecided, s.to_collect, s.log_collect
        FROM {table}_pairs p JOIN {texts} s ON s.t = p.t AND s.fp = p.fp""")


def trial_counts(connection, table: str) -> list[tuple[str, int, int, int]]:
    """(trial, eligible, needs review, ineligible) per trial of the screening ``table``,
    counted on the fingerprints (one small join per distinct state, not per pair)."""
    return connection.execute(f"""
        SELECT s.trial_id, coalesce(sum(n) FILTER (s.verdict = 'eligible'), 0)::BIGINT,
               coalesce(sum(n) FILTER (s.verdict = 'needs_review'), 0)::BIGINT,
               coalesce(sum(n) FILTER (s.verdict = 'ineligible'), 0)::BIGINT
        FROM (SELECT t, fp, count(*) AS n FROM {table}_pairs GROUP BY ALL) p JOIN {table}_states s ON s.t = p.t AND s.fp = p.fp
        GROUP BY s.t, s.trial_id ORDER BY s.t""").fetchall()

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

import re
from dataclasses import dataclass, field
from typing import Iterable

from sqlglot import exp

from .evaluate import REL_TOL
from .wording import DAYS_PER, condition_label as _condition_label, event_label as _event_label
from .rules import AllOf, AnyOf, Comparison, Condition, Criterion, Interval, Manual, NoRequirement, Node, Not, Readings, Restrict, RuleSet, Sex, Unless
from .sql_expr import alias, and_, case, cast, col, days_between, is_null, not_, not_null, null, num, or_, text, truthy
from .sql_features import Features, Present
from .restated import unit_readings
from .scope import sex_agreement
from .sql_units import unit_conversion_rows
from .stable_ids import stable_keys

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


def near(value: exp.Expression, limit: exp.Expression, absolute: float = 0.0) -> exp.Expression:
    """``math.isclose(value, limit, rel_tol=1e-9, abs_tol=absolute)``, without GREATEST
    (whose NULL handling differs between engines)."""
    gap = exp.Abs(this=exp.Sub(this=value, expression=limit))
    tests = [exp.LTE(this=gap, expression=exp.Mul(this=num(REL_TOL), expression=exp.Abs(this=bound))) for bound in (value, limit)]
    if absolute:
        tests.append(exp.LTE(this=gap, expression=num(absolute)))
    return exp.Paren(this=or_(*tests))


def compare(value: exp.Expression, op: str, limit: float) -> exp.Expression:
    """``value op limit`` with the Python engine's tolerance: within a relative 1e-9 is equal."""
    close = near(value, num(limit))
    below, above = exp.LT(this=value, expression=num(limit)), exp.GT(this=value, expression=num(limit))
    tests = {
        "<": lambda: and_(below, not_(close)), "<=": lambda: or_(below, close),
        ">": lambda: and_(above, not_(close)), ">=": lambda: or_(above, close),
        "==": lambda: close, "!=": lambda: not_(close),
    }
    return exp.Paren(this=tests[op]())


def _ladder(translator: "Translator", steps: list[tuple[exp.Expression, exp.Expression, list[str], bool]],
            default: exp.Expression) -> Part:
    """A leaf decided branch by branch: (when, status, items to collect, decided by a default
    range).  The branch taken is one column of the trial's first stage, so what to collect
    reads ``l<n> = i`` instead of repeating the conditions."""
    name = f"{translator.prefix}l{len(translator.branches)}"
    translator.branches.append((name, case(*((when, num(i + 1)) for i, (when, *_) in enumerate(steps)), default=num(0))))
    branch = col(name)
    decided = [(exp.EQ(this=branch, expression=num(i + 1)), status) for i, (_, status, _, _) in enumerate(steps)
               if not isinstance(status, exp.Null)]
    status = case((exp.EQ(this=branch, expression=num(0)), default), *decided)
    items: list[Item] = [(item, exp.EQ(this=branch, expression=num(i + 1))) for i, (_, _, wanted, _) in enumerate(steps) for item in wanted]
    assumed: list[exp.Expression] = [exp.EQ(this=branch, expression=num(i + 1)) for i, (_, _, _, by_default) in enumerate(steps) if by_default]
    return Part(status, items, assumed)


class Translator:
    """Translates one trial's criteria; shares the person features across trials."""

    def __init__(self, features: Features, max_lab_age_days: float | None = None, answers: bool = True, prefix: str = ""):
        self.features = features
        self.prefix = prefix  # of the trial's column names, unique across trials so that several trials share a SELECT
        self.with_answers = answers  # False: the answer table is known to be empty
        self.max_lab_age_days = max_lab_age_days
        self.answers: dict[str, str] = {}  # question or criterion id -> column
        self.branches: list[tuple[str, exp.Expression]] = []  # leaf columns: the branch each leaf takes
        self.criterion: Criterion | None = None

    def answer(self, key: str) -> exp.Expression:
        if not self.with_answers:
            return cast(null(), "BOOLEAN")
        if key not in self.answers:
            self.answers[key] = f"q{len(self.answers)}_{re.sub(r'[^A-Za-z0-9]+', '_', key)}"
        return col(self.answers[key], f"{self.prefix}a")

    def node(self, node: Node) -> Part:
        handler = getattr(self, "_" + type(node).__name__.lower(), None)
        if handler is None:  # a kind this translator does not know: unknown, to review
            return Part(cast(null(), "BOOLEAN"), [(f"review of {self._id()}: a '{getattr(node, 'kind', '?')}' rule", exp.true())])
        return handler(node)

    def _id(self) -> str:
        return self.criterion.id if self.criterion is not None else ""

    # -- logic

    def _group(self, node: AllOf | AnyOf) -> Part:
        if not node.items:
            return Part(cast(null(), "BOOLEAN"))
        parts = [self.node(item) for item in node.items]
        statuses = [exp.Paren(this=p.status) for p in parts]
        agreement = sex_agreement(node)  # limits per sex that agree decide without the sex, as in Python
        if agreement is not None:
            statuses.append(exp.Paren(this=self.node(agreement).status))
        joined = (and_ if isinstance(node, AllOf) else or_)(*statuses)
        return Part(exp.Paren(this=joined), [i for p in parts for i in p.items], [a for p in parts for a in p.assumed])

    _allof = _anyof = _group

    def _not(self, node: Not) -> Part:
        inner = self.node(node.item)
        return Part(not_(exp.Paren(this=inner.status)), inner.items, inner.assumed)

    def _unless(self, node: Unless) -> Part:
        item, exception = self.node(node.item), self.node(node.exception)
        status = and_(exp.Paren(this=item.status), not_(exp.Paren(this=exception.status)))
        return Part(exp.Paren(this=status), item.items + exception.items, item.assumed + exception.assumed)

    def _restrict(self, node: Restrict) -> Part:
        group, item = self.node(node.group), self.node(node.item)
        inside = not_(truthy(not_(exp.Paren(this=group.status))))  # the item is evaluated unless group is FALSE
        status = or_(not_(exp.Paren(this=group.status)), exp.Paren(this=item.status)) if node.outside else and_(
            exp.Paren(this=group.status), exp.Paren(this=item.status))
        items = group.items + [(wanted, and_(inside, when)) for wanted, when in item.items]
        return Part(exp.Paren(this=status), items, group.assumed + [and_(inside, a) for a in item.assumed])

    def _readings(self, node: Readings) -> Part:
        parts = [self.node(item) for item in node.items]
        if not parts:
            return Part(cast(null(), "BOOLEAN"))
        statuses = [exp.Paren(this=p.status) for p in parts]
        status = case((and_(*statuses), exp.true()), (and_(*(not_(s) for s in statuses)), exp.false()))
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
        part = _ladder(self, steps, compare(days, node.op, node.value * DAYS_PER[node.unit]))
        part.items = [(f"date of {start_label}", is_null(start))] + ([(f"date of {end_label}", is_null(end))] if node.end else []) + part.items
        return part

    def _comparison(self, node: Comparison) -> Part:
        """A limit restated in other units ("< 8 kPa (< 60 mmHg)"): a value in one of them
        is compared with the limit written in it, else read every way, as in Python."""
        from .sql_compare import comparison

        if not node.alt:
            return comparison(self, node)
        every = self._readings(Readings(items=node.readings(), span=node.span))
        own = {unit: comparison(self, reading) for unit, reading in unit_readings(node).items()}
        if not own:
            return every
        unit = self.features.measured(node.variable, "unit")
        status = case(*((exp.EQ(this=unit, expression=text(u)), exp.Paren(this=p.status)) for u, p in own.items()),
                      default=exp.Paren(this=every.status))
        return Part(status, every.items, every.assumed)


def _criterion_columns(translator: Translator, criteria: list[Criterion]) -> tuple[list[exp.Expression], list[tuple[str, int, int]]]:
    """The first stage of a trial: per criterion its status s<i> and default-range flag u<i>,
    and one flag k<j> per possible item to collect; returns (columns, [(item, criterion, j)])."""
    columns: list[exp.Expression] = []
    occurrences: list[tuple[str, int, int]] = []
    for index, criterion in enumerate(criteria):
        translator.criterion = criterion
        part = translator.node(criterion.rule)
        decided = translator.answer(criterion.id)  # an answer to the criterion decides it as written
        open_ = is_null(decided)
        columns.append(alias(exp.Coalesce(this=decided, expressions=[part.status]), f"{translator.prefix}s{index}"))
        columns.append(alias(and_(open_, truthy(or_(*part.assumed))) if part.assumed else exp.false(), f"{translator.prefix}u{index}"))
        for wanted, when in part.items:
            columns.append(alias(and_(open_, truthy(when)), f"{translator.prefix}k{len(occurrences)}"))
            occurrences.append((wanted, index, len(occurrences)))
    return columns, occurrences


def _filtered(values: list[exp.Expression]) -> exp.Expression:
    """An array of the non-NULL values, in order."""
    if not values:
        return cast(exp.Array(expressions=[]), "ARRAY<VARCHAR>")
    keep = exp.Lambda(this=not_null(exp.column("x")), expressions=[exp.to_identifier("x")])
    return exp.ArrayFilter(this=exp.Array(expressions=values), expression=keep)


@dataclass
class Outcome:
    """A trial translated: its first stage (one row per person: criterion statuses and
    flags) and, as boolean expressions over that stage, when each criterion fails, when it
    is under review, and when each item is to collect (each item once, where it first may
    be needed, when a criterion under review needs it)."""

    trial_id: str
    ids: list[str]
    stage: exp.Select
    fails: list[exp.Expression]
    reviews: list[exp.Expression]
    collect: list[tuple[str, exp.Expression]]
    leaves: list[exp.Expression] = field(default_factory=list)  # the stage's parts, for ``stage_of``
    columns: list[exp.Expression] = field(default_factory=list)
    answers: exp.Expression | None = None

    @property
    def states(self) -> list[str]:
        """The names of the stage's state columns (statuses, default-range and item flags)."""
        return [c.alias_or_name for c in self.columns]


def stage_of(outcomes: list[Outcome]) -> exp.Select:
    """One SELECT of the first stages of several trials (their column names differ): one
    pass over the features for all of them."""
    leaves = exp.select(exp.Star(), *(c for o in outcomes for c in o.leaves), copy=False).from_("features", copy=False)
    stage = exp.select(col("person_id", "f"), col("as_of", "f"), *(c for o in outcomes for c in o.columns), copy=False).from_(
        alias(exp.Subquery(this=leaves), "f"), copy=False)
    for outcome in outcomes:
        if outcome.answers is not None:
            name = outcome.answers.alias
            stage = stage.join(outcome.answers, on=exp.EQ(this=col("person_id", name), expression=col("person_id", "f")),
                               join_type="LEFT", copy=False)
    return stage


def _outcome(rules: RuleSet, number: int, features: Features, max_lab_age_days: float | None, answers: bool) -> Outcome:
    translator = Translator(features, max_lab_age_days, answers, prefix=f"t{number}_")
    criteria = rules.criteria
    columns, occurrences = _criterion_columns(translator, criteria)
    leaves: list[exp.Expression] = [alias(code, name) for name, code in translator.branches]
    joined = alias(_answers(rules, translator.answers), f"{translator.prefix}a") if translator.answers else None
    outcome = Outcome(rules.trial.id or f"trial {number + 1}", [c.id for c in criteria], exp.select("*"), [], [], [],
                      leaves, columns, joined)
    outcome.stage = stage_of([outcome])
    prefix = translator.prefix
    for index, criterion in enumerate(criteria):
        status, assumed = col(f"{prefix}s{index}"), col(f"{prefix}u{index}")
        failing = not_(status) if criterion.section == "inclusion" else status
        outcome.fails.append(and_(not_(assumed), truthy(failing)))
        outcome.reviews.append(or_(is_null(status), assumed))
    for wanted in dict.fromkeys(w for w, _, _ in occurrences):
        active = [and_(col(f"{prefix}k{k}"), exp.Paren(this=outcome.reviews[i])) for w, i, k in occurrences if w == wanted]
        outcome.collect.append((wanted, or_(*active)))
    return outcome


def verdict_of(fails: list[exp.Expression], reviews: list[exp.Expression]) -> exp.Expression:
    """ineligible when a criterion fails, else needs_review when one is under review, else
    eligible (a trial without criteria needs review)."""
    return case(
        *([(or_(*(exp.Paren(this=f) for f in fails)), text("ineligible"))] if fails else []),
        *([(or_(*(exp.Paren(this=r) for r in reviews)), text("needs_review"))] if reviews else []),
        default=text("eligible" if fails else "needs_review"),
    )


def lists_of(outcome: Outcome, fails: list[exp.Expression], reviews: list[exp.Expression],
             collect: list[exp.Expression]) -> list[exp.Expression]:
    """The failing, undecided and to_collect arrays, from one boolean per criterion / item."""
    return [
        alias(_filtered([case((exp.Paren(this=f), text(i))) for f, i in zip(fails, outcome.ids)]), "failing"),
        alias(_filtered([case((exp.Paren(this=r), text(i))) for r, i in zip(reviews, outcome.ids)]), "undecided"),
        alias(_filtered([case((exp.Paren(this=c), text(w))) for c, (w, _) in zip(collect, outcome.collect)]), "to_collect"),
    ]


def _trial_select(outcome: Outcome) -> exp.Select:
    return exp.select(
        col("person_id"), alias(text(outcome.trial_id), "trial_id"), col("as_of"),
        alias(verdict_of(outcome.fails, outcome.reviews), "verdict"),
        *lists_of(outcome, outcome.fails, outcome.reviews, [c for _, c in outcome.collect]), copy=False,
    ).from_(alias(exp.Subquery(this=outcome.stage), "t"), copy=False)


def _answers(rules: RuleSet, columns: dict[str, str]) -> exp.Expression:
    """The trial's answers pivoted to one row per person (rows without a trial id answer every trial;
    ``answers.AnswerIndex`` has refused answers that name nothing or positions in several trials)."""
    keys = stable_keys(rules)  # an answer by the criterion's stable key or by its position
    pivot = [
        alias(exp.Max(this=case((exp.In(this=col("question_id"), expressions=[text(k) for k in dict.fromkeys([key, keys.get(key, key)])]),
                                 cast(col("value"), "INT")))), name)
        for key, name in columns.items()
    ]
    trial = or_(is_null(col("trial_id")), exp.EQ(this=col("trial_id"), expression=text(rules.trial.id or "")))
    rows = exp.select(col("person_id"), *pivot, copy=False).from_("answer", copy=False).where(trial, copy=False).group_by(col("person_id"), copy=False)
    decided = [alias(case((not_null(col(name)), exp.EQ(this=col(name), expression=num(1)))), name) for name in columns.values()]
    return exp.Subquery(this=exp.select(col("person_id"), *decided, copy=False).from_(alias(exp.Subquery(this=rows), "w"), copy=False))


@dataclass
class ScreeningPlan:
    """The screening query in parts: the ``unit_conversion`` rows, the per-person
    ``features`` table every trial reads, and one SELECT per trial reading ``features``.
    ``screening_query`` joins them into one query; ``sql_run.run_duckdb`` materializes the
    features once and runs the trials in batches, which plans and runs far faster."""

    units: exp.Select | None
    features: exp.Select
    outcomes: list[Outcome]
    variables: tuple[str, ...] = ()  # the measured variables the features read
    latest: exp.Select | None = None  # the latest_measurement rows the features read

    def trials(self) -> list[exp.Select]:
        """One SELECT per trial: (person_id, trial_id, as_of, verdict, failing, undecided, to_collect)."""
        return [_trial_select(outcome) for outcome in self.outcomes]


def screening_plan(
    rule_sets: Iterable[RuleSet], *, max_lab_age_days: float | None = None, units: Iterable[tuple[str, str | None]] = (),
    answers: bool = True, present: Present | None = None,
) -> ScreeningPlan:
    """The parts of the screening of the long tables against ``rule_sets``.

    ``units``: (variable, unit) pairs the population holds, added to the conversion rows
    made for every unit the lexicon names.  ``answers=False`` when the answer table is
    known to be empty: every question is then unknown without reading it.  ``present``:
    what the population holds (``sql_features.Present``), so that the features of
    anything else are NULL literals rather than columns.
    """
    rule_sets = list(rule_sets)
    features = Features(present=present)
    outcomes = [_outcome(rules, n, features, max_lab_age_days, answers) for n, rules in enumerate(rule_sets)]
    if not outcomes:
        raise ValueError("no rule sets to screen against")
    tables: dict[str, exp.Expression] = {name: exp.to_table(name) for name in LONG_TABLES}
    tables["unit_conversion"] = exp.to_table("unit_conversion")
    tables["latest_measurement"] = exp.to_table("latest_measurement")
    table = _unit_table(unit_conversion_rows(features.variables, units)) if features.variables else None
    return ScreeningPlan(table, features.select(tables), outcomes, tuple(features.variables), features.latest(tables))


def screening_query(
    rule_sets: Iterable[RuleSet], *, max_lab_age_days: float | None = None, units: Iterable[tuple[str, str | None]] = (),
) -> exp.Expression:
    """The screening of every person in the long tables against every rule set, as one
    sqlglot query: (person_id, trial_id, as_of, verdict, failing, undecided, to_collect)."""
    plan = screening_plan(rule_sets, max_lab_age_days=max_lab_age_days, units=units)
    trials = plan.trials()
    query: exp.Expression = trials[0]
    for trial in trials[1:]:
        query = exp.union(query, trial, distinct=False, copy=False)
    with_features = exp.select(exp.Star(), copy=False).from_(alias(exp.Subquery(this=query), "screened"), copy=False)
    if plan.units is not None:
        with_features = with_features.with_("unit_conversion", as_=plan.units, copy=False)
    if plan.latest is not None:
        with_features = with_features.with_("latest_measurement", as_=plan.latest, copy=False)
    return with_features.with_("features", as_=plan.features, copy=False)


def _unit_table(rows: list[tuple[str, str, float, float, int]]) -> exp.Select:
    values = exp.values([tuple(exp.Literal.string(v) if isinstance(v, str) else num(v) for v in row) for row in rows] or
                        [(text(""), text(""), num(1), num(0), num(0))],
                        alias="v", columns=["variable", "unit", "factor", "intercept", "area"])
    typed = [col("variable"), col("unit"), alias(cast(col("factor"), "DOUBLE"), "factor"),
             alias(cast(col("intercept"), "DOUBLE"), "intercept"), alias(cast(col("area"), "INT"), "area")]
    return exp.select(*typed, copy=False).from_(values, copy=False)


def screening_sql(rule_sets: Iterable[RuleSet], dialect: str = "duckdb", *, pretty: bool = True, **options) -> str:
    """The screening query as SQL text in ``dialect`` (one of ``DIALECTS``)."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    query = screening_query(rule_sets, **options)
    # the tree shares subtrees; engines whose generator rewrites nothing we use skip the copy
    return query.sql(dialect=dialect, pretty=pretty, copy=dialect not in ("duckdb", "spark"))


__all__ = ["DIALECTS", "LONG_TABLES", "ScreeningPlan", "compare", "screening_plan", "screening_query", "screening_sql", "unit_conversion_rows"]

"""A plan's check as straight-line Python, generated once per plan (``screener.plan``).

``Plan.check`` fills one record per criterion for a patient without answers: a look-up
for the criteria a few facts decide (``screener.memo``), a run of the others.  As a loop
over the steps that costs a tuple unpacking, a key function's call or a ``map`` per step;
here every step is one line of a function made for the plan, with its key read in place.

The generated source holds only fixed templates, record positions (integers) and names
made here (``memo3``, ``name3_1``); everything that comes from a rule file (condition names,
the steps, their memos and functions) is bound as a value of the function's namespace,
never written into the source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .memo import UNRECORDED

if TYPE_CHECKING:
    from .facts import Facts
    from .plan import Plan, Record

Fill = Callable[["Facts", "list[Record]"], None]


def fill_function(plan: Plan) -> Fill:
    """``fill(f, records)``: the records of the plan's steps that are looked up or run for
    each patient without answers (``records`` holds the others, ``Plan.fixed``), in the
    order ``Plan.check`` reads them."""
    values: dict[str, Any] = {"UNRECORDED": UNRECORDED}
    lines = ["def fill(f, records):", "    get = f.conditions.get", "    sex = f.sex"]
    for index, condition, memo, step in plan.by_condition:
        values[f"name{index}"], values[f"memo{index}"], values[f"step{index}"] = condition, memo, step
        lines.append(f"    records[{index}] = memo{index}.get(get(name{index}, UNRECORDED).status) or step{index}.record(f)")
    for index, names, _, sexed, memo, step in plan.by_conditions:
        values[f"memo{index}"], values[f"step{index}"] = memo, step
        statuses = []
        for number, name in enumerate(names):
            values[f"name{index}_{number}"] = name
            statuses.append(f"get(name{index}_{number}, UNRECORDED).status")
        key = ", ".join(["sex" if sexed else "None", *statuses])  # memo.key_of's tuple
        lines.append(f"    records[{index}] = memo{index}.get(({key})) or step{index}.record(f)")
    for index, key_function, memo, step in plan.recalled:
        values[f"key{index}"], values[f"memo{index}"], values[f"step{index}"] = key_function, memo, step
        lines.append(f"    records[{index}] = memo{index}.get(key{index}(f)) or step{index}.record(f)")
    for index, run, meaning in plan.run:
        values[f"run{index}"], values[f"meaning{index}"] = run, meaning
        lines += ["    leaves = []", "    f.assumed = False", f"    status = run{index}(f, leaves)",
                  f"    records[{index}] = (status, 'review' if f.assumed else meaning{index}[status], leaves, None)"]
    exec(compile("\n".join(lines) + "\n", f"<plan of {len(plan.steps)} criteria>", "exec"), values)  # noqa: S102 (source made here only)
    fill: Fill = values["fill"]
    return fill





_RUN_STEP = """\
    status, outcome, leaves, _ = records[{i}]
    if len(leaves) == 1 and type(leaves[0]) is Later:  # most: one value worded for this patient (Step._result)
        leaf = leaves[0]
        words = leaf[1](*leaf[2])
        values, arrow = kits{i}[status, outcome]
        values = values.copy()
        values["explanation"] = words[0] + arrow
        c{i} = new(CriterionResult)
        set_dict(c{i}, values)
        set_fields_set(c{i}, FIELDS)
        set_extra(c{i}, None)
        set_private(c{i}, (details, leaves, (words,)))
    elif Later in map(type, leaves):  # worded for this patient: never kept
        c{i} = step{i}._result(status, outcome, leaves)
    else:
        c{i} = made_now(step{i}, records[{i}])
"""

_OTHER_STEP = """\
    made = records[{i}][3]
    c{i} = made_now(step{i}, records[{i}]) if made is None else made[0]
"""


def criteria_function(plan: Plan, making: dict[str, Any]) -> Callable[[list[Record]], list]:
    """``criteria(records)``: the criteria's results of a check from its records: a record's
    result made already (``made``), or made now (``making``: ``plan.made_now`` and what a
    result is made of); a step run for every patient (never made) is worded in place."""
    values = dict(making)
    run = {index for index, _, _ in plan.run}
    lines = ["def criteria(records):"]
    for index, step in enumerate(plan.steps):
        values[f"step{index}"], values[f"kits{index}"] = step, step.kits
        lines.append((_RUN_STEP if index in run else _OTHER_STEP).format(i=index))
    lines.append(f"    return [{', '.join(f'c{index}' for index in range(len(plan.steps)))}]")
    exec(compile("\n".join(lines) + "\n", f"<criteria of a plan of {len(plan.steps)}>", "exec"), values)  # noqa: S102 (source made here only)
    criteria: Callable[[list[Record]], list] = values["criteria"]
    return criteria

__all__ = ["Fill", "criteria_function", "fill_function"]

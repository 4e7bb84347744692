"""Unit kinds: a unit of the right dimensions but the wrong kind is not a value of the variable.

pint converts between units of equal dimensions, and some of those mean different
quantities: mm/h (a velocity, the sedimentation rate) and mL/min/1.73m2 (a flow per body
surface area, a clearance) are both a length per time.  ``data/unit_kinds.yaml`` lists,
per variable, the kinds of unit it accepts; a kind is recognised by the dimensions of a
unit's parts as written (``units.Unit.shape``), not by its overall dimensions.
``kind_problem`` gives the reason a unit does not fit (or None); the comparison of the
Python engine is then unknown with that reason, and the SQL engines have no conversion
row for it, so both engines agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from .units import Unit, unit_or_none

Shape = tuple


@dataclass(frozen=True)
class UnitKinds:
    """Kind name -> (example spellings, shapes); variable id -> accepted kind names."""

    kinds: dict[str, tuple[tuple[str, ...], frozenset[Shape]]]
    variables: dict[str, tuple[str, ...]]


def shape_of(unit: Unit) -> Shape:
    """The unit's parts as dimensions, counts and pure numbers left out (G/L is /L)."""
    return tuple(part for part in unit.shape if part[0])


def parse_unit_kinds(text: str, file: str = "unit_kinds.yaml") -> UnitKinds:
    """The table from YAML text; a malformed entry is an ``InputError`` naming its line."""
    from .lexicon import get_lexicon
    from .yamlio import parse_yaml

    document = parse_yaml(text, file=file)
    data = document.data or {}
    if not isinstance(data, dict) or set(data) - {"kinds", "variables"}:
        raise document.error("the top level must be a mapping with 'kinds' and 'variables'")
    kinds: dict[str, tuple[tuple[str, ...], frozenset[Shape]]] = {}
    for name, examples in (data.get("kinds") or {}).items():
        if not isinstance(examples, list) or not examples:
            raise document.error("a kind needs a list of example units", ("kinds", name))
        units = [unit_or_none(str(example)) for example in examples]
        if any(unit is None or unit.relative for unit in units):
            raise document.error("every example must be a unit screener reads", ("kinds", name))
        kinds[str(name)] = (tuple(map(str, examples)), frozenset(shape_of(u) for u in units if u is not None))
    variables: dict[str, tuple[str, ...]] = {}
    lexicon = get_lexicon()
    for variable, accepted in (data.get("variables") or {}).items():
        if variable not in lexicon.variables:
            raise document.error(f"{variable!r} is not a lexicon variable id", ("variables", variable))
        if not isinstance(accepted, list) or not accepted or any(k not in kinds for k in accepted):
            raise document.error(f"must be a list of kinds from: {', '.join(kinds)}", ("variables", variable))
        variables[str(variable)] = tuple(map(str, accepted))
    return UnitKinds(kinds, variables)


@cache
def get_unit_kinds() -> UnitKinds:
    """The package's table, loaded once."""
    resource = files("screener") / "data" / "unit_kinds.yaml"
    return parse_unit_kinds(resource.read_text(encoding="utf-8"), file=str(resource))


def kind_of(unit: Unit) -> str | None:
    """The name of the first kind ``unit`` is of, if any."""
    shape = shape_of(unit)
    return next((name for name, (_, shapes) in get_unit_kinds().kinds.items() if shape in shapes), None)


@lru_cache(maxsize=4096)
def kind_problem(variable: str, unit_text: str | None) -> str | None:
    """Why a value of ``variable`` in ``unit_text`` is not of a kind the variable accepts
    ("creatinine clearance given in mm/h (a velocity), expected a flow such as mL/min or ..."),
    or None when it is (or the variable accepts every compatible unit)."""
    table = get_unit_kinds()
    accepted = table.variables.get(variable)
    unit = unit_or_none(unit_text) if accepted else None
    if unit is None or unit.relative:
        return None
    shape = shape_of(unit)
    if any(shape in table.kinds[kind][1] for kind in accepted or ()):
        return None
    from .lexicon import get_lexicon

    term = get_lexicon().variables.get(variable)
    label = term.label if term is not None else variable
    given = kind_of(unit)
    expected = " or ".join(f"a {kind} such as {table.kinds[kind][0][0]}" for kind in accepted or ())
    return f"{label} given in {unit.display}{f' (a {given})' if given else ''}, expected {expected}"


__all__ = ["UnitKinds", "get_unit_kinds", "kind_of", "kind_problem", "parse_unit_kinds", "shape_of"]

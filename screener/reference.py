"""Default adult reference ranges, the fallback for a limit of normal a patient file lacks.

A criterion such as "ALT <= 2.5 x ULN" needs the upper limit of normal of the lab that
measured the value.  When the patient file gives none, the evaluator may fall back to the
typical adult interval in ``screener/data/reference_ranges.yaml`` (its header documents the
syntax and the source).  These are defaults, never authoritative: every limit comes with a
warning text to show beside the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import UnitError
from .units import Analyte, compatible, convert, format_number, parse_unit
from .yamlio import Document, parse_yaml

if TYPE_CHECKING:
    from .lexicon import Lexicon

Sex = Literal["female", "male"]


@dataclass(frozen=True)
class ReferenceRange:
    """One default interval; ``low`` / ``high`` are in ``unit`` (``None`` for a unitless value)."""

    variable: str
    unit: str | None
    low: float | None
    high: float | None
    sex: str | None
    source: str  # a short human label, e.g. "default adult range 7-56 U/L"
    note: str | None = None


class _Row(BaseModel):
    """One entry of reference_ranges.yaml, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    variable: str = Field(description="lexicon id")
    unit: str | None = None
    low: float | None = None
    high: float | None = None
    sex: Sex | None = None
    note: str | None = None

    @field_validator("unit")
    @classmethod
    def _readable_unit(cls, unit: str | None) -> str | None:
        if unit is None:
            return None
        parsed = parse_unit(unit)  # UnitError is a ValueError: pydantic reports it
        if parsed is not None and parsed.relative:
            raise ValueError(f"{unit!r} is a multiple of a limit of normal, not a unit for a reference range")
        return unit

    @field_validator("low", "high")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> "_Row":
        if self.low is None and self.high is None:
            raise ValueError("give low, high or both")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low {format_number(self.low)} is not below high {format_number(self.high)}")
        return self


def _display(unit: str | None) -> str | None:
    parsed = parse_unit(unit)
    return parsed.display if parsed else None


def _describe(row: _Row) -> str:
    """"default adult male range 0.74-1.35 mg/dL", "default adult range up to 0.3 mg/dL"."""
    parsed = parse_unit(row.unit)
    unit = f" {parsed.display}" if parsed else ""
    if row.low is not None and row.high is not None:
        span = f"{format_number(row.low)}-{format_number(row.high)}{unit}"
    elif row.high is not None:
        span = f"up to {format_number(row.high)}{unit}"
    elif row.low is not None:
        span = f"{format_number(row.low)}{unit} or more"
    else:
        span = "without limits"
    who = f"adult {row.sex}" if row.sex else "adult"
    return f"default {who} range {span}"


class ReferenceTable:
    """Default ranges by variable; build with ``get_reference_ranges()`` or ``parse_reference_ranges``."""

    def __init__(self, ranges: list[ReferenceRange]):
        self.ranges = tuple(ranges)
        self._by_key: dict[tuple[str, str | None], ReferenceRange] = {(r.variable, r.sex): r for r in ranges}

    def __iter__(self):
        return iter(self.ranges)

    def __len__(self) -> int:
        return len(self.ranges)

    @property
    def variables(self) -> set[str]:
        return {r.variable for r in self.ranges}

    def sex_specific(self, variable: str) -> bool:
        return any(r.variable == variable and r.sex for r in self.ranges)

    def get(self, variable: str, sex: str | None) -> ReferenceRange | None:
        """The row for ``variable`` and ``sex`` (see ``default_range``)."""
        both = self._by_key.get((variable, None))
        if both is not None:
            return both
        if sex is None:
            return None
        return self._by_key.get((variable, sex))


def parse_reference_ranges(
    text: str, file: str = "reference_ranges.yaml", lexicon: "Lexicon | None" = None
) -> ReferenceTable:
    """Build the table from YAML text; a malformed entry is an ``InputError`` with its line.

    Besides the syntax, each row's variable must be a lexicon id and its unit compatible
    with the lexicon's canonical unit; a variable has one row for both sexes or one row per
    sex, never both.  ``lexicon`` defaults to the package lexicon.
    """
    if lexicon is None:
        from .lexicon import get_lexicon

        lexicon = get_lexicon()
    document = parse_yaml(text, file=file)
    ranges: list[ReferenceRange] = []
    seen: dict[tuple[str, str | None], int] = {}
    for index, entry in enumerate(_entries(document)):
        path = ("ranges", index)
        row = _row(document, entry, path)
        _check_row(document, lexicon, row, path)
        _check_sexes(document, row, seen, path)
        seen[(row.variable, row.sex)] = index
        ranges.append(
            ReferenceRange(
                variable=row.variable,
                unit=_display(row.unit),
                low=row.low,
                high=row.high,
                sex=row.sex,
                source=_describe(row),
                note=row.note,
            )
        )
    return ReferenceTable(ranges)


def _entries(document: Document) -> list[Any]:
    """The ``ranges`` list: the file's only key (an empty file has no ranges)."""
    data = document.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise document.error("the top level must be a mapping with a 'ranges' list")
    for key in data:
        if key != "ranges":
            raise document.error(f"unknown key {key!r} (expected 'ranges')", (key,))
    entries = data.get("ranges") or []
    if not isinstance(entries, list):
        raise document.error("must be a list of ranges", ("ranges",))
    return entries


def _row(document: Document, entry: Any, path: tuple[str, int]) -> _Row:
    try:
        return _Row.model_validate(entry)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        raise document.error(message, (*path, *error["loc"])) from None


def _check_row(document: Document, lexicon: "Lexicon", row: _Row, path: tuple[str, int]) -> None:
    """The variable is a lexicon id, and the unit one its values can be compared in."""
    variable = lexicon.variables.get(row.variable)
    if variable is None:
        hint = lexicon.variable(row.variable)
        also = f" (did you mean {hint.id}?)" if hint is not None else ""
        raise document.error(f"unknown variable id {row.variable!r}{also}", (*path, "variable"))
    if not compatible(row.unit, variable.unit, variable.analyte):
        wanted = f"a unit comparable with {variable.unit}" if variable.unit else "no unit (the value is unitless)"
        given = repr(row.unit) if row.unit else "no unit"
        raise document.error(f"{given} does not fit {row.variable}: give {wanted}", (*path, "unit"))


def _check_sexes(document: Document, row: _Row, seen: dict[tuple[str, str | None], int], path: tuple[str, int]) -> None:
    """One row per variable and sex, and never a row for both sexes beside sex-specific ones."""
    key = (row.variable, row.sex)
    if key in seen:
        who = f" for {row.sex}s" if row.sex else ""
        raise document.error(
            f"{row.variable} already has a range{who} (line {document.line_of(('ranges', seen[key]))})", path
        )
    if any(k[0] == row.variable and (k[1] is None) != (row.sex is None) for k in seen):
        raise document.error(
            f"{row.variable} mixes a range for both sexes with sex-specific ranges; give one or the other", path
        )


@cache
def get_reference_ranges() -> ReferenceTable:
    """The package's default reference ranges, loaded once."""
    resource = files("screener") / "data" / "reference_ranges.yaml"
    return parse_reference_ranges(resource.read_text(encoding="utf-8"), file=str(resource))


def default_range(variable: str, sex: str | None) -> ReferenceRange | None:
    """The default adult range of ``variable`` (a lexicon id) for a patient of ``sex``.

    ``None`` when the file has no range for the variable, or when the range is
    sex-specific and ``sex`` is ``None`` (unknown): screener does not guess the sex, nor
    pick the stricter of the two limits, so the limit stays unknown.
    """
    return get_reference_ranges().get(variable, sex)


def limit(
    variable: str,
    which: Literal["uln", "lln"],
    unit: str | None,
    sex: str | None,
    molar_mass: float | None = None,
) -> tuple[float, str] | None:
    """The default upper (``"uln"``) or lower (``"lln"``) limit of normal of ``variable``,
    in ``unit`` (the unit of the patient's measurement), with the warning to show.

    ``molar_mass`` allows mass <-> amount conversions (mg/dL -> umol/L); when ``None`` the
    lexicon's molar mass of the variable is used.  Returns ``None`` (the limit is unknown)
    when there is no default for the variable, when the range has no such limit (eGFR has
    no ULN), when the range is sex-specific and ``sex`` is ``None``, or when the limit
    cannot be converted into ``unit``.

    >>> limit("alt", "uln", "U/L", None)
    (56.0, "ULN taken from the default adult range 7-56 U/L; give the lab's range to be sure")
    """
    if which not in ("uln", "lln"):
        raise ValueError(f"which must be 'uln' or 'lln', not {which!r}")
    reference = default_range(variable, sex)
    if reference is None:
        return None
    bound = reference.high if which == "uln" else reference.low
    if bound is None:
        return None
    analyte: Analyte | float | None = molar_mass
    if analyte is None:
        from .lexicon import get_lexicon

        known = get_lexicon().variables.get(variable)
        analyte = known.analyte if known is not None else None
    try:
        value = convert(bound, reference.unit, unit, analyte)
        target = parse_unit(unit)
    except UnitError:
        return None
    name = which.upper()
    if target is None or target.display == reference.unit:
        shown = name
    else:
        shown = f"{name} {format_number(value)} {target.display}"
    return value, f"{shown} taken from the {reference.source}; give the lab's range to be sure"

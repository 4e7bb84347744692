"""The clinical vocabulary: variables, conditions and events, read from package data.

``screener/data/lexicon.yaml`` holds the knowledge (names, abbreviations, canonical
units, plausible ranges, codes); this module only loads it and resolves names.  A
clinician extends the vocabulary by editing that file; its header documents the syntax.
"""

from __future__ import annotations

import difflib
import re
from functools import cache, lru_cache
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError
from .units import Analyte, Equation, UnitError, convert
from .yamlio import parse_yaml

Kind = Literal["lab", "vital", "physiology", "score", "anthropometric", "demographic", "imaging", "other"]


class _Term(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = Field((), description="matched case-sensitively in trial text")

    def spellings(self) -> tuple[str, ...]:
        return (self.id, self.label, *self.names, *self.abbreviations)


class BareUnit(BaseModel):
    """How a number written without a unit is read: in ``unit`` when it lies in ``range``."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    unit: str
    range: tuple[float, float]


class UnitEquation(BaseModel):
    """A conversion that is no ratio of units (HbA1c % <-> mmol/mol): to = scale * (from + offset)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    scale: float
    offset: float = 0.0


class Variable(_Term):
    """A measured quantity: a lab value, vital sign, score, body measure."""

    kind: Kind = "lab"
    unit: str | None = Field(None, description="canonical unit; null for unitless scores")
    range: tuple[float, float] | None = Field(None, description="plausible values in the canonical unit")
    molar_mass: float | None = Field(None, description="g/mol, for mass <-> amount conversions")
    valence: int | None = Field(None, description="charge, for mEq <-> mmol conversions")
    loinc: str | None = None
    cues: tuple[str, ...] = Field((), description="findings that name the variable in trial text only, e.g. 'neutropenia'")
    equations: tuple[UnitEquation, ...] = Field((), description="conversions between units that are no ratio")
    variants: tuple[str, ...] = Field(
        (), description="ids of variables the same words mean when the unit says so: weight loss in lb or in %"
    )
    bsa_normalised: bool = Field(
        False, description="values may be absolute or per body surface area (mL/min and mL/min/1.73m2)"
    )
    bare_units: tuple[BareUnit, ...] = Field(
        (), description="units a threshold written without one is read in, each for a range of values that cannot be another's"
    )

    @property
    def analyte(self) -> Analyte:
        """What unit conversions of this variable need: molar mass, valence, equations."""
        key = (self.id, self.molar_mass, self.valence, self.equations)
        analyte = _ANALYTES.get(key)
        if analyte is None:
            equations = tuple(Equation(e.source, e.target, e.scale, e.offset) for e in self.equations)
            analyte = _ANALYTES[key] = Analyte(self.molar_mass, self.valence, equations)
        return analyte

    def typical(self, value: float, unit: str) -> bool:
        """Whether a threshold lies where thresholds of this variable are written (the
        bare-unit ranges): "ANC > 1,000 cells/mL" is a typo for /mm3, not a limit to apply."""
        if not self.bare_units:
            return True
        for bare in self.bare_units:
            try:
                converted = convert(value, unit, bare.unit, self.analyte)
            except UnitError:
                return True
            if bare.range[0] <= converted <= bare.range[1]:
                return True
        return False

    def implied_unit(self, value: float) -> str | None:
        """The unit of a unitless threshold, when its value leaves no doubt ("creatinine < 1.5")."""
        for bare in self.bare_units:
            if bare.range[0] <= value <= bare.range[1]:
                return bare.unit
        return None


class ConditionTerm(_Term):
    """A diagnosis, history or state (pregnancy) that a patient has or has not."""

    codes: dict[str, str] = Field(default_factory=dict, description="e.g. icd10: C80")
    sex: Literal["female", "male"] | None = Field(None, description="the only sex that can have it (pregnancy)")
    broader: tuple[str, ...] = Field((), description="conditions this one is a kind of (lymphoma: malignancy)")
    rules_out: tuple[str, ...] = Field((), description="conditions a patient with this one present cannot have "
                                       "(postmenopausal: childbearing_potential)")
    opposite: str | None = Field(None, description="the condition this one is the other side of, for the sex that can "
                                 "have both (premenopausal: postmenopausal): one present is the other absent, and back")


class EventTerm(_Term):
    """A dated event used by time windows (onset, admission)."""


_ANALYTES: dict[tuple, Analyte] = {}


@lru_cache(maxsize=8192)
def name_key(text: str) -> str:
    """Lookup form of a name: case-folded, with spaces, hyphens and underscores alike."""
    return re.sub(r"[\s_\-]+", " ", text.strip().casefold())


class Lexicon:
    """Name resolution over the vocabulary; build with ``get_lexicon()``."""

    def __init__(self, variables: list[Variable], conditions: list[ConditionTerm], events: list[EventTerm]):
        for kind, terms in (("variable", variables), ("condition", conditions), ("event", events)):
            seen: set[str] = set()
            for term in terms:
                if term.id in seen:
                    raise ValueError(f"{kind} id {term.id!r} is defined twice")
                seen.add(term.id)
        self.variables = {v.id: v for v in variables}
        for variable in variables:
            for variant in variable.variants:
                if variant not in self.variables:
                    raise ValueError(f"variable {variable.id} names an unknown variant {variant!r}")
        self.conditions = {c.id: c for c in conditions}
        for condition in conditions:
            for broader in condition.broader:
                if broader not in self.conditions:
                    raise ValueError(f"condition {condition.id} names an unknown broader condition {broader!r}")
            for ruled in condition.rules_out:
                if ruled not in self.conditions:
                    raise ValueError(f"condition {condition.id} rules out an unknown condition {ruled!r}")
            if condition.opposite is not None and condition.opposite not in self.conditions:
                raise ValueError(f"condition {condition.id} names an unknown opposite {condition.opposite!r}")
        self.events = {e.id: e for e in events}
        self._index: dict[str, dict[str, _Term]] = {}
        for kind, terms in (("variable", variables), ("condition", conditions), ("event", events)):
            index: dict[str, _Term] = {}
            for term in terms:
                for spelling in term.spellings():
                    existing = index.setdefault(name_key(spelling), term)
                    if existing.id != term.id:
                        raise ValueError(f"{kind} name {spelling!r} is given to both {existing.id} and {term.id}")
            self._index[kind] = index

    def _resolve(self, kind: str, name: str):
        return self._index[kind].get(name_key(name))

    def variable(self, name: str) -> Variable | None:
        return self._resolve("variable", name)

    def condition(self, name: str) -> ConditionTerm | None:
        return self._resolve("condition", name)

    def event(self, name: str) -> EventTerm | None:
        return self._resolve("event", name)

    def suggest(self, kind: Literal["variable", "condition", "event"], name: str) -> str | None:
        """The closest known spelling, for "did you mean ...?" messages."""
        index = self._index[kind]
        spellings: dict[str, str] = {}
        for term in index.values():
            for spelling in term.spellings():
                spellings.setdefault(name_key(spelling), spelling)
        key = name_key(name)
        swapped = {key[:i] + key[i + 1] + key[i] + key[i + 2:] for i in range(len(key) - 1)}
        transposed = [spellings[k] for k in swapped if k in spellings]  # "PSAP" is "PASP" typed fast
        if transposed:
            return min(transposed)
        match = difflib.get_close_matches(key, list(spellings), n=1, cutoff=0.6)
        return spellings[match[0]] if match else None


def parse_lexicon(text: str, file: str = "lexicon.yaml") -> Lexicon:
    """Build a lexicon from YAML text; a malformed entry is an error with its line."""
    document = parse_yaml(text, file=file)
    data = document.data or {}
    models: dict[str, type[_Term]] = {"variables": Variable, "conditions": ConditionTerm, "events": EventTerm}
    parsed: dict[str, list] = {}
    for section, model in models.items():
        parsed[section] = []
        for index, entry in enumerate(data.get(section) or []):
            try:
                parsed[section].append(model.model_validate(entry))
            except ValidationError as exc:
                error = exc.errors()[0]
                path = (section, index, *error["loc"])
                raise document.error(error["msg"], path) from None
    try:
        return Lexicon(parsed["variables"], parsed["conditions"], parsed["events"])
    except ValueError as exc:
        raise InputError(str(exc), file=file) from None


@cache
def get_lexicon() -> Lexicon:
    """The package's lexicon, loaded once: from the data cache (a pickle keyed by the
    file's hash, read in milliseconds) or, when the file changed, parsed and cached."""
    from .datacache import cached

    resource = files("screener") / "data" / "lexicon.yaml"
    raw = resource.read_bytes()
    return cached("lexicon", [raw], lambda: parse_lexicon(raw.decode("utf-8"), file=str(resource)), single=True)

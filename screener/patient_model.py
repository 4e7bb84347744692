"""The patient profile model: what a profile holds once read, checked and in lexicon ids.

Reading it from YAML is ``profile_reader``; ``patient`` is where both are imported from.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import UnitError
from .units import bsa_mosteller, converter


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Measurement(_Model):
    """One measured value, in the unit the user gave (``None`` for a unitless score)."""

    variable: str = Field(description="lexicon id")
    name: str = Field(description="the key as written in the profile")
    value: float
    unit: str | None = Field(None, description="display spelling of the unit, e.g. '10^9/L'")
    uln: float | None = Field(None, description="upper limit of normal, in the measurement's unit")
    lln: float | None = Field(None, description="lower limit of normal, in the measurement's unit")
    date: dt.date | None = None
    line: int | None = Field(None, description="line of the key in the profile file")
    note: str | None = Field(None, description="which value of a record this is, shown in explanations")


class ConditionState(_Model):
    condition: str = Field(description="lexicon id")
    name: str
    status: Literal["present", "past", "absent"]
    diagnosed: dt.date | None = None
    ended: dt.date | None = None
    line: int | None = None


class Patient(_Model):
    id: str
    sex: Literal["female", "male"] | None = None
    birth_date: dt.date | None = None
    age: float | None = Field(None, description="age in years, when no birth date is given")
    as_of: dt.date = Field(default_factory=dt.date.today, description="the date the profile describes")
    height_cm: float | None = None
    weight_kg: float | None = None
    measurements: dict[str, Measurement] = Field(default_factory=dict, description="by lexicon id")
    conditions: dict[str, ConditionState] = Field(default_factory=dict, description="by lexicon id")
    events: dict[str, dt.date] = Field(default_factory=dict, description="by lexicon id")
    answers: dict[str, bool] = Field(default_factory=dict, description="answers to manual criteria, by criterion key or id")
    answer_lines: dict[str, int] = Field(default_factory=dict, exclude=True, description="line of each answer's key")
    source: str | None = Field(None, description="the file the profile was read from")

    def age_years(self) -> float | None:
        """Age at ``as_of``: from the birth date when given, else the stated age."""
        if self.birth_date is None:
            return self.age
        return float(whole_years(self.birth_date, self.as_of))

    def measurement(self, variable: str) -> Measurement | None:
        """The measurement of ``variable``; height and weight given at the top level count
        as measurements (and win, as they do for derived values), so "weight >= 50 kg" reads
        ``weight: 58 kg``."""
        body = {"height": (self.height_cm, "cm"), "weight": (self.weight_kg, "kg")}.get(variable)
        if body is not None and body[0] is not None:
            return Measurement(variable=variable, name=variable, value=body[0], unit=body[1])
        return self.measurements.get(variable)

    def bsa_m2(self) -> float | None:
        """Body surface area (Mosteller) when height and weight are known, at the top level
        or as measurements (as records such as OMOP and FHIR give them)."""
        height, weight = self._body("height", "cm"), self._body("weight", "kg")
        if height and weight:
            return bsa_mosteller(height, weight)
        return None

    def _body(self, variable: str, unit: str) -> float | None:
        measurement = self.measurement(variable)
        if measurement is None:
            return None
        try:
            return converter(measurement.unit, unit)(measurement.value)
        except UnitError:
            return None


def whole_years(birth: dt.date, on: dt.date) -> int:
    """Completed years from ``birth`` to ``on``, as ages are stated."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years

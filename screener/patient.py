"""Patient profiles: the model, and reading it from the YAML users write.

Keys are resolved through the lexicon (``DLCO``, ``dlco``, ``diffusing capacity`` are the
same variable); every value is checked for unit dimension and plausible range so that a
typo is an error with its file and line rather than a silent wrong verdict.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .units import bsa_mosteller


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
    answers: dict[str, bool] = Field(default_factory=dict, description="answers to manual criteria, by criterion id")
    source: str | None = Field(None, description="the file the profile was read from")

    def age_years(self) -> float | None:
        """Age at ``as_of``: from the birth date when given, else the stated age."""
        if self.birth_date is None:
            return self.age
        years = self.as_of.year - self.birth_date.year
        if (self.as_of.month, self.as_of.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return float(years)

    def bsa_m2(self) -> float | None:
        """Body surface area (Mosteller) when height and weight are known."""
        if self.height_cm and self.weight_kg:
            return bsa_mosteller(self.height_cm, self.weight_kg)
        return None

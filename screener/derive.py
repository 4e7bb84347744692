"""Derived variables: values computed from a patient's other values by published formulas.

A trial may ask for a creatinine clearance, a BSA or a QTc that the profile does not give
but that follows from what it does give (age, weight, serum creatinine...).  The calculators
are small pure functions, one per published formula (``clinical_formulas``, re-exported
here); this module gathers their inputs and is the one entry point for the evaluator::

    derive("creatinine_clearance", patient)
    # Derived(variable="creatinine_clearance", value=100.0, unit="mL/min",
    #         formula="Cockcroft-Gault", inputs={"age": "50 years", ...})

``derive`` returns

- ``None`` when the patient has a measured value of the variable (the measurement always
  wins) or when no formula here computes the variable;
- a ``Derived`` when a formula applies and its inputs are in the profile;
- a ``Missing`` listing what the formula would need (or why it cannot be used, e.g. an
  adult formula for a child).  A missing input is never taken as normal: SCORTEN with an
  unknown glucose is ``Missing``, not a score that counts glucose as 0 points.

Every input is converted to the unit the formula is defined in with
``screener.units.convert`` and the lexicon's molar mass / valence, so a creatinine of
88.4 umol/L or a bicarbonate in mEq/L is used correctly.

Formulas by variable (the first is the default; others are chosen with ``formula=``):

==========================  ===========================================  ==================
variable                    formulas                                      unit
==========================  ===========================================  ==================
bsa                         Mosteller, DuBois                             m2
bmi                         BMI (Quetelet)                                kg/m2
creatinine_clearance        Cockcroft-Gault                               mL/min
egfr                        CKD-EPI 2021, MDRD                            mL/min/1.73m2
pf_ratio                    PaO2/FiO2                                     mmHg
qtc                         Fridericia, Bazett                            ms
scorten                     SCORTEN                                       (score 0-7)
==========================  ===========================================  ==================

``pf_ratio``, ``fio2`` and ``qt`` (the uncorrected QT interval) are ids this module reads
and writes; a profile can only give them once the lexicon defines them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Literal

from .clinical_formulas import (SCORTEN_OBSERVED_MORTALITY, bmi, bsa_dubois, ckd_epi_2021,
                                cockcroft_gault, mdrd, pf_ratio, qtc_bazett, qtc_fridericia, rr_interval_s, scorten,
                                scorten_mortality)
from .errors import UnitError
from .lexicon import get_lexicon
from .patient import Patient
from .units import Analyte, bsa_mosteller, convert, format_number

__all__ = [
    "Derived", "Missing", "FORMULAS", "derive", "formulas_for", "input_variables",
    "bsa_mosteller", "bsa_dubois", "bmi", "cockcroft_gault", "ckd_epi_2021", "mdrd",
    "pf_ratio", "qtc_fridericia", "qtc_bazett", "rr_interval_s",
    "scorten", "scorten_mortality", "SCORTEN_OBSERVED_MORTALITY",
]

ADULT_AGE = 18.0
"""Cockcroft-Gault, CKD-EPI and MDRD were derived and validated in adults only."""


# ------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Derived:
    """A value computed by a formula, with what it was computed from."""

    variable: str
    """lexicon id of the derived variable"""
    value: float
    unit: str | None
    """display unit ("mL/min", "mL/min/1.73m2", "m2", "kg/m2", "ms"); None for scores"""
    formula: str
    """e.g. "Cockcroft-Gault" """
    inputs: dict[str, str]
    """human-readable inputs in the order the formula uses them, e.g. {"age": "50 years"}"""
    note: str | None = None
    """e.g. "SCORTEN 3: predicted mortality 32.4 % ..." """

    def explanation(self) -> str:
        """"creatinine clearance 100 mL/min by Cockcroft-Gault from age 50 years, ..."."""
        label = _label(self.variable)
        used = ", ".join(f"{name} {shown}" for name, shown in self.inputs.items())
        text = f"{label} {_quantity(self.value, self.unit)} by {self.formula} from {used}"
        return f"{text} ({self.note})" if self.note else text


@dataclass(frozen=True)
class Missing:
    """A formula computes the variable but this patient's profile cannot feed it."""

    inputs: list[str]
    """what would be needed, e.g. ["serum creatinine", "weight"]"""
    variable: str = ""
    formula: str = ""
    reason: str | None = None
    """why the formula cannot be used although nothing is missing (inputs is then empty),
    e.g. "Cockcroft-Gault is validated in adults only (age 12 years)" """

    def explanation(self) -> str:
        """"creatinine clearance by Cockcroft-Gault needs serum creatinine, weight"."""
        head = f"{_label(self.variable)} by {self.formula}" if self.variable else self.formula or "the formula"
        parts = []
        if self.inputs:
            parts.append(f"needs {', '.join(self.inputs)}")
        if self.reason:
            parts.append(self.reason)
        return f"{head} {'; '.join(parts)}" if parts else head


# ------------------------------------------------------------------------- gathering


def _quantity(value: float, unit: str | None) -> str:
    number = format_number(value)
    if not unit:
        return number
    if unit.startswith("1/"):
        unit = unit[1:]
    if unit == "%" or unit.startswith("/"):
        return f"{number}{unit}"
    return f"{number} {unit}"


def _label(variable: str) -> str:
    term = get_lexicon().variables.get(variable)
    return term.label if term else variable.replace("_", " ")


def _analyte(variable: str) -> Analyte:
    term = get_lexicon().variables.get(variable)
    if term is None:
        return Analyte()
    return Analyte(molar_mass=term.molar_mass, valence=term.valence)


class _Inputs:
    """Collects a formula's inputs from a profile: values in the formula's units, how
    each was given (for ``Derived.inputs``) and what is missing."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        self.missing: list[str] = []
        self.shown: dict[str, str] = {}
        self.dates: dict[str, object] = {}

    def _lack(self, label: str) -> None:
        self.missing.append(label)

    def age(self) -> float | None:
        age = self.patient.age_years()
        if age is None:
            self._lack("age")
            return None
        self.shown["age"] = f"{format_number(age)} years"
        return age

    def sex(self) -> str | None:
        if self.patient.sex is None:
            self._lack("sex")
            return None
        self.shown["sex"] = self.patient.sex
        return self.patient.sex

    def measured(self, variable: str, unit: str | None, label: str, *, need: bool = True) -> float | None:
        """The measurement of ``variable`` in ``unit``; ``need=False`` does not record it
        as missing (for alternatives such as urea or BUN)."""
        measurement = self.patient.measurements.get(variable)
        if measurement is None:
            if need:
                self._lack(label)
            return None
        value = convert(measurement.value, measurement.unit, unit, _analyte(variable))
        self.shown[label] = _given(measurement.value, measurement.unit, value, unit)
        self.dates[label] = measurement.date
        return value

    def body(self, variable: Literal["weight", "height"]) -> float | None:
        """Weight in kg / height in cm: the top-level field, else a measurement."""
        unit = "kg" if variable == "weight" else "cm"
        value = self.patient.weight_kg if variable == "weight" else self.patient.height_cm
        if value is None:
            return self.measured(variable, unit, variable)
        self.shown[variable] = _quantity(value, unit)
        return value

    def fio2(self) -> float | None:
        """FiO2 as a fraction: a unitless value up to 1 is a fraction, above 1 (or in %)
        a percentage."""
        measurement = self.patient.measurements.get("fio2")
        if measurement is None:
            self._lack("FiO2")
            return None
        if measurement.unit is None:
            fraction = measurement.value if measurement.value <= 1.0 else measurement.value / 100.0
        else:
            fraction = convert(measurement.value, measurement.unit, "%") / 100.0
        self.shown["FiO2"] = _given(measurement.value, measurement.unit, fraction, None)
        return fraction

    def urea_mmol_l(self) -> float | None:
        """Serum urea in mmol/L, from urea or else from BUN (1 mol urea carries 1 mol N2,
        so each converts with its own molar mass)."""
        value = self.measured("urea", "mmol/L", "serum urea", need=False)
        if value is None:
            value = self.measured("bun", "mmol/L", "BUN", need=False)
        if value is None:
            self._lack("serum urea or BUN")
        return value

    def condition(self, condition: str) -> bool | None:
        """Whether ``condition`` is present now; past and absent count as not present,
        unknown (not in the profile) is missing."""
        state = self.patient.conditions.get(condition)
        if state is None:
            self._lack(f"{condition} (present or absent)")
            return None
        self.shown[condition] = state.status
        return state.status == "present"


def _given(value: float, unit: str | None, converted: float, target: str | None) -> str:
    """"88.4 umol/L = 1 mg/dL", or "1 mg/dL" when no conversion was needed."""
    shown = _quantity(value, unit)
    if unit == target and math.isclose(value, converted, rel_tol=1e-12):
        return shown
    target_shown = _quantity(converted, target)
    return shown if target_shown == shown else f"{shown} = {target_shown}"


# ------------------------------------------------------------------------- formulas


@dataclass(frozen=True)
class _Formula:
    variable: str
    name: str
    unit: str | None
    compute: Callable[[_Inputs], tuple[float, str | None] | None] = field(repr=False)
    adult_only: bool = False


def _bsa(calculator: Callable[[float, float], float]) -> Callable[[_Inputs], tuple[float, None] | None]:
    def compute(got: _Inputs) -> tuple[float, None] | None:
        height, weight = got.body("height"), got.body("weight")
        if height is None or weight is None:
            return None
        return calculator(height, weight), None

    return compute


def _bmi(got: _Inputs) -> tuple[float, None] | None:
    weight, height = got.body("weight"), got.body("height")
    if weight is None or height is None:
        return None
    return bmi(weight, height), None


def _cockcroft_gault(got: _Inputs) -> tuple[float, str] | None:
    age, weight = got.age(), got.body("weight")
    creatinine, sex = got.measured("creatinine", "mg/dL", "serum creatinine"), got.sex()
    if age is None or weight is None or creatinine is None or sex is None:
        return None
    return cockcroft_gault(age, weight, creatinine, sex), "actual body weight; not normalised to body surface area"


def _egfr(calculator: Callable[[float, float, str], float]) -> Callable[[_Inputs], tuple[float, None] | None]:
    def compute(got: _Inputs) -> tuple[float, None] | None:
        age, creatinine, sex = got.age(), got.measured("creatinine", "mg/dL", "serum creatinine"), got.sex()
        if age is None or creatinine is None or sex is None:
            return None
        return calculator(age, creatinine, sex), None

    return compute


def _pf_ratio(got: _Inputs) -> tuple[float, None] | None:
    pao2, fio2 = got.measured("pao2", "mmHg", "PaO2"), got.fio2()
    if pao2 is None or fio2 is None:
        return None
    return pf_ratio(pao2, fio2), None


def _qtc(calculator: Callable[[float, float], float]) -> Callable[[_Inputs], tuple[float, str | None] | None]:
    def compute(got: _Inputs) -> tuple[float, str | None] | None:
        qt = got.measured("qt", "ms", "QT interval")
        rate = got.measured("heart_rate", "1/min", "heart rate")
        if qt is None or rate is None:
            return None
        note = None
        qt_date, rate_date = got.dates.get("QT interval"), got.dates.get("heart rate")
        if qt_date and rate_date and qt_date != rate_date:
            note = f"QT dated {qt_date} but heart rate {rate_date}: both should come from the same ECG"
        return calculator(qt, rate), note

    return compute


def _scorten(got: _Inputs) -> tuple[float, str] | None:
    values = (
        got.age(),
        got.condition("malignancy"),
        got.measured("heart_rate", "1/min", "heart rate"),
        got.measured("detached_bsa", "%", "detached body surface area"),
        got.urea_mmol_l(),
        got.measured("bicarbonate", "mmol/L", "serum bicarbonate"),
        got.measured("glucose", "mmol/L", "serum glucose"),
    )
    if any(value is None for value in values):
        return None
    age, malignancy, rate, detached, urea, bicarbonate, glucose = values
    score = scorten(age, bool(malignancy), rate, detached, urea, bicarbonate, glucose)  # type: ignore[arg-type]
    predicted = scorten_mortality(score)
    observed = SCORTEN_OBSERVED_MORTALITY[score]
    observed_text = "> 90 %" if score >= 5 else f"{observed * 100:.1f} %"
    note = (f"SCORTEN {score}: predicted mortality {predicted * 100:.1f} % (logistic model;"
            f" observed {observed_text} in Bastuji-Garin 2000)")
    return float(score), note


_FORMULA_LIST = (
    _Formula("bsa", "Mosteller", "m2", _bsa(bsa_mosteller)),
    _Formula("bsa", "DuBois", "m2", _bsa(bsa_dubois)),
    _Formula("bmi", "BMI (Quetelet)", "kg/m2", _bmi),
    _Formula("creatinine_clearance", "Cockcroft-Gault", "mL/min", _cockcroft_gault, adult_only=True),
    _Formula("egfr", "CKD-EPI 2021", "mL/min/1.73m2", _egfr(ckd_epi_2021), adult_only=True),
    _Formula("egfr", "MDRD", "mL/min/1.73m2", _egfr(mdrd), adult_only=True),
    _Formula("pf_ratio", "PaO2/FiO2", "mmHg", _pf_ratio),
    _Formula("qtc", "Fridericia", "ms", _qtc(qtc_fridericia)),
    _Formula("qtc", "Bazett", "ms", _qtc(qtc_bazett)),
    _Formula("scorten", "SCORTEN", None, _scorten),
)

FORMULAS: dict[str, tuple[str, ...]] = {}
"""Formula names by derived variable id, the default first."""
for _formula in _FORMULA_LIST:
    FORMULAS.setdefault(_formula.variable, ())
    FORMULAS[_formula.variable] += (_formula.name,)
del _formula


class _Asked(dict):
    """Measurements that are never there, recording every variable asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key, default=None):  # type: ignore[no-untyped-def]
        self.asked.add(key)
        return default


def input_variables(variable: str) -> frozenset[str]:
    """The measured variables the formulas of ``variable`` read (all of them, as ``derive``
    may be asked for any): each formula is run on a profile holding nothing, which asks for
    every input, so the list cannot fall behind the formulas."""
    patient = Patient(id="inputs")
    asked = _Asked()
    patient.measurements = asked
    for formula in _FORMULA_LIST:
        if formula.variable == variable:
            formula.compute(_Inputs(patient))
    return frozenset(asked.asked)


def formulas_for(variable: str) -> tuple[str, ...]:
    """The names of the formulas that compute ``variable`` (the default first); empty
    when none does."""
    return FORMULAS.get(variable, ())


def derive(variable: str, patient: Patient, formula: str | None = None, *, measured: bool = True) -> Derived | Missing | None:
    """Compute ``variable`` (a lexicon id) for ``patient`` when the profile lacks it.

    Returns ``None`` when the patient has a measurement of ``variable`` (the measured
    value always wins) or when no formula computes it; a ``Derived`` when the formula's
    inputs are all known; a ``Missing`` listing the missing inputs, or giving the reason
    the formula does not apply (an adult formula and a patient under 18, an input outside
    the formula's domain such as an FiO2 below 0.21).

    ``formula`` picks another formula by name (``"DuBois"``, ``"MDRD"``, ``"Bazett"``,
    case-insensitive); the default is the first of ``FORMULAS[variable]``.  An unknown name
    is a ``ValueError``.  An input in a unit that cannot be converted to the formula's
    (possible only in a hand-built ``Patient``: ``screener.patient`` checks units) is also a
    ``Missing`` whose reason is the ``UnitError`` message.  ``measured=False`` computes it
    even beside a measured value (to compare the two; no formula reads its own variable).
    """
    candidates = [f for f in _FORMULA_LIST if f.variable == variable]
    if formula is not None:
        chosen = [f for f in candidates if f.name.casefold() == formula.casefold()]
        if not chosen:
            known = ", ".join(f.name for f in candidates) or "none"
            raise ValueError(f"no formula {formula!r} for {variable} (known: {known})")
        candidates = chosen
    if not candidates or (measured and variable in patient.measurements):
        return None
    selected = candidates[0]
    age = patient.age_years()
    if selected.adult_only and age is not None and age < ADULT_AGE:
        return Missing(inputs=[], variable=variable, formula=selected.name,
                       reason=f"{selected.name} is validated in adults only (age {format_number(age)} years)")
    got = _Inputs(patient)
    try:
        result = selected.compute(got)
    except ValueError as exc:  # an input outside the formula's domain; UnitError is a ValueError too
        message = exc.message if isinstance(exc, UnitError) else str(exc)
        return Missing(inputs=[], variable=variable, formula=selected.name, reason=message)
    if result is None:
        return Missing(inputs=got.missing, variable=variable, formula=selected.name)
    value, note = result
    return Derived(variable=variable, value=value, unit=selected.unit, formula=selected.name,
                   inputs=dict(got.shown), note=note)

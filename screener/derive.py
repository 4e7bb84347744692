"""Derived variables: values computed from a patient's other values by published formulas.

A trial may ask for a creatinine clearance, a BSA or a QTc that the profile does not give
but that follows from what it does give (age, weight, serum creatinine...).  This module
holds the calculators as small pure functions, one per published formula, and one entry
point for the evaluator::

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

from .errors import UnitError
from .lexicon import get_lexicon
from .patient import Patient
from .units import Analyte, bsa_mosteller, convert, format_number

Sex = Literal["female", "male"]

__all__ = [
    "Derived", "Missing", "FORMULAS", "derive", "formulas_for",
    "bsa_mosteller", "bsa_dubois", "bmi", "cockcroft_gault", "ckd_epi_2021", "mdrd",
    "pf_ratio", "qtc_fridericia", "qtc_bazett", "rr_interval_s",
    "scorten", "scorten_mortality", "SCORTEN_OBSERVED_MORTALITY",
]

ADULT_AGE = 18.0
"""Cockcroft-Gault, CKD-EPI and MDRD were derived and validated in adults only."""

_TOLERANCE = 1e-9
"""Relative slack on score cut-offs, so that 10 mmol/L converted to mg/dL and back is
still 10 and not 10.000000001."""


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


# ------------------------------------------------------------------------- calculators
# Pure functions: plain floats in the units named in the argument, ValueError for inputs
# outside the formula's domain.


def _positive(**values: float) -> None:
    for name, value in values.items():
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, not {value!r}")


def _sex(sex: str) -> Sex:
    if sex not in ("female", "male"):
        raise ValueError(f"sex must be 'female' or 'male', not {sex!r}")
    return sex  # type: ignore[return-value]


# bsa_mosteller is screener.units.bsa_mosteller, re-exported:
#   Mosteller RD. Simplified calculation of body-surface area. N Engl J Med 1987;317:1098.
#   BSA (m2) = sqrt(height cm x weight kg / 3600).


def bsa_dubois(height_cm: float, weight_kg: float) -> float:
    """Body surface area in m² by DuBois & DuBois:
    BSA = 0.007184 x weight_kg^0.425 x height_cm^0.725.

    DuBois D, DuBois EF. A formula to estimate the approximate surface area if height and
    weight be known. Arch Intern Med 1916;17:863-71.
    """
    _positive(height_cm=height_cm, weight_kg=weight_kg)
    return 0.007184 * weight_kg**0.425 * height_cm**0.725


def bmi(weight_kg: float, height_cm: float) -> float:
    """Body mass index in kg/m²: weight kg / (height m)² (Quetelet index; WHO definition)."""
    _positive(height_cm=height_cm, weight_kg=weight_kg)
    return weight_kg / (height_cm / 100.0) ** 2


def cockcroft_gault(age_years: float, weight_kg: float, creatinine_mg_dl: float, sex: str) -> float:
    """Creatinine clearance in mL/min by Cockcroft-Gault (original 1976 equation):
    CrCl = (140 - age) x weight_kg / (72 x serum creatinine mg/dL), x 0.85 for women.

    Uses the weight as given (actual body weight; no ideal or adjusted weight) and is not
    normalised to body surface area.

    Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
    Nephron 1976;16:31-41.
    """
    _positive(weight_kg=weight_kg, creatinine_mg_dl=creatinine_mg_dl)
    if not 0 <= age_years < 140:
        raise ValueError(f"age must be between 0 and 140 years, not {age_years!r}")
    clearance = (140.0 - age_years) * weight_kg / (72.0 * creatinine_mg_dl)
    return clearance * 0.85 if _sex(sex) == "female" else clearance


def ckd_epi_2021(age_years: float, creatinine_mg_dl: float, sex: str) -> float:
    """eGFR in mL/min/1.73 m² by the race-free CKD-EPI 2021 creatinine equation:
    142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age x 1.012 [if female],
    with Scr in mg/dL, k = 0.7 (female) / 0.9 (male), a = -0.241 (female) / -0.302 (male).

    Inker LA, Eneanya ND, Coresh J, et al. New creatinine- and cystatin C-based equations
    to estimate GFR without race. N Engl J Med 2021;385:1737-49.
    """
    _positive(creatinine_mg_dl=creatinine_mg_dl)
    if age_years < 0:
        raise ValueError(f"age must not be negative, not {age_years!r}")
    female = _sex(sex) == "female"
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    ratio = creatinine_mg_dl / kappa
    egfr = 142.0 * min(ratio, 1.0) ** alpha * max(ratio, 1.0) ** -1.200 * 0.9938**age_years
    return egfr * 1.012 if female else egfr


def mdrd(age_years: float, creatinine_mg_dl: float, sex: str) -> float:
    """eGFR in mL/min/1.73 m² by the 4-variable MDRD study equation re-expressed for
    IDMS-traceable creatinine: 175 x Scr^-1.154 x age^-0.203 x 0.742 [if female], Scr in
    mg/dL.  The race coefficient (x 1.212) of the original is deliberately not applied.

    Levey AS, Coresh J, Greene T, et al. Expressing the Modification of Diet in Renal
    Disease Study equation for estimating glomerular filtration rate with standardized
    serum creatinine values. Clin Chem 2007;53:766-72.
    """
    _positive(age_years=age_years, creatinine_mg_dl=creatinine_mg_dl)
    egfr = 175.0 * creatinine_mg_dl**-1.154 * age_years**-0.203
    return egfr * 0.742 if _sex(sex) == "female" else egfr


def pf_ratio(pao2_mmhg: float, fio2_fraction: float) -> float:
    """PaO2/FiO2 (Horowitz index) in mmHg: arterial PaO2 in mmHg divided by the inspired
    oxygen fraction FiO2 as a fraction between 0.21 (room air) and 1.0.

    As used by the Berlin definition of ARDS: ARDS Definition Task Force. JAMA
    2012;307:2526-33.
    """
    _positive(pao2_mmhg=pao2_mmhg)
    if not 0.21 - _TOLERANCE <= fio2_fraction <= 1.0 + _TOLERANCE:
        raise ValueError(f"FiO2 must be a fraction between 0.21 and 1.0, not {fio2_fraction!r}")
    return pao2_mmhg / fio2_fraction


def rr_interval_s(heart_rate_per_min: float) -> float:
    """RR interval in seconds from the heart rate: 60 / heart rate (per minute)."""
    _positive(heart_rate_per_min=heart_rate_per_min)
    return 60.0 / heart_rate_per_min


def qtc_fridericia(qt_ms: float, heart_rate_per_min: float) -> float:
    """QT corrected by Fridericia in ms: QTcF = QT / RR^(1/3), QT in ms, RR = 60 / heart
    rate in seconds.  At 60/min QTcF equals QT; above 60/min it is longer than QT
    (QT 400 ms at 90/min gives 458 ms).

    Fridericia LS. Die Systolendauer im Elektrokardiogramm bei normalen Menschen und bei
    Herzkranken. Acta Med Scand 1920;53:469-86.
    """
    _positive(qt_ms=qt_ms)
    return qt_ms / rr_interval_s(heart_rate_per_min) ** (1.0 / 3.0)


def qtc_bazett(qt_ms: float, heart_rate_per_min: float) -> float:
    """QT corrected by Bazett in ms: QTcB = QT / sqrt(RR), QT in ms, RR = 60 / heart rate
    in seconds (QT 400 ms at 90/min gives 490 ms; at 80/min 462 ms).

    Bazett HC. An analysis of the time-relations of electrocardiograms. Heart
    1920;7:353-70.
    """
    _positive(qt_ms=qt_ms)
    return qt_ms / math.sqrt(rr_interval_s(heart_rate_per_min))


SCORTEN_OBSERVED_MORTALITY: dict[int, float] = {0: 0.032, 1: 0.032, 2: 0.121, 3: 0.353, 4: 0.583, 5: 0.90, 6: 0.90, 7: 0.90}
"""Mortality observed per SCORTEN in the derivation cohort (Bastuji-Garin 2000, table):
0-1: 3.2 %, 2: 12.1 %, 3: 35.3 %, 4: 58.3 %, 5 or more: > 90 %."""

_SCORTEN_INTERCEPT = -4.448
_SCORTEN_SLOPE = 1.237


def scorten(
    age_years: float,
    malignancy: bool,
    heart_rate_per_min: float,
    detached_bsa_percent: float,
    urea_mmol_l: float,
    bicarbonate_mmol_l: float,
    glucose_mmol_l: float,
) -> int:
    """SCORTEN, 0-7: one point for each of, within 24 hours of admission,

    - age >= 40 years;
    - associated malignancy (cancer present);
    - heart rate >= 120/min;
    - detached body surface area > 10 % at day 1;
    - serum urea > 10 mmol/L (BUN > 28 mg/dL);
    - serum bicarbonate < 20 mmol/L;
    - serum glucose > 14 mmol/L (252 mg/dL).

    Bastuji-Garin S, Fouchard N, Bertocchi M, Roujeau JC, Revuz J, Wolkenstein P.
    SCORTEN: a severity-of-illness score for toxic epidermal necrolysis. J Invest Dermatol
    2000;115:149-53.  Predicted mortality: ``scorten_mortality``.
    """
    points = [
        age_years >= 40.0,
        bool(malignancy),
        heart_rate_per_min >= 120.0 * (1 - _TOLERANCE),
        detached_bsa_percent > 10.0 * (1 + _TOLERANCE),
        urea_mmol_l > 10.0 * (1 + _TOLERANCE),
        bicarbonate_mmol_l < 20.0 * (1 - _TOLERANCE),
        glucose_mmol_l > 14.0 * (1 + _TOLERANCE),
    ]
    return sum(points)


def scorten_mortality(score: int) -> float:
    """Predicted probability of death (0-1) for a SCORTEN by the logistic model of
    Bastuji-Garin et al. 2000: logit = -4.448 + 1.237 x SCORTEN, p = 1 / (1 + e^-logit).

    This is what is implemented: SCORTEN 3 gives 32.4 % (the figure in our issue).  The
    same paper's table of *observed* mortality gives 35.3 % for 3 (0-1: 3.2 %, 2: 12.1 %,
    4: 58.3 %, >= 5: > 90 %); it is kept in ``SCORTEN_OBSERVED_MORTALITY`` and shown in
    the note of a derived SCORTEN.
    """
    if not 0 <= score <= 7:
        raise ValueError(f"SCORTEN is between 0 and 7, not {score!r}")
    logit = _SCORTEN_INTERCEPT + _SCORTEN_SLOPE * score
    return 1.0 / (1.0 + math.exp(-logit))


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

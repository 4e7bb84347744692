"""The derived values of ``screener.derive`` as SQL expressions: Cockcroft-Gault, CKD-EPI
2021, BMI, BSA, PaO2/FiO2, QTc (Fridericia) and SCORTEN, each NULL outside its domain.

``sql_features.Features`` reads their inputs from the feature table and guards them
(adult-only formulas, inputs in units that do not convert).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlglot import exp

from .sql_expr import and_, case, num, paren, text


@dataclass(frozen=True)
class Input:
    """One input of a formula: how to read it, and its name in "needs ..." lists."""

    label: str
    variable: str | None = None  # a measured variable, read in ``unit``
    unit: str | None = None
    special: str | None = None  # "age" | "sex" | "fio2" | "urea" | "malignancy"


@dataclass(frozen=True)
class Formula:
    """A ``screener.derive`` formula in SQL: the default formula of its variable."""

    variable: str
    unit: str | None
    inputs: tuple[Input, ...]
    value: Callable[[list[exp.Expression]], exp.Expression]  # inputs in order -> value, NULL outside the domain
    adult_only: bool = False


def _positive(*values: exp.Expression) -> exp.Expression:
    return and_(*(exp.GT(this=v, expression=num(0)) for v in values))


def _cockcroft_gault(v: list[exp.Expression]) -> exp.Expression:
    age, weight, creatinine, sex = v
    clearance = exp.Div(this=exp.Mul(this=paren(exp.Sub(this=num(140.0), expression=age)), expression=weight),
                        expression=paren(exp.Mul(this=num(72.0), expression=creatinine)))
    value = case((exp.EQ(this=sex, expression=text("female")), exp.Mul(this=clearance, expression=num(0.85))), default=clearance)
    domain = and_(_positive(weight, creatinine), exp.GTE(this=age, expression=num(0)), exp.LT(this=age, expression=num(140)))
    return case((domain, value))


def _ckd_epi_2021(v: list[exp.Expression]) -> exp.Expression:
    age, creatinine, sex = v
    female = exp.EQ(this=sex, expression=text("female"))
    ratio = exp.Div(this=creatinine, expression=case((female, num(0.7)), default=num(0.9)))
    alpha = case((female, num(-0.241)), default=num(-0.302))
    egfr = exp.Mul(
        this=exp.Mul(this=exp.Mul(this=num(142.0), expression=exp.Pow(this=exp.Least(this=ratio, expressions=[num(1.0)]), expression=alpha)),
                     expression=exp.Pow(this=exp.Greatest(this=ratio, expressions=[num(1.0)]), expression=num(-1.2))),
        expression=exp.Pow(this=num(0.9938), expression=age),
    )
    value = case((female, exp.Mul(this=egfr, expression=num(1.012))), default=egfr)
    return case((and_(_positive(creatinine), exp.GTE(this=age, expression=num(0))), value))


def _bsa(v: list[exp.Expression]) -> exp.Expression:
    height, weight = v
    product = exp.Mul(this=height, expression=weight)
    return case((exp.GTE(this=product, expression=num(0)), exp.Sqrt(this=exp.Div(this=product, expression=num(3600.0)))))


def _bmi(v: list[exp.Expression]) -> exp.Expression:
    weight, height = v
    metres = paren(exp.Div(this=height, expression=num(100.0)))
    return case((_positive(height, weight), exp.Div(this=weight, expression=exp.Pow(this=metres, expression=num(2)))))


def _pf_ratio(v: list[exp.Expression]) -> exp.Expression:
    pao2, fio2 = v
    domain = and_(_positive(pao2), exp.GTE(this=fio2, expression=num(0.21 - 1e-9)), exp.LTE(this=fio2, expression=num(1.0 + 1e-9)))
    return case((domain, exp.Div(this=pao2, expression=fio2)))


def _qtc_fridericia(v: list[exp.Expression]) -> exp.Expression:
    qt, rate = v
    rr = exp.Div(this=num(60.0), expression=rate)
    return case((_positive(qt, rate), exp.Div(this=qt, expression=exp.Pow(this=rr, expression=num(1.0 / 3.0)))))


def _scorten(v: list[exp.Expression]) -> exp.Expression:
    """SCORTEN 0-7 (Bastuji-Garin 2000), with ``derive.scorten``'s slack on the cut-offs."""
    age, malignancy, rate, detached, urea, bicarbonate, glucose = v
    points = [
        exp.GTE(this=age, expression=num(40.0)), malignancy,
        exp.GTE(this=rate, expression=num(120.0 * (1 - 1e-9))), exp.GT(this=detached, expression=num(10.0 * (1 + 1e-9))),
        exp.GT(this=urea, expression=num(10.0 * (1 + 1e-9))), exp.LT(this=bicarbonate, expression=num(20.0 * (1 - 1e-9))),
        exp.GT(this=glucose, expression=num(14.0 * (1 + 1e-9))),
    ]
    total: exp.Expression = case((points[0], num(1)), default=num(0))
    for point in points[1:]:
        total = exp.Add(this=total, expression=case((point, num(1)), default=num(0)))
    return exp.Paren(this=total)


AGE = Input("age", special="age")
SEX = Input("sex", special="sex")
CREATININE = Input("serum creatinine", "creatinine", "mg/dL")
WEIGHT = Input("weight", "weight", "kg")
HEIGHT = Input("height", "height", "cm")

FORMULAS: dict[str, Formula] = {
    f.variable: f
    for f in (
        Formula("bsa", "m2", (HEIGHT, WEIGHT), _bsa),
        Formula("bmi", "kg/m2", (WEIGHT, HEIGHT), _bmi),
        Formula("creatinine_clearance", "mL/min", (AGE, WEIGHT, CREATININE, SEX), _cockcroft_gault, adult_only=True),
        Formula("egfr", "mL/min/1.73m2", (AGE, CREATININE, SEX), _ckd_epi_2021, adult_only=True),
        Formula("pf_ratio", "mmHg", (Input("PaO2", "pao2", "mmHg"), Input("FiO2", special="fio2")), _pf_ratio),
        Formula("qtc", "ms", (Input("QT interval", "qt", "ms"), Input("heart rate", "heart_rate", "1/min")), _qtc_fridericia),
        Formula("scorten", None, (
            AGE, Input("malignancy (present or absent)", special="malignancy"), Input("heart rate", "heart_rate", "1/min"),
            Input("detached body surface area", "detached_bsa", "%"), Input("serum urea or BUN", special="urea"),
            Input("serum bicarbonate", "bicarbonate", "mmol/L"), Input("serum glucose", "glucose", "mmol/L"),
        ), _scorten),
    )
}
"""The formulas computed in SQL, by variable (``screener.derive``'s default for each)."""

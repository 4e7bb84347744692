"""screener: pre-screen patients for clinical trials.

Compile free-text eligibility criteria into unit-aware rules, and check patient
profiles against them with an explanation for every criterion.  A pre-screen, not a
clinical decision.

    from screener import compile_criteria, load_rules, load_patient, check

    rules = load_rules("rules/NCT02213705.yaml")          # or compile_criteria(text, "NCT...")
    result = check(rules, load_patient("examples/patients/ssc-eligible.yaml"))
    result.verdict                                         # "eligible" | "ineligible" | "needs_review"
    for criterion in result.criteria:
        print(criterion.id, criterion.status, criterion.explanation)
"""

from .compiler import compile_criteria
from .errors import InputError, PatientError, RulesError, ScreenerError, SourceError, UnitError
from .evaluate import CriterionResult, Result, check
from .patient import Patient, load_patient, parse_patient
from .report import render
from .rules import Criterion, RuleSet, dump_rules, load_rules, parse_rules

__version__ = "0.1.0"

__all__ = [
    "compile_criteria",
    "load_rules",
    "parse_rules",
    "dump_rules",
    "load_patient",
    "parse_patient",
    "check",
    "render",
    "RuleSet",
    "Criterion",
    "Patient",
    "Result",
    "CriterionResult",
    "ScreenerError",
    "InputError",
    "PatientError",
    "RulesError",
    "SourceError",
    "UnitError",
]

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

Many patients against many trials (streamed; one bad profile is an error entry, the
others go on):

    from screener import iter_patients, load_rule_sets, log_csv, screen

    patients = (entry.patient for entry in iter_patients(["clinic.csv"]) if entry.patient)
    for line in log_csv(screen(load_rule_sets(["rules"]), patients)):
        print(line, end="")
"""

from .compiler import compile_criteria
from .errors import InputError, PatientError, RulesError, ScreenerError, SourceError, UnitError
from .evaluate import CriterionResult, Result, check
from .fhir import FhirRecord, iter_fhir, load_fhir, read_fhir
from .patient import Patient, load_patient, parse_patient
from .report import render
from .cohort import PatientEntry, iter_patients
from .rules import Criterion, RuleSet, dump_rules, load_rule_sets, load_rules, parse_rules
from .screen import PreparedRules, ScreenResult, log_csv, prepare, rank_matches, screen

__version__ = "0.1.0"

__all__ = [
    "compile_criteria",
    "load_rules",
    "load_rule_sets",
    "iter_patients",
    "PatientEntry",
    "prepare",
    "PreparedRules",
    "screen",
    "ScreenResult",
    "log_csv",
    "rank_matches",
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
    "load_fhir",
    "read_fhir",
    "iter_fhir",
    "FhirRecord",
]

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

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from .cohort import PatientEntry, iter_patients
    from .compiler import compile_criteria
    from .errors import InputError, PatientError, RulesError, ScreenerError, SourceError, UnitError
    from .evaluate import CriterionResult, Result, check
    from .fhir import FhirRecord, iter_fhir, load_fhir, read_fhir
    from .native import compiled
    from .patient import Patient, load_patient, parse_patient
    from .report import render
    from .rules import Criterion, RuleSet, dump_rules, load_rule_sets, load_rules, parse_rules
    from .screen import PreparedRules, ScreenResult, log_csv, prepare, rank_matches, screen
    from .review import review_page

_HOMES = {
    "compiler": ("compile_criteria",),
    "errors": ("InputError", "PatientError", "RulesError", "ScreenerError", "SourceError", "UnitError"),
    "evaluate": ("CriterionResult", "Result", "check"),
    "fhir": ("FhirRecord", "iter_fhir", "load_fhir", "read_fhir"),
    "native": ("compiled",),
    "review": ("review_page",),
    "patient": ("Patient", "load_patient", "parse_patient"),
    "report": ("render",),
    "cohort": ("PatientEntry", "iter_patients"),
    "rules": ("Criterion", "RuleSet", "dump_rules", "load_rule_sets", "load_rules", "parse_rules"),
    "screen": ("PreparedRules", "ScreenResult", "log_csv", "prepare", "rank_matches", "screen"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """The public names, imported on first use: a command imports only what it runs."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


class _Package(ModuleType):
    """Keeps ``screener.screen`` the function when the module of that name is imported
    (the import system would set the package attribute to the module)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _MODULE_OF and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "__version__",
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
    "review_page",
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
    "compiled",
]

"""Standard codes (LOINC, SNOMED CT, ICD-10-CM, RxNorm, ATC) resolved to the lexicon.

Records name things by code, not by the words of ``lexicon.yaml``.  This module joins the
lexicon's own ``loinc`` and ``codes.icd10`` fields with ``data/codes.yaml`` (the codes real
records use for the same things) into look-ups by code.  It is used by the FHIR reader and
for code keys in YAML/CSV profiles (``"2160-0": 1.1 mg/dL``, ``E11.9: true``).  Matching is
on codes only, never on display text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from .errors import InputError
from .lexicon import ConditionTerm, Lexicon, Variable, get_lexicon
from .yamlio import Document, parse_yaml

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = ("http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10")
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"

_LOINC_KEY = re.compile(r"^(?:loinc[:\s]\s*)?(\d{1,7}-\d)$", re.I)
_SNOMED_KEY = re.compile(r"^(?:snomed(?:[ -]?ct)?[:\s]\s*)?(\d{6,18})$", re.I)
_ICD10_KEY = re.compile(r"^(?:icd-?10(?:-?cm)?[:\s]\s*)?([A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)$", re.I)


@dataclass(frozen=True)
class LoincTarget:
    """What a LOINC code measures: a lexicon variable; ``per_area`` when the code itself is
    per 1.73 m² (eGFR), so that a value written in mL/min is read as mL/min/1.73 m²."""

    variable: str
    per_area: bool = False


@dataclass(frozen=True)
class Action:
    """What a procedure or medication records: events it dates, conditions it makes present."""

    events: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pregnancy:
    loinc: frozenset[str]
    pregnant: frozenset[str]
    not_pregnant: frozenset[str]
    current_days: int


@dataclass(frozen=True)
class _Icd10:
    low: str
    high: str
    conditions: tuple[str, ...]

    def matches(self, code: str) -> bool:
        return self.low <= code[: len(self.low)] and code[: len(self.high)] <= self.high


def _icd10_entry(spec: str, conditions: tuple[str, ...]) -> _Icd10:
    """"E11" (a category and its subcodes), "L51.2", or a range "C00-C97"."""
    low, _, high = spec.upper().replace(".", "").partition("-")
    return _Icd10(low.strip(), (high or low).strip(), conditions)


def _icd10_key(code: str) -> str:
    return code.strip().upper().replace(".", "")


class Codes:
    """Look-ups by code; build with ``get_codes()``."""

    def __init__(self, document: Document, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._doc = document
        data = document.data or {}
        self.loinc: dict[str, LoincTarget] = {v.loinc: LoincTarget(v.id) for v in lexicon.variables.values() if v.loinc}
        for code, spec in (data.get("loinc") or {}).items():
            self.loinc[str(code)] = self._loinc_target(spec, ("loinc", code))
        self.snomed = {str(code): self._ids(ids, "conditions", ("snomed", code)) for code, ids in (data.get("snomed") or {}).items()}
        self.icd10 = [_icd10_entry(c.codes["icd10"], (c.id,)) for c in lexicon.conditions.values() if c.codes.get("icd10")]
        for spec, ids in (data.get("icd10") or {}).items():
            self.icd10.append(_icd10_entry(str(spec), self._ids(ids, "conditions", ("icd10", spec))))
        self.procedures = {str(c): self._action(a, ("procedures", c)) for c, a in (data.get("procedures") or {}).items()}
        medications = data.get("medications") or {}
        self.rxnorm = {str(c): self._action(a, ("medications", "rxnorm", c)) for c, a in (medications.get("rxnorm") or {}).items()}
        self.atc = {str(p): self._action(a, ("medications", "atc", p)) for p, a in (medications.get("atc") or {}).items()}
        self.pregnancy = self._pregnancy(data.get("pregnancy") or {})

    # -- reading the data file ---------------------------------------------------------

    def _error(self, message: str, path: tuple) -> InputError:
        return self._doc.error(message, path)

    def _ids(self, raw: Any, kind: str, path: tuple) -> tuple[str, ...]:
        known: dict[str, Any] = self.lexicon.conditions if kind == "conditions" else self.lexicon.events
        ids = tuple(raw) if isinstance(raw, list) else (raw,)
        for name in ids:
            if name not in known:
                raise self._error(f"unknown {kind[:-1]} id {name!r}", path)
        return tuple(str(i) for i in ids)

    def _loinc_target(self, spec: Any, path: tuple) -> LoincTarget:
        variable, per_area = (spec.get("variable"), bool(spec.get("per_area"))) if isinstance(spec, dict) else (spec, False)
        if variable not in self.lexicon.variables:
            raise self._error(f"unknown variable id {variable!r}", path)
        return LoincTarget(str(variable), per_area)

    def _action(self, spec: Any, path: tuple) -> Action:
        if not isinstance(spec, dict) or set(spec) - {"events", "conditions"}:
            raise self._error("expected {events: [...], conditions: [...]}", path)
        return Action(self._ids(spec.get("events") or [], "events", path), self._ids(spec.get("conditions") or [], "conditions", path))

    def _pregnancy(self, spec: dict) -> Pregnancy:
        def codes(key: str) -> frozenset[str]:
            return frozenset(str(c) for c in spec.get(key) or ())

        return Pregnancy(codes("loinc"), codes("pregnant"), codes("not_pregnant"), int(spec.get("current_days") or 0))

    # -- look-ups ----------------------------------------------------------------------

    def conditions(self, system: str | None, code: str) -> tuple[str, ...]:
        """Lexicon condition ids a SNOMED CT or ICD-10(-CM) code means, most specific first."""
        if system == SNOMED:
            return self.snomed.get(code, ())
        if system in ICD10:
            return self.icd10_conditions(code)
        return ()

    def icd10_conditions(self, code: str) -> tuple[str, ...]:
        key = _icd10_key(code)
        matched = [e for e in self.icd10 if e.matches(key)]
        matched.sort(key=lambda e: (e.low != e.high, -len(e.low)))  # a single code before a range, longer first
        return tuple(dict.fromkeys(c for e in matched for c in e.conditions))

    def medication(self, system: str | None, code: str) -> Action | None:
        if system == RXNORM:
            return self.rxnorm.get(code)
        if system == ATC:
            for prefix, action in self.atc.items():
                if code.upper().startswith(prefix.upper()):
                    return action
        return None

    # -- profile keys ------------------------------------------------------------------

    def key_variable(self, key: str) -> Variable | None:
        """The variable a profile key written as a LOINC code ("2160-0", "LOINC 2160-0") names."""
        match = _LOINC_KEY.match(key.strip())
        target = self.loinc.get(match.group(1)) if match else None
        return self.lexicon.variables[target.variable] if target else None

    def key_conditions(self, key: str) -> tuple[ConditionTerm, ...]:
        """The conditions a key written as a SNOMED CT or ICD-10-CM code names, most specific first."""
        text = key.strip()
        snomed = _SNOMED_KEY.match(text)
        if snomed:
            ids = self.snomed.get(snomed.group(1), ())
        else:
            icd = _ICD10_KEY.match(text)
            ids = self.icd10_conditions(icd.group(1)) if icd else ()
        return tuple(self.lexicon.conditions[i] for i in ids)


@cache
def get_codes() -> Codes:
    """The package's code maps, loaded once."""
    resource = files("screener") / "data" / "codes.yaml"
    document = parse_yaml(resource.read_text(encoding="utf-8"), file=str(resource))
    return Codes(document, get_lexicon())

"""One patient's FHIR resources as a profile: ``RecordBuilder`` turns the resources
``fhir_read`` grouped into a ``FhirRecord`` (the ``Patient``, what was not used and why,
notes for staff).  What is read, and how, is listed in ``fhir``'s docstring.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from .codes import LOINC, Codes, value_plan
from .errors import UnitError
from .fhir_models import (
    CodeableConcept,
    CodeableConceptData,
    Condition,
    Medication,
    MedicationRequest,
    MedicationStatement,
    Observation,
    PatientResource,
    Procedure,
    QuantityData,
    ReferenceRangeData,
    fhir_date,
    resource_type as type_of,
)
from .fhir_read import Group, ref_id
from .implied import with_implied
from .lexicon import Variable, get_lexicon
from .patient import ConditionState, Measurement, Patient
from .units import converter, format_number


OBSERVATION_STATUSES = ("final", "amended", "corrected")
PRESENT = ("active", "recurrence", "relapse")
PAST = ("inactive", "remission", "resolved")
IGNORED_VERIFICATION = ("refuted", "entered-in-error")
UNKNOWN_VERIFICATION = ("unconfirmed", "provisional", "differential")
PROCEDURE_STATUSES = ("completed", "in-progress")
MEDICATION_STATUSES = ("active", "completed", "stopped", "on-hold")
_UCUM = "http://unitsofmeasure.org"
_SEXES: dict[str, Literal["female", "male"]] = {"female": "female", "male": "male"}
Status = Literal["present", "past", "absent"]
_BODY = {"height": ("height_cm", "cm"), "weight": ("weight_kg", "kg")}


@dataclass(frozen=True)
class Unused:
    """A code or resource type the record holds that screening did not use, and why."""

    resource: str
    code: str
    display: str
    reason: str
    count: int = 1


@dataclass
class FhirRecord:
    """One patient read from FHIR: the profile, what was not used, and notes for staff."""

    file: str
    patient: Patient
    unused: list[Unused] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    deceased: str | None = None  # "on 2021-02-21", or "" when only known to be deceased


@dataclass(slots=True)
class _Value:
    date: dt.date | None
    value: float
    unit: str | None
    lln: float | None
    uln: float | None
    code: str
    note: str = ""


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


def clean_text(text: str | None) -> str:
    """Display text without the zero-width characters some exports put in lab names."""
    return (text or "").translate(_ZERO_WIDTH).strip()


Concept = CodeableConcept | CodeableConceptData | None


def _codings(concept: Concept) -> list[tuple[str | None, str]]:
    if isinstance(concept, dict):
        return [(c.get("system"), c["code"]) for c in concept.get("coding", ()) if c.get("code")]
    return [(c.system, c.code) for c in (concept.coding if concept else ()) if c.code]


def _loincs(concept: CodeableConceptData) -> list[str]:
    """The LOINC codes of an Observation's concept (the hot path: no tuples, no models)."""
    return [c["code"] for c in concept.get("coding", ()) if c.get("system") == LOINC and "code" in c]


def _label(concept: Concept) -> tuple[str, str]:
    """(system|code, display) of a concept's first coding, for the not-used list."""
    if isinstance(concept, dict):
        first = (concept.get("coding") or [{}])[0]
        system, code, display, text = first.get("system"), first.get("code"), first.get("display"), concept.get("text")
    elif concept is not None and concept.coding:
        first_model = concept.coding[0]
        system, code, display, text = first_model.system, first_model.code, first_model.display, concept.text
    else:
        return ("", clean_text(concept.text if concept else ""))
    if not code:
        return ("", clean_text(text))
    return (f"{(system or '').rstrip('/').rsplit('/', 1)[-1]}|{code}", clean_text(display or text))


class RecordBuilder:
    """One patient's resources turned into a ``Patient``."""

    def __init__(self, group: Group, codes: Codes, as_of: dt.date) -> None:
        self.group, self.codes, self.as_of = group, codes, as_of
        self.values: dict[str, list[_Value]] = {}
        self.conditions: dict[str, list[tuple[str, dt.date | None, dt.date | None]]] = {}
        self.events: dict[str, dt.date] = {}
        self.unused: Counter[tuple[str, str, str, str]] = Counter()
        self.notes: list[str] = []
        self.medications = {r.id: r for r in group.resources if isinstance(r, Medication) and r.id}

    def skip(self, resource: str, concept: Concept, reason: str) -> None:
        code, display = _label(concept)
        self.unused[(resource, code, display, reason)] += 1

    # -- observations ------------------------------------------------------------------

    def observation(self, obs: Observation) -> None:
        if obs["status"] not in OBSERVATION_STATUSES:
            self.skip("Observation", obs["code"], f"status {obs['status']}")
            return
        date = obs.get("effectiveDateTime")
        if date is None:
            period = obs.get("effectivePeriod") or {}
            date = period.get("end") or period.get("start")
            if date is None and obs.get("issued"):
                date = fhir_date(obs["issued"])
        if date is not None and date > self.as_of:
            self.skip("Observation", obs["code"], f"after {self.as_of}")
            return
        loincs = _loincs(obs["code"])
        if not self.codes.pregnancy.loinc.isdisjoint(loincs):
            self.pregnancy(obs, date)
            return
        if obs.get("component") and obs.get("valueQuantity") is None:
            for component in obs["component"]:
                concept = component["code"]
                self.quantity(concept, _loincs(concept), component.get("valueQuantity"), (), date, "valueCodeableConcept" in component)
            return
        self.quantity(obs["code"], loincs, obs.get("valueQuantity"), obs.get("referenceRange", ()), date, "valueCodeableConcept" in obs)

    def quantity(self, concept: CodeableConceptData, loincs: list[str], quantity: QuantityData | None,
                 ranges: Sequence[ReferenceRangeData], date: dt.date | None, coded: bool) -> None:
        known = self.codes.loinc
        loinc = next((code for code in loincs if code in known), None)
        if loinc is None:
            self.skip("Observation", concept, "no lexicon variable for this code")
            return
        value = quantity.get("value") if quantity else None
        if quantity is None or value is None:
            self.skip("Observation", concept, "coded answer, not a quantity" if coded else "no value")
            return
        if quantity.get("comparator"):
            self.skip("Observation", concept, f"value {quantity['comparator']} {format_number(value)} is a bound, not a value")
            return
        code = quantity.get("code")
        unit_text = code if quantity.get("system") == _UCUM and code else (code or quantity.get("unit"))
        plan = value_plan(loinc, unit_text)
        if plan.reason:
            self.skip("Observation", concept, plan.reason)
            return
        reason = plan.implausible(value)
        if reason:
            self.skip("Observation", concept, reason)
            return
        lln, uln = self._range(plan.variable, ranges, unit_text, plan.unit)
        self.values.setdefault(plan.variable.id, []).append(_Value(date, value, plan.unit, lln, uln, loinc, plan.note))

    @staticmethod
    def _range(variable: Variable, ranges: Sequence[ReferenceRangeData], value_unit: str | None,
               unit: str | None) -> tuple[float | None, float | None]:
        """The first reference range's low/high, in the value's unit."""
        for reference in ranges:
            limits: list[float | None] = []
            for bound in (reference.get("low"), reference.get("high")):
                if not bound or bound.get("value") is None:
                    limits.append(None)
                    continue
                given, number = bound.get("code") or bound.get("unit") or value_unit, bound["value"]
                try:
                    limits.append(converter(given, unit, variable.analyte)(number) if given and unit else number)
                except UnitError:
                    limits.append(None)
            if any(v is not None for v in limits):
                low, high = limits
                if low is not None and high is not None and low >= high:
                    return None, None
                return low, high
        return None, None

    def pregnancy(self, obs: Observation, date: dt.date | None) -> None:
        answers = {code for _, code in _codings(obs.get("valueCodeableConcept"))}
        spec = self.codes.pregnancy
        if answers & spec.pregnant:
            current = date is not None and (self.as_of - date).days <= spec.current_days
            self.conditions.setdefault("pregnancy", []).append(("present" if current else "past", date, None if current else date))
        elif answers & spec.not_pregnant:
            if date is not None and (self.as_of - date).days <= spec.current_days:
                self.conditions.setdefault("pregnancy", []).append(("absent", date, None))
        else:
            self.skip("Observation", obs["code"], "pregnancy status answer not known")

    # -- conditions, procedures, medications -------------------------------------------

    def condition(self, cond: Condition) -> None:
        verification = {code for _, code in _codings(cond.verificationStatus)}
        if verification & set(IGNORED_VERIFICATION):
            self.skip("Condition", cond.code, f"verification {'/'.join(sorted(verification))}")
            return
        if verification & set(UNKNOWN_VERIFICATION):
            self.skip("Condition", cond.code, f"verification {'/'.join(sorted(verification))}: left unknown")
            return
        ids = tuple(dict.fromkeys(i for system, code in _codings(cond.code) for i in self.codes.conditions(system, code)))
        if not ids:
            self.skip("Condition", cond.code, "no lexicon condition for this code")
            return
        clinical = {code for _, code in _codings(cond.clinicalStatus)}
        onset = cond.onsetDateTime or (cond.onsetPeriod.start if cond.onsetPeriod else None) or cond.recordedDate
        ended = cond.abatementDateTime or (cond.abatementPeriod.end or cond.abatementPeriod.start if cond.abatementPeriod else None)
        if clinical & set(PRESENT) or (not clinical and ended is None):
            status = "present"
        elif clinical & set(PAST) or ended is not None:
            status = "past"
        else:
            self.skip("Condition", cond.code, f"clinical status {'/'.join(sorted(clinical))} not known")
            return
        if onset is not None and onset > self.as_of:
            self.skip("Condition", cond.code, f"after {self.as_of}")
            return
        if status == "past" and ended is not None and ended > self.as_of:
            status, ended = "present", None
        for condition_id in ids:
            self.conditions.setdefault(condition_id, []).append((status, onset, ended if status == "past" else None))

    def procedure(self, proc: Procedure) -> None:
        if proc.status not in PROCEDURE_STATUSES:
            self.skip("Procedure", proc.code, f"status {proc.status}")
            return
        action = next((self.codes.procedures[c] for s, c in _codings(proc.code) if c in self.codes.procedures and s == "http://snomed.info/sct"), None)
        if action is None:
            self.skip("Procedure", proc.code, "no lexicon event for this code")
            return
        period = proc.performedPeriod
        date = proc.performedDateTime or (period.end or period.start if period else None)
        if proc.status == "in-progress":
            date = self.as_of
        self.act(action, date, "Procedure", proc.code)

    def medication(self, med: MedicationRequest | MedicationStatement) -> None:
        concept = med.medicationCodeableConcept
        if concept is None and med.medicationReference and med.medicationReference.reference:
            found = self.medications.get(ref_id(med.medicationReference.reference))
            concept = found.code if found else None
        kind = med.resourceType
        if med.status not in MEDICATION_STATUSES:
            self.skip(kind, concept, f"status {med.status}")
            return
        action = next((a for s, c in _codings(concept) if (a := self.codes.medication(s, c)) is not None), None)
        if action is None:
            self.skip(kind, concept, "no lexicon event for this medication")
            return
        if isinstance(med, MedicationRequest):
            validity = med.dispenseRequest.validityPeriod if med.dispenseRequest else None
            start, end, point = med.authoredOn, validity.end if validity else None, False
        else:
            period = med.effectivePeriod
            start = med.effectiveDateTime or (period.start if period else None) or med.dateAsserted
            end, point = (period.end if period else None), med.effectiveDateTime is not None
        if med.status in ("active", "on-hold") and end is None:
            self.notes.append(f"{_label(concept)[1]}: {med.status} {kind} since {start} with no end date, taken as ongoing on {self.as_of}")
            date: dt.date | None = self.as_of
        elif end is not None or point:
            date = end or start
        else:  # a stopped order's start is no last dose: "no chemotherapy within 4 weeks" must not be cleared by it
            self.skip(kind, concept, f"{med.status} with no end date: when it was last taken is not known")
            return
        self.act(action, date, kind, concept)

    def act(self, action, date: dt.date | None, resource: str, concept: CodeableConcept | None) -> None:
        if date is None:
            self.skip(resource, concept, "no date")
            return
        if date > self.as_of:
            self.skip(resource, concept, f"after {self.as_of}")
            return
        for event in action.events:
            self.events[event] = max(date, self.events.get(event, date))
        for condition_id in action.conditions:
            self.conditions.setdefault(condition_id, []).append(("present", date, None))

    # -- assembly ----------------------------------------------------------------------

    def build(self) -> FhirRecord:
        patients = [r for r in self.group.resources if isinstance(r, PatientResource)]
        person = patients[0]
        handlers: dict[str, Callable[[Any], None]] = {
            "Observation": self.observation, "Condition": self.condition, "Procedure": self.procedure,
            "MedicationRequest": self.medication, "MedicationStatement": self.medication}
        for resource in self.group.resources:
            handler = handlers.get(type_of(resource))
            if handler is not None:
                handler(resource)
        for (resource_type, code, display), count in self.group.skipped.items():
            reason = "no lexicon variable for this code" if code else "resource type not used"
            self.unused[(resource_type, code, display, reason)] += count
        fields = self._body()
        deceased = None
        if person.deceasedDateTime or person.deceasedBoolean:
            deceased = f"on {person.deceasedDateTime}" if person.deceasedDateTime else ""
            self.notes.insert(0, f"the patient is deceased {deceased} (Patient.deceased)".replace("  ", " "))
        patient = Patient(
            id=person.id or Path(self.group.file).stem,
            sex=_SEXES.get(person.gender or ""),
            birth_date=person.birthDate if person.birthDate and person.birthDate <= self.as_of else None,
            as_of=self.as_of,
            measurements=self._measurements(),
            conditions=with_implied(self._conditions(), get_lexicon()),  # lymphoma: a malignancy too, as in YAML
            events=dict(sorted(self.events.items())),
            source=self.group.file,
            height_cm=fields.get("height_cm"),
            weight_kg=fields.get("weight_kg"),
        )
        unused = [Unused(*key, count=n) for key, n in sorted(self.unused.items())]
        return FhirRecord(self.group.file, patient, unused, self.notes, deceased)

    def _latest(self, variable_id: str) -> tuple[_Value, int] | None:
        values = self.values.get(variable_id)
        if not values:
            return None
        chosen: _Value | None = None
        for value in values:  # the latest date; ties: the last in the record
            if value.date is not None and (chosen is None or value.date >= chosen.date):  # type: ignore[operator]
                chosen = value
        if chosen is None:
            return values[-1], len(values)
        others = [v for v in values if v.date == chosen.date and v is not chosen and v.value != chosen.value]
        if others:
            shown = ", ".join(format_number(v.value) for v in others)
            chosen.note = "; ".join(filter(None, [chosen.note, f"also {shown} on the same day, the record's last used"]))
        return chosen, len(values)

    def _body(self) -> dict[str, float]:
        fields = {}
        for variable_id, (name, unit) in _BODY.items():
            latest = self._latest(variable_id)
            if latest is not None:
                value = latest[0]
                variable = self.codes.lexicon.variables[variable_id]
                fields[name] = converter(value.unit, unit, variable.analyte)(value.value)
        return fields

    def _measurements(self) -> dict[str, Measurement]:
        out = {}
        for variable_id in sorted(self.values):
            if variable_id in _BODY:
                continue
            value, count = self._latest(variable_id)  # type: ignore[misc]
            when = value.date.isoformat() if value.date else "undated"
            which = f"latest of {count}, {when}" if count > 1 else when
            note = f"{which}, LOINC {value.code}" + (f"; {value.note}" if value.note else "")
            out[variable_id] = Measurement(variable=variable_id, name=f"LOINC {value.code}", value=value.value,
                                           unit=value.unit, lln=value.lln, uln=value.uln, date=value.date, note=note)
        return out

    def _conditions(self) -> dict[str, ConditionState]:
        out = {}
        for condition_id in sorted(self.conditions):
            records = self.conditions[condition_id]
            statuses = {r[0] for r in records}
            status: Status = "present" if "present" in statuses else "past" if "past" in statuses else "absent"
            onsets = [r[1] for r in records if r[1] is not None and r[0] != "absent"]
            ends = [r[2] for r in records if r[2] is not None]
            diagnosed = min(onsets) if onsets and status != "absent" else None
            ended = max(ends) if ends and status == "past" else None
            if diagnosed and ended and ended < diagnosed:
                diagnosed = None
            label = self.codes.lexicon.conditions[condition_id].label
            out[condition_id] = ConditionState(condition=condition_id, name=label, status=status, diagnosed=diagnosed, ended=ended)
        return out

"""The FHIR R4 resources screening reads, as small pydantic models of only the fields it
uses (``fhir.resources`` validates every field of every resource and costs about 20 x
more per bundle; see the README), and the validators ``fhir_read`` calls per resource.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Annotated, Any, Callable, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter
from typing_extensions import Required, TypedDict

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def fhir_date(value: Any) -> dt.date | None:
    """A FHIR date or dateTime ("2020", "2020-05", "2020-05-12T10:00:00+00:00") as the date
    it names; a partial date is its first day."""
    if value is None or isinstance(value, dt.date):
        return value
    day = _day(str(value)[:10])  # the date part decides; cached, as a record repeats its dates
    if day is None:
        raise ValueError(f"{value!r} is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD...)")
    return day


@lru_cache(maxsize=4096)
def _day(text: str) -> dt.date | None:
    """The date the first 10 characters of a FHIR date name, None when they do not start
    with a year; ValueError for an impossible one (month 13)."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
    return dt.date(year, month, day)


FhirDate = Annotated[Union[dt.date, None], BeforeValidator(fhir_date)]


class _Element(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Coding(_Element):
    system: str | None = None
    code: str | None = None
    display: str | None = None


class CodeableConcept(_Element):
    coding: tuple[Coding, ...] = ()
    text: str | None = None


class Quantity(_Element):
    value: float | None = None
    comparator: str | None = None
    unit: str | None = None
    system: str | None = None
    code: str | None = None


class Reference(_Element):
    reference: str | None = None


class Period(_Element):
    start: FhirDate = None
    end: FhirDate = None


class ReferenceRange(_Element):
    low: Quantity | None = None
    high: Quantity | None = None


class Component(_Element):
    code: CodeableConcept
    valueQuantity: Quantity | None = None
    valueCodeableConcept: CodeableConcept | None = None


class _Resource(_Element):
    resourceType: str
    id: str | None = None


class PatientResource(_Resource):
    gender: str | None = None
    birthDate: FhirDate = None
    deceasedBoolean: bool | None = None
    deceasedDateTime: FhirDate = None


class _CodingData(TypedDict, total=False):
    system: str
    code: str
    display: str


class CodeableConceptData(TypedDict, total=False):
    coding: list[_CodingData]
    text: str


class QuantityData(TypedDict, total=False):
    value: float
    comparator: str
    unit: str
    system: str
    code: str


class _PeriodData(TypedDict, total=False):
    start: FhirDate
    end: FhirDate


class RangeData(TypedDict, total=False):
    low: QuantityData
    high: QuantityData


class ReferenceRangeData(RangeData, total=False):
    """A reference range: the low and high of a Range (the other fields are not read)."""


class RatioData(TypedDict, total=False):
    numerator: QuantityData
    denominator: QuantityData


class _ValueData(TypedDict, total=False):
    """value[x] of an Observation or component (``fhir_values`` reads them): the types a
    value can be compared with are validated; the others are only noticed."""

    valueQuantity: QuantityData
    valueCodeableConcept: CodeableConceptData
    valueString: str
    valueInteger: int
    valueBoolean: bool
    valueRatio: RatioData
    valueRange: RangeData
    valueSampledData: Any
    valueTime: Any
    valueDateTime: Any
    valuePeriod: Any
    dataAbsentReason: CodeableConceptData


class ComponentData(_ValueData, total=False):
    code: Required[CodeableConceptData]


class _ReferenceData(TypedDict, total=False):
    reference: str


class Observation(_ValueData, total=False):
    """Observations are most of a record: read into plain dicts (a TypedDict validates
    about 2.5 x faster than a model and leaves fewer objects for the garbage collector)."""

    resourceType: Required[str]
    id: str
    status: Required[str]
    code: Required[CodeableConceptData]
    subject: _ReferenceData
    effectiveDateTime: FhirDate
    effectivePeriod: _PeriodData
    issued: str  # parsed only when there is no effective date
    component: list[ComponentData]
    referenceRange: list[ReferenceRangeData]


class Condition(_Resource):
    clinicalStatus: CodeableConcept | None = None
    verificationStatus: CodeableConcept | None = None
    code: CodeableConcept
    subject: Reference
    onsetDateTime: FhirDate = None
    onsetPeriod: Period | None = None
    abatementDateTime: FhirDate = None
    abatementPeriod: Period | None = None
    recordedDate: FhirDate = None


class Procedure(_Resource):
    status: str
    code: CodeableConcept
    subject: Reference
    performedDateTime: FhirDate = None
    performedPeriod: Period | None = None


class Medication(_Resource):
    code: CodeableConcept | None = None


class DispenseRequest(_Element):
    validityPeriod: Period | None = None


class _MedicationUse(_Resource):
    """The fields a medication request and a medication statement share."""
    status: str
    medicationCodeableConcept: CodeableConcept | None = None
    medicationReference: Reference | None = None
    subject: Reference


class MedicationRequest(_MedicationUse):
    authoredOn: FhirDate = None
    dispenseRequest: DispenseRequest | None = None


class MedicationStatement(_MedicationUse):
    effectiveDateTime: FhirDate = None
    effectivePeriod: Period | None = None
    dateAsserted: FhirDate = None


_OBSERVATION = TypeAdapter(Observation)
MODELS: dict[str, Any] = {
    "Patient": PatientResource,
    "Observation": _OBSERVATION,
    "Condition": Condition,
    "Procedure": Procedure,
    "Medication": Medication,
    "MedicationRequest": MedicationRequest,
    "MedicationStatement": MedicationStatement,
}
"""The resource types screening reads (a model, or a TypeAdapter for Observation);
every other type is counted as not used."""


def resource_type(resource: Any) -> str:
    """The type of a read resource: a model, or an Observation dict."""
    return resource["resourceType"] if isinstance(resource, dict) else resource.resourceType


def from_python(model: Any, raw: dict) -> Any:
    return model.validate_python(raw) if isinstance(model, TypeAdapter) else model.model_validate(raw)


def _core_validator(model: Any) -> Any:
    return model.validator if isinstance(model, TypeAdapter) else model.__pydantic_validator__


FROM_JSON: dict[str, Callable[[bytes], Any]] = {name: _core_validator(m).validate_json for name, m in MODELS.items()}
"""NDJSON lines are most of the work: the validators are called directly, without the
Python wrapper of ``model_validate_json`` (same defaults, same result)."""

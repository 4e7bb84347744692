"""Reading FHIR R4 files: the subset of resources screening uses, grouped by patient.

Input is a Bundle (JSON; ``$everything`` or transaction), a folder of Bundles, or bulk
export NDJSON (one resource per line): one file with every type, lines grouped by
patient, or a folder of per-type files (``Patient.ndjson``, ``Observation.ndjson``...).

The resources are validated with small pydantic models of only the fields screening
reads (``fhir_models``).  A malformed resource is a ``PatientError`` naming the
file, the line (NDJSON) or entry, the resource id and the field.  Resources of other
types (Claim, Encounter...) are counted, not parsed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import ValidationError

from .errors import PatientError
from .fhir_models import FROM_JSON, MODELS, PatientResource, from_python, resource_type

FHIR_SUFFIXES = (".json", ".ndjson")


@dataclass
class Group:
    """The resources of one patient, and where they were read from."""

    file: str
    key: str | None = None
    resources: list[Any] = field(default_factory=list)  # models, Observation dicts
    skipped: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (type, code, display) not read
    error: PatientError | None = None


def _subject(raw: dict) -> str | None:
    """The patient a resource belongs to: its own id for a Patient, else its subject."""
    if raw.get("resourceType") == "Patient":
        return raw.get("id")
    for key in ("subject", "patient"):
        ref = (raw.get(key) or {}).get("reference") if isinstance(raw.get(key), dict) else None
        if ref:
            return ref_id(ref)
    return None


def ref_id(reference: str) -> str:
    """"urn:uuid:X", "Patient/X", "http://.../Patient/X" -> "X"."""
    if reference.startswith("urn:uuid:"):
        return reference[len("urn:uuid:"):]
    return reference.rstrip("/").rsplit("/", 1)[-1]


def _validate(raw: Any, file: str, where: str, line: int | None) -> Any:
    """The resource as its model, None for a type not read; a malformed one is an error
    naming the file, line, resource and field."""
    if not isinstance(raw, dict) or not isinstance(raw.get("resourceType"), str):
        raise PatientError("not a FHIR resource (no resourceType)", file=file, line=line, field=where)
    model = MODELS.get(raw["resourceType"])
    if model is None:
        return None
    try:
        return from_python(model, raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = f"{raw['resourceType']}/{raw.get('id', '?')}"
        loc = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
        message = error["msg"].removeprefix("Value error, ")
        raise PatientError(message, file=file, line=line, field=f"{where}{name}.{loc}") from None


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise PatientError(f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    except UnicodeDecodeError:
        raise PatientError("not a text file", file=str(path)) from None
    except OSError as exc:
        raise PatientError(exc.strerror or "cannot be read", file=str(path)) from None


def read_bundle(path: Path) -> Iterator[Group]:
    """The patients of one Bundle (usually one), or a single resource file."""
    file = str(path)
    try:
        data = _load_json(path)
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            raws = [(e.get("resource"), f"entry[{i}] ") for i, e in enumerate(data.get("entry") or []) if isinstance(e, dict)]
        elif isinstance(data, dict) and "resourceType" in data:
            raws = [(data, "")]
        else:
            raise PatientError("not a FHIR Bundle or resource (no resourceType)", file=file)
        groups: dict[str | None, Group] = {}
        for raw, where in raws:
            key = _subject(raw) if isinstance(raw, dict) else None
            group = groups.get(key) or groups.setdefault(key, Group(file, key))
            resource = _validate(raw, file, where, None)
            if resource is None:
                group.skipped[(str(raw["resourceType"]), "", "")] += 1  # type: ignore[index]
            else:
                group.resources.append(resource)
    except PatientError as error:
        yield Group(file, error=error)
        return
    yield from _with_patients(groups, file)


def _with_patients(groups: dict[str | None, Group], file: str) -> Iterator[Group]:
    """Groups that hold a Patient; resources without one (Organization, Practitioner,
    Medication) are shared with every patient of the file."""
    shared = groups.pop(None, None)
    patients = [g for g in groups.values() if any(resource_type(r) == "Patient" for r in g.resources)]
    if not patients:
        yield Group(file, error=PatientError("no Patient resource in the file", file=file))
        return
    for group in groups.values():
        if group not in patients:
            yield Group(file, group.key, error=PatientError(
                f"{len(group.resources)} resources refer to patient {group.key}, who is not in the file", file=file))
    for group in patients:
        if group.error is not None:
            yield Group(group.file, group.key, error=group.error)
            continue
        if shared is not None:
            group.resources.extend(r for r in shared.resources if resource_type(r) == "Medication")
            group.skipped.update(shared.skipped)
        yield group


_TYPE = re.compile(rb'"resourceType"\s*:\s*"([A-Za-z]+)"')
_SUBJECT = re.compile(rb'"(?:subject|patient)"\s*:\s*\{\s*"reference"\s*:\s*"(?:[^"]*/|urn:uuid:)?([^"/]+)"')
_ID = re.compile(rb'"id"\s*:\s*"([^"]+)"')


def _validate_line(line: bytes, resource_type: str, file: str, number: int) -> Any:
    """One NDJSON line parsed and validated in one step (pydantic reads the JSON itself,
    skipping the fields screening does not use)."""
    try:
        return FROM_JSON[resource_type](line)
    except ValidationError as exc:
        error = exc.errors()[0]
        found = _ID.search(line)
        name = f"{resource_type}/{found.group(1).decode('utf-8', 'replace') if found else '?'}"
        if error["type"] == "json_invalid":
            raise PatientError(f"not valid JSON: {error['msg']}", file=file, line=number, field=name) from None
        loc = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
        raise PatientError(error["msg"].removeprefix("Value error, "), file=file, line=number, field=f"{name}.{loc}") from None


_subject_id = lru_cache(maxsize=256)(ref_id)  # every line of a patient names the same subject


def _resource_subject(resource: Any) -> str | None:
    if isinstance(resource, dict):
        reference = (resource.get("subject") or {}).get("reference")
        return _subject_id(reference) if reference else None
    if isinstance(resource, PatientResource):
        return resource.id
    subject = getattr(resource, "subject", None)
    return _subject_id(subject.reference) if subject is not None and subject.reference else None


Skip = Callable[[str, bytes], "tuple[str, str] | None"]
"""A pre-filter for NDJSON lines: (resource type, line) -> None to read the line, or the
(code, display) under which it is listed as not used without being parsed."""


def _line_resource(line: bytes, file: str, number: int, skip: Skip | None) -> tuple[tuple[str, str, str], Any]:
    """((type, code, display) when not read, the resource or None)."""
    found = _TYPE.search(line, 0, 400) or _TYPE.search(line)
    if not found:
        raise PatientError("not a FHIR resource (no resourceType)", file=file, line=number)
    resource_type = found.group(1).decode()
    if resource_type not in MODELS:
        return (resource_type, "", ""), None
    unused = skip(resource_type, line) if skip is not None else None
    if unused is not None:
        return (resource_type, *unused), None
    return (resource_type, "", ""), _validate_line(line, resource_type, file, number)


def read_ndjson(path: Path, keep: Skip | None = None) -> Iterator[Group]:
    """Patients of an NDJSON file whose lines are grouped by patient; a patient whose lines
    are split apart is an error (sort the export by patient, or give per-type files)."""
    file, current, done = str(path), None, set()
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Group(file, error=PatientError(exc.strerror or "cannot be read", file=file))
        return
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                skip, resource = _line_resource(line, file, number, keep)
            except PatientError as error:
                if current is None:
                    yield Group(file, error=error)
                else:
                    current.error = current.error or error
                continue
            if resource is None:
                if current is not None:
                    current.skipped[skip] += 1
                continue
            key = _resource_subject(resource)
            if current is None or (key is not None and key != current.key):
                if current is not None:
                    yield from _finish(current)
                    done.add(current.key)
                current = Group(file, key)
                if key in done:
                    current.error = PatientError(f"the lines of patient {key} are not together", file=file, line=number)
            current.resources.append(resource)
    if current is not None:
        yield from _finish(current)


def _finish(group: Group) -> Iterator[Group]:
    if group.error is None and not any(resource_type(r) == "Patient" for r in group.resources):
        group.error = PatientError(f"no Patient resource for patient {group.key}", file=group.file)
    yield group


def read_bulk_folder(folder: Path, files: list[Path], keep: Skip | None = None) -> Iterator[Group]:
    """A bulk export folder of per-type NDJSON files, grouped by patient in memory."""
    groups: dict[str | None, Group] = {}
    for path in files:
        for group in read_ndjson_lines(path, keep):
            if group.error is not None and group.key is None:
                yield group
                continue
            target = groups.get(group.key) or groups.setdefault(group.key, Group(str(folder), group.key))
            target.error = target.error or group.error  # a bad resource makes its patient an error
            target.resources.extend(group.resources)
            target.skipped.update(group.skipped)
    yield from _with_patients(groups, str(folder))


def read_ndjson_lines(path: Path, keep: Skip | None = None) -> Iterator[Group]:
    """Every line of a per-type file as its own group (no patient check yet)."""
    file = str(path)
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                skip, resource = _line_resource(line, file, number, keep)
            except PatientError as error:
                found = _SUBJECT.search(line)
                yield Group(file, found.group(1).decode("utf-8", "replace") if found else None, error=error)
                continue
            group = Group(file, _resource_subject(resource) if resource is not None else None)
            if resource is None:
                group.skipped[skip] += 1
            else:
                group.resources.append(resource)
            yield group


def read_groups(path: Path, keep: Skip | None = None) -> Iterator[Group]:
    """Every patient's resources in a file or folder of FHIR files; ``keep`` pre-filters
    NDJSON lines (bundles are parsed whole anyway)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FHIR_SUFFIXES)
        ndjson = [p for p in files if p.suffix.lower() == ".ndjson"]
        if not files:
            yield Group(str(path), error=PatientError("no FHIR files (.json, .ndjson) in the folder", file=str(path)))
        if len(ndjson) > 1:
            yield from read_bulk_folder(path, ndjson, keep)
            files = [p for p in files if p not in ndjson]
        for file in files:
            yield from read_groups(file, keep)
    elif path.suffix.lower() == ".ndjson":
        yield from read_ndjson(path, keep)
    else:
        yield from read_bundle(path)

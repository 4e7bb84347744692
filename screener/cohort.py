"""Cohorts: many patients at once, from YAML profiles, multi-document YAML, directories
and CSV clinic lists.

``iter_patients(paths)`` yields one ``PatientEntry`` per patient, lazily: a patient that
cannot be read is an entry with its error (file, line, field) and the others go on.

A CSV clinic list (one row per patient) is read by ``clinic_csv``, FHIR records by
``fhir``; the entries are ``patient_entry.PatientEntry``.

In a multi-document YAML file each document is named ``file.yaml#n`` (n counting the
documents that are not empty) and its id defaults to ``<file stem>#n``; a file with a
single document reads as ``load_patient`` reads it.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator

from .clinic_csv import read_csv, text_lines
from .errors import PatientError
from .fhir import iter_fhir
from .fhir_read import FHIR_SUFFIXES
from .lexicon import get_lexicon
from .patient import ProfileReader, parse_patient
from .patient_entry import PatientEntry, entry_error
from .yamlio import parse_yaml, printable_name, read_text

__all__ = ["PatientEntry", "iter_patients", "PATIENT_SUFFIXES"]

YAML_SUFFIXES = (".yaml", ".yml")
CSV_SUFFIXES = (".csv", ".tsv")
PATIENT_SUFFIXES = (".yaml", ".yml", ".csv") + FHIR_SUFFIXES
"""The files a directory is searched for."""


def iter_patients(paths: Iterable[str | Path]) -> Iterator[PatientEntry]:
    """Every patient of the given files and directories, one entry at a time.

    A path is a YAML profile, a multi-document YAML file (``---`` between profiles), a CSV
    file (one row per patient) or a directory (its .yaml/.yml/.csv files, recursively, in
    sorted order).  Nothing is raised for bad input: each problem is an entry's error.
    """
    for path in paths:
        path = Path(path)
        if path.is_dir():
            walked = list(_walk(path))
            files = [file for file, problem in walked if problem is None]
            bulk = sum(p.suffix.lower() == ".ndjson" for p in files) > 1  # a bulk export: per-type files
            if bulk:
                yield from iter_fhir_entries(path)
            for file, problem in walked:
                if problem is not None:
                    yield PatientEntry(printable_name(file), error=PatientError(problem, file=printable_name(file)))
                elif not (bulk and file.suffix.lower() in FHIR_SUFFIXES):
                    yield from _iter_file(file)
            if not walked:
                error = PatientError(f"no patient files ({', '.join(PATIENT_SUFFIXES)}) in the directory",
                                     file=printable_name(path))
                yield PatientEntry(str(path), error=error)
        elif str(path) == STDIN:
            yield from _iter_stdin(sys.stdin.buffer.read())
        else:
            yield from _iter_file(path)


STDIN = "-"
STDIN_NAME = "<stdin>"


def _iter_stdin(raw: bytes) -> Iterator[PatientEntry]:
    """Profiles piped in (``screener screen -``): CSV when the first line that is not a
    comment reads as a header (a delimiter and no ``key:``), else YAML (one or more documents)."""
    first = next((line for line in raw.decode("utf-8-sig", "replace").splitlines()
                  if line.strip() and not line.lstrip().startswith("#")), "")
    if first.lstrip().startswith(("{", "[")):
        error = PatientError("FHIR JSON cannot be read from standard input; save it to a file", file=STDIN_NAME)
        yield PatientEntry(STDIN_NAME, error=error)
    elif re.search(r"[,;\t]", first) and not re.match(r"^[\w ]+:(\s|$)", first):
        yield from read_csv(text_lines([raw], STDIN_NAME), Path(STDIN_NAME))
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield PatientEntry(STDIN_NAME, error=PatientError("is not UTF-8 text", file=STDIN_NAME))
            return
        yield from _yaml_entries(text, STDIN_NAME, "stdin")


def iter_fhir_entries(path: Path) -> Iterator[PatientEntry]:
    """The patients of FHIR Bundles or NDJSON (``screener/fhir.py``), named file#patient id;
    a deceased patient is an error row, never a candidate."""
    for record in iter_fhir([path]):
        if isinstance(record, PatientError):
            yield PatientEntry(record.file or str(path), error=record)
        elif record.deceased is not None:
            error = PatientError(f"the patient is deceased {record.deceased}; not screened".replace("  ", " "),
                                 file=record.file, field=f"Patient/{record.patient.id}.deceased")
            yield PatientEntry(f"{record.file}#{record.patient.id}", error=error)
        else:
            yield PatientEntry(f"{record.file}#{record.patient.id}", patient=record.patient)


def _walk(folder: Path, seen: frozenset[tuple[int, int]] = frozenset()) -> Iterator[tuple[Path, str | None]]:
    """Patient files under ``folder`` in sorted order, and every path that cannot be
    followed (unreadable folder, broken or looping link) with the reason: none is skipped
    silently, since a skipped file is a patient never screened."""
    try:
        info = folder.stat()
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield folder, f"folder cannot be read ({exc.strerror})"
        return
    seen = seen | {(info.st_dev, info.st_ino)}
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError as exc:
            yield path, f"cannot be read ({exc.strerror})"
            continue
        if entry.is_symlink() and not path.exists():
            yield path, "is a broken or looping symbolic link"
        elif is_dir:
            try:
                key = (path.stat().st_dev, path.stat().st_ino)
            except OSError as exc:
                yield path, f"cannot be read ({exc.strerror})"
                continue
            if key in seen:
                yield path, "is a symbolic link back into a folder above it (a loop)"
            else:
                yield from _walk(path, seen)
        elif is_file and path.suffix.lower() in PATIENT_SUFFIXES:
            yield path, None


def _iter_file(path: Path) -> Iterator[PatientEntry]:
    if path.suffix.lower() in FHIR_SUFFIXES:
        return iter_fhir_entries(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        return _iter_csv(path)
    return _iter_yaml(path)


# --------------------------------------------------------------------------------------
# YAML: one profile, or several separated by ---

_DOCUMENT_START = re.compile(r"^---(?:[ \t\r]|$)")
_DOCUMENT_END = re.compile(r"^\.\.\.(?:[ \t\r]|$)")


def _content_line(line: str) -> bool:
    """Whether a line holds YAML content (not a marker, directive, comment or blank)."""
    if _DOCUMENT_START.match(line) or _DOCUMENT_END.match(line):
        line = line[3:]
    elif line.startswith("%"):
        return False
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _documents(text: str) -> list[tuple[int, int, str]]:
    """The non-empty documents as (first line index, first content line index, lines)."""
    lines = text.split("\n")
    starts = [0] + [i for i, line in enumerate(lines) if i and _DOCUMENT_START.match(line)]
    out = []
    for start, end in zip(starts, starts[1:] + [len(lines)]):
        chunk = lines[start:end]
        content = next((start + i for i, line in enumerate(chunk) if _content_line(line)), None)
        if content is not None:
            out.append((start, content, "\n".join(chunk)))
    return out


def _iter_yaml(path: Path) -> Iterator[PatientEntry]:
    file = str(path)
    try:
        text = read_text(path, PatientError)
    except PatientError as error:
        yield PatientEntry(file, error=error)
        return
    yield from _yaml_entries(text, file, path.stem)


def _yaml_entries(text: str, file: str, stem: str) -> Iterator[PatientEntry]:
    """The profiles of one YAML text (several documents, ``---`` between them)."""
    documents = _documents(text)
    if len(documents) <= 1:
        try:
            yield PatientEntry(file, patient=parse_patient(text, file=file, default_id=stem))
        except Exception as error:  # one bad file must never stop the others
            yield PatientEntry(file, error=entry_error(error, file), id=_yaml_id(text))
        return
    for number, (start, content, chunk) in enumerate(documents, start=1):
        name = f"{file}#{number}"
        try:
            # blank lines in front keep every line number that of the whole file
            document = parse_yaml("\n" * start + chunk, file=file, cls=PatientError)
            document.lines[()] = content + 1  # "missing id" points at the document, not line 1
            patient = ProfileReader(document, get_lexicon()).patient(f"{stem}#{number}")
        except Exception as error:  # one bad document must never stop the others
            yield PatientEntry(name, error=entry_error(error, file), id=_yaml_id(chunk))
        else:
            yield PatientEntry(name, patient=patient)


_YAML_ID = re.compile(r"^id:[ \t]*['\"]?([^'\"#\n]{1,100}?)['\"]?[ \t]*(?:#.*)?$", re.M)


def _yaml_id(text: str) -> str | None:
    """The id of a profile that could not be read, when a top-level ``id:`` line gives it."""
    match = _YAML_ID.search(text)
    return match.group(1).strip() or None if match else None


def _iter_csv(path: Path) -> Iterator[PatientEntry]:
    """A CSV file's rows (``clinic_csv``), read as they are screened: never the whole file."""
    file = str(path)
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        yield PatientEntry(file, error=PatientError("no such file", file=file))
        return
    except OSError as exc:
        yield PatientEntry(file, error=PatientError(f"cannot be read ({exc.strerror})", file=file))
        return
    with handle:
        yield from read_csv(text_lines(handle, file), path)

"""Reading trial sources: plain criteria text, saved registry pages, registry JSON, XML.

Every reader returns ``Source`` objects: the document text that spans index into, the
region holding the criteria, trial metadata, and the structured fields (age limits,
sex) with their own provenance.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from .errors import SourceError
from .yamlio import Limits, parse_json, printable_name, read_text

SOURCE_LIMITS = Limits(depth=64, scalar=10_000_000, keys=100_000)
"""Registry JSON: records are shallow, the criteria text may be long."""


@dataclass(frozen=True)
class StructuredField:
    """A registry field such as minimumAge: its value, and where it stands in the text if it does."""

    name: str
    value: str
    span: tuple[int, int] | None = None


@dataclass
class Source:
    text: str
    start: int
    end: int
    trial_id: str | None = None
    title: str | None = None
    origin: str | None = None
    fields: list[StructuredField] = field(default_factory=list)


_NCT_LABEL = re.compile(r"\bNCT (?:ID|Number)\s*:\s*(NCT\d{8})\b")
_HEADING = re.compile(r"^[ \t*#-]*(?:key\s+)?inclusion\s+criteria\b", re.I | re.M)
_INLINE_HEADING = re.compile(r"\binclusion\s+criteria\s*:", re.I)
_AGE_LINE = re.compile(r"^[ \t]*(\d+)\s+(Years?|Months?|Weeks?|Days?)[ \t]*$", re.M | re.I)
_SEX_LINE = re.compile(r"^[ \t]*(ALL|FEMALE|MALE)[ \t]*$", re.M)
_TABLE_CELL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ]{1,40}?)\s*\|\s*(?P<value>[^|\n]*?)\s*\|", re.M)


def _page_region(text: str) -> tuple[int, int, list[StructuredField], str | None] | None:
    """Find the criteria in a saved registry web page; None when ``text`` is not one.

    Two layouts are known: the registry's own page (criteria under "Eligibility Criteria",
    then the age and sex values on their own lines) and aggregator tables
    ("Eligibility | Inclusion Criteria: ... |", "Age group | 18 Years to 75 Years |").
    """
    table = re.search(r"^Eligibility\s*\|\s*", text, re.M)
    if table:
        end = text.find("|", table.end())
        end = len(text) if end < 0 else end
        fields: list[StructuredField] = []
        for cell in _TABLE_CELL.finditer(text):
            label, value = cell.group("label").strip().lower(), cell.group("value")
            span = (cell.start("value"), cell.end("value"))
            ages = re.fullmatch(r"(\d+\s+\w+)\s+to\s+(\d+\s+\w+)", value.strip())
            if any(f.name == ("sex" if label == "gender" else "minimum_age") for f in fields):
                continue  # a table row repeated (a page saved twice over): the first one counts
            if label == "age group" and ages:
                fields.append(StructuredField("minimum_age", ages.group(1), (span[0] + ages.start(1), span[0] + ages.end(1))))
                fields.append(StructuredField("maximum_age", ages.group(2), (span[0] + ages.start(2), span[0] + ages.end(2))))
            elif label == "gender":
                fields.append(StructuredField("sex", value.strip(), span))
        return table.end(), end, fields, None
    marker = re.search(r"^Eligibility Criteria\s*$", text, re.M)
    heading = _HEADING.search(text, marker.end()) if marker else None
    if not heading:
        return None
    start = heading.start() + len(heading.group(0)) - len(heading.group(0).lstrip(" \t*#-"))
    age = _AGE_LINE.search(text, start)
    sex = _SEX_LINE.search(text, start)
    stops = [m.start() for m in (age, sex) if m]
    end = min(stops) if stops else len(text)
    fields = []
    age_lines = list(_AGE_LINE.finditer(text, end, sex.start() if sex else len(text)))[:2]
    names = ["minimum_age", "maximum_age"] if len(age_lines) == 2 else ["minimum_age"]
    for name, match in zip(names, age_lines):
        fields.append(StructuredField(name, f"{match.group(1)} {match.group(2)}", (match.start(1), match.end(2))))
    if sex:
        fields.append(StructuredField("sex", sex.group(1), sex.span(1)))
    return start, end, fields, None


def _title(text: str) -> str | None:
    official = re.search(r"Official title:\s*\n?\s*(.+)", text)
    if official:
        return official.group(1).strip()
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    return first or None


def from_text(text: str, origin: str | None = None, trial_id: str | None = None) -> Source:
    """Plain criteria text, or a saved registry page holding them."""
    page = _page_region(text)
    if page:
        start, end, fields, _ = page
        labelled = _NCT_LABEL.search(text)  # a page lists related trials too: only a labelled id is the trial's
        return Source(text, start, end, trial_id or (labelled.group(1) if labelled else None), _title(text), origin, fields)
    return Source(text, 0, len(text), trial_id, None, origin)


def _age_fields(values: Mapping[str, object]) -> list[StructuredField]:
    out = []
    for name, value in values.items():
        if isinstance(value, str) and value.strip() and value.strip().upper() not in ("N/A", "NA", "NONE"):
            out.append(StructuredField(name, value.strip()))
    return out


def _module(parent: dict, name: str, origin: str | None) -> dict:
    """A registry object field that must be a mapping when present."""
    value = parent.get(name) or {}
    if not isinstance(value, dict):
        raise SourceError(f"{name} must be an object, not {type(value).__name__}", file=origin, field=name)
    return value


def _text_fields(values: dict[str, object], origin: str | None) -> None:
    """Ids, titles and age/sex values are text when present: a number there is a wrong shape."""
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise SourceError(f"{name} must be text, not {type(value).__name__}", file=origin, field=name)


def from_record(record: dict, origin: str | None = None) -> Source:
    """A corpus-style record or a registry API v2 study; a wrong shape is a ``SourceError``."""
    protocol = record.get("protocolSection")
    if isinstance(protocol, dict):
        ident = _module(protocol, "identificationModule", origin)
        module = _module(protocol, "eligibilityModule", origin)
        text = module.get("eligibilityCriteria")
        values = {"minimum_age": module.get("minimumAge"), "maximum_age": module.get("maximumAge"), "sex": module.get("sex")}
        trial_id, title = ident.get("nctId"), ident.get("briefTitle") or ident.get("officialTitle")
    else:
        text = record.get("eligibility_criteria")
        values = {"minimum_age": record.get("minimum_age"), "maximum_age": record.get("maximum_age"), "sex": record.get("sex")}
        trial_id, title = record.get("nct_id"), record.get("title")
    if not isinstance(text, str):
        raise SourceError("no eligibility criteria text in the record", file=origin, field="eligibilityCriteria")
    _text_fields({"id": trial_id, "title": title, **values}, origin)
    return Source(text, 0, len(text), trial_id, title, origin, _age_fields(values))


def _from_json(text: str, origin: str) -> list[Source]:
    data = parse_json(text, origin, SourceError, SOURCE_LIMITS).data
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        data = data["studies"]
    records = data if isinstance(data, list) else [data]
    if not all(isinstance(r, dict) for r in records):
        raise SourceError("expected a study object, a list of them, or {\"studies\": [...]}", file=origin)
    return [from_record(r, origin) for r in records]


def _from_jsonl(text: str, origin: str) -> list[Source]:
    sources = []
    for _, source, error in _jsonl_entries(text, origin):
        if error is not None:
            raise error
        assert source is not None
        sources.append(source)
    return sources


def _jsonl_entries(text: str, origin: str) -> Iterator[tuple[str, Source | None, SourceError | None]]:
    """Each record of a JSONL file on its own: a bad line is an error for that record only."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        name = f"{origin}:{number}"
        try:
            record = parse_json(line, origin, SourceError, SOURCE_LIMITS).data
            if not isinstance(record, dict):
                raise SourceError("each line must be a JSON object (a trial record)", file=origin)
            source = from_record(record, name)
        except SourceError as error:
            error.file, error.line = origin, number
            yield name, None, error
        else:
            yield source.trial_id or name, source, None


def _from_xml(text: str, origin: str) -> list[Source]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise SourceError(f"invalid XML: {exc}", file=origin, line=exc.position[0]) from None
    criteria = root.findtext("eligibility/criteria/textblock")
    if criteria is None:
        raise SourceError("no eligibility/criteria/textblock in the XML record", file=origin)
    values = {name: root.findtext(f"eligibility/{tag}") for name, tag in
              (("minimum_age", "minimum_age"), ("maximum_age", "maximum_age"), ("sex", "gender"))}
    title = root.findtext("official_title") or root.findtext("brief_title")
    return [Source(criteria, 0, len(criteria), root.findtext("id_info/nct_id"), title, origin, _age_fields(values))]


SOURCE_SUFFIXES = (".txt", ".md", ".text", ".json", ".jsonl", ".xml")


def iter_sources(paths: list[str], trial_id: str | None = None) -> Iterator[tuple[str, Source | None, SourceError | None]]:
    """Every trial of many paths (files or directories) as (name, source, error): a file that
    cannot be read is reported as an error and the others go on."""
    for path in paths:
        files = [path]
        if path != "-" and Path(path).is_dir():
            files = [str(p) for p in sorted(Path(path).rglob("*")) if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES]
        for file in files:
            try:
                if file != "-" and Path(file).suffix.lower() == ".jsonl":
                    yield from _jsonl_entries(read_text(file, SourceError), file)
                    continue
                for source in read_sources(file, trial_id):
                    yield source.trial_id or file, source, None
            except SourceError as error:
                yield printable_name(file), None, error


def _stdin_text() -> str:
    """Standard input as UTF-8 text; invalid bytes are an error with their line."""
    raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError("is not UTF-8 text", file="<stdin>", line=raw[: exc.start].count(b"\n") + 1) from None


def read_sources(path: str, trial_id: str | None = None) -> list[Source]:
    """Read a text file, registry JSON / JSONL / XML, a directory of them, or ``-`` for standard input."""
    if path != "-" and Path(path).is_dir():
        files = sorted(p for p in Path(path).rglob("*") if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES)
        if not files:
            raise SourceError(f"no trial files ({', '.join(SOURCE_SUFFIXES)}) in the directory", file=path)
        return [source for file in files for source in read_sources(str(file))]
    if path == "-":
        text, origin = _stdin_text(), "<stdin>"
    else:
        text, origin = read_text(path, SourceError), path
    stripped = text.lstrip()
    suffix = Path(path).suffix.lower()
    if suffix == ".jsonl":
        sources = _from_jsonl(text, origin)
    elif suffix in (".txt", ".md", ".text"):
        sources = [from_text(text, origin, trial_id)]
    elif suffix == ".json" or stripped.startswith(("{", "[")):
        sources = _from_json(text, origin)
    elif suffix == ".xml" or stripped.startswith("<?xml") or stripped.startswith("<clinical_study"):
        sources = _from_xml(text, origin)
    else:
        sources = [from_text(text, origin, trial_id)]
    if trial_id and len(sources) == 1:
        sources[0].trial_id = trial_id
    return sources

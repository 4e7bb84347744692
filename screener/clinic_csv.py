"""CSV clinic lists: one row per patient, one column per field::

    id,sex,age,as_of,height (cm),weight,PASP (mmHg),creatinine [umol/L],HIV,hospital admission
    P-1,F,55,2026-11-20,164,58 kg,32,80,no,2026-11-15
    P-2,M,61,2026-11-20,178,81 kg,,95,past,

Columns are ``id``, ``sex``, ``birth_date`` or ``age``, ``as_of``, ``height``, ``weight``
and any measurement, condition or event the lexicon knows (case-insensitive; spaces,
underscores and hyphens alike).  Each row becomes the same plain mapping a YAML profile
reads to and is checked by the same code (``profile_reader.ProfileReader``), so both
formats accept and refuse exactly the same values.

Choices the format leaves open, in one place:
- a unit may be in the header, ``PASP (mmHg)`` or ``creatinine [umol/L]``, or in the cell,
  ``32 mmHg``; a cell may repeat the header's unit, but a different one is an error;
- a header with brackets is a name and a unit when the name without them is known and
  the brackets hold a unit; otherwise it is read whole, so lexicon names with
  parentheses (``body mass index (BMI)``, ``weight loss (amount)``) stay names;
- an empty cell is unknown; a row of empty cells is skipped;
- conditions take true/false, yes/no, y/n, 1/0 or present/past/absent/unknown; events take
  dates (YYYY-MM-DD);
- a header the lexicon does not know, a unit on a column that takes none, an unreadable
  header unit or two columns for one field are errors for the whole file, reported once
  (the file's only entry); a bad cell is an error for its row only;
- a name that is both a measurement and a condition (``HCT``) is read as the measurement;
  ``body weight``, ``stature`` and the like are the top-level weight, height and age;
- a missing id defaults to ``<file stem>:<line>``; the delimiter is the most frequent of
  comma, semicolon and tab in the header line (semicolons for decimal-comma exports);
- the file is decoded line by line (UTF-8, BOM allowed) so that a bad byte is reported on
  its line; rows before it stand, reading stops there.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import PatientError, UnitError, quote
from .lexicon import Lexicon, get_lexicon, name_key
from .patient import ProfileReader, parse_number
from .patient_entry import PatientEntry, entry_error
from .units import parse_unit
from .yamlio import Document

_TOP_COLUMNS = {"id": "id", "sex": "sex", "birth date": "birth_date", "age": "age", "as of": "as_of",
                "height": "height", "weight": "weight"}
"""Top-level profile keys by lookup form."""
_TOP_WITH_UNIT = ("age", "height", "weight")
_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*(?:\((?P<paren>[^()]*)\)|\[(?P<bracket>[^\[\]]*)\])\s*$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_SECTION_NOUNS = {"measurements": "measurement", "conditions": "condition", "events": "event"}



@dataclass(frozen=True)
class _Column:
    index: int
    header: str                 # as written
    name: str                   # without its unit: the key in the profile mapping
    section: str | None         # "top", "measurements", "conditions", "events"; None: no header
    key: str                    # top-level key, or the lexicon id
    unit: str | None = None


def _resolve(lexicon: Lexicon, name: str) -> tuple[str, str] | None:
    """(section, key) for a column name, or None when nothing of that name is known."""
    key = name_key(name)
    if key in _TOP_COLUMNS:
        return "top", _TOP_COLUMNS[key]
    variable = lexicon.variable(name)
    if variable is not None:
        if variable.id in _TOP_WITH_UNIT:  # "body weight", "stature": the profile's own fields
            return "top", variable.id
        return "measurements", variable.id
    condition = lexicon.condition(name)
    if condition is not None:
        return "conditions", condition.id
    event = lexicon.event(name)
    if event is not None:
        return "events", event.id
    return _resolve_code(name)


def _resolve_code(name: str) -> tuple[str, str] | None:
    """(section, key) for a column named by a LOINC, ICD-10-CM or SNOMED CT code."""
    from .codes import get_codes

    codes = get_codes()
    variable = codes.key_variable(name)
    if variable is not None:
        return ("top" if variable.id in _TOP_WITH_UNIT else "measurements"), variable.id
    conditions = codes.key_conditions(name)
    return ("conditions", conditions[0].id) if conditions else None


def _suggest(lexicon: Lexicon, name: str) -> str | None:
    """The closest column name of any kind."""
    key = name_key(name)
    candidates = [_TOP_COLUMNS[c] for c in difflib.get_close_matches(key, list(_TOP_COLUMNS), n=1, cutoff=0.6)]
    for kind in ("variable", "condition", "event"):
        suggestion = lexicon.suggest(kind, name)  # type: ignore[arg-type]
        if suggestion:
            candidates.append(suggestion)
    if not candidates:
        return None
    return max(candidates, key=lambda c: difflib.SequenceMatcher(None, key, name_key(c)).ratio())


def _column(lexicon: Lexicon, index: int, header: str, file: str, line: int) -> _Column:
    """Read one header cell; an unusable header raises ``PatientError`` for the file."""
    header = header.strip()
    if not header:
        return _Column(index, header, f"column {index + 1}", None, "")

    def error(message: str) -> PatientError:
        return PatientError(message, file=file, line=line, field=header)

    name, unit = header, None
    resolved = _resolve(lexicon, header)
    match = _HEADER_UNIT.match(header)
    if match and match["name"]:
        # "PASP (mmHg)" is a name and a unit; "body mass index (BMI)" and "weight loss
        # (amount)" are lexicon names; "weight loss (%)" is a name either way: take the unit
        split_name = match["name"].strip()
        split_unit = (match["paren"] if match["paren"] is not None else match["bracket"]).strip()
        split = _resolve(lexicon, split_name)
        if resolved is None or (split == resolved and _is_unit(split_unit)):
            name, unit, resolved = split_name, split_unit, split
    if resolved is None:
        suggestion = _suggest(lexicon, name)
        hint = f"; did you mean {suggestion}?" if suggestion else " (add it to the lexicon if it is real)"
        raise error(f"unknown column {quote(header)}{hint}")
    section, key = resolved
    if unit is not None:
        takes_unit = section == "measurements" or (section == "top" and key in _TOP_WITH_UNIT)
        if not takes_unit:
            what = key if section == "top" else f"{_SECTION_NOUNS[section]} column"
            raise error(f"a unit was given ({quote(unit)}) but {what} takes none")
        if not unit:
            raise error("the unit in brackets is empty")
        try:
            parse_unit(unit)
        except UnitError as exc:
            raise error(exc.message) from None
    return _Column(index, header, name, section, key, unit or None)


def _is_unit(text: str) -> bool:
    try:
        return parse_unit(text) is not None
    except UnitError:
        return False


def _columns(lexicon: Lexicon, header: list[str], file: str, line: int) -> list[_Column]:
    columns = [_column(lexicon, i, cell, file, line) for i, cell in enumerate(header)]
    seen: dict[tuple[str, str], _Column] = {}
    for column in columns:
        if column.section is None:
            continue
        earlier = seen.setdefault((column.section, column.key), column)
        if earlier is not column:
            raise PatientError(f"{quote(column.header)} is the same field as column {quote(earlier.header)}; give it once",
                               file=file, line=line, field=column.header)
    return columns


def _with_unit(cell: str, column: _Column, file: str, line: int) -> str:
    """The cell as "value unit", taking the unit from the header when the cell has none."""
    try:
        _, given = parse_number(cell)
    except ValueError:
        return cell  # not a number: the profile reader says so, in its words
    if given is None:
        return f"{cell} {column.unit}"
    try:
        same = parse_unit(given) == parse_unit(column.unit)
    except UnitError:
        return cell
    if not same:
        raise PatientError(f"the unit is given twice: {quote(given)} in the cell and {quote(column.unit)} in the header",
                           file=file, line=line, field=column.name)
    return cell


def _row_document(columns: list[_Column], cells: list[str], file: str, line: int) -> tuple[Document, dict[str, str]]:
    """The row as the plain mapping a YAML profile reads to, and field -> column name."""
    data: dict[str, Any] = {}
    fields: dict[str, str] = {}
    for column in columns:
        cell = cells[column.index].strip() if column.index < len(cells) else ""
        if not cell:
            continue  # unknown
        if column.section is None:
            raise PatientError(f"{quote(cell)} is in a column without a header", file=file, line=line, field=column.name)
        value: Any = _with_unit(cell, column, file, line) if column.unit else cell
        if column.section == "top":
            data[column.key] = value
            fields[column.key] = column.name
            continue
        if column.section == "conditions":
            word = cell.casefold()
            value = True if word in _TRUE else False if word in _FALSE else cell
        data.setdefault(column.section, {})[column.name] = value
        fields[f"{column.section}.{column.name}"] = column.name
    extra = [cell for cell in cells[len(columns):] if cell.strip()]
    if extra:
        raise PatientError(f"the row has {len(cells)} cells but the header names {len(columns)} columns",
                           file=file, line=line)
    return Document(data, file=file, lines={(): line}), fields


def _row_id(columns: list[_Column], cells: list[str]) -> str | None:
    """The id cell of a row that could not be read, for its error row."""
    for column in columns:
        if column.section == "top" and column.key == "id" and column.index < len(cells):
            return cells[column.index].strip()[:100] or None
    return None


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def text_lines(handle: Iterable[bytes], file: str) -> Iterator[str]:
    """Decode line by line, so that a bad byte is reported on its own line."""
    number = 0
    for chunk in handle:
        for raw in chunk.splitlines(keepends=True):  # \r alone ends a line too (old exports)
            number += 1
            if b"\x00" in raw:
                raise PatientError("is a binary file, not text", file=file, line=number)
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise PatientError("is not UTF-8 text", file=file, line=number) from None


def read_csv(lines: Iterator[str], path: Path) -> Iterator[PatientEntry]:
    file = str(path)
    lexicon = get_lexicon()
    reader: Any = None
    columns: list[_Column] | None = None
    try:
        skipped = []
        for raw in lines:  # the delimiter is chosen from the first non-blank line
            skipped.append(raw)
            if raw.strip():
                break
        reader = csv.reader(itertools.chain(skipped, lines), delimiter=_delimiter(skipped[-1] if skipped else ""))
        while True:
            line = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                try:
                    columns = _columns(lexicon, cells, file, line)
                except PatientError as error:
                    yield PatientEntry(file, error=error)
                    return
                continue
            name = f"{file}:{line}"
            fields: dict[str, str] = {}
            try:
                document, fields = _row_document(columns, cells, file, line)
                patient = ProfileReader(document, lexicon).patient(f"{path.stem}:{line}")
            except Exception as exc:  # one bad row must never stop the others
                row_error = entry_error(exc, file)
                if row_error.field in fields:
                    row_error.field = fields[row_error.field]
                yield PatientEntry(name, error=row_error, id=_row_id(columns, cells))
            else:
                yield PatientEntry(name, patient=patient)
    except PatientError as error:  # undecodable or binary: the rows before it stand
        yield PatientEntry(file, error=error)
        return
    except csv.Error as exc:
        line = reader.line_num if reader is not None else None
        yield PatientEntry(file, error=PatientError(f"cannot be read as CSV ({exc})", file=file, line=line))
        return
    if columns is None:
        yield PatientEntry(file, error=PatientError("the file is empty; its first line must name the columns"
                                                    " (id, sex, age, ...)", file=file))

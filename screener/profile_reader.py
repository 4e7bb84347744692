"""Reading a patient profile from the YAML users write (the format is in ``patient``'s
docstring).

Keys are resolved through the lexicon (``DLCO``, ``dlco``, ``diffusing capacity`` are the
same variable) or as standard codes; every value is checked for unit dimension and
plausible range (``profile_values``) so that a typo is an error with its file and line
rather than a silent wrong verdict.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from typing import Any

from pydantic import ValidationError

from .codes import get_codes
from .errors import quote
from .implied import with_implied
from .lazy import built
from .lexicon import Lexicon, Variable, get_lexicon
from .patient_model import ConditionState, Measurement, Patient, whole_years
from .profile_values import ProfileValues, compatible_units, number_text, profile_converter, value_kind
from .titres import profile_titre, titre_elsewhere
from .unit_kinds import kind_problem
from .yamlio import Document, Path_

# --------------------------------------------------------------------------------------
# Reading profiles
#
# Choices the format leaves open, in one place:
# - an empty value (``HIV:`` with nothing after it) means "unknown" everywhere and is
#   skipped, so that users can fill in a template and leave blanks;
# - ``age`` may be a bare number (years) or carry a duration unit; height and weight
#   must carry a unit (a bare 164 could be cm or m);
# - when both ``age`` and ``birth_date`` are given they must agree;
# - per-area units (mL/min/1.73m2) are range-checked against absolute canonical units
#   (mL/min) at the reference body surface area, 1.73 m2;
# - numbers: "1,5" is 1.5 but "1,500" (comma groups of three) is 1500; "150 000" is
#   150000 when followed by a space or the end ("420 109/L" stays 420 x10^9/L);
#   "0,125" is 0.125;
# - ``id`` is required by ``parse_patient``; ``load_patient`` defaults it to the file
#   stem; an unquoted 007 keeps its zeros;
# - a condition may also be written as a bare status word (``malignancy: past``).

TOP_KEYS = ("id", "sex", "birth_date", "age", "as_of", "height", "weight",
            "measurements", "conditions", "events", "answers")
"""The keys a profile may have at its top level."""


_SEXES = {"female": "female", "f": "female", "woman": "female", "male": "male", "m": "male", "man": "male"}
_STATUSES = ("present", "past", "absent")
_MEASUREMENT_KEYS = ("value", "unit", "uln", "lln", "date")
_CONDITION_KEYS = ("status", "diagnosed", "ended")
_SECTIONS = (("measurements", "variable", "measurement"), ("conditions", "condition", "condition"),
             ("events", "event", "event"))

# Top-level body fields: canonical unit, plausible range (used while the lexicon has no
# entry of that name; an entry, once added, gives the range), what it is, an example.
_BODY: dict[str, tuple[str, tuple[float, float], str, str]] = {
    "age": ("year", (0.0, 120.0), "a duration (years, months)", "55 years"),
    "height": ("cm", (20.0, 275.0), "a length (cm, m)", "164 cm"),
    "weight": ("kg", (0.2, 650.0), "a mass (kg, lb)", "58 kg"),
}

READ_VALUES_KEPT = 65536
"""Measurement values kept read and checked, per lexicon (then the store starts again)."""


def _by_code(kind: str, name: str) -> Any:
    """The term a key written as a standard code names: LOINC for a variable, ICD-10-CM or
    SNOMED CT for a condition (``screener/codes.py``)."""
    if kind == "variable":
        return get_codes().key_variable(name)
    if kind == "condition":
        found = get_codes().key_conditions(name)
        return found[0] if found else None
    return None


def _broader_by_code(kind: str, name: str) -> tuple[Any, ...]:
    """Conditions a condition code also means besides its first (E11.9: diabetes too)."""
    if kind != "condition" or get_lexicon().condition(name) is not None:
        return ()
    return get_codes().key_conditions(name)[1:]


class ProfileReader(ProfileValues):
    """One profile being read: its document (for lines) and the lexicon (for names)."""

    def __init__(self, document: Document, lexicon: Lexicon) -> None:
        self.doc = document
        self.lexicon = lexicon
        self.as_of: dt.date | None = None  # set once read: later dates are refused

    def patient(self, default_id: str | None) -> Patient:
        data = self.doc.data
        if data is None or data == "":
            raise self.error("the profile is empty; it needs at least an id, e.g. id: SSC-001")
        if not isinstance(data, dict):
            raise self.error(f"the top level must be a mapping (id: ..., sex: ..., measurements: ...), not {value_kind(data)}")
        for key in data:
            self._check_top_key(key)
        as_of, birth = self._dates(data)
        self.as_of = as_of
        fields: dict[str, Any] = {
            "id": self._id(data, default_id),
            "sex": self._sex(data.get("sex")),
            "birth_date": birth,
            "as_of": as_of,
            "age": self._body(data, "age"),
            "height_cm": self._body(data, "height"),
            "weight_kg": self._body(data, "weight"),
            "answers": self._answers(data.get("answers")),
            "answer_lines": self._answer_lines(data.get("answers")),
            "source": self.doc.file,
        }
        self._check_age(fields["age"], birth, as_of)
        for section, kind, noun in _SECTIONS:
            fields[section] = self._section(data, section, kind, noun)
        fields["conditions"] = with_implied(fields["conditions"], self.lexicon)  # lymphoma: a malignancy too
        try:
            return Patient(**fields)
        except ValidationError as exc:  # a bug in the checks above, but still no traceback
            detail = exc.errors()[0]
            raise self.error(detail["msg"], tuple(str(p) for p in detail["loc"])) from None

    def _check_top_key(self, key: Any) -> None:
        """Unknown keys are errors: a misspelt ``measurments`` must not drop the values."""
        if key in TOP_KEYS:
            return
        name = str(key)
        hint = ""
        close = difflib.get_close_matches(name.casefold(), TOP_KEYS, n=1, cutoff=0.6)
        if close:
            hint = f"; did you mean {close[0]}?"
        else:
            for section, kind, noun in _SECTIONS:
                if getattr(self.lexicon, kind)(name):
                    hint = f"; it is a {noun}: put it under {section}:"
                    break
        raise self.error(f"unknown key {quote(name)}{hint} (known keys: {', '.join(TOP_KEYS)})", (key,))

    def _id(self, data: dict, default_id: str | None) -> str:
        raw = data.get("id")
        if isinstance(raw, bool) or not isinstance(raw, (str, int, type(None))):
            raise self.error(f"id must be text, not {value_kind(raw)}", ("id",))
        text = "" if raw is None else str(raw).strip()
        if isinstance(raw, int):  # an unquoted 007 reads as 7: keep it as written
            text = self.doc.raw.get(("id",), text)
        if text:
            return text
        if default_id:
            return default_id
        raise self.error("missing id: every profile needs one, e.g. id: SSC-001", ("id",))

    def _sex(self, raw: Any) -> str | None:
        if raw is None:
            return None
        sex = _SEXES.get(str(raw).strip().casefold()) if isinstance(raw, str) else None
        if sex is None:
            raise self.error(f"sex must be female or male (F/M, woman/man), not {value_kind(raw)}", ("sex",))
        return sex

    def _dates(self, data: dict) -> tuple[dt.date, dt.date | None]:
        """(as_of, birth_date); the profile cannot describe a date before the birth."""
        given = data.get("as_of")
        as_of = dt.date.today() if given is None else self._date(given, ("as_of",))
        birth = None if data.get("birth_date") is None else self._date(data["birth_date"], ("birth_date",))
        if birth is not None and as_of < birth:
            if given is None:
                raise self.error(f"birth_date {birth} is after as_of (today, {as_of})", ("birth_date",))
            raise self.error(f"as_of {as_of} is before birth_date {birth}", ("as_of",))
        if birth is not None:
            high = _BODY["age"][1][1]
            if whole_years(birth, as_of) > high:
                raise self.error(f"birth_date {birth} gives an age of {whole_years(birth, as_of)} on {as_of},"
                                 f" outside the plausible range 0 to {number_text(high)} years; a typo?", ("birth_date",))
        return as_of, birth

    def _check_age(self, age: float | None, birth: dt.date | None, as_of: dt.date) -> None:
        """Both given: they must agree, or one of them is a typo."""
        if age is None or birth is None:
            return
        expected = whole_years(birth, as_of)
        if math.floor(age + 1e-9) != expected:
            raise self.error(
                f"age {number_text(age)} does not match birth_date {birth} (age {expected} on {as_of}); give one of them",
                ("age",),
            )

    def _body(self, data: dict, key: str) -> float | None:
        """age (years), height (cm) or weight (kg), in any unit of the right kind."""
        raw = data.get(key)
        if raw is None:
            return None
        path = (key,)
        target, bounds, what, example = _BODY[key]
        value, unit_text = self._number(raw, path)
        if unit_text is None:
            if key != "age":
                raise self.error(f"{key} needs a unit, e.g. {example}", path)
            unit_text = target
        self._unit(unit_text, path)
        if not compatible_units(unit_text, target, None):
            raise self.error(f"{number_text(value)} {unit_text} is not {what}; e.g. {example}", path)
        variable = self.lexicon.variable(key)
        if variable and variable.unit and variable.range and compatible_units(target, variable.unit, None):
            self._check_range(value, unit_text, variable.unit, variable.range, None, path)
        else:
            self._check_range(value, unit_text, target, bounds, None, path)
        return profile_converter(unit_text, target, None)(value)

    def _answers(self, raw: Any) -> dict[str, bool]:
        """Answers by criterion key or id; a mapping under a trial's id (``NCT04711200: {I3: true}``)
        holds that trial's answers, kept as ``NCT04711200/I3``."""
        answers = {}
        for key, value in self._mapping(raw, "answers").items():
            inner = value.items() if isinstance(value, dict) else [(None, value)]
            for sub, answer in inner:
                name, path = (str(key), ("answers", key)) if sub is None else (f"{key}/{sub}", ("answers", key, sub))
                if answer is None:
                    continue
                if not isinstance(answer, bool):
                    raise self.error(f"an answer must be true or false, not {value_kind(answer)}", path)
                answers[name] = answer
        return answers

    def _answer_lines(self, raw: Any) -> dict[str, int]:
        """Where each answer stands, for errors found once the rules are known (``answers.py``)."""
        keys = raw if isinstance(raw, dict) else {}
        paths: list[tuple[str, tuple]] = [(str(k), ("answers", k)) for k in keys if not isinstance(keys[k], dict)]
        paths += [(f"{k}/{sub}", ("answers", k, sub)) for k in keys if isinstance(keys[k], dict) for sub in keys[k]]
        return {name: line for name, path in paths if (line := self.doc.line_of(path)) is not None}

    def _mapping(self, raw: Any, section: str) -> dict:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise self.error(f"{section} must be a mapping (name: value), not {value_kind(raw)}", (section,))
        return raw

    def _section(self, data: dict, section: str, kind: str, noun: str) -> dict[str, Any]:
        """Entries by lexicon id; two spellings of one id are an error, not an overwrite."""
        out: dict[str, Any] = {}
        first: dict[str, Any] = {}
        read = getattr(self, "_" + noun)
        for key, raw in self._mapping(data.get(section), section).items():
            path = (section, key)
            term = self._term(kind, noun, key, path)
            if term.id in first:
                earlier = first[term.id]
                raise self.error(
                    f"{key!s} is the same {noun} as {earlier!s} (line {self.doc.line_of((section, earlier))}); give it once",
                    path,
                )
            first[term.id] = key
            if raw is not None:
                value = read(term, str(key), raw, path)
                if value is not None:
                    out[term.id] = value
                    for broader in _broader_by_code(kind, str(key)):  # E11.9: type 2 diabetes and diabetes
                        out.setdefault(broader.id, value.model_copy(update={"condition": broader.id}))
        return out

    def _term(self, kind: str, noun: str, key: Any, path: Path_) -> Any:
        name = str(key)
        term = getattr(self.lexicon, kind)(name) or _by_code(kind, name)
        if term is None:
            suggestion = self.lexicon.suggest(kind, name)  # type: ignore[arg-type]
            hint = f"; did you mean {suggestion}?" if suggestion else " (add it to the lexicon if it is real)"
            raise self.error(f"unknown {noun} {quote(name)}{hint}", path)
        return term

    def _measurement(self, variable: Variable, name: str, raw: Any, path: Path_) -> Measurement:
        if variable.kind == "demographic":
            raise self.error(f"{name} is not a measurement; give it at the top level ({name}: ...)", path)
        raw = profile_titre(variable.unit, raw)  # "1:160" or 160 for a titre (screener.titres)
        titre = titre_elsewhere(self.lexicon, variable, raw)
        if titre is not None:
            raise self.error(titre, path)
        if isinstance(raw, str):  # "52 %": read and checked once per lexicon (a clinic list repeats its values)
            read = self.lexicon.__dict__.setdefault("_read_values", {})
            key = (variable.id, raw)
            found = read.get(key)
            if found is None:
                value, unit_text = self._number(raw, path)
                unit = self._fit(variable, name, value, unit_text, path)
                if kind_problem(variable.id, unit_text) is None:  # else never compared (unit_kinds), nor judged here
                    self._check_range(value, unit_text, variable.unit, variable.range, variable.analyte, path)
                if len(read) >= READ_VALUES_KEPT:
                    read.clear()
                found = read[key] = (value, unit)
            return built(Measurement, {  # every field is made here, checked above: no validation needed
                "variable": variable.id, "name": name, "value": float(found[0]), "unit": found[1], "uln": None, "lln": None,
                "date": None, "line": self.doc.line_of(path), "note": None})
        fields: dict[str, Any] = {}
        if isinstance(raw, dict):
            value, unit_text, fields = self._measurement_mapping(raw, path)
        else:
            value, unit_text = self._number(raw, path)
        unit = self._fit(variable, name, value, unit_text, path)
        if kind_problem(variable.id, unit_text) is None:
            self._check_range(value, unit_text, variable.unit, variable.range, variable.analyte, path)
        for limit in ("uln", "lln"):
            if fields.get(limit) is not None:
                fields[limit] = self._limit(variable, fields[limit], unit_text, path + (limit,))
                self._check_range(fields[limit], unit_text, variable.unit, variable.range, variable.analyte,
                                  path + (limit,))
        if fields.get("uln") is not None and fields.get("lln") is not None and fields["lln"] >= fields["uln"]:
            raise self.error(f"lln {number_text(fields['lln'])} is not below uln {number_text(fields['uln'])}", path + ("lln",))
        return Measurement(variable=variable.id, name=name, value=value, unit=unit,
                           line=self.doc.line_of(path), **fields)

    def _measurement_mapping(self, raw: dict, path: Path_) -> tuple[float, str | None, dict[str, Any]]:
        """{value, unit, uln, lln, date} -> (value, unit text, other fields)."""
        self._check_keys(raw, _MEASUREMENT_KEYS, path)
        if raw.get("value") is None:
            raise self.error("value is missing, e.g. {value: 28, unit: U/L}", path)
        value, unit_text = self._number(raw["value"], path + ("value",))
        if raw.get("unit") is not None:
            if unit_text is not None:
                raise self.error(f"the unit is given twice ({quote(unit_text)} in value and unit: {quote(raw['unit'])})",
                                 path + ("unit",))
            if not isinstance(raw["unit"], str):
                raise self.error(f"unit must be text, e.g. U/L, not {value_kind(raw['unit'])}", path + ("unit",))
            unit_text = raw["unit"].strip() or None
        fields: dict[str, Any] = {"uln": raw.get("uln"), "lln": raw.get("lln")}
        if raw.get("date") is not None:
            fields["date"] = self._past(self._date(raw["date"], path + ("date",)), path + ("date",))
        return value, unit_text, fields

    def _fit(self, variable: Variable, name: str, value: float, unit_text: str | None, path: Path_) -> str | None:
        """The display unit, after checking it measures what the variable is."""
        unit = self._unit(unit_text, path)
        if unit is not None and unit.relative:
            raise self.error(
                f"{number_text(value)} {unit.display} is a multiple of a limit; give the measured value"
                f" in {variable.unit or 'its unit'} and the limit as uln/lln", path)
        if variable.unit is None:
            if unit is not None:
                raise self.error(f"{name} is a unitless score; write {number_text(value)} without a unit"
                                 f" (not {unit.display})", path)
            return None
        if unit is None or unit_text is None:
            raise self.error(f"{number_text(value)} has no unit; expected {variable.unit} (or a compatible unit)", path)
        if not compatible_units(unit_text, variable.unit, variable.analyte, variable.bsa_normalised):
            raise self.error(f"{number_text(value)} {unit.display} is not compatible with {variable.unit}", path)
        return unit.display

    def _limit(self, variable: Variable, raw: Any, unit_text: str | None, path: Path_) -> float:
        """uln/lln in the measurement's unit: a bare number is already in it."""
        value, given = self._number(raw, path)
        if given is None:
            return value
        unit = self._unit(given, path)
        assert unit is not None
        if unit_text is None:
            raise self.error(f"the value is unitless, so the limit must be a plain number (not {unit.display})", path)
        if unit.relative or not compatible_units(given, unit_text, variable.analyte, variable.bsa_normalised):
            raise self.error(f"{number_text(value)} {unit.display} is not compatible with {unit_text}", path)
        return profile_converter(given, unit_text, variable.analyte)(value)

    def _condition(self, term: Any, name: str, raw: Any, path: Path_) -> ConditionState | None:
        """true / false / present|past|absent|unknown / {status, diagnosed, ended}."""
        dates: dict[str, dt.date] = {}
        if isinstance(raw, bool):
            status: str | None = "present" if raw else "absent"
        elif isinstance(raw, str):
            status = self._status(raw, path, allow_unknown=True)
        elif isinstance(raw, dict):
            self._check_keys(raw, _CONDITION_KEYS, path)
            if raw.get("status") is None:
                raise self.error("status is missing: present, past or absent", path)
            status = self._status(raw["status"], path + ("status",), allow_unknown=False)
            assert status is not None  # allow_unknown=False: a status or an error
            for key in ("diagnosed", "ended"):
                if raw.get(key) is not None:
                    dates[key] = self._past(self._date(raw[key], path + (key,)), path + (key,))
            self._check_condition_dates(status, dates, path)
        else:
            raise self.error(f"expected true, false, a status (present, past, absent) or {{status: ...}},"
                             f" not {value_kind(raw)}", path)
        if status is None:
            return None
        return built(ConditionState, {  # every field is made here, checked above: no validation needed
            "condition": term.id, "name": name, "status": status, "diagnosed": dates.get("diagnosed"),
            "ended": dates.get("ended"), "line": self.doc.line_of(path)})

    def _status(self, raw: Any, path: Path_, allow_unknown: bool) -> str | None:
        word = raw.strip().casefold() if isinstance(raw, str) else None
        if word in _STATUSES:
            return word
        if allow_unknown and word == "unknown":
            return None
        raise self.error(f"status must be present, past or absent, not {value_kind(raw)}", path)

    def _check_condition_dates(self, status: str, dates: dict[str, dt.date], path: Path_) -> None:
        """Dates that contradict the status are a sign of a mistake."""
        if status == "absent" and dates:
            raise self.error(f"an absent condition has no {' or '.join(dates)} date", path + (next(iter(dates)),))
        if status == "present" and "ended" in dates:
            raise self.error("a present condition has not ended; use status: past", path + ("ended",))
        if "diagnosed" in dates and "ended" in dates and dates["ended"] < dates["diagnosed"]:
            raise self.error(f"ended {dates['ended']} is before diagnosed {dates['diagnosed']}", path + ("ended",))

    def _event(self, term: Any, name: str, raw: Any, path: Path_) -> dt.date:
        return self._past(self._date(raw, path), path)

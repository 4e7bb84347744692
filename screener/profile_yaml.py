"""A ``Patient`` written back as a YAML profile (``screener convert``).

The profile reads back to the same patient (``load_patient``): numbers keep every digit,
strings are quoted, keys are lexicon ids.  What YAML profiles cannot hold (which record
value was chosen, what was not used, notes) is kept as comments, so a coordinator can
review and complete a profile made from a record before screening with it.
"""

from __future__ import annotations

import json
from typing import Iterable

from .patient import Patient


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _num(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _comment(lines: Iterable[str]) -> list[str]:
    return [f"# {line}" for line in lines]


def profile_yaml(patient: Patient, header: Iterable[str] = ()) -> str:
    """The profile as YAML text, with ``header`` lines as comments on top."""
    out = _comment(header)
    out.append(f"id: {_q(patient.id)}")
    if patient.sex:
        out.append(f"sex: {patient.sex}")
    if patient.birth_date:
        out.append(f"birth_date: {patient.birth_date.isoformat()}")
    elif patient.age is not None:
        out.append(f"age: {_num(patient.age)} years")
    out.append(f"as_of: {patient.as_of.isoformat()}")
    if patient.height_cm is not None:
        out.append(f"height: {_num(patient.height_cm)} cm")
    if patient.weight_kg is not None:
        out.append(f"weight: {_num(patient.weight_kg)} kg")
    if patient.measurements:
        out.append("measurements:")
        for key, m in patient.measurements.items():
            fields = [f"value: {_num(m.value)}"]
            fields += [f"unit: {_q(m.unit)}"] if m.unit else []
            fields += [f"{name}: {_num(limit)}" for name, limit in (("lln", m.lln), ("uln", m.uln)) if limit is not None]
            fields += [f"date: {m.date.isoformat()}"] if m.date else []
            note = f"  # {m.note}" if m.note else ""
            out.append(f"  {key}: {{{', '.join(fields)}}}{note}")
    if patient.conditions:
        out.append("conditions:")
        for key, c in patient.conditions.items():
            fields = [f"status: {c.status}"]
            fields += [f"{name}: {day.isoformat()}" for name, day in (("diagnosed", c.diagnosed), ("ended", c.ended)) if day]
            out.append(f"  {key}: {{{', '.join(fields)}}}")
    if patient.events:
        out.append("events:")
        out += [f"  {key}: {day.isoformat()}" for key, day in patient.events.items()]
    if patient.answers:
        out.append("answers:")
        out += [f"  {_q(key)}: {str(value).lower()}" for key, value in patient.answers.items()]
    return "\n".join(out) + "\n"

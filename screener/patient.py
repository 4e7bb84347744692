"""Patient profiles: the model, and reading it from the YAML users write.

Keys are resolved through the lexicon (``DLCO``, ``dlco``, ``diffusing capacity`` are the
same variable); every value is checked for unit dimension and plausible range so that a
typo is an error with its file and line rather than a silent wrong verdict.

``load_patient(path)`` and ``parse_patient(text, file)`` read profiles like::

    id: SSC-001
    sex: female                 # female | male (F/M, woman/man)
    birth_date: 1971-03-09      # or age: 55 (or "55 years")
    as_of: 2026-11-20           # the date the profile describes; default today
    height: 164 cm
    weight: 58 kg
    measurements:               # "value unit", a bare number for scores, or a mapping
      PASP: 32 mmHg
      mRSS: 24
      ALT: {value: 28, unit: U/L, uln: 40 U/L}     # value, unit, uln, lln, date
    conditions:                 # true, false, present|past|absent|unknown, or a mapping
      malignancy: {status: past, ended: 2021-05-01}  # status, diagnosed, ended
    events:
      hospital admission: 2026-11-15
    answers:                    # manual criteria, by criterion id
      I3: true

Every problem is a ``PatientError`` with file, line and dotted field.  The choices the
format leaves open are listed above ``TOP_KEYS`` in ``profile_reader``; the model is in
``patient_model``, the checks of single values in ``profile_values``.
"""

from __future__ import annotations

from pathlib import Path

from .errors import PatientError
from .lexicon import get_lexicon
from .patient_model import ConditionState, Measurement, Patient
from .profile_reader import READ_VALUES_KEPT, TOP_KEYS, ProfileReader
from .profile_values import REFERENCE_BSA_M2, parse_number
from .yamlio import parse_yaml, printable_name, read_text

__all__ = ["READ_VALUES_KEPT", "REFERENCE_BSA_M2", "TOP_KEYS", "ConditionState", "Measurement", "Patient", "ProfileReader",
           "load_patient", "parse_number", "parse_patient"]


def load_patient(path: str | Path) -> Patient:
    """Read a profile file; a missing ``id`` defaults to the file name without extension
    (profiles are usually stored one per patient, named by patient)."""
    text = read_text(path, PatientError)
    return parse_patient(text, file=printable_name(path), default_id=Path(path).stem)


def parse_patient(text: str, file: str | None = None, *, default_id: str | None = None) -> Patient:
    """Read a profile from YAML text; ``file`` only labels errors.

    ``id`` is required unless ``default_id`` is given.  Every problem raises
    ``PatientError`` with file, line and the dotted field (``measurements.PASP``).
    """
    document = parse_yaml(text, file=file, cls=PatientError)
    return ProfileReader(document, get_lexicon()).patient(default_id)

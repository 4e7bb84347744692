"""Fuzzing the two readers of outside text: the compiler (mutated eligibility text) and the
patient reader (mutated profiles, YAML and CSV).  Whatever the input: no exception but a
located ``InputError``, compiled rules that read back equal with every criterion's text
equal to its source span, and bounded time per input.  CI runs a few hundred examples;
``benchmarks/bench_fuzz.py`` runs the long campaign on the corpus."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screener.cohort import iter_patients
from screener.compiler import compile_criteria
from screener.errors import InputError
from screener.patient import parse_patient
from screener.rules import dump_rules, parse_rules
from screener.yamlio import RULES_LIMITS, parse_yaml

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = parse_yaml((ROOT / "tests" / "fixtures" / "corpus_golden.yaml").read_text(encoding="utf-8"),
                    limits=RULES_LIMITS).data
TEXTS = [trial["criteria"] for trial in GOLDEN["trials"]] + [
    path.read_text(encoding="utf-8") for path in sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))]
PROFILES = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "examples" / "patients").glob("*.yaml"))]
CSV = ("id,sex,age,as_of,height (cm),weight,PASP (mmHg),creatinine [umol/L],HIV,hospital admission\n"
       "P-1,F,55,2026-11-20,164,58 kg,32,80,no,2026-11-15\nP-2,M,61,2026-11-20,178,81 kg,,95,past,\n")

PIECES = ["\r", "\n", "\r\n", "\t", "\x00", "\x1b[31m", "\x85", "\u2028", "\ufeff", "\ud800", "\ufffd", ":", "- ", "#",
          "'", '"', "{", "[", "&a", "*a", "!!python/object", "? ", "|", ">", "%", "@", "`", "~", "---", "...",
          " < ", ">=", " x ULN", " or ", " and ", " not ", "no ", "within 14 days", "mg/dL", "x10^9/L", "/mm3",
          "1e400", "9" * 60, "-1", ".nan", ".inf", "150.000", "1,5", "2026-02-30", "2026-13-01", "1800-01-01",
          "Inclusion Criteria:", "Exclusion Criteria:", "\n* ", "(", ")", "ALT", "creatinine", "age", "PSAP"]


@st.composite
def mutated(draw: st.DrawFn, bases: list[str]) -> str:
    """A base text with a few insertions, deletions, duplications and replacements."""
    text = draw(st.sampled_from(bases))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "random"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "duplicate":
            piece = text[at:at + draw(st.integers(1, 200))]
            text = text[:at] + piece * draw(st.integers(1, 5)) + text[at:]
        else:
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
    return text


FUZZ = settings(max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(mutated(TEXTS))
def test_the_compiler_never_fails_and_its_output_reads_back_equal(text: str) -> None:
    rules = compile_criteria(text)
    back = parse_rules(dump_rules(rules))
    assert back == rules
    readable = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if "\ud800" in text else text
    for criterion in back.criteria:
        assert criterion.span is not None
        start, end = criterion.span
        assert criterion.text == readable[start:end] or criterion.text == "".join(
            "\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text[start:end])


@FUZZ
@given(mutated(PROFILES))
def test_the_patient_reader_returns_a_patient_or_one_located_error(text: str) -> None:
    try:
        parse_patient(text, "p.yaml", default_id="p")
    except InputError as error:
        assert error.file == "p.yaml" and "\n" not in str(error) and len(str(error)) < 400


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(mutated([CSV]))
def test_every_csv_row_ends_as_a_patient_or_an_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clinic.csv"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        entries = list(iter_patients([path]))
    assert entries and all((e.patient is None) != (e.error is None) for e in entries)

"""Long fuzz campaign: mutated corpus criteria through the compiler, mutated profiles through
the patient reader, and hostile inputs timed.

    python benchmarks/bench_fuzz.py [../shared/corpus/trials.jsonl] [--texts N] [--profiles N] [--seed S]

Prints, for each reader: inputs tried, exceptions other than a located InputError (there
should be none), compiled rules that do not read back equal or whose text differs from
their source span (none), the slowest input, and inputs per second; then the time to
compile a 1 MB criterion and to refuse or read a 100,000-key profile.
"""

from __future__ import annotations

import argparse
import random
import time
import traceback
from pathlib import Path

from screener.compiler import compile_criteria
from screener.errors import InputError
from screener.extract import default_extractor
from screener.patient import parse_patient
from screener.rules import dump_rules, parse_rules
from screener.sources import read_sources

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "trials.jsonl"
PIECES = ["\r", "\n", "\r\n", "\t", "\x00", "\x1b[31m", "\x85", "\u2028", "\ufeff", "\ud800", ":", "- ", "#", "'", '"',
          "{", "[", "&a", "*a", "? ", "|", ">", "%", "@", "`", "~", "---", " < ", ">=", " x ULN", " or ", " not ",
          "within 14 days", "mg/dL", "x10^9/L", "/mm3", "1e400", "9" * 60, ".nan", "150.000", "1,5", "2026-02-30",
          "Inclusion Criteria:", "Exclusion Criteria:", "\n* ", "(", ")", "ALT", "creatinine", "age"]


def mutate(text: str, rng: random.Random) -> str:
    """A few insertions, deletions, duplications and random characters."""
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(text))
        kind = rng.choice(["insert", "delete", "duplicate", "random"])
        if kind == "insert":
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + rng.randint(1, 60):]
        elif kind == "duplicate":
            text = text[:at] + text[at:at + rng.randint(1, 300)] * rng.randint(1, 5) + text[at:]
        else:
            text = text[:at] + "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(1, 8))) + text[at:]
    return text


def compile_once(text: str) -> str | None:
    """None when the text compiles and reads back equal, else what went wrong."""
    try:
        rules = compile_criteria(text)
        back = parse_rules(dump_rules(rules))
    except Exception:  # the campaign counts failures instead of stopping on them
        return traceback.format_exc(limit=3)
    if back != rules:
        return "rules read back different"
    shown = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    for criterion in back.criteria:
        if criterion.span and criterion.text != shown[criterion.span[0]:criterion.span[1]]:
            return f"{criterion.id}: text differs from its span"
    return None


def read_once(text: str) -> str | None:
    try:
        parse_patient(text, "p.yaml", default_id="p")
    except InputError as error:
        return None if error.file == "p.yaml" and "\n" not in str(error) else f"badly located error: {error}"
    except Exception:
        return traceback.format_exc(limit=3)
    return None


def campaign(name: str, bases: list[str], count: int, run, rng: random.Random) -> None:
    failures: list[tuple[str, str]] = []
    slowest = (0.0, "")
    started = time.perf_counter()
    for _ in range(count):
        text = mutate(rng.choice(bases), rng)
        began = time.perf_counter()
        problem = run(text)
        elapsed = time.perf_counter() - began
        slowest = max(slowest, (elapsed, text[:60]))
        if problem:
            failures.append((text[:200], problem))
    total = time.perf_counter() - started
    print(f"{name}: {count} inputs in {total:.1f} s ({count / total:.0f}/s); failures {len(failures)};"
          f" slowest {slowest[0] * 1000:.0f} ms")
    for text, problem in failures[:3]:
        print(f"  FAILED on {text!r}\n  {problem}")


def hostile_timings() -> None:
    words = "ALT < 3 x ULN and creatinine <= 1.5 mg/dL or history of malignancy within 5 years, " * 12_000
    began = time.perf_counter()
    compile_criteria("Inclusion Criteria:\n- " + words[:1_000_000])
    print(f"1 MB criterion compiled in {time.perf_counter() - began:.2f} s")
    profile = "id: P\nmeasurements:\n" + "".join(f"  k{i}: 1\n" for i in range(100_000))
    began = time.perf_counter()
    try:
        parse_patient(profile, "big.yaml")
        outcome = "read"
    except InputError as error:
        outcome = f"refused ({error.message})"
    print(f"100,000-key profile {outcome} in {time.perf_counter() - began:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--profiles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    default_extractor()
    sources = read_sources(args.corpus)
    texts = [s.text[s.start:s.end] for s in rng.sample(sources, min(len(sources), 500))]
    profiles = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "patients").glob("*.yaml"))]
    campaign("compiler", texts, args.texts, compile_once, rng)
    campaign("patient reader", profiles, args.profiles, read_once, rng)
    hostile_timings()


if __name__ == "__main__":
    main()

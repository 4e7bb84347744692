"""Golden tests on real corpus trials: every threshold found, and no other (reviewed by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.compiler import compile_source
from screener.rules import Comparison, walk
from screener.sources import Source
from screener.yamlio import load_yaml

GOLDEN = load_yaml(Path(__file__).parent / "fixtures" / "corpus_golden.yaml").data["trials"]


@pytest.mark.parametrize("trial", GOLDEN, ids=[t["id"] for t in GOLDEN])
def test_thresholds_of_corpus_trial(trial: dict) -> None:
    text = trial["criteria"]
    rules = compile_source(Source(text, 0, len(text), trial["id"]))
    found = sorted(
        ([c.section, n.variable, n.op, n.value, n.unit] for c in rules.criteria for n in walk(c.rule) if isinstance(n, Comparison)),
        key=str,
    )
    assert [list(t) for t in dict.fromkeys(map(tuple, found))] == trial["thresholds"]
    for criterion in rules.criteria:
        assert text[criterion.span[0]:criterion.span[1]] == criterion.text


def test_golden_set_spans_every_layout() -> None:
    sources = {t["source"].split("/")[0] for t in GOLDEN}
    assert len(GOLDEN) >= 24 and len(sources) >= 6

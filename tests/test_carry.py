"""screener.carry: a comparator carried over to the next value of a list, on real registry
sentences (trial ids in the comments); and where it must not be carried."""

from __future__ import annotations

import pytest

from screener import compile_criteria
from screener.rules import Comparison, Restrict, walk


def _limits(section: str, text: str) -> set[tuple]:
    heading = "Inclusion Criteria:" if section == "inclusion" else "Exclusion Criteria:"
    rules = compile_criteria(f"{heading}\n\n- {text}\n")
    found = set()
    for criterion in rules.criteria:
        for node in walk(criterion.rule):
            if isinstance(node, Restrict) and isinstance(node.item, Comparison):
                sex = [n.sex for n in walk(node.group) if hasattr(n, "sex")]
                found.add((node.item.variable, node.item.op, node.item.value, node.item.unit, sex[0] if sex else None))
    for criterion in rules.criteria:
        for node in walk(criterion.rule):
            if isinstance(node, Comparison) and not any(f[:4] == (node.variable, node.op, node.value, node.unit) for f in found):
                found.add((node.variable, node.op, node.value, node.unit, None))
    return found


@pytest.mark.parametrize("section, text, expected", [
    # NCT00001239
    ("inclusion", "WBC count greater than 4000/mm3 and platelet count 100,000/mm3",
     {("wbc", ">", 4000, "/mm3", None), ("platelets", ">", 100000, "/mm3", None)}),
    ("inclusion", "ANC >= 1500, platelets 100,000 and hemoglobin 9 g/dL",
     {("neutrophils", ">=", 1500, "/mm3", None), ("platelets", ">=", 100000, "/mm3", None),
      ("hemoglobin", ">=", 9, "g/dL", None)}),
    # NCT00491764
    ("exclusion", "Subject with an electrocardiogram with QTc interval prolongation greater than 450 msec for males and "
     "470 msec for females", {("qtc", ">", 450, "ms", "male"), ("qtc", ">", 470, "ms", "female")}),
    # NCT00001386
    ("inclusion", "Hgb greater than or equal to 12 g/dl for men and 11 gm/dl for women.",
     {("hemoglobin", ">=", 12, "g/dL", "male"), ("hemoglobin", ">=", 11, "g/dL", "female")}),
])
def test_the_comparator_holds_for_the_next_value(section: str, text: str, expected: set[tuple]) -> None:
    assert _limits(section, text) == expected


@pytest.mark.parametrize("text, kept", [
    ("Karnofsky >= 70%, ECOG 2", {("karnofsky", ">=", 70, None, None)}),  # scales run both ways
    ("ANC >= 1500/mm3 or platelets 100,000/mm3", {("neutrophils", ">=", 1500, "/mm3", None)}),  # "or": another limit
    ("Hemoglobin > 9 g/dL, age 18", {("hemoglobin", ">", 9, "g/dL", None)}),  # no lab after the comma
    ("Creatinine < 1.5 mg/dL; platelets 100,000/mm3", {("creatinine", "<", 1.5, "mg/dL", None)}),  # another sentence
])
def test_no_comparator_is_carried_where_the_list_changes(text: str, kept: set[tuple]) -> None:
    assert _limits("inclusion", text) == kept

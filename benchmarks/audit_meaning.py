"""Audit what the compiled rules mean against what the text says, over a corpus of trials.

    python benchmarks/audit_meaning.py [../shared/corpus/trials.jsonl] [--limit N] [--show K]

Counts four kinds of rule that say something other than the text (the target is 0 each):

- ``negated_inclusion_positive``: an inclusion whose text opens with a negation ("No ...",
  "Not ...", "Are not ...") but whose rule requires a condition to be present;
- ``question_under_not``: a review question inside a NOT (its answer would be inverted);
- ``or_bullet_separate``: a bullet ending in "or" compiled as a requirement of its own
  instead of one alternative of the next bullet;
- ``bare_qualified_exclusion``: an exclusion whose rule is decided by a bare condition
  although the text qualifies it ("clinically significant", "uncontrolled", "active"...)
  and no question asks about the qualifier.

Prints the counts, then up to K examples of each (trial, criterion id, text).
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

from screener import rules as model
from screener.compiler import compile_source
from screener.extract import default_extractor
from screener.rules import AllOf, AnyOf, Condition, Criterion, Manual, Node, Not, RuleSet, walk
from screener.sources import read_sources
from screener.yamlio import parse_yaml

# kinds that older rule models lack: the audit also runs against a checkout from before them
Readings, Restrict, Unless = (getattr(model, name, type(name, (), {})) for name in ("Readings", "Restrict", "Unless"))
SCOPE = Path(__file__).resolve().parents[1] / "screener" / "data" / "scope.yaml"

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"
KINDS = ("negated_inclusion_positive", "question_under_not", "or_bullet_separate", "bare_qualified_exclusion")

_NEGATED = re.compile(
    r"^[\s\-*•\d.)]*(?:(?:patients?|subjects?|participants?|are|is|must|should|have|has|be)\s+){0,3}"
    r"(?:no|not|without|absence\s+of|free\s+of|negative\s+for|never)\b(?!\s+(?:more|less|greater|fewer|lower|higher|older|younger)\b)",
    re.I,
)
_OR_END = re.compile(r"(?<![\w/])or\s*[:,;.]?\s*$", re.I)
_QUALIFIER = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(str(q)) for q in parse_yaml(SCOPE.read_text(encoding="utf-8")).data["qualifiers"]) + r")(?![\w-])",
    re.I,
)


def _positive_conditions(node: Node, negations: int = 0):
    """Conditions the rule requires present (under an even number of NOTs), not counting
    the group of a restriction, the escape of an exception or example lists (any-of with a question)."""
    if isinstance(node, Condition):
        if negations % 2 == 0:
            yield node
    elif isinstance(node, Not):
        yield from _positive_conditions(node.item, negations + 1)
    elif isinstance(node, Restrict):
        yield from _positive_conditions(node.item, negations)
    elif isinstance(node, Unless):
        yield from _positive_conditions(node.item, negations)
    elif isinstance(node, (AllOf, AnyOf, Readings)):
        if isinstance(node, AnyOf) and any(isinstance(i, Manual) for i in node.items):
            return  # "X or something to review": never decided by X alone
        for item in node.items:
            yield from _positive_conditions(item, negations)


def _questions_under_not(node: Node) -> int:
    return sum(1 for n in walk(node) if isinstance(n, Not) for m in walk(n.item) if isinstance(m, Manual))


def audit_criterion(criterion: Criterion, source_text: str) -> list[str]:
    """The kinds of mismatch one criterion shows."""
    found = []
    rule = criterion.rule
    has_question = any(isinstance(n, Manual) for n in walk(rule))
    if criterion.section == "inclusion" and criterion.field is None and _NEGATED.match(criterion.text):
        if any(True for _ in _positive_conditions(rule)) and not has_question:
            found.append("negated_inclusion_positive")
    if _questions_under_not(rule):
        found.append("question_under_not")
    if criterion.field is None and _OR_END.search(criterion.text) and criterion.span is not None:
        following = source_text[criterion.span[1]:criterion.span[1] + 400]
        if re.search(r"\n\s*(?:[-*•]|\d+[.)])\s*\w", following) and not re.match(r"\s*\n\s*\n\s*\w[^\n]*criteria", following, re.I):
            found.append("or_bullet_separate")
    if criterion.section == "exclusion" and not has_question and _bare_qualified(criterion):
        found.append("bare_qualified_exclusion")
    return found


def _bare_qualified(criterion: Criterion) -> bool:
    """A qualifier in the few words before a condition, read by no condition of the rule."""
    offset = criterion.span[0] if criterion.span else 0
    conditions = [n for n in walk(criterion.rule) if isinstance(n, Condition) and n.span is not None]
    read = [(n.span[0] - offset, n.span[1] - offset) for n in conditions]  # type: ignore[index]
    for start, _ in read:
        window = max(0, start - 30)
        clause_start = window + criterion.text[window:start].rfind(",") + 1
        for match in _QUALIFIER.finditer(criterion.text, clause_start, max(0, start)):
            if not any(a <= match.start() < b for a, b in read):
                return True
    return False


def audit(rules: RuleSet, source_text: str) -> dict[str, list[str]]:
    """Criterion ids of the rule set by kind of mismatch."""
    out: dict[str, list[str]] = defaultdict(list)
    for criterion in rules.criteria:
        for kind in audit_criterion(criterion, source_text):
            out[kind].append(criterion.id)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT))
    parser.add_argument("--limit", type=int, default=0, help="audit only the first N trials")
    parser.add_argument("--show", type=int, default=5, help="examples to print per kind")
    args = parser.parse_args()
    sources = read_sources(args.corpus)
    if args.limit:
        sources = sources[: args.limit]
    extractor = default_extractor()
    counts: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    started = time.perf_counter()
    for source in sources:
        rules = compile_source(source, extractor)
        for kind, ids in audit(rules, source.text).items():
            counts[kind] += len(ids)
            for criterion_id in ids:
                if len(examples[kind]) < args.show:
                    text = rules.criterion(criterion_id).text
                    examples[kind].append(f"{source.trial_id} {criterion_id}: {' '.join(text.split())[:160]}")
    elapsed = time.perf_counter() - started
    print(f"trials {len(sources)} in {elapsed:.1f} s")
    for kind in KINDS:
        print(f"{kind:28s} {counts[kind]}")
    for kind in KINDS:
        for line in examples[kind]:
            print(f"  [{kind}] {line}")


if __name__ == "__main__":
    main()

"""What to collect next, ranked by how much it can decide.

A coordinator has time for a few questions.  Each data item still missing is ranked:
first the items that alone could change the verdict (a value that could make one
criterion exclude the patient, or settle the last undecided criterion either way), then
the rest, each once.  Nothing that cannot matter is asked: no item when the patient is
already ineligible on decided data (filling an unknown never undoes a decided failure in
three-valued logic), no condition that the patient's known sex rules out (the lexicon's
``sex``).  All answers to one criterion are one item (an answer answers the criterion).

Decisiveness is found by re-evaluating each undecided criterion's rule tree (``whatif``) with the
leaves that need the item set to met and not met, the other leaves as they were.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Container, Iterable, Iterator

from .evaluate import MET, NOT_MET, UNKNOWN, CriterionResult, NodeResult, Result, Status, outcome_of
from .lexicon import get_lexicon
from .rules import Condition, Criterion, Manual, Node, RuleSet
from .stable_ids import filled
from .whatif import Tree, align, evaluate

MAX_COMBINATIONS = 64
"""Leaves one item touches in one criterion beyond which only "all met" and "all not met" are tried."""


@dataclass
class CollectItem:
    """One thing to find out: ``text`` to show, the ``criteria`` it helps decide, and whether
    it is ``decisive`` (alone it could change the verdict)."""

    key: str
    text: str
    criteria: list[str] = field(default_factory=list)
    decisive: bool = False
    confirm: bool = False
    """A decided datum an ineligible verdict rests on (``confirm``), not a missing one."""

    def line(self) -> str:
        """"FVC (for I3, E2; decisive)", "PASP 61 mmHg, above 55 mmHg (for E1; to confirm)"."""
        note = "; to confirm" if self.confirm else "; decisive" if self.decisive else ""
        return f"{self.text} (for {', '.join(self.criteria)}{note})"


def rank(rules: RuleSet, result: Result, sex: str | None = None) -> list[CollectItem]:
    """The items to collect, most decisive first; empty when the verdict is decided."""
    if result.verdict != "needs_review":
        return []
    return rank_undecided(rules, [c for c in result.criteria if c.outcome == "review"], sex)


def rank_undecided(rules: RuleSet, review: list[CriterionResult], sex: str | None = None,
                   kept: Container[int] = ()) -> list[CollectItem]:
    """The items that would decide the undecided criteria ``review`` (every one that needs
    review, explained), most decisive first: ``rank`` for a partial result (``screen``).
    ``kept``: the ids of results that live as long as their plan (shared by every patient
    with the same facts, ``Step.kept``), whose items are found once."""
    rules_by_id = _criteria_of(rules)
    items: dict[str, CollectItem] = {}
    only = len(review) == 1
    for checked in review:
        criterion = rules_by_id.get(checked.id)
        if id(checked) in kept:
            for key, text, decisive in _items_kept(criterion, checked, sex, only):
                item = items.setdefault(key, CollectItem(key, text))
                if checked.id not in item.criteria:
                    item.criteria.append(checked.id)
                item.decisive = item.decisive or decisive
        else:
            _items(criterion, checked, sex, items, only)
    ordered = list(items.values())
    return [i for i in ordered if i.decisive] + [i for i in ordered if not i.decisive]


_KEYED: dict[int, tuple[RuleSet, dict[str, Criterion]]] = {}


def _criteria_of(rules: RuleSet) -> dict[str, Criterion]:
    """The rule set's criteria by id, with their stable keys (computed once per rule set)."""
    cached = _KEYED.get(id(rules))
    if cached is None or cached[0] is not rules:
        if len(_KEYED) > 256:
            _KEYED.clear()
        cached = _KEYED[id(rules)] = (rules, {c.id: c for c in filled(rules).criteria})
    return cached[1]


def _items(criterion: Criterion | None, checked: CriterionResult, sex: str | None, items: dict[str, CollectItem],
           only: bool) -> None:
    aligned = _aligned(criterion, checked.details) if criterion is not None else None
    if criterion is None or aligned is None:  # cannot align: list its items, undecided
        _collect(None, None, checked, [None] * len(checked.details), sex, items, only=False)
    else:
        _collect(criterion, aligned[0], checked, aligned[1], sex, items, only=only)


_KEPT_ITEMS: dict[tuple, tuple[CriterionResult, Node | None, list[tuple[str, str, bool]]]] = {}


def _items_kept(criterion: Criterion | None, checked: CriterionResult, sex: str | None,
                only: bool) -> list[tuple[str, str, bool]]:
    """(key, text, decisive) of what would decide one kept result, found once (whether an
    item is decisive for one criterion does not depend on the others)."""
    memo = (id(checked), sex, only)
    rule = criterion.rule if criterion is not None else None
    cached = _KEPT_ITEMS.get(memo)
    if cached is None or cached[0] is not checked or cached[1] is not rule:
        items: dict[str, CollectItem] = {}
        _items(criterion, checked, sex, items, only)
        if len(_KEPT_ITEMS) > 4096:
            _KEPT_ITEMS.clear()
        cached = _KEPT_ITEMS[memo] = (checked, rule, [(key, item.text, item.decisive) for key, item in items.items()])
    return cached[2]


_ALIGNED: dict[tuple, tuple[Node, tuple[Tree, list[Node | None]] | None]] = {}


def _aligned(criterion: Criterion, details: list[NodeResult]) -> tuple[Tree, list[Node | None]] | None:
    """``whatif.align``, remembered per rule and pattern of explained leaves."""
    memo = (id(criterion.rule), tuple((d.kind, d.status) for d in details))
    cached = _ALIGNED.get(memo)
    if cached is None or cached[0] is not criterion.rule:
        if len(_ALIGNED) > 16384:
            _ALIGNED.clear()
        cached = _ALIGNED[memo] = (criterion.rule, align(criterion.rule, details))
    return cached[1]


def _collect(criterion: Criterion | None, tree: Tree | None, checked: CriterionResult, leaves: list[Node | None],
             sex: str | None, items: dict[str, CollectItem], only: bool) -> None:
    statuses: list[Status] = [_trusted(d) for d in checked.details]
    needs: dict[str, list[int]] = {}
    for index, (node, detail) in enumerate(zip(leaves, checked.details)):
        if statuses[index] != UNKNOWN:
            continue
        if _ruled_out(node, sex):
            statuses[index] = NOT_MET  # a condition the patient's sex cannot have
            continue
        for key, text in _wanted(node, detail, checked, _key_of(criterion, checked)):
            needs.setdefault(key, []).append(index)
            item = items.setdefault(key, CollectItem(key, text))
            if checked.id not in item.criteria:
                item.criteria.append(checked.id)
    if criterion is None or tree is None:
        return
    for key, indexes in needs.items():
        if not items[key].decisive and _decisive_cached(criterion, tree, checked.details, statuses, indexes, only):
            items[key].decisive = True


def _key_of(criterion: Criterion | None, checked: CriterionResult) -> str | None:
    return criterion.key if criterion is not None else checked.key


_DECISIVE: dict[tuple, tuple[Node, bool]] = {}


def _decisive_cached(criterion: Criterion, tree: Tree, details: list[NodeResult], statuses: list[Status],
                     indexes: list[int], only: bool) -> bool:
    """``_decisive``, remembered: a cohort repeats the same few patterns of unknown leaves
    (the explained statuses are in the key: they shape the tree)."""
    memo = (id(criterion.rule), tuple(d.status for d in details), tuple(statuses), tuple(indexes), only)
    cached = _DECISIVE.get(memo)
    if cached is None or cached[0] is not criterion.rule:
        if len(_DECISIVE) > 65536:
            _DECISIVE.clear()
        cached = _DECISIVE[memo] = (criterion.rule, _decisive(criterion, tree, statuses, indexes, only))
    return cached[1]


def _trusted(detail: NodeResult) -> Status:
    """A leaf's status, unknown when it rests on a default (it is to be confirmed)."""
    return UNKNOWN if detail.assumed else detail.status


def _ruled_out(node: Node | None, sex: str | None) -> bool:
    if not isinstance(node, Condition) or sex is None:
        return False
    term = get_lexicon().conditions.get(node.condition)
    return term is not None and term.sex is not None and term.sex != sex


def _wanted(node: Node | None, detail: NodeResult, checked: CriterionResult, key: str | None) -> Iterator[tuple[str, str]]:
    """(dedup key, text) of what would decide this leaf; an answer is asked by the criterion's
    stable ``key``, the id to write under ``answers:`` in the profile."""
    if isinstance(node, Manual) or detail.kind == "manual":  # one answer decides the whole criterion
        yield f"answer:{checked.id}", f"answer yes/no to {key or checked.id}"
        return
    for text in (*detail.missing, *detail.assumed):
        yield text, text


def _decisive(criterion: Criterion, tree: Tree, statuses: list[Status], indexes: list[int], only: bool) -> bool:
    """Whether setting the leaves in ``indexes`` (others as they are) can make the criterion
    fail, or, when it is the last undecided one, pass."""
    assignments: Iterable[tuple[Status, ...]]
    if len(indexes) <= 6:
        assignments = itertools.product((MET, NOT_MET), repeat=len(indexes))
    else:
        assignments = iter([(MET,) * len(indexes), (NOT_MET,) * len(indexes)])
    for assignment in itertools.islice(assignments, MAX_COMBINATIONS):
        trial = list(statuses)
        for index, status in zip(indexes, assignment):
            trial[index] = status
        outcome = outcome_of(criterion.section, evaluate(tree, trial))
        if outcome == "fail" or (only and outcome == "pass"):
            return True
    return False


def confirm(rules: RuleSet, result: Result) -> list[CollectItem]:
    """What could overturn an ineligible verdict (see ``confirm_failing``); empty otherwise."""
    if result.verdict != "ineligible":
        return []
    return confirm_failing(rules, [c for c in result.criteria if c.outcome == "fail"])


def confirm_failing(rules: RuleSet, failing: list[CriterionResult]) -> list[CollectItem]:
    """The decided data that could overturn an ineligible verdict, to confirm before a
    patient is ruled out (a value near its limit may be re-measured, a record or an answer
    may be wrong): the data such that, were each otherwise, no criterion would fail any
    more.  With one failing criterion, the data that decided it; with several, only data
    they all rest on (usually none: no single item could then overturn the verdict, and
    nothing is listed)."""
    if not failing:
        return []
    keys = _criteria_of(rules)
    first = _overturning(keys.get(failing[0].id), failing[0])
    shared = list(first)
    for checked in failing[1:]:
        if not shared:  # nothing left that all rest on: the others need not be asked
            return []
        found = _overturning(keys.get(checked.id), checked)
        shared = [key for key in shared if key in found]
    ids = [c.id for c in failing]
    return [CollectItem(key, first[key].text, list(ids), confirm=True) for key in shared]


_FLIP = {MET: NOT_MET, NOT_MET: MET}


def _overturning(criterion: Criterion | None, checked: CriterionResult) -> dict[str, CollectItem]:
    """The data of a failing criterion that, were each otherwise (its leaves' statuses
    flipped, the others as they are), would leave it failing no more; where the rule and
    its explained leaves do not align, the leaves with the failing status."""
    key = _key_of(criterion, checked)
    groups: dict[str, tuple[str, list[int]]] = {}
    for index, leaf in enumerate(checked.details):
        if leaf.kind not in _NOT_DATA and leaf.status != UNKNOWN:
            item_key, text = _decided_item(leaf, checked, key)
            groups.setdefault(item_key, (text, []))[1].append(index)
    aligned = _aligned(criterion, checked.details) if criterion is not None else None
    if aligned is None:
        return {k: CollectItem(k, text, confirm=True) for k, text in
                (_decided_item(leaf, checked, key) for leaf in _deciding_leaves(checked))}
    statuses = [d.status for d in checked.details]
    found: dict[str, CollectItem] = {}
    for item_key, (text, indexes) in groups.items():
        trial = list(statuses)
        for index in indexes:
            trial[index] = _FLIP[trial[index]]
        if outcome_of(checked.section, evaluate(aligned[0], trial)) != "fail":
            found[item_key] = CollectItem(item_key, text, confirm=True)
    return found


_NOT_DATA = frozenset({"none", "restrict", "readings", "all", "any", "manual"})
"""Leaf kinds that hold no datum of the patient (no requirement, outside a group, a slip)."""


def _deciding_leaves(checked: CriterionResult) -> list[NodeResult]:
    """The decided data leaves with the status that makes the criterion fail; all its
    decided data leaves where none has it (a negation between them and the criterion)."""
    wanted = NOT_MET if checked.section == "inclusion" else MET
    data = [d for d in checked.details if d.kind not in _NOT_DATA and d.status != UNKNOWN]
    return [d for d in data if d.status == wanted] or data


_STATUS_WORD = re.compile(r":\s*(?:not met|met)\b")


def _decided_item(leaf: NodeResult, checked: CriterionResult, key: str | None) -> tuple[str, str]:
    """(dedup key, text): "PASP 61 mmHg, above 55 mmHg (assumes ...)", "answer yes to E-...-fcdf"."""
    if leaf.kind == "answer":
        return f"answer:{checked.id}", f"answer {leaf.given or ''} given to {key or checked.id}".replace("  ", " ")
    text = " ".join(_STATUS_WORD.sub("", leaf.explanation, count=1).split())
    return leaf.variable or text, text


def ranked_result(rules: RuleSet, result: Result, sex: str | None = None) -> Result:
    """A copy of ``result`` whose ``to_collect`` is ranked (see ``rank``); for an ineligible
    result, only what could overturn it, to confirm (see ``confirm``)."""
    items = confirm(rules, result) if result.verdict == "ineligible" else rank(rules, result, sex)
    return result.model_copy(update={"to_collect": [item.line() for item in items]})


__all__ = ["CollectItem", "confirm", "confirm_failing", "rank", "rank_undecided", "ranked_result"]

"""Rule nodes the item reader makes most, from values it already holds in their fields' types.

Reading an item makes a question for most items, a condition for each one named, and an
"and"/"or" of what was read with a question on the words left: validating those values
again (a string, a span of two ints, nodes already made) was a tenth of reading an item.
Each function here gives the node validation would give, every field set
(``screener.lazy.built``); ``tests/test_sentence_shortcuts.py`` checks they are equal.
"""

from __future__ import annotations

from .lazy import built
from .rules import AllOf, AnyOf, Condition, Duration, Manual, Node, Span


def manual(question: str, span: Span | None) -> Manual:
    """``Manual(question=question, span=span)``."""
    return built(Manual, {"span": span, "text": None, "kind": "manual", "question": question, "id": None, "key": None})


def condition(condition_id: str, label: str | None, timing: str, within: Duration | None, span: Span | None) -> Condition:
    """``Condition(condition=..., label=..., timing=..., within=..., span=...)``; ``timing`` is
    "current" or "history"."""
    return built(Condition, {"span": span, "text": None, "kind": "condition", "condition": condition_id, "label": label,
                             "timing": timing, "within": within})


def all_of(items: list[Node], span: Span | None) -> AllOf:
    """``AllOf(items=items, span=span)``, on a list of its own."""
    return built(AllOf, {"span": span, "text": None, "kind": "all", "items": list(items)})


def any_of(items: list[Node], span: Span | None) -> AnyOf:
    """``AnyOf(items=items, span=span)``, on a list of its own."""
    return built(AnyOf, {"span": span, "text": None, "kind": "any", "items": list(items)})

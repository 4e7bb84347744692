"""Exceptions that carve kinds out of a condition: "Malignancy other than Kaposi's sarcoma",
"History of cancer (with the exception of basal cell carcinoma)".

"X unless Y" is an escape: X AND NOT Y (``Unless``).  When Y names kinds of X (the lexicon's
``broader`` links say so), the text means "some X that is not Y", so any other known kind of
X present decides it even while Y is unknown: a lymphoma is a malignancy other than Kaposi's
sarcoma.  The rule is written out as

    (X unless Y) OR (X AND (K1 OR K2 ...))

with K1, K2... the other kinds of X the lexicon knows (not Y, nothing under Y, nothing Y
is a kind of; the broadest of them, since a profile with a narrower kind has the broader
one too), each read with X's timing and window.  This is X AND NOT Y whenever no
other kind is known, and "met" when one is; no NOT ever wraps a question of Y.
"""

from __future__ import annotations

from . import readnodes as made
from .implied import broader_ids
from .lexicon import Lexicon
from .rules import AllOf, AnyOf, Condition, Manual, Node, Span, Unless, walk


def escape(item: Node, exception: Node, lexicon: Lexicon, span: Span | None) -> Node:
    """The rule for "``item`` unless/except/other than ``exception``" in an exclusion sense."""
    kinds = _other_kinds(item, exception, lexicon)
    if not kinds or not isinstance(item, Condition):
        return made.unless(item, exception, span)
    others: list[Node] = [Condition(condition=k, label=lexicon.conditions[k].label, timing=item.timing, within=item.within,
                                    span=item.span) for k in kinds]
    other = others[0] if len(others) == 1 else made.any_of(others, item.span)
    return made.any_of([made.unless(item, exception, span), made.all_of([item, other], item.span)], span)


def _other_kinds(item: Node, exception: Node, lexicon: Lexicon) -> list[str]:
    """The kinds of ``item``'s condition outside what ``exception`` names; none when the
    exception names no kind of it (then it is a plain escape)."""
    if not isinstance(item, Condition):
        return []
    excepted = _within(exception)
    if not excepted:
        return []
    if not any(item.condition in broader_ids(lexicon, e) for e in excepted):
        return []
    near = {a for e in excepted for a in broader_ids(lexicon, e)}  # what an excepted kind is a kind of
    out = []
    for term in lexicon.conditions.values():
        above = broader_ids(lexicon, term.id)
        if item.condition not in above or term.id in excepted or term.id in near:
            continue
        if any(e in above for e in excepted):
            continue  # a kind of the exception
        out.append(term.id)
    # a kind under another listed kind adds nothing: the profile has the broader one too
    return [k for k in out if not any(b in out for b in broader_ids(lexicon, k))]


def _within(node: Node) -> list[str] | None:
    """Conditions that together hold whatever ``node`` holds for ("basal cell carcinoma
    resected > 1 year ago" is within basal cell carcinoma); None when unbounded (a question)."""
    if isinstance(node, Condition) and node.timing in ("current", "history"):
        return [node.condition]
    if isinstance(node, AnyOf):
        parts = [_within(item) for item in node.items]
        return None if any(p is None for p in parts) else [c for p in parts if p for c in p]
    if isinstance(node, AllOf):
        return next((p for p in (_within(item) for item in node.items) if p), None)
    return None


def allowed(rule: Node, allowance: Node, section: str, lexicon: Lexicon, span: Span | None) -> Node:
    """The rule of a sentence followed by one that allows something ("Prior malignancy.
    Patients with basal cell carcinoma of the skin are eligible.").

    In an inclusion what is allowed is one more way to qualify.  In an exclusion it is an
    escape when it names kinds of what is excluded (or cannot be read: the question is asked
    as written, "yes" meaning it holds, so the patient is not excluded by it); an allowed
    condition that is no kind of what is excluded ("History of stroke. History of transient
    ischemic attack is allowed.") only says it does not exclude by itself: the rule stays.
    """
    if section == "inclusion":
        return AnyOf(items=[rule, allowance], span=span)
    allowed_conditions = {n.condition for n in walk(allowance) if isinstance(n, Condition)}
    excluded = {n.condition for n in walk(rule) if isinstance(n, Condition)}
    if isinstance(allowance, Manual) or not allowed_conditions or not excluded:
        return Unless(item=rule, exception=allowance, span=span)
    if any(e in excluded or excluded & set(broader_ids(lexicon, e)) for e in allowed_conditions):
        return escape(rule, allowance, lexicon, span)
    return rule

"""Rules of repeated items, recalled rather than read again.

Registry text repeats itself: a quarter of the corpus items ("Pregnant or breastfeeding")
have the same words, section and sub-heading as an earlier one.  The extractor's rule for
an item depends on nothing else: its normalised words, where each of them came from
relative to the item's start, the section and the sub-heading.  So the rule of a repeat is
the earlier rule with every span moved by the distance between the two items.

A rule is kept from the second sighting of its item on (most items are never seen again,
and keeping one costs a copy); both the sightings and the rules kept are bounded, the
oldest forgotten first.  Each caller gets its own copy: the compiler numbers and keys the
nodes it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from pydantic import BaseModel

from .rules import Node, Section
from .text import Text
from .trusted import copy_holding

SIGHTINGS_KEPT = 1 << 16
RULES_KEPT = 1 << 12

_M = TypeVar("_M", bound=BaseModel)


class ItemMemo:
    """The rules of items seen before, for one extractor."""

    def __init__(self, sightings: int = SIGHTINGS_KEPT, rules: int = RULES_KEPT) -> None:
        self._seen: dict[Hashable, None] = {}
        self._rules: dict[Hashable, tuple[int, Node]] = {}
        self._limits = (sightings, rules)
        self.hits = self.misses = 0

    def rule(self, text: Text, section: Section, heading: str | None,
             read: Callable[[Text, Section, str | None], Node]) -> Node:
        """``read(text, section, heading)``, or the rule of an earlier item with the same key."""
        keyed = _key(text, section, heading)
        if keyed is None:
            return read(text, section, heading)
        key, offset = keyed
        kept = self._rules.get(key)
        if kept is not None:
            self.hits += 1
            return moved(kept[1], offset - kept[0])
        self.misses += 1
        rule = read(text, section, heading)
        if key in self._seen:
            _add(self._rules, key, (offset, moved(rule, 0)), self._limits[1])
        else:
            _add(self._seen, key, None, self._limits[0])
        return rule


def _key(text: Text, section: Section, heading: str | None) -> tuple[Hashable, int] | None:
    """The item's key and its offset in the source: the words, and where each character came
    from relative to the first (nothing when normalisation changed none); None for an empty
    text, whose spans do not follow its offset."""
    if not text.text:
        return None
    starts, ends = text.starts, text.ends
    if isinstance(starts, range) and isinstance(ends, range):
        return (text.text, section, heading), starts.start
    offset = starts[0]
    places = (tuple(s - offset for s in starts), tuple(e - offset for e in ends))
    return (text.text, section, heading, places), offset


def _add(kept: dict, key: Hashable, value, limit: int) -> None:
    """Keep ``value``, forgetting the oldest entry at the limit.  The default extractor is
    shared: threads compiling at once may race to forget the same entry, which is harmless."""
    if len(kept) >= limit:
        try:
            del kept[next(iter(kept))]
        except (KeyError, RuntimeError, StopIteration):  # another thread changed it first
            pass
    kept[key] = value


def moved(node: _M, delta: int, copies: dict[int, BaseModel] | None = None) -> _M:
    """A copy of the tree with every span moved by ``delta``; a node found twice in the tree
    is copied once, so the copy shares what the original shares.  Each node is copied as
    ``__copy__`` would, holding its new values as they are made rather than set after."""
    copies = {} if copies is None else copies
    done = copies.get(id(node))
    if done is not None:
        return done  # type: ignore[return-value]
    values = {}
    for name, value in node.__dict__.items():
        kind = type(value)
        if kind is list:
            value = [moved(v, delta, copies) if isinstance(v, BaseModel) else v for v in value]
        elif name == "span":
            if value is not None:
                value = (value[0] + delta, value[1] + delta)
        elif not (value is None or kind is str or kind is bool) and isinstance(value, BaseModel):
            value = moved(value, delta, copies)
        values[name] = value
    new = copy_holding(node, values)
    copies[id(node)] = new
    return new

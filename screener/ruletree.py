"""Walking rule trees: every node of a rule, and the node class of each.

Kept apart from ``screener.rules`` so that mypyc can compile it with the compiler
(``benchmarks/build_compiled.py``): the pydantic models of ``rules`` cannot be, and walking
the rule of every criterion, interpreted, was among the largest costs left in a compiled
run.  This module names no model: ``screener.rules`` registers its node classes in
``SHAPES`` when it is imported, and re-exports what is defined here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rules import Node

LEAF, ITEMS, ITEM, UNLESS, RESTRICT = range(5)
SHAPES: dict[type, int] = {}
"""How each node class of ``screener.rules`` holds its children (``LEAF``: none; ``ITEMS``,
``ITEM``, ``UNLESS``, ``RESTRICT``: in the fields of those nodes).  Nodes are told apart by
their exact type: an ``isinstance`` test that fails goes through pydantic's ABC metaclass,
and such tests were most of the cost of every walk; another type (a subclass) is found with
``isinstance``."""
NODE_CLASS: dict[type, type] = {}
"""Each node class of ``screener.rules``, as its own node class."""


def node_class(node: object) -> type:
    """The node class of ``screener.rules`` that ``node`` is an instance of (its own type, for all
    but a subclass); ``type(node)`` for anything else."""
    kind = type(node)
    found = NODE_CLASS.get(kind)
    if found is None:
        found = next((cls for cls in SHAPES if isinstance(node, cls)), kind)
    return found


def nodes_and_classes(node: Node) -> tuple[list[Node], list[type]]:
    """Every node of the tree in ``walk`` order, and the ``node_class`` of each: one walk
    for the several tests a caller makes of one tree."""
    if SHAPES.get(type(node)) == LEAF:  # a lone leaf (most rules: a question): no walk
        return [node], [type(node)]
    nodes: list[Node] = []
    classes: list[type] = []
    stack = [node]
    while stack:  # ``walk``'s order, into lists rather than through a generator
        node = stack.pop()
        cls = node_class(node)
        nodes.append(node)
        classes.append(cls)
        shape = SHAPES.get(cls, LEAF)
        if shape != LEAF:
            _push_children(stack, node, shape)
    return nodes, classes


def _push_children(stack: list, node: Node, shape: int) -> None:
    """Put the children of a node of ``shape`` on ``stack``, the first child last (popped first)."""
    if shape == ITEMS:
        stack.extend(reversed(node.items))  # type: ignore[union-attr]
    elif shape == ITEM:
        stack.append(node.item)  # type: ignore[union-attr]
    elif shape == UNLESS:
        stack += (node.exception, node.item)  # type: ignore[union-attr]
    elif shape == RESTRICT:
        stack += (node.item, node.group)  # type: ignore[union-attr]


def walk(node: Node) -> Iterator[Node]:
    """Every node of a rule tree, depth first, the node itself first (iteratively: rule trees
    may be deep)."""
    yield node
    shape = SHAPES.get(type(node))
    if shape is None:
        shape = SHAPES.get(node_class(node), LEAF)
    if shape == LEAF:
        return
    stack: list = []
    while True:
        if shape != LEAF:
            _push_children(stack, node, shape)
        if not stack:
            return
        node = stack.pop()
        yield node
        shape = SHAPES.get(type(node))
        if shape is None:
            shape = SHAPES.get(node_class(node), LEAF)

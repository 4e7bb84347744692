"""Rule sets as plain, JSON-ready data, read from the models' fields.

Kept apart from ``screener.rules`` so that mypyc compiles it with the writer
(``screener/native.py``): the pydantic models cannot be, and this walk over every field of
every node was, interpreted, the largest cost of writing a rules file once the YAML writer
was compiled.  The caller gives the model base class and the order of each class's fields
(``rules._field_order``): this module names no model.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

EMPTY_DROPPED = frozenset({"alt", "context", "notes"})
"""Fields whose empty list is left out, so that files show only what was found."""


class Unusual(Exception):
    """A value ``plain`` leaves to pydantic's serializer (a float that is not finite, a foreign type)."""


def plain(model: Any, order: Callable[[type], tuple[str, ...]], base: type) -> dict[str, Any]:
    """``model.model_dump(mode="json", exclude_none=True)`` less the empty lists of
    ``EMPTY_DROPPED``, field by field in the order ``order`` gives; ``base``: the models' class."""
    out: dict[str, Any] = {}
    values = model.__dict__
    for name in order(type(model)):
        value = values[name]
        kind = type(value)
        if kind is str or kind is int or kind is bool:
            out[name] = value
        elif value is None:
            continue
        elif kind is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
            out[name] = [value[0], value[1]]  # a span: on every node
        elif kind is list or kind is tuple:
            if value or name not in EMPTY_DROPPED:
                out[name] = [_value(item, order, base) for item in value]
        else:
            out[name] = _value(value, order, base)
    return out


def _value(value: Any, order: Callable[[type], tuple[str, ...]], base: type) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise Unusual
        return value
    if isinstance(value, base) and not getattr(value, "__pydantic_extra__", None):
        return plain(value, order, base)
    if kind is list or kind is tuple:
        return [_value(item, order, base) for item in value]
    raise Unusual

"""Rule models made and copied from values the compiler already holds, without validating them again.

Validating a node the compiler has just built from checked parts (a string, a span of two
ints, nodes already made) costs more than building it, and copying one through pydantic's
``model_copy`` more still: together they were several per cent of a compile.  Each function
here gives what pydantic's own path gives: the same field values in the same order, and the
same ``model_fields_set`` (which ``model_dump(exclude_unset=True)`` reads).

- ``assembled(cls, data, given)`` is ``cls(**{name: data[name] for name in given})``, for
  ``data`` holding every field of ``cls`` in order, each value as validation would store it
  (``screener.readnodes`` makes the nodes the compiler makes most this way);
- ``copy_with(model, **values)`` is ``model.model_copy(update=values)``, and
  ``copy_holding(model, data)`` is ``model.__copy__()`` holding new values for its fields;
- ``assign(model, **values)`` is ``setattr(model, name, value)`` for each value.

``tests/test_trusted.py`` compares each with pydantic's path.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

from .lazy import set_dict, set_extra, set_fields_set, set_private

M = TypeVar("M", bound=BaseModel)


def assembled(cls: type[M], data: dict[str, Any], given: Iterable[str]) -> M:
    """A ``cls`` holding ``data`` (every field, in order, as validation stores it), the fields
    ``given`` counted as set: what validating those keywords gives, without validating them."""
    model = cls.__new__(cls)
    set_dict(model, data)
    set_fields_set(model, set(given))
    set_extra(model, None)
    set_private(model, None)
    return model


def copy_with(model: M, **values: Any) -> M:
    """``model.model_copy(update=values)``: a shallow copy with ``values`` set, and counted as set."""
    if model.__pydantic_extra__ is not None:  # where the values go depends on the model's settings
        return model.model_copy(update=values)
    data = model.__dict__.copy()
    data.update(values)
    copied = copy_holding(model, data)
    copied.__pydantic_fields_set__.update(values)
    return copied


def copy_holding(model: M, data: dict[str, Any]) -> M:
    """``model.__copy__()`` holding ``data`` (every field, in order) instead of a copy of its values."""
    if model.__pydantic_extra__ is not None or model.__pydantic_private__ is not None:
        copied = model.__copy__()
        set_dict(copied, data)
        return copied
    return assembled(type(model), data, model.__pydantic_fields_set__)


def assign(model: BaseModel, **values: Any) -> None:
    """``setattr(model, name, value)`` for each value, as a model without ``validate_assignment``
    does it: the value stored, the field counted as set."""
    config = model.model_config
    if config.get("validate_assignment") or config.get("frozen") or model.__pydantic_extra__ is not None:
        for name, value in values.items():
            setattr(model, name, value)
        return
    model.__dict__.update(values)
    model.__pydantic_fields_set__.update(values)

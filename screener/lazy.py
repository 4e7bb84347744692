"""Result models whose costly fields are made only when first read.

An explained check decides every criterion, but a person (or a script) often reads only
the verdict, the failing criteria or what to collect; formatting numbers and units for
every leaf of every criterion is most of a check's time.  The engine therefore makes a
result with its cheap fields set and a recipe for the others (``made_later``): the first
read of any of them (attribute, ``model_dump``, JSON, copy, pickle, comparison, repr)
makes them all, once, from the values the evaluation kept.  After that the object is an
ordinary pydantic model.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, model_serializer

M = TypeVar("M", bound="MadeWhenRead")
B = TypeVar("B", bound=BaseModel)

_get = object.__getattribute__


class MadeWhenRead(BaseModel):
    """A model some of whose fields (``LATER``) may be pending: a recipe is kept in the
    ``__pydantic_private__`` slot (these models have no private attributes) until read."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    LATER: ClassVar[frozenset[str]] = frozenset()
    APART: ClassVar[bool] = False
    """Whether the recipe makes one field at a time (``make(*args, only=name)`` gives its
    value; the first read of a field makes only it) rather than a dict of them all."""

    def _made(self) -> None:
        """Make the pending fields, once; keys in field order, as dumps show them."""
        pending = _get(self, "__pydantic_private__")
        if pending is None:
            return
        if self.APART:
            made = {name: pending[0](*pending[1:], only=name) for name in self.LATER if name not in self.__dict__}
        else:
            made = pending[0](*pending[1:])  # a new dict, ours to change
        made.update(self.__dict__)  # a field assigned (or made) since keeps its value
        names, in_order = _order(type(self))
        set_dict(self, dict(zip(names, in_order(made))))
        set_private(self, None)  # last: another thread reading meanwhile makes the same fields

    @model_serializer(mode="wrap")
    def _dump(self, handler):
        self._made()
        return handler(self)

    if not TYPE_CHECKING:  # as pydantic does: a __getattr__ seen by mypy would allow any attribute

        def __getattr__(self, name: str) -> Any:
            pending = _get(self, "__pydantic_private__")
            if name in self.LATER and pending is not None:
                if not self.APART:
                    self._made()
                    return self.__dict__[name]
                value = self.__dict__[name] = pending[0](*pending[1:], only=name)
                return value
            return super().__getattr__(name)

    def __eq__(self, other: object) -> bool:
        self._made()
        if isinstance(other, MadeWhenRead):
            other._made()
        return super().__eq__(other)

    def __copy__(self):
        self._made()
        return super().__copy__()

    def __deepcopy__(self, memo=None):
        self._made()
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        self._made()
        return super().__getstate__()

    def __iter__(self):
        self._made()
        return super().__iter__()

    def __repr_args__(self):
        self._made()
        return super().__repr_args__()


_FIELDS: dict[type, tuple[str, ...]] = {}
_ALL_SET: dict[type, set[str]] = {}
_SLOT = BaseModel.__dict__
# the setters of a pydantic model's slots, called directly (no attribute look-up); an engine
# making many results may inline ``made_later`` with them
set_dict, set_fields_set = _SLOT["__dict__"].__set__, _SLOT["__pydantic_fields_set__"].__set__
set_extra, set_private = _SLOT["__pydantic_extra__"].__set__, _SLOT["__pydantic_private__"].__set__


def _fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The model's field names in order (pydantic's ``model_fields`` is a slow property)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(cls.model_fields)
    return names


_ORDERS: dict[type, tuple[tuple[str, ...], Callable[[dict], tuple]]] = {}


def _order(cls: type[BaseModel]) -> tuple[tuple[str, ...], Callable[[dict], tuple]]:
    """The model's field names, and a function giving a dict's values in their order."""
    order = _ORDERS.get(cls)
    if order is None:
        names = _fields(cls)
        order = _ORDERS[cls] = (names, itemgetter(*names) if len(names) > 1 else lambda d: (d[names[0]],))
    return order


def all_set(cls: type[BaseModel]) -> set[str]:
    """Every field of ``cls``, as the set of fields set: one set shared by the class's
    results (pydantic only ever adds a field name to it, and they are all in it)."""
    names = _ALL_SET.get(cls)
    if names is None:
        names = _ALL_SET[cls] = set(cls.model_fields)
    return names


def built(cls: type[B], values: dict) -> B:
    """A model from values made by the engine, every field given: what pydantic's
    ``model_construct`` makes, without its per-field loop (a fifth of a check's time)."""
    model = cls.__new__(cls)
    set_dict(model, values)
    set_fields_set(model, _ALL_SET.get(cls) or all_set(cls))
    set_extra(model, None)
    set_private(model, None)
    return model


def made_later(cls: type[M], values: dict[str, Any], make: Callable[..., Any], *args: Any) -> M:
    """A ``cls`` from values the engine made (not validated again), every field of
    ``cls.LATER`` left out and made by ``make(*args)`` (a dict of them; with ``cls.APART``,
    ``make(*args, only=name)`` for each) when first read."""
    model = cls.__new__(cls)
    set_dict(model, values)
    set_fields_set(model, _ALL_SET.get(cls) or all_set(cls))
    set_extra(model, None)
    set_private(model, (make, *args))
    return model

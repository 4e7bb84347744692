"""Offset units (temperatures: degC, degF) converted without building pint's registry.

Only pint knows where such a unit's zero lies, and building its registry costs a third of
a second, which a compile of the corpus or a one-patient check paid for the first rule on
a temperature.  So the slope and offset pint gives from each offset spelling to each
spelling of the same dimensions (``unit_conversion._pint_line``, the very computation a
conversion would make) are worked out once and kept in the data cache, like the
spellings' table.  Compound units with an offset part still go to pint.
"""

from __future__ import annotations

from functools import cache

from .errors import UnitError
from .unit_spellings import _DATA, _pint_version, _spellings
from .unit_types import Atom, Unit

Key = tuple[tuple[tuple[str, int], ...] | None, float]
"""What a conversion reads of a unit: its atoms and its scale."""


def _unit(atom: Atom) -> Unit:
    """The unit a lone spelling reads as (what ``parse_unit`` makes of it, but its display)."""
    return Unit(atom.display, atom.magnitude, ((atom.expression, 1),), dims=atom.dims, base=atom.base,
                offset=atom.offset, shape=((atom.dims, 1),))


def _build() -> dict[tuple[Key, Key], tuple[float, float]]:
    from .unit_conversion import _pint_line

    folded, exact, _ = _spellings()
    atoms = {(atom.expression, atom.magnitude): atom for atom in [*folded.values(), *exact.values()]}
    lines: dict[tuple[Key, Key], tuple[float, float]] = {}
    for source in (_unit(a) for a in atoms.values() if a.offset):
        for target in (_unit(a) for a in atoms.values() if a.dims == source.dims):
            for src, dst in ((source, target), (target, source)):
                try:
                    lines[(src.parts, src.scale), (dst.parts, dst.scale)] = _pint_line(src, dst, {})
                except UnitError:
                    continue
    return lines


@cache
def _lines() -> dict[tuple[Key, Key], tuple[float, float]]:
    from . import datacache

    sources = [(_DATA / name).read_bytes() for name in ("unit_spellings.yaml", "units.txt")]
    return datacache.cached("unit_offsets", sources, _build, _pint_version(), single=True)


def offset_line(source: Unit, target: Unit) -> tuple[float, float] | None:
    """(slope, offset) from ``source`` to ``target`` as pint gives it, when both are lone
    spellings of the same dimensions and one has an offset; None for any other pair."""
    return _lines().get(((source.parts, source.scale), (target.parts, target.scale)))

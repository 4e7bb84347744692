"""A small on-disk cache for what is slow to build from package data (the lexicon, the unit
table), so that a one-patient ``screener check`` starts in a fraction of a second.

An entry is a pickle named by a SHA-256 of its sources' bytes, screener's version, the
Python version and the size and time of every module of the package: editing
``lexicon.yaml``, upgrading, or changing the code of the classes pickled makes a new key,
so a stale entry is never read.  The folder is ``$SCREENER_CACHE_DIR``, else ``$XDG_CACHE_HOME/screener``,
else ``~/.cache/screener``; when it cannot be written the value is simply built each time.
Only files this user's own screener wrote there are read.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")

FORMAT = 1
"""Bumped when what is cached changes shape without its sources changing."""


def cache_dir() -> Path:
    """Where cached entries live (not created here)."""
    explicit = os.environ.get("SCREENER_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "screener"


def cache_key(name: str, sources: Iterable[bytes], *extra: str) -> str:
    """A hex digest of everything the cached value depends on."""
    from .version import __version__

    digest = hashlib.sha256(f"{name}|{FORMAT}|{__version__}|{sys.version}|{'|'.join(extra)}|{_code()}".encode())
    for source in sources:
        digest.update(hashlib.sha256(source).digest())
    return digest.hexdigest()[:24]


@cache
def _code() -> str:
    """The package's modules as (name, size, modification time): the pickled classes' code."""
    with os.scandir(Path(__file__).parent) as entries:
        stats = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries if e.name.endswith(".py"))
    return repr(stats)


def cached(name: str, sources: Iterable[bytes], build: Callable[[], T], *extra: str, single: bool = False) -> T:
    """The value ``build()`` returns, read from the cache when an entry for exactly these
    sources exists, else built and stored (best effort: a cache that cannot be written or
    read is skipped, never an error).  ``single``: the package's own data has one current
    entry, so older entries of ``name`` are removed when a new one is stored."""
    path = cache_dir() / f"{name}-{cache_key(name, sources, *extra)}.pickle"
    try:
        with open(path, "rb") as stream:
            return pickle.load(stream)
    except Exception:  # no entry yet, or a truncated one: build it
        pass
    value = build()
    if single:
        for old in path.parent.glob(f"{name}-*.pickle"):
            old.unlink(missing_ok=True)
    _store(path, value)
    return value


def _store(path: Path, value: object) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError):
        pass

"""``-`` for commands whose readers take a path (``review``, ``convert``): standard input is
copied to a temporary file with a suffix that says what it holds, and messages name it
``<stdin>``, never the temporary path."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ScreenerError

STDIN = "-"
SHOWN = "<stdin>"


def fhir_suffix(raw: bytes) -> str:
    """".json" for one JSON document (a Bundle), ".ndjson" for JSON lines."""
    try:
        json.loads(raw)
    except ValueError:
        return ".ndjson"
    return ".json"


@contextmanager
def spooled(path: str | Path, suffix: str | None = None, sniff=fhir_suffix) -> Iterator[Path]:
    """``path`` itself, or for ``-`` a temporary copy of standard input (removed after);
    a ``ScreenerError`` raised inside names ``<stdin>`` instead of the copy."""
    if str(path) != STDIN:
        yield Path(path)
        return
    raw = sys.stdin.buffer.read()
    with tempfile.TemporaryDirectory(prefix="screener-") as folder:
        copy = Path(folder) / f"stdin{suffix or sniff(raw)}"
        copy.write_bytes(raw)
        try:
            yield copy
        except ScreenerError as error:
            raise renamed(error, copy) from None


def renamed(error: ScreenerError, copy: Path) -> ScreenerError:
    """The error with the temporary copy's path shown as ``<stdin>``."""
    for name in ("file", "message"):
        value = getattr(error, name, None)
        if isinstance(value, str) and str(copy) in value:
            setattr(error, name, value.replace(str(copy), SHOWN))
    return error


__all__ = ["SHOWN", "fhir_suffix", "renamed", "spooled"]

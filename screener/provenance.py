"""What every report records so that a result can be audited later: the screener version
that made it, the SHA-256 of each rules file it used, and when it was made.

    stamp = Provenance.now({"NCT02213705": sha256_of(path)})
    stamp.line()   # "screener 0.1.0 | made 2026-12-01T23:30:00Z | rules NCT02213705 sha256:1f2e..."
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .version import __version__


def sha256_of(data: bytes | str | Path) -> str:
    """The hex SHA-256 of bytes, or of a file's bytes."""
    raw = data if isinstance(data, bytes) else Path(data).read_bytes() if isinstance(data, Path) else data.encode()
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Provenance:
    """Screener version, creation time (UTC, to the second) and rules file hashes by trial id."""

    made: str
    rules: dict[str, str] = field(default_factory=dict)
    screener: str = __version__

    @classmethod
    def now(cls, rules: dict[str, str] | None = None) -> "Provenance":
        made = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return cls(made=made, rules=dict(rules or {}))

    def data(self) -> dict:
        """JSON-ready: {"screener": ..., "made": ..., "rules_sha256": {trial: hash}}."""
        return {"screener": self.screener, "made": self.made, "rules_sha256": dict(self.rules)}

    def line(self) -> str:
        """One line for text reports and CSV comments."""
        rules = ", ".join(f"{trial} sha256:{digest}" for trial, digest in self.rules.items())
        return f"screener {self.screener} | made {self.made}" + (f" | rules {rules}" if rules else "")

"""Exceptions: one base class, subclasses that also inherit the matching built-in.

Callers can catch ``ScreenerError`` for everything screener raises on purpose, or the
built-in (``ValueError``) as they would for any library.  Input errors carry the file,
line and field so that the CLI can print one clear line instead of a traceback.
"""

from __future__ import annotations

import re

QUOTE_LIMIT = 60
"""Values quoted in messages are cut to this many characters: a message must stay one
short line, and must not echo a patient's free text back in full."""

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def escape_controls(text: str, keep: str = "") -> str:
    """Control characters (terminal escape sequences, CR) shown as escapes, except ``keep``."""
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else
                        m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def _short(text: str, limit: int = QUOTE_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` quoted for a message: at most ``limit`` characters, control characters escaped."""
    text = str(value)
    shown = escape_controls(text[:limit])
    if len(text) <= limit:
        return f"'{shown}'"
    return f"'{shown}…' ({len(text):,} characters)"


class ScreenerError(Exception):
    """Base of every error screener raises deliberately."""


class InputError(ValueError, ScreenerError):
    """A file or value given by the user cannot be used.

    ``str()`` gives ``file:line: field: message`` with the parts that are known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def located(self, *, file: str | None = None, line: int | None = None) -> "InputError":
        """Fill in the location where the raiser did not know it; returns self for ``raise``."""
        self.file = self.file or file
        self.line = self.line or line
        return self

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        field = f"{_short(self.field)}: " if self.field else ""
        return escape_controls(f"{where}{field}{self.message}")


class UnitError(InputError):
    """A unit cannot be read, or two quantities cannot be compared."""


class PatientError(InputError):
    """A patient profile is malformed."""


class RulesError(InputError):
    """A rules file is malformed."""


class SourceError(InputError):
    """A trial source (text, registry JSON) cannot be read."""

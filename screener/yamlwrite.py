"""Writing YAML: rules files as a reviewer reads them, in a form every YAML reader gives back.

The emitter of ``screener.yamlio``, apart from the reader and its ruamel subclasses so
that the compiled build (``screener/native.py``) compiles it: writing is a third of
``screener compile --out-dir`` once compiling is compiled.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")  # raw: the regex reads the escapes (mypyc cannot emit surrogates)
"""What YAML cannot hold raw (and CR, which a reader turns into a line break): such text is
written double-quoted with escapes."""
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]*")
_NUMBER_LIKE = re.compile(r"[-+]?(?:\.?[0-9]|\.(?:inf|nan))", re.I)
"""Plain text starting like a number may resolve to one (or to a date): quote it."""
_NOT_PLAIN = re.compile(r": |:$| #|[\s]$|^[-?:,\[\]{}#&*!|>'\"%@`]")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "<<", "="}
"""Words a YAML 1.1 or 1.2 reader resolves to something other than text."""


def _scalar(value: Any) -> str:
    """One scalar on one line, written so that every YAML reader gives it back unchanged."""
    if type(value) is str:  # most scalars: tested first, as the batch writes millions of them
        return _short_text(value) if len(value) < 80 else _text(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if not math.isfinite(value):
            return {"inf": ".inf", "-inf": "-.inf"}.get(text, ".nan")
        mantissa, _, exponent = text.partition("e")
        return text if "." in mantissa or not exponent else f"{mantissa}.0e{exponent}"
    text = str(value)
    return _short_text(text) if len(text) < 80 else _text(text)


_WRITTEN: dict[str, str] = {}
"""Short texts as written: keys, kinds, operators, units and labels repeat in every file."""


def _short_text(text: str) -> str:
    """``_text`` of a short text, written once each (a plain dict: a cache's call was a cost)."""
    written = _WRITTEN.get(text)
    if written is None:
        if len(_WRITTEN) >= 8192:
            _WRITTEN.clear()
        written = _WRITTEN[text] = _text(text)
    return written


def _text(text: str) -> str:
    printable = not _UNPRINTABLE.search(text) and "\n" not in text and "\t" not in text
    if printable and _PLAIN.fullmatch(text) and not _NOT_PLAIN.search(text) and not _NUMBER_LIKE.match(text) \
            and text.casefold() not in _RESERVED:
        return text
    if printable:  # single quotes need no escapes: "Rodnan\\> 15" reads as written
        return "'" + text.replace("'", "''") + "'"
    quoted = json.dumps(text, ensure_ascii=False)  # JSON escapes are YAML double-quoted escapes
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _literal(text: str, indent: int) -> str | None:
    """Multi-line text as a literal block (what a reviewer reads), when it can be one."""
    if "\n" not in text or _UNPRINTABLE.search(text) or text != text.strip(" \t") or "\r" in text:
        return None
    body = text.rstrip("\n")
    if not body.strip() or any(line[:1].isspace() and line[:1] != " " for line in body.split("\n")):
        return None  # a line starting with a tab would be read as indentation
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    pad = " " * (indent + 2)
    lines = [pad + line if line else "" for line in body.split("\n")]
    indicator = "2" if next(line for line in body.split("\n") if line).startswith(" ") else ""
    return f"|{indicator}{chomp}\n" + "\n".join(lines + [""] * max(trailing - 1, 0))  # the line end after it is the last


def _inline(value: Any, indent: int) -> str:
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, str):
        literal = _literal(value, indent)
        if literal is not None:
            return literal
    return _scalar(value)


def _is_flow(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)


_HEADS: dict[int, dict[str, str]] = {}
"""Per indent, "<pad><key>:" of the short keys written so far: the same few in every file."""


def _head(key: Any, indent: int, out: list[str]) -> str:
    """``<pad><key>:``, or for a key too long to be implicit, its explicit form (``? key`` written to
    ``out``) and ``<pad>:``."""
    pad = " " * indent
    head = f"{pad}{_scalar(key)}:"
    if len(head) > 1000:  # an implicit key is at most 1024 characters: write it explicitly
        out.append(f"{pad}? {_scalar(key)}")
        return f"{pad}:"
    if type(key) is str and len(key) < 80:
        heads = _HEADS.setdefault(indent, {})
        if len(heads) >= 8192:
            heads.clear()
        heads[key] = head
    return head


def _emit_mapping(data: dict, indent: int, out: list[str]) -> None:
    heads = _HEADS.get(indent) or {}
    written = _WRITTEN
    for key, value in data.items():
        head = heads.get(key) if type(key) is str else None
        if head is None:
            head = _head(key, indent, out)
        kind = type(value)
        if kind is str and "\n" not in value:  # what _inline gives these, without its tests
            text = written.get(value)
            out.append(f"{head} {text if text is not None else _scalar(value)}")
        elif kind is list and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
            out.append(f"{head} [{value[0]}, {value[1]}]")  # a span, as _inline writes it
        elif kind is int:
            out.append(f"{head} {value}")
        elif kind is float or kind is bool or value is None:
            out.append(f"{head} {_scalar(value)}")
        elif isinstance(value, dict) and value:
            out.append(head)
            _emit_mapping(value, indent + 2, out)
        elif isinstance(value, list) and not _is_flow(value):
            out.append(head)
            _emit_sequence(value, indent, out)
        else:
            out.append(f"{head} {_inline(value, indent)}")


def _emit_sequence(items: list, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item:
            start = len(out)
            _emit_mapping(item, indent + 2, out)
            out[start] = pad + "- " + out[start][indent + 2:]
        elif isinstance(item, list) and not _is_flow(item):
            out.append(pad + "-")
            _emit_sequence(item, indent + 2, out)
        else:
            out.append(f"{pad}- {_scalar(item) if isinstance(item, str) else _inline(item, indent)}")


def dump_yaml(data: Any) -> str:
    """Block-style YAML with keys in the given order; multi-line strings as literal blocks,
    lists of numbers (spans) on one line.

    Written directly rather than through a YAML library's emitter (five times slower, and
    it folded wide lines): every scalar is written in a form any YAML reader gives back
    unchanged, text double-quoted with escapes whenever a plain or literal form could change
    it (``tests/test_yaml_roundtrip.py`` checks this on fuzzed text)."""
    if not isinstance(data, (dict, list)) or not data:
        return _inline(data, 0).rstrip("\n") + "\n"
    out: list[str] = []
    if isinstance(data, dict):
        _emit_mapping(data, 0, out)
    else:
        _emit_sequence(data, 0, out)
    return "\n".join(out) + "\n"

"""YAML in and out, with line numbers for every key and strict input rules.

Users write patient profiles and review rules files by hand, so a mistake must be
reported with its file and line.  ruamel.yaml gives positions and rejects duplicate
keys; anchors and aliases are refused as well (a profile should read literally).
"""

from __future__ import annotations

import io
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, MappingStartEvent, ScalarEvent
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError, quote
from .yamlwrite import dump_yaml as dump_yaml  # re-exported: the reader and the writer of one format

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """Plain Python data read from YAML, with the line of each key."""

    data: Any
    file: str | None = None
    lines: dict[Path_, int] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)  # scalars as written ("007" for an id read as 7)

    def line_of(self, path: Path_) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def error(self, message: str, path: Path_ = (), cls: type[InputError] = InputError) -> InputError:
        """An error located at ``path``, its field named as a dotted path."""
        name = ".".join(str(p) for p in path) or None
        return cls(message, file=self.file, line=self.line_of(path), field=name)


MAX_FILE_BYTES = 256 * 1024 * 1024
"""Larger inputs are refused before they are read (a device such as /dev/zero never ends)."""


def read_text(path: str | Path, cls: type[InputError] = InputError) -> str:
    """The file's text; binary, undecodable, special or huge files are an error, not garbage."""
    name = printable_name(path)
    try:
        with open(path, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode) and not stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode):
                raise cls("is not a regular file", file=name)
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise cls("no such file", file=name) from None
    except IsADirectoryError:
        raise cls("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise cls(f"cannot be read ({exc.strerror})", file=name) from None
    if len(raw) > MAX_FILE_BYTES:
        raise cls(f"is larger than the limit of {MAX_FILE_BYTES // 2**20} MB", file=name)
    if b"\x00" in raw:
        raise cls("is a binary file, not text", file=name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise cls("is not UTF-8 text", file=name, line=line) from None


def printable_name(path: str | Path) -> str:
    """A file name fit for a message: undecodable bytes (surrogate escapes) shown as \\xNN."""
    name = str(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


@dataclass(frozen=True)
class Limits:
    """Bounds checked on the event stream, before anything is composed or built."""

    depth: int = 64
    scalar: int = 100_000
    keys: int = 10_000
    digits: int = 50


PROFILE_LIMITS = Limits()
"""Patient profiles: small documents written by hand or exported."""
RULES_LIMITS = Limits(scalar=10_000_000, keys=10_000)
"""Rules files: a criterion's text may be long (it is kept verbatim)."""

class _Constructor(SafeConstructor):
    """The safe constructor, but an impossible date or time stays text, so that the reader
    of the value reports it with its field (the loader itself would only raise)."""

    def construct_yaml_timestamp(self, node, values=None):
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


_NUMERIC = re.compile(r"[-+]?[0-9][0-9_,.]*(?:[eE][-+]?[0-9]+)?")


def _check_events(text: str, file: str | None, cls: type[InputError], limits: Limits) -> None:
    """Refuse, with their line, what the loader would choke on or accept silently: anchors
    and aliases, complex keys, and anything past ``limits`` (deep nesting
    crashes the composer; huge numbers and strings cost time and memory)."""
    stack: list[list[int]] = []  # per open collection: [is mapping, events seen]
    for event in YAML(typ="safe").parse(io.StringIO(text)):
        line = event.start_mark.line + 1 if event.start_mark else None

        def error(message: str, line: int | None = line) -> InputError:
            return cls(message, file=file, line=line)

        anchored = isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.anchor
        if isinstance(event, AliasEvent) or anchored:
            raise error("YAML anchors and aliases (&name, *name) are not allowed; write values out")
        if isinstance(event, CollectionEndEvent):
            stack.pop()
            continue
        if stack and stack[-1][0]:
            if stack[-1][1] % 2 == 0:
                if isinstance(event, CollectionStartEvent):
                    raise error("a key must be a plain value, not a list or a mapping")
                if stack[-1][1] // 2 >= limits.keys:
                    raise error(f"more than {limits.keys:,} keys in one mapping (the limit)")
            stack[-1][1] += 1
        if isinstance(event, CollectionStartEvent):
            if len(stack) >= limits.depth:
                raise error(f"nested more than {limits.depth} levels deep (the limit)")
            stack.append([isinstance(event, MappingStartEvent), 0])
        elif isinstance(event, ScalarEvent):
            _check_scalar(event, error, limits)


def _check_scalar(event: ScalarEvent, error, limits: Limits) -> None:
    value = event.value
    if len(value) > limits.scalar:
        raise error(f"a value of {len(value):,} characters is longer than the limit of {limits.scalar:,}")
    if event.style:
        return
    if _NUMERIC.fullmatch(value) and sum(c.isdigit() for c in value) > limits.digits:
        raise error(f"the number {quote(value)} has more than {limits.digits} digits (the limit)")


def _record_lines(node: Node, data: Any, path: Path_, lines: dict[Path_, int], raw: dict[Path_, str]) -> None:
    """Walk the composed node tree beside the constructed data, noting each key's line.

    Keys are paired with the nodes by position (a mapping is built in node order, and
    duplicate keys are refused), so the walk is linear and works for any key (``~``, ``true``)."""
    if isinstance(node, MappingNode) and isinstance(data, dict):
        for (key_node, value_node), key in zip(node.value, data):
            lines[path + (key,)] = key_node.start_mark.line + 1
            _record_lines(value_node, data.get(key), path + (key,), lines, raw)
    elif isinstance(node, SequenceNode) and isinstance(data, list):
        for index, (item_node, item) in enumerate(zip(node.value, data)):
            lines[path + (index,)] = item_node.start_mark.line + 1
            _record_lines(item_node, item, path + (index,), lines, raw)
    elif isinstance(node, ScalarNode):
        raw[path] = node.value


def parse_yaml(text: str, file: str | None = None, cls: type[InputError] = InputError,
               limits: Limits = PROFILE_LIMITS) -> Document:
    """Parse YAML text into plain data with key lines; syntax errors name the line.

    Uses libyaml through ruamel.yaml.clib when it is installed (ten times faster than the
    pure parser), composing nodes once to keep both the data and every key's line.
    """
    try:
        _check_events(text, file, cls, limits)
        loader = YAML(typ="safe")
        loader.Constructor = _Constructor
        loader.allow_duplicate_keys = False
        node = loader.compose(text)
        data = loader.constructor.construct_document(node) if node is not None else None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        if isinstance(exc, InputError):
            raise
        raise cls(f"cannot be read as YAML ({quote(str(exc))})", file=file) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in str(exc):
            problem = "duplicate key " + problem.split('"')[1] if '"' in problem else "duplicate key"
        raise cls(problem, file=file, line=line) from None
    except YAMLError as exc:
        raise cls(f"invalid YAML: {quote(str(exc))}", file=file) from None
    lines: dict[Path_, int] = {(): 1}
    raw: dict[Path_, str] = {}
    if node is not None:
        _record_lines(node, data, (), lines, raw)
    return Document(data, file=file, lines=lines, raw=raw)


def parse_json(text: str, file: str | None = None, cls: type[InputError] = InputError,
               limits: Limits = RULES_LIMITS) -> Document:
    """Parse JSON with the same bounds as YAML; NaN and Infinity are refused."""

    def constant(name: str) -> Any:
        raise cls(f"{name} is not a number a rules file may hold", file=file)

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.digits:
            raise cls(f"the number {quote(digits)} has more than {limits.digits} digits (the limit)", file=file)
        return int(digits)

    try:
        data = json.loads(text, parse_constant=constant, parse_int=integer)
    except json.JSONDecodeError as exc:
        raise cls(f"invalid JSON: {exc.msg}", file=file, line=exc.lineno) from None
    except RecursionError:
        raise cls(f"nested more than {limits.depth} levels deep (the limit)", file=file) from None
    _check_data(data, file, cls, limits)
    return Document(data, file=file)


def _check_data(data: Any, file: str | None, cls: type[InputError], limits: Limits) -> None:
    """The bounds of ``Limits`` on already-parsed data (JSON), iteratively."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth >= limits.depth:
                raise cls(f"nested more than {limits.depth} levels deep (the limit)", file=file)
            if isinstance(value, dict) and len(value) > limits.keys:
                raise cls(f"more than {limits.keys:,} keys in one mapping (the limit)", file=file)
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
        elif isinstance(value, str) and len(value) > limits.scalar:
            raise cls(f"a value of {len(value):,} characters is longer than the limit of {limits.scalar:,}", file=file)


def load_yaml(path: str | Path, cls: type[InputError] = InputError, limits: Limits = PROFILE_LIMITS) -> Document:
    return parse_yaml(read_text(path, cls), file=printable_name(path), cls=cls, limits=limits)


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""YAML in and out, with line numbers for every key and strict input rules.

Users write patient profiles and review rules files by hand, so a mistake must be
reported with its file and line.  ruamel.yaml gives positions and rejects duplicate
keys; anchors and aliases are refused as well (a profile should read literally).
"""

from __future__ import annotations

import datetime
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError

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


def read_text(path: str | Path, cls: type[InputError] = InputError) -> str:
    """The file's text; binary or undecodable files are an error, not garbage."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise cls("no such file", file=name) from None
    except IsADirectoryError:
        raise cls("is a directory, not a file", file=name) from None
    except OSError as exc:
        raise cls(f"cannot be read ({exc.strerror})", file=name) from None
    if b"\x00" in raw:
        raise cls("is a binary file, not text", file=name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise cls("is not UTF-8 text", file=name, line=line) from None


_DATE = re.compile(r"\d{4}-\d\d?-\d\d?")


def _check_events(text: str, file: str | None, cls: type[InputError]) -> None:
    """Refuse anchors and aliases, and impossible dates, with their line (the loader gives none)."""
    for event in YAML(typ="safe").parse(io.StringIO(text)):
        line = event.start_mark.line + 1 if event.start_mark else None
        anchored = isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.anchor
        if isinstance(event, AliasEvent) or anchored:
            raise cls("YAML anchors and aliases (&name, *name) are not allowed; write values out", file=file, line=line)
        if isinstance(event, ScalarEvent) and not event.style and _DATE.fullmatch(event.value):
            year, month, day = (int(part) for part in event.value.split("-"))
            try:
                datetime.date(year, month, day)
            except ValueError as exc:
                raise cls(f"impossible date {event.value} ({exc})", file=file, line=line) from None


def _record_lines(node: Node, data: Any, path: Path_, lines: dict[Path_, int], raw: dict[Path_, str]) -> None:
    """Walk the composed node tree beside the constructed data, noting each key's line."""
    if isinstance(node, MappingNode) and isinstance(data, dict):
        for key_node, value_node in node.value:
            key = next((k for k in data if str(k) == key_node.value), key_node.value)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _record_lines(value_node, data.get(key), path + (key,), lines, raw)
    elif isinstance(node, SequenceNode) and isinstance(data, list):
        for index, (item_node, item) in enumerate(zip(node.value, data)):
            lines[path + (index,)] = item_node.start_mark.line + 1
            _record_lines(item_node, item, path + (index,), lines, raw)
    elif isinstance(node, ScalarNode):
        raw[path] = node.value


def parse_yaml(text: str, file: str | None = None, cls: type[InputError] = InputError) -> Document:
    """Parse YAML text into plain data with key lines; syntax errors name the line.

    Uses libyaml through ruamel.yaml.clib when it is installed (ten times faster than the
    pure parser), composing nodes once to keep both the data and every key's line.
    """
    try:
        _check_events(text, file, cls)
        loader = YAML(typ="safe")
        loader.allow_duplicate_keys = False
        node = loader.compose(text)
        data = loader.constructor.construct_document(node) if node is not None else None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in str(exc):
            problem = "duplicate key " + problem.split('"')[1] if '"' in problem else "duplicate key"
        raise cls(problem, file=file, line=line) from None
    except YAMLError as exc:
        raise cls(f"invalid YAML: {exc}", file=file) from None
    lines: dict[Path_, int] = {(): 1}
    raw: dict[Path_, str] = {}
    if node is not None:
        _record_lines(node, data, (), lines, raw)
    return Document(data, file=file, lines=lines, raw=raw)


def load_yaml(path: str | Path, cls: type[InputError] = InputError) -> Document:
    return parse_yaml(read_text(path, cls), file=str(path), cls=cls)


_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _literal_block(representer, value: str):
    """Multi-line text as a literal block; text with control characters double-quoted (escaped)."""
    if _UNPRINTABLE.search(value) or value != value.strip(" \t") and "\n" in value:
        style = '"'
    else:
        style = "|" if "\n" in value else None
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _numbers_inline(representer, value: list):
    flow = bool(value) and all(isinstance(v, (int, float)) for v in value)
    return representer.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def dump_yaml(data: Any) -> str:
    """Block-style YAML with keys in the given order; multi-line strings as literal blocks,
    lists of numbers (spans) on one line."""
    dumper = YAML(typ="safe", pure=True)
    dumper.default_flow_style = False
    dumper.sort_base_mapping_type_on_output = False
    dumper.width = 4096  # no folding: folded double-quoted escapes do not read back the same
    dumper.allow_unicode = True
    dumper.representer.add_representer(str, _literal_block)
    dumper.representer.add_representer(list, _numbers_inline)
    stream = io.StringIO()
    dumper.dump(data, stream)
    return stream.getvalue()


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

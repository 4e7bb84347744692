"""The review page: a trial's eligibility text as written, with every compiled rule on its words.

A reviewer (the investigator, a coordinator) confirms what the compiler read before any
patient is screened.  The page marks each criterion's span, coloured by kind (computed,
partly computed, left to review, not a requirement), underlines the words each computed
rule was read from, and flags every number that no rule reads ("unread number"), so a
missed threshold shows at a glance.  Beside each criterion: its rule in plain words, the
variables with units and codes, the review questions with the id that answers them.

A rules file keeps spans, not the text they index: the source is read again, from
``--source`` or the trial's ``source`` field, and each criterion's text is checked against
its slice before it is marked.  Rules are read as plain data, so a node kind this version
does not know (a newer compiler's) is shown as "left to review" with its JSON.  An exception
(``unless``), a group restriction (``restrict``) and a negation are flagged in the summary.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import RulesError, SourceError
from .pages import render_page
from .plain import COMPUTED_KINDS, Variable, Words, describe, is_compound, is_known, nodes, questions, variables
from .rules import RuleSet, parse_rules, rules_data
from .sources import Source, from_record, read_sources
from .yamlio import parse_yaml, read_text

KIND_WORDS = {"computed": "computed", "partial": "partly computed", "review": "left to review", "none": "not a requirement"}
"""The four kinds of criterion, in the order the page lists them."""

_NUMBER = re.compile(r"(?<![\w.,^/])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)(?![\w^])")
_ENUMERATOR_BEFORE = re.compile(r"(?:^|\n)[ \t>*•·\-(\[]*$")
_ENUMERATOR_AFTER = re.compile(r"[.)\]](?:\s|$)")
Layer = tuple[int, int, str, dict[str, Any]]
"""An interval of the text to wrap in an element: start, end, tag, attributes."""

_DURATION_AFTER = re.compile(r"\s*-?\s*(hour|day|week|month|year)s?\b", re.I)


@dataclass
class Piece:
    """A run of source text, or an element (criterion, read words, unread number) around runs."""

    text: str = ""
    tag: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list["Piece"] = field(default_factory=list)


@dataclass
class CriterionView:
    id: str
    section: str
    kind: str
    text: str
    span: tuple[int, int] | None
    heading: str | None
    registry_field: str | None
    words: Words
    variables: list[Variable]
    questions: list[dict]
    flags: list[str]
    notes: list[str]
    marked: bool = False
    excerpt: list[Piece] = field(default_factory=list)  # a registry field's own text, outside the criteria text


@dataclass
class Unread:
    start: int
    end: int
    text: str
    criterion: str | None
    context: str = ""  # the words around it, for the summary


@dataclass
class Row:
    """A stretch of the text (from a line start) and the criteria marked in it, shown side by side."""

    pieces: list[Piece] = field(default_factory=list)
    criteria: list[CriterionView] = field(default_factory=list)


@dataclass
class Review:
    trial: dict
    rules_file: str
    source_file: str
    region: tuple[int, int]
    rows: list[Row]
    criteria: list[CriterionView]
    unread: list[Unread]
    warnings: list[str]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(c.kind for c in self.criteria)
        return {kind: counted.get(kind, 0) for kind in KIND_WORDS}

    @property
    def outside(self) -> list[CriterionView]:
        """Criteria not shown in the text: registry fields, spans that do not match."""
        inside = {c.id for row in self.rows for c in row.criteria}
        return [c for c in self.criteria if c.id not in inside]

    @property
    def second_look(self) -> list[CriterionView]:
        return [c for c in self.criteria if c.flags]


# ---------------------------------------------------------------------------- reading


def read_rules_data(path: str | Path) -> tuple[dict, list[str]]:
    """A rules file as plain data.  A file valid for this version is read through the model;
    one whose only faults are node kinds or fields it does not know (a newer compiler's)
    is read as it is, with a warning, so the page still shows it; any other fault is an error."""
    text = read_text(path, RulesError)
    try:
        return rules_data(parse_rules(text, file=str(path))), []
    except RulesError as strict:
        try:
            data = json.loads(text) if text.lstrip().startswith("{") else parse_yaml(text, file=str(path), cls=RulesError).data
            RuleSet.model_validate(data)
        except ValidationError as exc:
            newer = [e for e in exc.errors() if e["type"] in ("union_tag_invalid", "extra_forbidden")]
            if len(newer) < len(exc.errors()) or not _criteria_of(data):
                raise strict from None
            names = sorted({str(e["input"].get("kind")) if e["type"] == "union_tag_invalid" else f"field {e['loc'][-1]}"
                            for e in newer if isinstance(e["input"], dict) or e["type"] == "extra_forbidden"})
            return data, [f"{path}: written by a newer screener ({', '.join(names)}): what this version cannot "
                          "compute is shown as left to review, and fields it does not know with their data"]
        except (json.JSONDecodeError, RulesError):
            pass
        raise strict from None


def _criteria_of(data: Any) -> list[dict]:
    """The criteria of plain rules data, when they have the shape the page needs."""
    criteria = data.get("criteria") if isinstance(data, dict) else None
    if not isinstance(criteria, list):
        return []
    return [c for c in criteria if isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("text"), str)]


def read_source(rules: dict, rules_file: str | Path, source_file: str | Path | None = None) -> Source:
    """The source a rule set was compiled from: ``source_file``, else the trial's ``source``
    (as given, or relative to the rules file's folder; ``file.jsonl:N`` is line N)."""
    trial = rules.get("trial") or {}
    named = str(source_file) if source_file is not None else trial.get("source")
    if not named:
        raise SourceError("the rules file names no source; give the criteria text with --source FILE",
                          file=str(rules_file), field="trial.source")
    line_match = re.fullmatch(r"(.+\.jsonl):(\d+)", named)
    path_text, line = (line_match.group(1), int(line_match.group(2))) if line_match else (named, None)
    candidates = [Path(path_text)]
    if source_file is None and not Path(path_text).is_absolute():
        candidates.append(Path(rules_file).parent / path_text)
    path = next((c for c in candidates if c.is_file()), None)
    if path is None:
        raise SourceError(f"cannot find the source {named!r}; give it with --source FILE",
                          file=str(source_file or rules_file), field=None if source_file else "trial.source")
    if line is not None:
        return _jsonl_line(path, line)
    sources = read_sources(str(path), trial.get("id"))
    chosen = [s for s in sources if s.trial_id == trial.get("id")] if len(sources) > 1 else sources
    if not chosen:
        raise SourceError(f"no trial {trial.get('id')} in this source", file=str(path))
    return chosen[0]


def _jsonl_line(path: Path, number: int) -> Source:
    with path.open(encoding="utf-8") as stream:
        for index, line in enumerate(stream, start=1):
            if index == number:
                try:
                    return from_record(json.loads(line), f"{path}:{number}")
                except json.JSONDecodeError as exc:
                    raise SourceError(f"invalid JSON: {exc.msg}", file=str(path), line=number) from None
    raise SourceError(f"the file has no line {number}", file=str(path))


# ---------------------------------------------------------------------------- analysis


def criterion_kind(rule: Any) -> str:
    """computed | partial | review | none, from the leaves of the rule tree."""
    leaves = [n.get("kind") if is_known(n) else "unknown" for n, _ in nodes(rule) if not is_compound(n)]
    computed = any(kind in COMPUTED_KINDS for kind in leaves)
    review = any(kind in ("manual", "unknown") for kind in leaves)
    if computed:
        return "partial" if review else "computed"
    if review or not leaves:
        return "review"
    return "none"


def logic_flags(rule: Any) -> list[str]:
    """Where a rule's logic is most worth a second look: a negation (``not``), an exception
    (``unless``, or a requirement with a carve-out), a restriction (``restrict``: a limit
    for some patients only)."""
    flags: set[str] = set()
    for node, depth in nodes(rule):
        kind = str(node.get("kind"))
        items = [i.get("kind") for i in node.get("items") or [] if isinstance(i, dict)] if kind in ("all", "any") else []
        if kind == "not" or node.get("negated"):
            flags.add("negation")
        if kind == "unless" or "except" in kind or "exception" in node or "except" in node or (
                kind == "all" and "not" in items and len(set(items)) > 1):
            flags.add("exception")
        if kind == "restrict" or (kind == "sex" and depth > 0) or "applies_to" in node or (
                kind == "any" and "not" in items and len(items) > 1):
            flags.add("restriction")
    return [flag for flag in ("negation", "exception", "restriction") if flag in flags]


def _read_spans(rule: Any) -> list[tuple[int, int]]:
    """Spans of the words the computed leaves were read from, merged."""
    spans = sorted(tuple(n["span"]) for n, _ in nodes(rule) if n.get("kind") in COMPUTED_KINDS and _is_span(n.get("span")))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _durations(rule: Any) -> set[tuple[float, str]]:
    """(value, unit) of the recency and event windows computed leaves carry ("within 14 days",
    "within 10 days after onset")."""
    found = set()
    for node, _ in nodes(rule):
        window: dict = node["window"] if isinstance(node.get("window"), dict) else {}
        for duration in (node.get("within"), window.get("start"), window.get("end")):
            if node.get("kind") in COMPUTED_KINDS and isinstance(duration, dict) and "value" in duration and "unit" in duration:
                found.add((float(duration["value"]), str(duration["unit"])))
    return found


def _is_span(span: Any) -> bool:
    return isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(x, int) for x in span) and span[0] <= span[1]


def unread_numbers(text: str, start: int, end: int, read: list[tuple[int, int]],
                   durations: dict[int, set[tuple[float, str]]] | None = None) -> list[tuple[int, int]]:
    """Numbers between ``start`` and ``end`` that no computed rule reads.  List numbering
    ("1. Respiratory disease"), numbers inside names ("HIV1", "HTLV-1", "10^9") and a
    recency window read by the rule it belongs to ("within 14 days") are not flagged."""
    found = []
    for match in _NUMBER.finditer(text, start, end):
        a, b = match.span()
        if any(x <= a and b <= y for x, y in read):
            continue
        if a >= 2 and text[a - 1] == "-" and text[a - 2].isalpha():
            continue
        if _ENUMERATOR_BEFORE.search(text, max(0, a - 12), a) and _ENUMERATOR_AFTER.match(text, b):
            continue
        unit = _DURATION_AFTER.match(text, b)
        windows = (durations or {}).get(a, set())
        if unit and (float(match.group().replace(",", "")), unit.group(1).lower()) in windows:
            continue
        found.append((a, b))
    return found


def _context(text: str, start: int, end: int, width: int = 30) -> str:
    """A few words either side of ``start:end``, on one line."""
    before = re.sub(r"^\S*\s", "", text[max(0, start - width):start]) if start > width else text[:start]
    after = re.sub(r"\s\S*$", "", text[end:end + width])
    return re.sub(r"\s+", " ", f"…{before}{text[start:end]}{after}…").strip()


def _nest(text: str, start: int, end: int, layers: list[list[Layer]]) -> list[Piece]:
    """Text between ``start`` and ``end`` as pieces: the first layer's intervals become
    elements holding the next layers, clipped to them."""
    if start >= end:
        return []
    if not layers:
        return [Piece(text[start:end])]
    first, rest = layers[0], layers[1:]
    out, cursor = [], start
    for a, b, tag, attrs in first:
        a, b = max(a, cursor), min(b, end)
        if b <= a:
            continue
        out += _nest(text, cursor, a, rest)
        out.append(Piece(tag=tag, attrs=attrs, children=_nest(text, a, b, rest)))
        cursor = b
    return out + _nest(text, cursor, end, rest)


def build_review(rules: dict, source: Source, rules_file: str = "", warnings: list[str] | None = None) -> Review:
    """The page's content: the criteria text marked, each criterion explained, the summary."""
    text, warnings = source.text, list(warnings or [])
    rules_by_id = {c["id"]: c.get("rule") for c in _criteria_of(rules)}
    views = _matched_views(rules, source, warnings)
    in_text = [v for v in views if v.marked and v.registry_field is None]
    start = min([source.start, *(v.span[0] for v in in_text if v.span)])
    end = max([source.end, *(v.span[1] for v in in_text if v.span)])
    criteria_layer, read_layer, durations = _layers(text, in_text, rules_by_id, start, warnings)
    read = [(a, b) for a, b, _, _ in read_layer]
    unread = []
    for a, b in unread_numbers(text, start, end, read, durations):
        criterion = next((v.id for v in in_text if v.span and v.span[0] <= a < v.span[1]), None)
        unread.append(Unread(a, b, text[a:b], criterion, _context(text, a, b)))
    unread_layer = [(u.start, u.end, "unread", {"start": u.start, "end": u.end, "criterion": u.criterion}) for u in unread]
    rows = _rows(_nest(text, start, end, [criteria_layer, read_layer, unread_layer]), {v.id: v for v in in_text})
    for view in views:
        if view.marked and view.registry_field is not None and view.span:
            a, b = view.span
            spans: list[Layer] = [(x, y, "read", {}) for x, y in _read_spans(rules_by_id[view.id]) if a <= x and y <= b]
            view.excerpt = _nest(text, a, b, [[(a, b, "criterion", {"id": view.id, "kind": view.kind, "start": a, "end": b})], spans])
    return Review(rules.get("trial") or {}, rules_file, source.origin or "", (start, end), rows, views, unread, warnings)


def _matched_views(rules: dict, source: Source, warnings: list[str]) -> list[CriterionView]:
    """Every criterion, marked when its text is its slice of the source; a source that
    holds none of them is the wrong one."""
    views = [_view(c) for c in _criteria_of(rules)]
    for view in views:
        if view.span is not None and source.text[view.span[0]:view.span[1]] == view.text:
            view.marked = True
        elif view.span is not None:
            warnings.append(f"{view.id}: its text is not at {view.span[0]}-{view.span[1]} of the source; not marked")
    if any(v.span for v in views) and not any(v.marked for v in views):
        raise SourceError("the source does not hold these rules' criteria at their spans: is it the trial's source?",
                          file=source.origin)
    return views


def _layers(text: str, in_text: list[CriterionView], rules_by_id: dict[str, Any], start: int,
            warnings: list[str]) -> tuple[list[Layer], list[Layer], dict[int, set[tuple[float, str]]]]:
    """The criteria marks, the words computed rules read, and the recency windows each
    number of a criterion may be (by its offset)."""
    criteria_layer: list[Layer] = []
    read_layer: list[Layer] = []
    durations: dict[int, set[tuple[float, str]]] = {}
    cursor = start
    for view in sorted(in_text, key=lambda v: v.span or (0, 0)):
        a, b = view.span or (0, 0)
        if a < cursor:
            warnings.append(f"{view.id}: its span overlaps the criterion before it; marked from {cursor}")
        criteria_layer.append((max(a, cursor), b, "criterion", {"id": view.id, "kind": view.kind, "start": a, "end": b}))
        cursor = max(cursor, b)
        read_layer += [(x, y, "read", {}) for x, y in _read_spans(rules_by_id[view.id])]
        windows = _durations(rules_by_id[view.id])
        for number in _NUMBER.finditer(text, a, b):
            durations[number.start()] = windows
    return criteria_layer, sorted(read_layer, key=lambda layer: layer[:2]), durations


def _rows(pieces: list[Piece], views: dict[str, CriterionView]) -> list[Row]:
    """Cut the marked text into rows at the first line break after each criterion, so each
    criterion's rule stands beside its words; criteria on one line share a row."""
    rows = [Row()]
    for piece in pieces:
        current = rows[-1]
        if piece.tag is None and current.criteria and "\n" in piece.text:
            head, tail = piece.text.split("\n", 1)
            current.pieces.append(Piece(head + "\n"))
            rows.append(Row([Piece(tail)] if tail else []))
            continue
        current.pieces.append(piece)
        if piece.tag == "criterion":
            current.criteria.append(views[piece.attrs["id"]])
    return [row for row in rows if row.pieces]


def _view(criterion: dict) -> CriterionView:
    rule = criterion.get("rule")
    span: Any = criterion.get("span")
    notes = [str(n) for n in criterion.get("notes") or []]
    return CriterionView(
        id=criterion["id"], section=str(criterion.get("section")), kind=criterion_kind(rule), text=criterion["text"],
        span=(span[0], span[1]) if _is_span(span) else None, heading=criterion.get("heading"), registry_field=criterion.get("field"),
        words=describe(rule, criterion["id"], str(criterion.get("section"))), variables=variables(rule),
        questions=questions(rule, criterion["id"]), flags=logic_flags(rule), notes=notes,
    )


# ---------------------------------------------------------------------------- page


def render_review(review: Review, *, filter_script: bool = True) -> str:
    """The self-contained page (``templates/review.html.j2``)."""
    trial = review.trial
    name = " — ".join(str(p) for p in (trial.get("id"), trial.get("title")) if p) or "(untitled trial)"
    return render_page("review.html.j2", title=f"Rules review: {name}", trial_name=name, review=review,
                       kinds=KIND_WORDS, filter_script=filter_script)


def review_page(rules_file: str | Path, source_file: str | Path | None = None, *, filter_script: bool = True) -> str:
    """Read a rules file and its source, and render the review page."""
    rules, warnings = read_rules_data(rules_file)
    source = read_source(rules, rules_file, source_file)
    return render_review(build_review(rules, source, str(rules_file), warnings), filter_script=filter_script)

"""Segmentation: eligibility text -> sections -> items, with offsets into the source.

Handles the layouts of registry text: "Inclusion Criteria" / "Exclusion Criteria"
headings (on their own line or inline, as in "Inclusion Criteria: - a - b"), legacy
headings ("DISEASE CHARACTERISTICS:"), bullets ("*", "-", "1.", "a)"), wrapped lines,
sub-headers that group the items below them ("Renal Disease:"), and "And/or" lines
that join two items into alternatives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from .ages import age_words
from .patterns import patterns
from .headings import find_headings
from .phraseindex import anchored
from .rules import Section


@dataclass
class Item:
    """One criterion-sized piece of text: ``source[start:end]``."""

    section: Section
    start: int
    end: int
    heading: str | None = None
    joined_by_or: bool = False
    indent: int = 0
    about: str | None = None  # another person the item is about ("donor"), from a heading above it
    conditions: tuple[tuple[int, int], ...] = ()  # spans of headings above that may state a range ("Age 65-70 years:")
    parent: tuple[int, int] | None = None  # span of the less indented item the item's bullet hangs from


@dataclass
class _Line:
    start: int  # offset of the first non-blank character after any bullet
    end: int  # offset after the last non-blank character
    indent: int
    bullet: bool
    text: str
    after_blank: bool = False  # a blank line stands between this line and the one before
    inline: bool = False  # a piece of a line split at an inline " - " bullet, not a line of its own


_BULLET_MARK = r"(?:[-*•·▪◦+]|\d{1,2}[.)](?!\d)|[a-zA-Z][.)]|\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)|\[\w{1,4}\])"
_BULLET = re.compile(r"^(\s*)(" + _BULLET_MARK + r"\s+)?")
_INLINE_BULLET = re.compile(r"(?:(?<=\s)|^)[-*•]\s+(?=[A-Z(\"'])(?!(?:IV|V|I{1,3})\b)")  # "ASA I - IV" is a range
_BULLET_CHARS = re.compile(r"[-*•]")
_SPACES = re.compile(r"\s+")
_CONNECTOR = re.compile(r"^(?:and\s*/\s*or|and\s+or|or)\s*[:,;.]?$", re.I)
_CONNECTOR_FIRST = ("a", "A", "o", "O")  # what a connector starts with: "a" and "o" match no other letter ignoring case
_LETTERS = re.compile(r"[A-Za-z]+")
_DIGIT = re.compile(r"\d")
_SIGN_OR_SHARE = re.compile(r"[<>=]|\d\s*%")  # a sub-heading states no limit
_NOT_A_TITLE = re.compile(r"[\d.;,<>=]")
_REQUIRES = re.compile(r"\b(?:following|must|should|shall|who|with|have|has|had"
                       r"|and(?!\s*(?:[<>]?=?\s*\d|over|older|above|under|younger|below|up)))\b", re.I)


_REGION_INLINE_BULLET = re.compile(r"[-*•][^\S\n]+(?=[A-Z(\"'])(?!(?:IV|V|I{1,3})\b)")
"""``_INLINE_BULLET`` over a whole region, but for its opening (a blank or a line's start before it,
tested on each match): tried where one of its marks stands, it is one pass over the region."""
_MARKS = ("-", "*", "•")
"""The characters a match of ``_REGION_INLINE_BULLET`` starts with."""
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
"""The line breaks of ``str.splitlines`` besides "\n"."""


def _lines(source: str, start: int, end: int) -> list[_Line]:
    """Non-blank lines of the region, bullets stripped; inline " - " lists split into lines.

    The inline bullets of the whole region are found by one search: a line without two of
    them (or one past its start in a long line) is no list and skips the steps of
    ``_split_line``, which are kept for the others and for text whose lines break at
    characters other than "\n"."""
    if _OTHER_BREAKS.search(source, start, end):
        return _lines_by_splitting(source, start, end)
    region = source[start:end]
    marks = _inline_marks(region)
    marks.append(len(region) + 1)  # past every line: no test of the end of the list
    next_mark = 0
    out: list[_Line] = []
    blank = False
    line_end = -1
    for content in region.split("\n"):
        line_start, line_end = line_end + 1, line_end + 1 + len(content)
        if not content or content.isspace():
            blank = True
            continue
        while marks[next_mark] < line_start:
            next_mark += 1
        first = marks[next_mark]
        if first < line_end and (marks[next_mark + 1] < line_end or (first > line_start and len(content) > 200)):
            pieces = _split_line(content, start + line_start, blank)
            if pieces:
                out += pieces
                blank = False
            continue
        line = _item_line(content, start + line_start, blank, False)
        if line is not None:
            out.append(line)
            blank = False
    return out


def _inline_marks(region: str) -> list[int]:
    """Where the inline bullets of ``region`` start: the matches of ``_REGION_INLINE_BULLET``
    that open the region or follow a blank.  The regex is tried at each of its marks, found by
    ``str.find``: scanning for a set of characters, the regex engine tests every character
    (a match spans its mark and the blanks after it, so none can start inside another)."""
    places: list[int] = []
    for mark in _MARKS:
        place = region.find(mark)
        while place >= 0:
            places.append(place)
            place = region.find(mark, place + 1)
    places.sort()
    return [m.start() for m in anchored(_REGION_INLINE_BULLET, region, places) if not m.start() or region[m.start() - 1].isspace()]


def _lines_by_splitting(source: str, start: int, end: int) -> list[_Line]:
    """``_lines`` line by line as ``str.splitlines`` gives them."""
    out: list[_Line] = []
    position = start
    blank = False
    for raw in source[start:end].splitlines(keepends=True):
        line_start, position = position, position + len(raw)
        content = raw.rstrip("\r\n")
        if not content or content.isspace():
            blank = True
            continue
        lines = _split_line(content, line_start, blank)
        if lines:
            out += lines
            blank = False
    return out


def _split_line(content: str, line_start: int, blank: bool) -> list[_Line]:
    """The items of one line (``content`` at ``line_start``, without its break): the line,
    or the pieces of an inline " - " list; the first ``after_blank`` as told."""
    out: list[_Line] = []
    pieces = [(0, len(content))]
    # an inline bullet is one of "-*•": a line without any has none (most lines; the regex tries every place)
    marks = [m.start() for m in _INLINE_BULLET.finditer(content)] if _BULLET_CHARS.search(content) else []
    if len(marks) >= 2 or (marks and marks[0] > 0 and len(content) > 200):
        cut = [0, *[m for m in marks if m > 0], len(content)]
        pieces = list(zip(cut[:-1], cut[1:]))
    for piece_start, piece_end in pieces:
        segment = content[piece_start:piece_end]
        if not segment or segment.isspace():
            continue
        line = _item_line(segment, line_start + piece_start, blank and not out, piece_start > 0)
        if line is not None:
            out.append(line)
    return out


def _item_line(segment: str, at: int, after_blank: bool, inline: bool) -> _Line | None:
    """The line of one item written as ``segment`` at ``at``: its bullet and the blanks, bars and
    stars that close it stripped; None when nothing else is left (the closing "**" of a bold heading)."""
    text = segment.lstrip()
    if _unmarked(text):  # most lines: the text as the bullet pattern would leave it, without running it
        indent, marked = segment[:len(segment) - len(text)], False
    else:
        bullet = _BULLET.match(segment)
        assert bullet is not None  # every part of the pattern is optional
        text, indent, marked = segment[bullet.end():], bullet.group(1), bool(bullet.group(2))
    body = text.rstrip()
    while body and body[-1] in " \t|*":
        body = body[:-1].rstrip()
    if not body:  # what is left ends in neither "*" nor a blank: it is no "**"
        return None
    absolute = at + len(segment) - len(text)
    return _Line(absolute, absolute + len(body), len(indent.expandtabs()) if "\t" in indent else len(indent), marked, body,
                 after_blank, inline)


_MARK_FIRST = frozenset("-*•·▪◦+([")
"""The characters a ``_BULLET_MARK`` starts with, but for digits and the letters of "a)", "b."."""


def _unmarked(text: str) -> bool:
    """Whether ``text`` (a line after its blanks) opens with no bullet: it starts with neither a
    mark nor a digit (``\\d``: a decimal digit of any script), nor a letter and "." or ")"."""
    return bool(text) and text[0] not in _MARK_FIRST and not text[0].isdecimal() and text[1:2] not in (".", ")")


@cache
def _range_words() -> frozenset[str]:
    return frozenset(str(w).lower() for w in patterns()["range_heading_words"])


def _is_range_header(line: _Line, following: _Line | None) -> bool:
    """"< 18 months of age:", "Children aged >= 2 years to < 18 years:" above the rows they hold for."""
    text = line.text.rstrip()
    words = text[:-1].split()
    return (
        text.endswith(":") and 0 < len(words) <= 10 and bool(_DIGIT.search(text))
        and any(w.lower().strip("(),") in _range_words() for w in words)
        and following is not None and (following.indent > line.indent or (following.bullet and not line.bullet))
        and _only_range(text)
    )


def _only_range(text: str) -> bool:
    """A heading that names a range and nothing it requires besides: not ">60 years of age and one of the
    following:" nor "Patients under 18 years who have:"."""
    return not _REQUIRES.search(text)


def _is_header(line: _Line, following: _Line | None) -> bool:
    """A short line that introduces the items below it: "Renal Disease:", "Age 65-70 years:",
    or a bare "Age" above more deeply indented bullets (legacy registry text)."""
    text = line.text.rstrip()
    if text.endswith(":"):
        words = text[:-1].split()
        return (0 < len(words) <= 8 and not _SIGN_OR_SHARE.search(text)) or _is_range_header(line, following)
    return (
        not line.bullet
        and following is not None
        and following.bullet
        and following.indent > line.indent
        and len(text.split()) <= 4
        and not _NOT_A_TITLE.search(text)
    )


_CONTINUING = frozenset("abcdefghijklmnopqrstuvwxyz(")


def _continues(previous: _Line, line: _Line, item_indent: int) -> bool:
    """Whether ``line`` wraps the item started before it rather than starting a new one."""
    if line.bullet:
        return False
    if line.indent > item_indent and previous.indent >= item_indent:
        return True
    if line.after_blank or previous.text.endswith((".", ":", ";")):
        return False
    # a wrapped paragraph: the line goes on in lower case, or follows a long unfinished line
    return line.text[:1] in _CONTINUING or len(previous.text) >= 60


@cache
def _label_re() -> re.Pattern[str]:
    labels = sorted(patterns()["legacy_labels"], key=len, reverse=True)
    first = "".join(sorted({re.escape(label[0]) for label in labels}))  # searched for the labels' first letters
    return re.compile(r"(?=[" + first + r"])(?<![\w])(" + "|".join(re.escape(l).replace(r"\ ", r"\s+") for l in labels) + r")\s*:\s*")


def _split_labels(source: str, item: Item) -> list[Item]:
    """"Age: 18 and over Performance status: ECOG 0-1": one item per legacy sub-heading."""
    # a label ends with a colon: an item without one (most) has none
    labels = list(_label_re().finditer(source, item.start, item.end)) if source.find(":", item.start, item.end) >= 0 else []
    if not labels or (len(labels) == 1 and labels[0].start() == item.start):
        if labels:  # "Age: 18 and over" alone: the label is the heading, the rest the item
            label = labels[0]
            if label.end() < item.end:
                return [Item(item.section, label.end(), item.end, label.group(1), item.joined_by_or, item.indent, item.about,
                             item.conditions, item.parent)]
        return [item]
    pieces: list[Item] = []
    head = source[item.start:labels[0].start()].rstrip()
    if head.strip():
        pieces.append(Item(item.section, item.start, item.start + len(head), item.heading, item.joined_by_or, item.indent, item.about,
                           item.conditions, item.parent))
    for label, following in zip(labels, labels[1:] + [None]):
        stop = following.start() if following else item.end
        body = source[label.end():stop].rstrip()
        if body.strip():
            pieces.append(Item(item.section, label.end(), label.end() + len(body), _SPACES.sub(" ", label.group(1)), False, item.indent,
                               item.about, item.conditions, item.parent))
    return pieces


def _about(heading: str, section_about: str | None) -> str | None:
    """Whom the items under a sub-heading are about: the other person it names ("DONOR:"),
    nobody else when it names the patient ("Recipient:"), else whom the section is about."""
    person = _heading_person(heading)
    if person or _names_patient(heading):
        return person
    return section_about


_Region = tuple[int, int, Section, "str | None", tuple[tuple[int, int], ...]]
"""start, end, section, whom the section is about, spans of a heading that may state a range"""


def segment(source: str, start: int = 0, end: int | None = None) -> list[Item]:
    """Split ``source[start:end]`` into items; text before any heading counts as inclusion.

    Items under a heading that names another person ("DONOR:") are about that person
    (``Item.about``) when some heading names the patient too ("PATIENTS:"): criteria for
    two groups.  When none does, the person named takes part and the items are theirs."""
    end = len(source) if end is None else end
    headings = find_headings(source, start, end)
    items: list[Item] = []
    for region in _regions(source, start, end, headings):
        _region_items(source, region, items)
    pieces = [piece for item in items for piece in _split_labels(source, item)]
    # each name once: the items under one sub-heading share it
    names = dict.fromkeys([source[a:b] for a, b, _ in headings] + [item.heading for item in items if item.heading])
    if not any(_names_patient(name) for name in names):  # "Inclusion Criteria for Caregivers" alone: they take part
        for piece in pieces:
            piece.about = None
    return pieces


def _regions(source: str, start: int, end: int, headings: list[tuple[int, int, Section]]) -> list[_Region]:
    """The text between headings, with the section and person of the heading above."""
    regions: list[_Region] = []
    cursor = start
    section: Section = "inclusion"
    about: str | None = None
    ranged: tuple[tuple[int, int], ...] = ()
    for heading_start, heading_end, heading_section in headings:
        regions.append((cursor, heading_start, section, about, ranged))
        cursor, section = heading_end, heading_section
        about = _heading_person(source[heading_start:heading_end])
        # "INCLUSION CRITERIA FOR MINORS (BETWEEN AGES 4 AND 18 YEARS):" beside criteria for other groups: the
        # range holds for the section; a lone section's range may be a requirement and is not read as a condition
        groups = sum(1 for h in headings if h[2] == heading_section) > 1
        ranged = ((heading_start, heading_end),) if groups and _DIGIT.search(source, heading_start, heading_end) else ()
    regions.append((cursor, end, section, about, ranged))
    return regions


def _region_items(source: str, region: _Region, items: list[Item]) -> None:
    """Append the items of one region: a line starts an item, or wraps the one before it, or
    is a sub-heading over the items below it, or an "or" joining two items."""
    region_start, region_end, region_section, region_about, region_range = region
    heading: str | None = None
    about = region_about
    pending_or = False
    previous: _Line | None = None
    band: _Line | None = None  # the sub-heading above that may state a range, while its rows last
    parents: list[Item] = []  # the items open at each smaller indent, for the rows hanging below them
    lines = _lines(source, region_start, region_end)
    last = len(lines) - 1
    for index, line in enumerate(lines):
        following = lines[index + 1] if index < last else None
        if band is not None and line.indent < band.indent:
            band = None
        if line.text.startswith(_CONNECTOR_FIRST) and _CONNECTOR.match(line.text):
            pending_or = line.text.lower().startswith(("and/or", "and or", "or")) or pending_or
            previous = None
            continue
        if _is_header(line, following):
            heading = line.text.rstrip(": ").strip()
            about = _about(heading, region_about)
            band = line if _DIGIT.search(line.text) and _only_range(line.text) else None
            while parents and parents[-1].indent >= line.indent:
                parents.pop()
            previous = line
            continue
        current = items[-1] if items and items[-1].section == region_section else None
        if previous is not None and current is not None and current.end == previous.end and _continues(previous, line, current.indent):
            current.end = line.end
        else:
            while parents and parents[-1].indent >= line.indent:
                parents.pop()
            conditions = region_range + ((band.start, band.end),) if band is not None else region_range
            parent = (parents[-1].start, parents[-1].end) if parents and line.bullet and not line.inline else None
            items.append(Item(region_section, line.start, line.end, heading, pending_or, line.indent, about,
                              conditions, parent))
            if not line.inline:
                parents.append(items[-1])
            pending_or = False
        previous = line


@lru_cache(maxsize=4096)
def _names_patient(heading: str) -> bool:
    """Whether a heading names the patient ("Recipient:"); kept per heading, as ``_heading_person``."""
    return any(w.lower() in age_words().self_words for w in _LETTERS.findall(heading))


@lru_cache(maxsize=4096)
def _heading_person(heading: str) -> str | None:
    """``AgeWords.heading_person``, kept per heading: the sub-headings of legacy registry text
    ("Hepatic:", "Performance status:") recur from trial to trial."""
    return age_words().heading_person(heading)

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
from functools import cache

from .ages import age_words
from .patterns import patterns
from .phraseindex import finditer_from_heads
from .prefilter import heads, needs
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


_BULLET = re.compile(r"^(\s*)((?:[-*•·▪◦+]|\d{1,2}[.)](?!\d)|[a-zA-Z][.)]|\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)|\[\w{1,4}\])\s+)?")
_INLINE_BULLET = re.compile(r"(?:(?<=\s)|^)[-*•]\s+(?=[A-Z(\"'])(?!(?:IV|V|I{1,3})\b)")  # "ASA I - IV" is a range
_BULLET_CHARS = re.compile(r"[-*•]")
_CONNECTOR = re.compile(r"^(?:and\s*/\s*or|and\s+or|or)\s*[:,;.]?$", re.I)
_LETTERS = re.compile(r"[A-Za-z]+")
_LINE_OPENING = re.compile(r"^[ \t]*(?:[#*>\-•]+[ \t]*)?(?:\*\*)?", re.M)


@cache
def _heading_patterns() -> tuple[list[tuple[re.Pattern[str], Section]], list[tuple[re.Pattern[str], Section]]]:
    """(anywhere-patterns, line-start-patterns) with their sections, from patterns.yaml."""
    data = patterns()["sections"]
    sections: tuple[Section, ...] = ("inclusion", "exclusion")
    anywhere = [(re.compile(p, re.I), section) for section in sections for p in data[section]["inline"]]
    line = [(re.compile(p, re.I), section) for section in sections for p in data[section]["line"]]
    return anywhere, line


def _find_headings(source: str, start: int, end: int) -> list[tuple[int, int, Section]]:
    """(start, end, section) of every section heading in ``source[start:end]``."""
    anywhere, line_start = _heading_patterns()
    # a line pattern whose required words the whole source lacks is not tried on each of its lines
    ascii_text, lowered = source.isascii(), source.lower()
    line_start = [(pattern, section) for pattern, section in line_start if not needs(pattern).excludes(source, ascii_text, lowered)]
    # the strings a line pattern's match starts with (``prefilter.heads``): tried only on the lines that start so
    tried = [(pattern, section, *_openings(pattern, ascii_text)) for pattern, section in line_start]
    unheaded = [entry for entry in tried if not entry[2]]  # a line that starts with no head tries only these
    folded_heads = tuple(h for entry in tried if entry[3] for h in entry[2])
    exact_heads = tuple(h for entry in tried if not entry[3] for h in entry[2])
    found: list[tuple[int, int, Section]] = []
    for pattern, section in anywhere:
        for match in finditer_from_heads(pattern, source, start, end, lowered):
            found.append((match.start(), match.end(), section))
    for match in _LINE_OPENING.finditer(source[start:end]):
        line_begin = start + match.end()
        line_end = source.find("\n", line_begin, end)
        line_end = end if line_end < 0 else line_end
        headed = (folded_heads and lowered.startswith(folded_heads, line_begin, line_end)) \
            or (exact_heads and source.startswith(exact_heads, line_begin, line_end))
        for pattern, section, opening, folded in tried if headed else unheaded:
            if opening and not (lowered if folded else source).startswith(opening, line_begin, line_end):
                continue
            heading = pattern.match(source, line_begin, line_end)
            # a heading stands alone on its line, or ends with a colon before its first item
            if heading and (heading.group(0).rstrip().endswith(":") or not source[heading.end():line_end].strip(" \t:*")):
                found.append((match.start() + start, heading.end(), section))
            elif heading:
                wrapped = _wrapped_end(source, heading, line_end, end)
                if wrapped:
                    found.append((match.start() + start, wrapped, section))
    found.sort()
    merged: list[tuple[int, int, Section]] = []
    for item in found:
        if merged and item[0] < merged[-1][1]:
            if item[1] > merged[-1][1]:
                merged[-1] = (merged[-1][0], item[1], merged[-1][2])
            continue
        merged.append(item)
    return merged


def _openings(pattern: re.Pattern[str], ascii_text: bool) -> tuple[tuple[str, ...], bool]:
    """The heads of ``pattern`` (none: try every line) and whether they are in lower case."""
    found, folded = heads(pattern), bool(pattern.flags & re.IGNORECASE)
    return (() if found is None or (folded and not ascii_text) else tuple(found)), folded


_WRAPPED = re.compile(r"\n[ \t]*([^\n:]{1,80}):[ \t]*(?=\n|$)")


def _wrapped_end(source: str, heading: re.Match[str], line_end: int, end: int) -> int | None:
    """The end of a heading broken over two lines ("INCLUSION CRITERIA FOR ADULT PATIENTS IN PILOT STUDY OF
    COMBINATION / RITUXIMAB AND CYCLOSPORINE:"): a qualified heading whose line has no colon, continued by a
    line that ends with one, is not bulleted and keeps the case of the first."""
    first = source[heading.start():line_end]
    if ":" in first or not re.search(r"\b(?:for|in|of|to)\b|[-–(]", first[heading.end() - heading.start():] or first, re.I):
        return None
    following = _WRAPPED.match(source, line_end, end)
    if not following or re.match(r"\s*(?:[-*•]|\d{1,2}[.)])\s", following.group(1)):
        return None
    if not (_heading_case(first) and _heading_case(following.group(1))) or len(following.group(1).split()) > 8:
        return None
    return following.end(1) + 1


_MINOR_WORDS = frozenset({"for", "in", "of", "to", "and", "or", "the", "with", "a", "an", "on", "at", "who", "are"})


def _heading_case(text: str) -> bool:
    """Written as a heading: upper case, or every word but the small ones capitalised; not a sentence."""
    words = re.findall(r"[A-Za-z][\w']*", text)
    return bool(words) and all(w[0].isupper() or w.lower() in _MINOR_WORDS for w in words)


def _lines(source: str, start: int, end: int) -> list[_Line]:
    """Non-blank lines of the region, bullets stripped; inline " - " lists split into lines."""
    out: list[_Line] = []
    position = start
    blank = False
    for raw in source[start:end].splitlines(keepends=True):
        line_start, position = position, position + len(raw)
        content = raw.rstrip("\r\n")
        if not content.strip():
            blank = True
            continue
        pieces = [(0, len(content))]
        # an inline bullet is one of "-*•": a line without any has none (most lines; the regex tries every place)
        marks = [m.start() for m in _INLINE_BULLET.finditer(content)] if _BULLET_CHARS.search(content) else []
        if len(marks) >= 2 or (marks and marks[0] > 0 and len(content) > 200):
            cut = [0, *[m for m in marks if m > 0], len(content)]
            pieces = list(zip(cut[:-1], cut[1:]))
        for piece_start, piece_end in pieces:
            segment = content[piece_start:piece_end]
            if not segment.strip():
                continue
            bullet = _BULLET.match(segment)
            assert bullet is not None  # every part of the pattern is optional
            body_start = bullet.end()
            body = segment[body_start:].rstrip()
            while body and body[-1] in " \t|*":
                body = body[:-1].rstrip()
            if not body.strip("*"):
                continue  # nothing but the closing "**" of a bold heading
            indent = len(bullet.group(1).expandtabs())
            absolute = line_start + piece_start + body_start
            out.append(_Line(absolute, absolute + len(body), indent, bool(bullet.group(2)), body, blank, piece_start > 0))
            blank = False
    return out


@cache
def _range_words() -> frozenset[str]:
    return frozenset(str(w).lower() for w in patterns()["range_heading_words"])


def _is_range_header(line: _Line, following: _Line | None) -> bool:
    """"< 18 months of age:", "Children aged >= 2 years to < 18 years:" above the rows they hold for."""
    text = line.text.rstrip()
    words = text[:-1].split()
    return (
        text.endswith(":") and 0 < len(words) <= 10 and bool(re.search(r"\d", text))
        and any(w.lower().strip("(),") in _range_words() for w in words)
        and following is not None and (following.indent > line.indent or (following.bullet and not line.bullet))
        and _only_range(text)
    )


def _only_range(text: str) -> bool:
    """A heading that names a range and nothing it requires besides: not ">60 years of age and one of the
    following:" nor "Patients under 18 years who have:"."""
    return not re.search(r"\b(?:following|must|should|shall|who|with|have|has|had|and(?!\s*(?:[<>]?=?\s*\d|over|older|above|under|younger|below|up)))\b", text, re.I)


def _is_header(line: _Line, following: _Line | None) -> bool:
    """A short line that introduces the items below it: "Renal Disease:", "Age 65-70 years:",
    or a bare "Age" above more deeply indented bullets (legacy registry text)."""
    text = line.text.rstrip()
    if text.endswith(":"):
        words = text[:-1].split()
        return (0 < len(words) <= 8 and not re.search(r"[<>=]|\d\s*%", text)) or _is_range_header(line, following)
    return (
        not line.bullet
        and following is not None
        and following.bullet
        and following.indent > line.indent
        and len(text.split()) <= 4
        and not re.search(r"[\d.;,<>=]", text)
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
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(l).replace(r"\ ", r"\s+") for l in labels) + r")\s*:\s*")


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
            pieces.append(Item(item.section, label.end(), label.end() + len(body), re.sub(r"\s+", " ", label.group(1)), False, item.indent,
                               item.about, item.conditions, item.parent))
    return pieces


def _about(heading: str, section_about: str | None) -> str | None:
    """Whom the items under a sub-heading are about: the other person it names ("DONOR:"),
    nobody else when it names the patient ("Recipient:"), else whom the section is about."""
    person = age_words().heading_person(heading)
    if person or _names_patient(heading):
        return person
    return section_about


def segment(source: str, start: int = 0, end: int | None = None) -> list[Item]:
    """Split ``source[start:end]`` into items; text before any heading counts as inclusion.

    Items under a heading that names another person ("DONOR:") are about that person
    (``Item.about``) when some heading names the patient too ("PATIENTS:"): criteria for
    two groups.  When none does, the person named takes part and the items are theirs."""
    end = len(source) if end is None else end
    headings = _find_headings(source, start, end)
    regions: list[tuple[int, int, Section, str | None, tuple[tuple[int, int], ...]]] = []
    cursor = start
    section: Section = "inclusion"
    about: str | None = None
    ranged: tuple[tuple[int, int], ...] = ()
    for heading_start, heading_end, heading_section in headings:
        regions.append((cursor, heading_start, section, about, ranged))
        cursor, section = heading_end, heading_section
        about = age_words().heading_person(source[heading_start:heading_end])
        # "INCLUSION CRITERIA FOR MINORS (BETWEEN AGES 4 AND 18 YEARS):" beside criteria for other groups: the
        # range holds for the section; a lone section's range may be a requirement and is not read as a condition
        groups = sum(1 for h in headings if h[2] == heading_section) > 1
        ranged = ((heading_start, heading_end),) if groups and re.search(r"\d", source[heading_start:heading_end]) else ()
    regions.append((cursor, end, section, about, ranged))

    items: list[Item] = []
    for region_start, region_end, region_section, region_about, region_range in regions:
        heading: str | None = None
        about = region_about
        pending_or = False
        previous: _Line | None = None
        band: _Line | None = None  # the sub-heading above that may state a range, while its rows last
        parents: list[Item] = []  # the items open at each smaller indent, for the rows hanging below them
        lines = _lines(source, region_start, region_end)
        for index, line in enumerate(lines):
            following = lines[index + 1] if index + 1 < len(lines) else None
            if band is not None and line.indent < band.indent:
                band = None
            if _CONNECTOR.match(line.text):
                pending_or = line.text.lower().startswith(("and/or", "and or", "or")) or pending_or
                previous = None
                continue
            if _is_header(line, following):
                heading = line.text.rstrip(": ").strip()
                about = _about(heading, region_about)
                band = line if re.search(r"\d", line.text) and _only_range(line.text) else None
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
    pieces = [piece for item in items for piece in _split_labels(source, item)]
    names = [source[a:b] for a, b, _ in headings] + [item.heading for item in items if item.heading]
    if not any(_names_patient(name) for name in names):  # "Inclusion Criteria for Caregivers" alone: they take part
        for piece in pieces:
            piece.about = None
    return pieces


def _names_patient(heading: str) -> bool:
    return any(w.lower() in age_words().self_words for w in _LETTERS.findall(heading))

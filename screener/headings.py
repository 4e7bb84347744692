"""Section headings of eligibility text: where "Inclusion Criteria", "EXCLUSION CRITERIA – PHASE 2",
"DISEASE CHARACTERISTICS:" start and end, and which section each opens.

The patterns are data (``patterns.yaml``, ``sections``): "inline" ones may stand anywhere in a
line, "line" ones only at a line's start, after any bullet.  A line pattern is tried only on
the lines where it can match: those that start with one of its heads (``prefilter.heads``)
or, for a pattern without heads, those that hold a string its matches need
(``prefilter.needs``).  Those lines are found by searching the text, not by visiting every
line: most lines of a trial are no heading, and visiting each was most of segmenting.
"""

from __future__ import annotations

import re
from functools import cache

from .patterns import patterns
from .phraseindex import anchored, places_of
from .prefilter import Needs, heads, needs
from .rules import Section

Heading = tuple[int, int, Section]

_LINE_OPENING = re.compile(r"^[ \t]*(?:[#*>\-•]+[ \t]*)?(?:\*\*)?", re.M)
_OPENING_WHOLE = r"[ \t]*+(?>[#*>\-•]+[ \t]*+)?(?>\*\*)?"
"""``_LINE_OPENING`` without its anchor and with no way back: what it matches at a line start."""
_NOT_LOWERED = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"))
"""The characters beyond ASCII that a case-blind pattern takes for an ASCII letter and ``str.lower``
does not give as that letter ("\u0130" it lowers to two characters); the fourth, "\u212a" (the
Kelvin sign), it lowers to "k"."""


def _folded(source: str) -> str:
    """``source`` as a case-blind pattern sees its letters, one character for one (offsets hold):
    lowered, and each character beyond ASCII that such a pattern takes for an ASCII letter given
    as that letter.  In the text folded so, an ASCII string a pattern needs stands wherever the
    pattern can match.  (A translation table does the same ten times slower beyond ASCII.)"""
    if not source.isascii():
        for char, letter in _NOT_LOWERED:
            if char in source:
                source = source.replace(char, letter)
    return source.lower()


@cache
def _heading_patterns() -> tuple[list[tuple[re.Pattern[str], Section]], list[tuple[re.Pattern[str], Section]]]:
    """(anywhere-patterns, line-start-patterns) with their sections, from patterns.yaml."""
    data = patterns()["sections"]
    sections: tuple[Section, ...] = ("inclusion", "exclusion")
    anywhere = [(re.compile(p, re.I), section) for section in sections for p in data[section]["inline"]]
    line = [(re.compile(p, re.I), section) for section in sections for p in data[section]["line"]]
    return anywhere, line


def find_headings(source: str, start: int, end: int) -> list[Heading]:
    """(start, end, section) of every section heading in ``source[start:end]``, in order, none
    overlapping."""
    anywhere, _ = _heading_patterns()
    ascii_text = source.isascii()
    folded = _folded(source)
    found: list[Heading] = []
    for pattern, section in anywhere:
        for match in _from_heads(pattern, source, start, end, folded):
            found.append((match.start(), match.end(), section))
    found += _line_headings(source, start, end, folded, ascii_text)
    return merged_headings(found)


def _from_heads(pattern: re.Pattern[str], source: str, start: int, end: int, folded: str) -> list[re.Match[str]]:
    """``pattern.finditer(source, start, end)``, the regex tried only where one of its heads stands
    (``phraseindex.finditer_from_heads``), a case-blind one's found in ``folded`` (``_folded``): in
    text beyond ASCII too, which that function searches whole."""
    found_heads = _openings(pattern)[0]
    if not found_heads:
        return list(pattern.finditer(source, start, end))
    haystack = folded if pattern.flags & re.IGNORECASE else source
    return anchored(pattern, source, places_of(haystack, found_heads, start, end), end)


def merged_headings(found: list[Heading]) -> list[Heading]:
    """The headings in order, one that starts inside another joined to it (the longer end kept)."""
    merged: list[Heading] = []
    for item in sorted(found):
        if merged and item[0] < merged[-1][1]:
            if item[1] > merged[-1][1]:
                merged[-1] = (merged[-1][0], item[1], merged[-1][2])
            continue
        merged.append(item)
    return merged


_Tried = tuple[re.Pattern[str], Section, tuple[str, ...], bool, Needs]


def _line_headings(source: str, start: int, end: int, folded: str, ascii_text: bool) -> list[Heading]:
    """The headings that start a line: a pattern is tried on a line that starts with one of its
    heads or, without heads, holds what its matches need, both found in ``folded`` (the text
    folded by ``_folded``)."""
    tried = [entry for entry, need in _line_patterns() if not ((need.non_ascii and ascii_text)
                                                               or _line_lacks(need, source, folded, 0, len(source)))]
    if not tried:
        return []
    unheaded = [entry for entry in tried if not entry[2]]  # a line that starts with no head tries only these
    folded_heads = tuple(h for entry in tried if entry[3] for h in entry[2])
    exact_heads = tuple(h for entry in tried if not entry[3] for h in entry[2])
    region = source[start:end]  # a slice: "^" holds at ``start`` mid-line too
    found: list[Heading] = []
    for line in _candidate_lines(source, start, end, folded, unheaded):
        match = _LINE_OPENING.match(region, line)
        assert match is not None  # every part of the pattern is optional
        line_begin = start + match.end()
        line_end = source.find("\n", line_begin, end)
        line_end = end if line_end < 0 else line_end
        headed = (folded_heads and folded.startswith(folded_heads, line_begin, line_end)) \
            or (exact_heads and source.startswith(exact_heads, line_begin, line_end))
        entries = [entry for entry in (tried if headed else unheaded) if _may_match(entry, source, folded, line_begin, line_end)]
        for pattern, section, *_ in entries:
            heading = pattern.match(source, line_begin, line_end)
            # a heading stands alone on its line, or ends with a colon before its first item
            if heading and (heading.group(0).rstrip().endswith(":") or not source[heading.end():line_end].strip(" \t:*")):
                found.append((start + match.start(), heading.end(), section))
            elif heading:
                wrapped = _wrapped_end(source, heading, line_end, end)
                if wrapped:
                    found.append((start + match.start(), wrapped, section))
    return found


@cache
def _line_patterns() -> list[tuple[_Tried, Needs]]:
    """Each line pattern with its section, heads and needs within a line, and what the whole
    text must hold for it to match anywhere."""
    return [((pattern, section, *_openings(pattern), _line_needs(pattern)), _foldable(needs(pattern), pattern))
            for pattern, section in _heading_patterns()[1]]


def _candidate_lines(source: str, start: int, end: int, folded: str, unheaded: list[_Tried]) -> list[int]:
    """The starts (offsets from ``start``) of the lines where a line pattern may match: the
    first line, lines whose opening is followed by a head of some line pattern, and lines that
    hold a string of the first set an unheaded pattern needs; every line when an unheaded
    pattern has no such set."""
    if any(not need.sets for *_, need in unheaded):
        return [match.start() for match in _LINE_OPENING.finditer(source[start:end])]
    lines = {0}
    for pattern, haystack in zip(_headed_lines(), (folded, source)):
        if pattern is not None:
            lines.update(match.start() + 1 - start for match in pattern.finditer(haystack, start, end))
    for *_, need in unheaded:
        is_folded, strings = need.sets[0]
        haystack = folded if is_folded else source
        for string in strings:
            place = haystack.find(string, start, end)
            while place >= 0:
                lines.add(max(source.rfind("\n", start, place) + 1, start) - start)
                place = haystack.find(string, place + 1, end)
    return sorted(lines)


@cache
def _headed_lines() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """A line break, the line's opening (``_LINE_OPENING``, taken whole) and a head of any line
    pattern: (one with the folded heads, searched in the folded text, whose letters it compares
    without a case-blind comparison of each; one with the others, searched in the text), None
    where there are none.  Searched for its leading line break, not tried at every place."""
    heads_of = [_openings(pattern) for pattern, _ in _heading_patterns()[1]]
    folded = sorted({h for found, is_folded in heads_of if is_folded for h in found}, key=len, reverse=True)
    exact = sorted({h for found, is_folded in heads_of if not is_folded for h in found}, key=len, reverse=True)
    return _opened_by(folded), _opened_by(exact)


def _opened_by(found: list[str]) -> re.Pattern[str] | None:
    """A line break and opening followed by one of ``found`` (None for none)."""
    return re.compile(r"\n" + _OPENING_WHOLE + f"(?:{'|'.join(map(re.escape, found))})") if found else None


def _may_match(entry: _Tried, source: str, folded: str, begin: int, end: int) -> bool:
    """Whether the line pattern of ``entry`` may match at the start of the line ``source[begin:end]``."""
    _, _, opening, is_folded, need = entry
    if opening:
        return (folded if is_folded else source).startswith(opening, begin, end)
    return not _line_lacks(need, source, folded, begin, end)


def _line_lacks(need: Needs, source: str, folded: str, begin: int, end: int) -> bool:
    """``Needs.excludes`` for ``source[begin:end]``, searched in place (folded sets in ``folded``):
    whether it lacks every string of one of the sets a match needs."""
    for is_folded, strings in need.sets:
        haystack = folded if is_folded else source
        for string in strings:
            if haystack.find(string, begin, end) >= 0:
                break
        else:
            return True
    return False


@cache
def _line_needs(pattern: re.Pattern[str]) -> Needs:
    """What a match of ``pattern`` needs within its line: nothing known for a pattern with a
    lookbehind, whose needs may stand before the line."""
    return Needs() if "(?<" in pattern.pattern else _foldable(needs(pattern), pattern)


def _foldable(need: Needs, pattern: re.Pattern[str]) -> Needs:
    """``need`` without a folded set that holds a character beyond ASCII, whose case-blind matches
    ``_folded`` is not proven to give as it: what is left stands in the folded text wherever
    ``pattern`` matches."""
    sets = tuple((is_folded, strings) for is_folded, strings in need.sets if not is_folded or all(s.isascii() for s in strings))
    return need if len(sets) == len(need.sets) else Needs(need.non_ascii, sets, any(is_folded for is_folded, _ in sets))


@cache
def _openings(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], bool]:
    """The heads of ``pattern`` (none: try every line) and whether they are in lower case (then
    looked for in the text folded by ``_folded``, proven for ASCII letters only: a case-blind
    pattern with a head beyond ASCII has none)."""
    found = heads(pattern)
    folded = bool(pattern.flags & re.IGNORECASE)
    if found is None or (folded and not all(head.isascii() for head in found)):
        return (), folded
    return tuple(found), folded


_WRAPPED = re.compile(r"\n[ \t]*([^\n:]{1,80}):[ \t]*(?=\n|$)")
_QUALIFIED = re.compile(r"\b(?:for|in|of|to)\b|[-–(]", re.I)


def _wrapped_end(source: str, heading: re.Match[str], line_end: int, end: int) -> int | None:
    """The end of a heading broken over two lines ("INCLUSION CRITERIA FOR ADULT PATIENTS IN PILOT STUDY OF
    COMBINATION / RITUXIMAB AND CYCLOSPORINE:"): a qualified heading whose line has no colon, continued by a
    line that ends with one, is not bulleted and keeps the case of the first."""
    first = source[heading.start():line_end]
    if ":" in first or not _QUALIFIED.search(first[heading.end() - heading.start():] or first):
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

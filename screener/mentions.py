"""Mentions: the lexicon's variables, conditions, events and variable groups named in a text,
with their offsets (the longest name wins where names overlap), and which variables stand
just before or after a place (the owner of a limit)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .lexicon import Lexicon, Variable, get_lexicon, name_key
from .patterns import patterns
from .phraseindex import PhraseFamily, PhraseIndex, Words
from .prefilter import Needs, needs
from .prefix_negation import closes_phrase, prefix_before_re, prefix_regex
from .scope import cues
from .tokens import NUMBER, Fillers, Spans, phrase_regex, trie


_CLAUSE_END = re.compile(r"[.;]\s")
_RESTATED = re.compile(r"[\s(]*")  # "transaminase (ALT)"
_LISTED = re.compile(r"[\s()]*(?:,|/|&|,?\s*(?:and|or|and/or))[\s()]*", re.I)
_SCALE_GAP = re.compile(r"\s*(?:(?:of|in|on)\s+(?:the\s+|an?\s+)?(?:[\w]+[\s\-]+){0,2})?", re.I)  # "> 4 on a 0-10 pain scale"
_BLANKS = re.compile(r"\s+")


@dataclass
class Mention:
    start: int
    end: int
    kind: str
    id: str
    negated: bool = False  # fused to a negation prefix: "Nonsmoker", "non-smokers"


class MentionReader:
    """Finds the lexicon's names in a text; build once, use for many texts."""

    def __init__(self, lexicon: Lexicon | None = None):
        self.lexicon = lexicon or get_lexicon()
        self._headings: dict[str, list[Mention]] = {}
        self._indexed: tuple[list[Mention], list[Mention], list[int], list[int]] | None = None
        p = patterns()
        self._mentions = [self._mention_regexes(kind, terms) for kind, terms in (
            ("variable", self.lexicon.variables.values()),
            ("condition", self.lexicon.conditions.values()),
            ("event", self.lexicon.events.values()),
        )]
        self._groups = {name_key(k): v for k, v in p["variable_groups"].items()}
        self._condition_names = self._mentions[1][2]
        self._names = [*_names(self._mentions), _Names("group", PhraseIndex(phrase_regex(p["variable_groups"].keys()),
                                                                            p["variable_groups"].keys(), True))]
        self._family = PhraseFamily([names.index for names in self._names], [names.lowered for names in self._names])
        self._prefix_negation_re = prefix_regex(trie(set(self._condition_names)))
        self._prefix_before_re = prefix_before_re()
        self._prefix_negation_needs, self._prefix_before_needs = needs(self._prefix_negation_re), needs(self._prefix_before_re)
        # words that need no reading: what is left unread besides them goes to review
        ignored = {w.lower() for w in p["filler_words"] + p["method_words"] + p["timing"]["current"]}
        ignored |= {w.lower() for phrase in p["timing"]["history"] for w in phrase.split()}
        ignored |= {w.lower() for phrase in p["connectors"]["or"] + p["connectors"]["and"] for w in phrase.split()}
        ignored |= frozenset(w.lower() for w in p["rise_words"])
        self._qualifiers = {w.lower() for phrase in cues()["qualifiers"] for w in str(phrase).split()}
        self._ignored = Fillers(ignored - self._qualifiers)  # qualifiers narrow a condition: never filler

    @staticmethod
    def _mention_regexes(kind: str, terms) -> tuple[str, re.Pattern[str] | None, dict[str, str], re.Pattern[str] | None, dict[str, str]]:
        folded: dict[str, str] = {}
        exact: dict[str, str] = {}
        for term in terms:
            spellings = [term.label, *term.names, *getattr(term, "cues", ())]
            for spelling in spellings:
                folded.setdefault(name_key(spelling), term.id)
            for spelling in term.abbreviations:
                exact.setdefault(re.sub(r"\s+", " ", spelling), term.id)
            readable = term.id.replace("_", " ")
            if len(readable) > 4:  # "bilirubin", "creatinine clearance"; short ids such as "egfr" are no words
                folded.setdefault(name_key(readable), term.id)
        folded_re = phrase_regex(folded) if folded else None
        exact_re = phrase_regex(exact, 0) if exact else None
        return kind, folded_re, folded, exact_re, exact

    def _prefix_negated(self, words: Words) -> list[Mention]:
        """Conditions fused to a negation prefix ("Nonsmoker", "non-smokers who ..."), read as NOT the condition."""
        text, found = words.text, list[Mention]()
        if _lacks(self._prefix_negation_needs, words):
            return found
        for match in self._prefix_negation_re.finditer(text):
            if closes_phrase(text, match.end()):
                key = name_key(match.group("name"))
                found.append(Mention(match.start(), match.end(), "condition", self._condition_names[key], negated=True))
        return found

    def mentions(self, text: str) -> list[Mention]:
        words = Words(text)
        if words.ascii:
            matches = [(self._names[number], found) for number, found in self._family.finditer(words)]
        else:
            matches = [(names, list(names.other.finditer(text)) if names.other else names.index.finditer(words))
                       for names in self._names]
        found = [names.mention(m) for names, found_names in matches for m in found_names]
        negated = self._prefix_negated(words)
        # a name after a prefix that does not negate it names a kind of something else ("non-melanoma skin
        # cancer"): it is not that condition, so it stays unread
        if found and not _lacks(self._prefix_before_needs, words):
            found = [m for m in found
                     if m.kind != "condition" or not self._prefix_before_re.search(text, max(0, m.start - 5), m.start)]
        return _longest(found + negated)

    def _heading_variables(self, heading: str) -> list[Mention]:
        """Variables a sub-heading names ("Age:"), read once per heading."""
        if heading not in self._headings:
            self._headings[heading] = [m for m in self.mentions(heading) if m.kind in ("variable", "group")]
        return self._headings[heading]

    def _variables_before(self, mentions: list[Mention], text: str, position: int, floor: int) -> list[Mention]:
        """The variable (or list of variables joined by and/or/slash) just before ``position``."""
        variables, ends = self._variable_index(mentions)
        low, high = bisect.bisect_left(ends, floor), bisect.bisect_right(ends, position)
        if low >= high:
            return []
        nearest = variables[high - 1]
        gap = text[nearest.end:position]
        if len(gap) > 70 or _CLAUSE_END.search(gap) or NUMBER.search(gap):
            return []
        chosen = [nearest]
        for index in range(high - 2, low - 1, -1):
            mention = variables[index]
            joint = text[mention.end:chosen[0].start]
            restated = mention.id == chosen[0].id and _RESTATED.fullmatch(joint)  # "transaminase (ALT)"
            if restated:
                chosen[0] = Mention(mention.start, chosen[0].end, chosen[0].kind, chosen[0].id)
            elif _LISTED.fullmatch(joint):
                chosen.insert(0, mention)
            else:
                break
        return chosen

    def _variable_index(self, mentions: list[Mention]) -> tuple[list[Mention], list[int]]:
        """The variable and group mentions of ``mentions`` and their ends, both sorted (mentions
        do not overlap), made once per list: a scan of every mention for every number made
        long criteria quadratic."""
        if self._indexed is None or self._indexed[0] is not mentions:
            variables = sorted((m for m in mentions if m.kind in ("variable", "group")), key=lambda m: m.start)
            self._indexed = (mentions, variables, [m.end for m in variables], [m.start for m in variables])
        return self._indexed[1], self._indexed[2]

    def _variable_after(self, mentions: list[Mention], text: str, position: int) -> list[Mention]:
        variables, _ = self._variable_index(mentions)
        assert self._indexed is not None
        index = bisect.bisect_left(self._indexed[3], position)
        after = variables[index:index + 1]
        if after and _SCALE_GAP.fullmatch(text[position:after[0].start]):
            return [after[0]]
        return []

    def _variables(self, mentions: list[Mention]) -> list[Variable]:
        out: list[Variable] = []
        for mention in mentions:
            ids = self._groups[mention.id] if mention.kind == "group" else [mention.id]
            out.extend(self.lexicon.variables[i] for i in ids if i in self.lexicon.variables)
        return out


def _lowered_regex(folded: dict[str, str]) -> re.Pattern[str] | None:
    """The names of ``folded`` (case-folded) as a case-sensitive regex for lowered ASCII text,
    which the engine scans about twice as fast as the case-insensitive one; None where some
    name is not lower case or has a letter that ignoring case would match to ASCII."""
    names = {name for name in folded if name}
    others = {char for name in names for char in name if not char.isascii()}
    if not names or any(name != name.lower() for name in names) \
            or any(re.fullmatch(re.escape(char), chr(code), re.I) for char in others for code in range(128)):
        return None
    return phrase_regex(names, 0)


@dataclass(frozen=True)
class _Names:
    """One way the names of a kind are found: ``index`` read on ASCII text (on its lower
    case when ``lowered``), ``other`` searched in any other text (None: the index there
    too); a match is looked up in ``ids`` by its ``name_key`` (``exact``: as written,
    blanks squashed), or is itself the id (``ids`` None: a group)."""

    kind: str
    index: PhraseIndex
    lowered: bool = False
    other: re.Pattern[str] | None = None
    ids: dict[str, str] | None = None
    exact: bool = False

    def mention(self, match: re.Match[str]) -> Mention:
        written = match.group(0)
        if self.ids is None:
            return Mention(match.start(), match.end(), self.kind, name_key(written))
        key = _BLANKS.sub(" ", written) if self.exact else name_key(written)
        return Mention(match.start(), match.end(), self.kind, self.ids[key])


def _names(kinds: list[tuple[str, re.Pattern[str] | None, dict[str, str], re.Pattern[str] | None, dict[str, str]]]) -> list[_Names]:
    """Per kind, its case-folded names (as a case-sensitive regex on lowered ASCII text where
    ``_lowered_regex`` allows) and then its abbreviations, compared as written."""
    out: list[_Names] = []
    for kind, folded_re, folded, exact_re, exact in kinds:
        if folded_re:
            lowered_re = _lowered_regex(folded)
            index = PhraseIndex(lowered_re or folded_re, folded, True)
            out.append(_Names(kind, index, lowered_re is not None, folded_re, folded))
        if exact_re:
            out.append(_Names(kind, PhraseIndex(exact_re, exact, False), ids=exact, exact=True))
    return out


def _lacks(need: Needs, words: Words) -> bool:
    """``prefilter.cannot_match`` with the lower case ``words`` has made."""
    return need.excludes(words.text, words.ascii, words.lowered if words.ascii and need.folded else None)


def _longest(found: list[Mention]) -> list[Mention]:
    """The mentions that overlap no longer one, in order of place: the longest wins, and of
    two as long the earlier, and of two at one place the one found first."""
    if len(found) < 2:
        return found
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    taken = Spans([])
    for mention in sorted(found, key=lambda m: -(m.end - m.start)):
        if not taken.overlaps(mention.start, mention.end):
            kept.append(mention)
            taken.add(mention.start, mention.end)
    return sorted(kept, key=lambda m: m.start)

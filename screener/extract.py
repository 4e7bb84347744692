"""Extraction: one criterion's normalised text -> a rule tree, read against the lexicon.

The extractor finds mentions (variables, conditions, events) and bounds (comparator,
number, unit), attaches each bound to the variable it speaks of, and joins the leaves
with the connectors of the text.  Whatever meaningful words remain unread become a
manual question joined to the leaves, so nothing is silently dropped and a rule is
never broader than its text: precision before recall.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from .ages import age_tail, age_words
from .carry import carries
from .classes import class_values
from .lexicon import Lexicon, Variable, get_lexicon, name_key
from .exceptions import escape
from .patterns import patterns
from .prefix_negation import closes_phrase, in_clause_negation, prefix_before_re, prefix_regex
from .scope import Group, contexts, cues, groups_in, is_restriction, negated, phrase_pattern, restricted, with_context
from .ruledout import ruled_out_examples
from .rules import Readings, Restrict, Window, AllOf, AnyOf, Comparison, Condition, Duration, Interval, Manual, NoRequirement, Node, Not, Quantity, Section, Sex, walk
from .text import Text
from .units import Analyte, UnitError, compatible, convert, parse_unit, read_unit_at

_NUMBER = re.compile(r"(?<![\w.^/])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)(?![\d])")
_MULTIPLE_OF = re.compile(r"\s*(?:x|×|\*|times|-?fold)\s*[^\W\d]", re.I)
_ANY_SUBSTANCE = Analyte(molar_mass=1.0, valence=1)  # to ask whether two units differ only by what converts per analyte
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*")
_SENTENCE = re.compile(
    r"(?<=[.;])\s+(?=[A-Z(])|;\s*"
    r"|,?\s+and\s+(?=(?:must|should|shall|will|agree|agrees|have\s+to|has\s+to)\b)"  # "... must not be X and must use Y"
)
_TIME_UNITS = {"day", "week", "month", "year", "h", "min", "s", "ms"}
_DURATION_UNITS = {"day": "day", "week": "week", "month": "month", "year": "year", "h": "hour"}
_RECENT_KINDS = {"lab", "physiology", "imaging", "vital"}
_ONLY_IF = re.compile(
    r"\(?\s*(?:only\s+(?:required\s+|needed\s+|necessary\s+|applicable\s+)?(?:if|when|in\s+case\s+of)"
    r"|(?:required|needed|necessary|applicable)\s+only\s+(?:if|when|in\s+case\s+of))\s+([^()]{3,120}?)\s*(?:\)|$)", re.I)
_OPENING_CONDITION = re.compile(r"\s*(?:if|when|whenever|in\s+case\s+of|in\s+case)\b[^,;:]{3,200}[,;:]", re.I)
_AFTER_WORDS = frozenset({"post", "after", "following", "since"})  # "post bone marrow transplantation": its history
_AGE_BEFORE_NUMBER = re.compile(  # "over the age of 65", "maximum age for males is 39", "minimum age: 18"
    r"\s+(?:the\s+)?age(?:\s+limit)?(?:\s+(?:for|in)\s+(?:men|males?|women|females?))?"
    r"(?:\s+of|\s+(?:is|will\s+be)|\s*[:=])?\s*$", re.I)
_AFTER_BOUND = re.compile(r"\s*(?:(after|following|from|since|of)|(?P<before>prior\s+to|before|preceding))\s+(?:the\s+)?", re.I)
_COLUMNS = re.compile(r"\s+(?:--|—|–)\s+")
_FOR_SEX = re.compile(
    r"\s*(?:\(\s*(?:(?:for|in)\s+)?(?P<bracketed>men|males?|women|females?|boys|girls)\s*\)"
    r"|\(?\s*(?:for|in)\s+(?P<sex>men|males?|women|females?|boys|girls)\b\s*\)?)", re.I)
_EVENT_WINDOW = re.compile(
    r"(?:at\s+any\s+time\s+)?(?:during|within|in)\s+the\s+first\s+(\d+|one|two|three|four|five|six|seven|ten|"
    r"twenty|thirty)\s+(days?|weeks?|months?)\s+(?:after|following|from|of)\s+(?:the\s+)?", re.I)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30}


@dataclass
class Mention:
    start: int
    end: int
    kind: str
    id: str
    negated: bool = False  # fused to a negation prefix: "Nonsmoker", "non-smokers"


@dataclass
class Bound:
    start: int
    end: int
    op: str
    value: float
    unit: str | None
    alt: list[Quantity] = field(default_factory=list)
    variant_of: "Bound | None" = None  # a conditional alternative "(<= 5 x ULN if liver metastases)"
    variant_condition: str | None = None
    partner: "Bound | None" = None  # the lower bound of a range, for its upper bound
    shared_unit: str | None = None  # the unit written once after a list ("> 30 or < 18.5 kg/m2")
    listed: tuple[float, ...] = ()  # "ECOG 0 or 1": the values listed, read as "<= 1" on a score
    sex: str | None = None  # "greater than 12.0 for men": the limit holds for one sex
    within: bool = False  # written "within N days": a recency window when it follows lab values
    recency: bool = False  # used as the recency window of the sentence's lab values
    age_words: bool = False  # written with an age tail: "18 years of age or older", "18-35-year-old"
    pair: float | None = None  # the second value of a blood-pressure pair ("< 140/90 mmHg": 90)


@dataclass
class Leaf:
    start: int
    end: int
    node: Node
    sex: str | None = None  # a limit for one sex only ("> 12 g/dL for men")


def _trie(phrases) -> str:
    """A regular expression matching any of ``phrases``, built as a trie so that the engine
    follows shared prefixes once instead of trying a thousand alternatives at every place.
    A space matches any run of blanks and hyphens; the longest phrase wins."""
    root: dict = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = []
        for char in sorted((c for c in node if c), key=lambda c: (c == " ", c)):
            piece = r"[\s\-]+" if char == " " else re.escape(char)
            branches.append(piece + emit(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(root)


def _phrase_regex(phrases, flags=re.I) -> re.Pattern[str]:
    parts = {p for p in phrases if p}
    return re.compile(rf"(?<![\w])(?:{_trie(parts)})(?![\w])", flags)


def _number(text: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))



class Extractor:
    """Reads items against one lexicon and the phrase patterns; build once, use for many items."""

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
        self._prefix_negation_re = prefix_regex(_trie(set(self._condition_names)))
        self._prefix_before_re = prefix_before_re()
        self._group_re = _phrase_regex(p["variable_groups"].keys())
        before = p["comparators_before"]
        self._before = {name_key(k): v for k, v in before.items()}
        symbols = [k for k in before if not k[0].isalpha()]
        words = [k for k in before if k[0].isalpha()]
        self._before_re = re.compile(
            r"(?:(?<![\w])(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
            + r")(?:\s+than)?|(" + "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True)) + r")\)?)\s*$",
            re.I,
        )
        self._before_any_re = re.compile(self._before_re.pattern[:-len(r"\s*$")] + r"\s*", re.I)
        after = p["comparators_after"]
        self._after = {name_key(k): v for k, v in after.items()}
        self._after_re = re.compile(
            r"\s*(" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(after, key=len, reverse=True)) + r")(?![\w])"
            r"(?!\s*(?:than\s*|or\s+equal\s*(?:to\s*)?|equal\s*(?:to\s*)?)?\d)",  # "18 and less than 45": "less" opens the next limit
            re.I,
        )
        self._uln_re = re.compile(r"\s*" + p["upper_limit"], re.I)
        self._lln_re = re.compile(r"\s*" + p["lower_limit"], re.I)
        self._rise = frozenset(w.lower() for w in p["rise_words"])
        lead = phrase_pattern(cues()["negation_lead"])
        self._negation_re = re.compile(
            r"^[\s,:]*(?:" + lead + r"\s+){0,4}(?:"
            + "|".join(re.escape(str(n)) for n in sorted(p["negations"], key=lambda n: len(str(n)), reverse=True)) + r")\b\s*",
            re.I,
        )
        self._history_re = _phrase_regex(p["timing"]["history"])
        self._current_re = _phrase_regex(p["timing"]["current"])
        self._or_re = _phrase_regex(p["connectors"]["or"])
        self._and_re = _phrase_regex(p["connectors"]["and"])
        self._ignored = {w.lower() for w in p["filler_words"] + p["method_words"] + p["timing"]["current"]}
        self._ignored |= {w.lower() for phrase in p["timing"]["history"] for w in phrase.split()}
        self._ignored |= {w.lower() for phrase in p["connectors"]["or"] + p["connectors"]["and"] for w in phrase.split()}
        self._exceptions = _phrase_regex(p["exception_words"])
        self._no_requirement = {phrase.casefold() for phrase in p["no_requirement"]}
        # "male or female" restricts nothing, unless a qualifier follows ("male or female without childbearing potential")
        self._definition_re = re.compile(phrase_pattern(cues()["definitions"]), re.I)
        self._neutral_re = _phrase_regex(p["no_restriction"])
        self._qualified_re = re.compile(r"\s+(?P<word>without|not|who|of|with|that)\b", re.I)  # "male or female without ..."
        self._within_normal_re = _phrase_regex(p["within_normal"])
        self._negated_before_re = re.compile(  # "or no smoking", "non-smokers", "without childbearing potential"
            r"(?:(?<![\w-])(?:" + "|".join(re.escape(str(n)).replace(r"\ ", r"\s+") for n in sorted(p["negations"] + ["never"], key=lambda n: len(str(n)), reverse=True))
            + r")\s+|(?<![\w-])non-?\s*)$", re.I)
        self._negated_after_re = re.compile(r"[\s\-]*(?:" + "|".join(re.escape(w.lstrip("-")) for w in p["negations_after"]) + r")\b", re.I)
        self._distance_re = re.compile(r"\s*(?:" + _phrase_regex(p["distance_words"]).pattern + r")", re.I)
        self._conditional_re = re.compile(r"(?:" + _phrase_regex(p["conditional_words"]).pattern + r")(?![^,;:]*\b(?:then|must)\b)[^,;:]*$", re.I)
        self._uncertain_re = re.compile(r"(?:" + _phrase_regex(p["uncertain_words"]).pattern + r")[\s\w]{0,12}$", re.I)
        self._ignored |= self._rise
        self._unread_condition_re = re.compile(
            r"(?:" + _phrase_regex(p["conditional_words"]).pattern + r")\s+[^\W\d]", re.I)
        self._cue_re = re.compile(
            "(?P<examples>" + phrase_pattern(cues()["examples"]) + ")|(?P<exception>" + phrase_pattern(cues()["exceptions"]) + ")",
            re.I)
        self._clause_break_re = re.compile(r"[,;:(]|\b(?:or|and|nor)\b|" + self._cue_re.pattern, re.I)
        self._qualifiers = {w.lower() for phrase in cues()["qualifiers"] for w in str(phrase).split()}
        self._ignored -= self._qualifiers  # they narrow a condition: never filler
        self._study_events = frozenset(p["study_events"])
        anchors = phrase_pattern(n for e in p["study_events"] for n in self.lexicon.events[e].names)
        self._within_re = re.compile(  # "within the past 3 months", "in the last 5 years", "within 3 months prior to study entry"
            r"\b(?:within\s+(?:the\s+)?(?:past|last|previous|preceding|prior)?|(?:in|during|over)\s+the\s+(?:past|last|previous|"
            r"preceding|prior))\s*(\d+|" + "|".join(_NUMBER_WORDS)
            + r")\s+(years?|months?|weeks?|days?)\b(?:\s+(?:prior\s+to|before|preceding|of)\s+(?:the\s+)?" + anchors + ")?", re.I)

    # -- mentions ---------------------------------------------------------------------
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
        folded_re = _phrase_regex(folded) if folded else None
        exact_re = _phrase_regex(exact, 0) if exact else None
        return kind, folded_re, folded, exact_re, exact

    def _prefix_negated(self, text: str) -> list[Mention]:
        """Conditions fused to a negation prefix ("Nonsmoker", "non-smokers who ..."), read as NOT the condition."""
        found = []
        for match in self._prefix_negation_re.finditer(text):
            if closes_phrase(text, match.end()):
                key = name_key(match.group("name"))
                found.append(Mention(match.start(), match.end(), "condition", self._condition_names[key], negated=True))
        return found

    def mentions(self, text: str) -> list[Mention]:
        found: list[Mention] = []
        for kind, folded_re, folded, exact_re, exact in self._mentions:
            if folded_re:
                for m in folded_re.finditer(text):
                    found.append(Mention(m.start(), m.end(), kind, folded[name_key(m.group(0))]))
            if exact_re:
                for m in exact_re.finditer(text):
                    found.append(Mention(m.start(), m.end(), kind, exact[re.sub(r"\s+", " ", m.group(0))]))
        for m in self._group_re.finditer(text):
            found.append(Mention(m.start(), m.end(), "group", name_key(m.group(0))))
        negated = self._prefix_negated(text)
        # a name after a prefix that does not negate it names a kind of something else ("non-melanoma skin
        # cancer"): it is not that condition, so it stays unread
        found = [m for m in found if m.kind != "condition" or not self._prefix_before_re.search(text, max(0, m.start - 5), m.start)]
        found += negated
        # longest first at each place; drop what overlaps a longer mention
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        taken = _Spans([])
        for mention in sorted(found, key=lambda m: -(m.end - m.start)):
            if not taken.overlaps(mention.start, mention.end):
                kept.append(mention)
                taken.add(mention.start, mention.end)
        return sorted(kept, key=lambda m: m.start)

    # -- bounds -----------------------------------------------------------------------
    def _unit_after(self, text: str, position: int) -> tuple[str | None, int]:
        uln = self._uln_re.match(text, position)
        if uln and uln.end() > position and uln.group(0).strip():
            return "ULN", uln.end()
        lln = self._lln_re.match(text, position)
        if lln and lln.end() > position and lln.group(0).strip():
            return "LLN", lln.end()
        unit = read_unit_at(text, position)
        if unit:
            return unit[0].display, unit[1]
        return None, position

    def bounds(self, text: str) -> list[Bound]:
        """Every comparator-number-unit of ``text``, except those in a conditional remark
        ("(or the legal age if > 18 years)"), which are left to manual review."""
        found: list[Bound] = []
        consumed = 0
        remarks = _Spans([(a + 1, b) for a, b in (m.span() for m in re.finditer(r"\(([^()]*)\)", text)
                                                  if self._exceptions.search(m.group(1)))])
        for number in _NUMBER.finditer(text):
            if number.start() < consumed or remarks.contains(number.start()):
                continue
            bound_list = self._bounds_at(text, number) or self._listed_at(text, number) or self._class_at(text, number)
            if not bound_list and found and self._carries(text, found[-1], number):  # "ANC >= 1500 and platelets 100,000"
                bound_list = self._bounds_at(text, number, carried=found[-1].op)
            if bound_list:
                found.extend(bound_list)
                consumed = max(b.end for b in bound_list)
        found.extend(self._normal_limits(text, found))
        found.sort(key=lambda b: b.start)
        self._share_units(text, found)
        self._conditional_variants(text, found)
        return found

    @staticmethod
    def _conditional_variants(text: str, found: list[Bound]) -> None:
        """"< 2.5 x ULN, which is allowed < 5 x ULN in patients with liver metastasis": the second
        limit is an alternative to the first under a condition."""
        for first, second in zip(found, found[1:]):
            if first.variant_of or second.variant_of or second.partner or first.unit != second.unit:
                continue
            gap = text[first.end:second.start]
            if not re.fullmatch(r"[\s,;(]*(?:(?:which|that)\s+(?:is|are)\s+)?(?:or\s+)?(?:allowed|permitted|acceptable|accepted)?\s*", gap, re.I):
                continue
            clause = re.compile(r"\s*(?:if|in|for|when)\s+((?:patients|subjects|participants|those|cases)?\s*(?:with|of|who\s+have)?\s*[^.;,()]{3,60})").match(text, second.end)
            if clause:
                second.variant_of, second.variant_condition = first, clause.group(1).strip()
                second.end = clause.end()

    def _listed_at(self, text: str, number: re.Match[str]) -> list[Bound]:
        """"ECOG 0 or 1", "0, 1 or 2", "I, II, III", "ASA 1,2" (read as a decimal by _NUMBER): a
        list of values, kept only for scores as a run from one end of the scale (see _score_list)."""
        if not re.fullmatch(r"\d(?:,\d)?", number.group(1)):
            return []
        after = number.start() + 1
        listed = re.compile(r"(?:\s*,\s*\d)*\s*,?\s*(?:or|and)\s+\d(?![\d.,]\d)|(?:\s*,\s*\d(?![\d.,]\d))+(?![\s,]*(?:\d|or\b|and\b|[IVX]+\b))").match(text, after)
        if not listed:
            return []
        values = tuple(float(v) for v in re.findall(r"\d", text[number.start():listed.end()]))
        return [Bound(number.start(), listed.end(), "<=", max(values), None, listed=values)]

    @staticmethod
    def _class_at(text: str, number: re.Match[str]) -> list[Bound]:
        """"NYHA class III", "Class III/IV": classes of a scale (screener.classes), read like a list."""
        found = class_values(text, number.start())
        return [Bound(number.start(), found[0], "<=", max(found[1]), None, listed=found[1])] if found else []

    def _normal_limits(self, text: str, found: list[Bound]) -> list[Bound]:
        """Limits without a number: "<= ULN" is 1 x ULN, and "< 50% or the lower limit of
        normal" adds "< 1 x LLN" beside the 50 %."""
        extra: list[Bound] = []
        taken = [(b.start, b.end) for b in found]
        for normal in self._within_normal_re.finditer(text):  # "within normal limits": LLN <= value <= ULN
            lower = Bound(normal.start(), normal.end(), ">=", 1, "LLN")
            extra += [lower, Bound(normal.start(), normal.end(), "<=", 1, "ULN", partner=lower)]
            taken.append(normal.span())
        if not re.search(r"ULN|LLN|limit", text, re.I):
            return extra  # what follows finds only limits whose words say one of these
        for limit_re, unit in ((self._uln_re, "ULN"), (self._lln_re, "LLN")):
            for comparator in self._before_any_re.finditer(text):
                limit = limit_re.match(text, comparator.end())
                if limit and _ARITHMETIC.match(text, limit.end()):
                    continue  # "> ULN + 4 seconds" is no multiple of the limit
                if limit and re.search(r"ULN|LLN|limit", limit.group(0), re.I) and not any(a <= comparator.start() < b for a, b in taken):
                    op = self._before[name_key(comparator.group(1) or comparator.group(2))]
                    extra.append(Bound(comparator.start(), limit.end(), op, 1, unit))
                    taken.append((comparator.start(), limit.end()))
            for bound in found:
                alternative = re.compile(r"\s*,?\s*or\s+").match(text, bound.end)
                limit = limit_re.match(text, alternative.end()) if alternative else None
                if alternative and limit and re.search(r"ULN|LLN|limit", limit.group(0), re.I) and bound.unit not in ("ULN", "LLN"):
                    extra.append(Bound(alternative.end(), limit.end(), bound.op, 1, unit))
        return extra

    @staticmethod
    def _share_units(text: str, found: list[Bound]) -> None:
        """A unit written once after a list applies to the bounds before it, if it fits them."""
        for bound, following in zip(found, found[1:]):
            gap = text[bound.end:following.start]
            if bound.unit is None and following.unit and following.unit not in ("ULN", "LLN") \
                    and re.fullmatch(r"[\s,()]*(?:(?:or|and|to|and/or|nor)\b[\s,()]*)?", gap, re.I):  # "1 lesion of >= 12 mm": a count
                bound.shared_unit = following.unit
                bound.age_words = bound.age_words or following.age_words  # "less than 6 or greater than 65 years of age"
        for bound, following in zip(reversed(found), reversed(found[:-1])):
            if following.shared_unit and following.unit is None and bound.shared_unit is None:
                continue

    def _carries(self, text: str, previous: Bound, number: re.Match[str]) -> bool:
        if previous.partner or previous.variant_of or previous.listed or previous.within:
            return False
        return carries(text, previous.start, previous.end, number.start(), number.end(), self._variable_kinds)

    def _variable_kinds(self, text: str) -> list[tuple[int, int, str]]:
        return [(m.start, m.end, self.lexicon.variables[m.id].kind) for m in self.mentions(text) if m.kind == "variable"]

    def _bounds_at(self, text: str, number: re.Match[str], carried: str | None = None) -> list[Bound]:
        if re.fullmatch(r"\d{2,3},\d{2}", number.group(1)) and number.group(1).endswith("00"):
            return []  # "100,00/mm3": a typo of 100,000 or 100.00, not a threshold to trust
        before = text[max(0, number.start() - 60):number.start()]
        comparator = self._before_re.search(before)
        aged = None if comparator else _AGE_BEFORE_NUMBER.search(before)
        if aged:  # "less than age 18", "over the age of 65": the comparator stands before the word age
            comparator = self._before_re.search(before[:aged.start()])
            aged = aged if comparator else None
        op = None
        start = number.start()
        within = False
        if comparator:
            op = self._before[name_key(comparator.group(1) or comparator.group(2))]
            start = number.start() - (len(before) - comparator.start())
            within = (comparator.group(1) or "").lower() == "within"
        op = op or carried
        between = re.search(r"\b(between|from)(?:\s+(?:the\s+)?ages?(?:\s+of)?)?\s*$", before, re.I)
        value = _number(number.group(1))
        cursor = number.end()
        second = None
        pair = _PAIR.match(text, cursor) if re.fullmatch(r"\d{2,3}", number.group(1)) else None
        if pair:  # "< 140/90 mmHg": systolic over diastolic, read by _pair_leaf
            cursor = pair.end()
        range_re = r"\s*(?:-\s*(?:and|to)|-|to|and|~)\s*" if between else \
            r"\s*(?:-|to|~|and(?=\s*\d{1,3}\s*(?:years?|yrs?)[\s-]*(?:old|of\s+age)\b))\s*"  # "18 and 65 years old"
        unit_first, after_first = self._unit_after(text, cursor)
        range_match = re.compile(range_re + r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)(?![\d])", re.I).match(text, after_first)
        if range_match and op is None and not pair:  # "20/40 to 20/320" is no range of pairs
            second = _number(range_match.group(1))
            cursor = range_match.end()
            if between:
                start = number.start() - (len(before) - between.start())
        else:
            cursor = after_first
        unit, cursor = (self._unit_after(text, cursor) if second is not None else (unit_first, cursor))
        if second is not None and unit is None:
            unit = unit_first
        tail = age_tail(text, cursor, unit)  # "18 years of age or older", "18-35-year-old"
        if aged and not tail and unit is None:
            tail = ("year", cursor)
        if tail:
            unit, cursor = tail
            unit_first = unit_first or unit
        suffix = self._after_re.match(text, cursor)
        if suffix and op is None and second is None:
            op = self._after[name_key(suffix.group(1))]
            cursor = suffix.end()
        if second is not None:
            first_unit = unit_first or unit
            if first_unit != unit or value > second:
                if value > second and first_unit == unit:  # "73 to 24": a range written high to low
                    value, second = second, value
                elif value > second:
                    return []
            lower = Bound(start, cursor, ">=", value, first_unit, age_words=bool(tail))
            return [lower, Bound(start, cursor, "<=", second, unit, partner=lower, age_words=bool(tail))]
        if op is None:
            rise = re.search(r"\b(to|of)\s*$", before, re.I)
            if rise and _first_word_at(text, self._rise) < number.start():
                op = ">="
            else:
                return []
        if within and unit not in _DURATION_UNITS:
            return []  # "within 15 cm of the anal margin" is a place, not a limit
        if self._distance_re.match(text, cursor):
            return []  # "≥ 3 mm distant from the fovea" measures a distance, not the variable
        if unit and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number.group(1)) and _is_count(unit):
            value = float(number.group(1).replace(".", ""))  # "100.000/mm3": European thousands
        if pair and unit not in (None, "mmHg"):
            return []
        bound = Bound(start, cursor, op, value, unit, within=within, age_words=bool(tail),
                      pair=_number(pair.group(1)) if pair else None)
        for_sex = _FOR_SEX.match(text, cursor)
        if for_sex:
            word = for_sex.group("bracketed") or for_sex.group("sex")
            bound.sex = "male" if word.lower().startswith(("m", "bo")) else "female"
            bound.end = for_sex.end()
        self._restatements(text, bound)
        return [bound, *self._variant(text, bound)]

    def _restatements(self, text: str, bound: Bound) -> None:
        """"< 8 kPa (< 60 mmHg)": the bracketed value is the same threshold in other units."""
        alt = re.compile(r"\s*[(\[]\s*(?:(?:approximately|approx\.?|about|~|ca\.?|i\.e\.,?)\s*)?(?:[<>]=?|=)?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)").match(text, bound.end)
        if not alt or bound.unit in (None, "ULN", "LLN"):
            return
        unit, end = self._unit_after(text, alt.end())
        close = re.compile(r"\s*[)\]]").match(text, end)
        if unit and close and unit not in ("ULN", "LLN"):
            try:
                # mg/dL beside umol/L: the same limit through the analyte's molar mass, which the
                # check looks up; where it is not known that reading is unknown, never dropped
                if not compatible(unit, bound.unit, _ANY_SUBSTANCE):
                    return
            except UnitError:
                return
            bound.alt.append(Quantity(value=_clean(_number(alt.group(1))), unit=unit))
            bound.end = close.end()

    def _variant(self, text: str, bound: Bound) -> list[Bound]:
        """"<= 2.5 x ULN (<= 5 x ULN if liver metastases)": a second threshold under a condition."""
        opening = re.compile(r"\s*[(\[]\s*(?:or\s+)?").match(text, bound.end)
        if not opening:
            return []
        close = text.find(")", opening.end())
        if close < 0:
            return []
        inner = text[opening.end():close]
        clause = re.search(r"\b(?:if|for|in|with|when|where)\b\s*(.+)$", inner, re.I)
        number = _NUMBER.search(inner)
        if not clause or not number or number.start() > clause.start():
            return []
        comparator = self._before_re.search(inner[:number.start()])
        unit, _ = self._unit_after(inner, number.end())
        if comparator:
            op, begin = self._before[name_key(comparator.group(1) or comparator.group(2))], comparator.start()
        elif number.start() == 0 and unit is not None and unit == bound.unit:
            op, begin = bound.op, 0  # "(1.5 mg/dL in patients under 50 kg)": the limit's own comparator
        else:
            return []
        variant = Bound(opening.end() + begin, close + 1, op, _number(number.group(1)), unit,
                        variant_of=bound, variant_condition=clause.group(1).strip())
        return [variant]

    # -- building leaves --------------------------------------------------------------
    def _variables_before(self, mentions: list[Mention], text: str, position: int, floor: int) -> list[Mention]:
        """The variable (or list of variables joined by and/or/slash) just before ``position``."""
        variables, ends = self._variable_index(mentions)
        low, high = bisect.bisect_left(ends, floor), bisect.bisect_right(ends, position)
        if low >= high:
            return []
        nearest = variables[high - 1]
        gap = text[nearest.end:position]
        if len(gap) > 70 or re.search(r"[.;]\s", gap) or _NUMBER.search(gap):
            return []
        chosen = [nearest]
        for index in range(high - 2, low - 1, -1):
            mention = variables[index]
            joint = text[mention.end:chosen[0].start]
            restated = mention.id == chosen[0].id and re.fullmatch(r"[\s(]*", joint)  # "transaminase (ALT)"
            if restated:
                chosen[0] = Mention(mention.start, chosen[0].end, chosen[0].kind, chosen[0].id)
            elif re.fullmatch(r"[\s()]*(?:,|/|&|,?\s*(?:and|or|and/or))[\s()]*", joint, re.I):
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
        gap = r"\s*(?:(?:of|in|on)\s+(?:the\s+|an?\s+)?(?:[\w]+[\s\-]+){0,2})?"  # "> 4 on a 0-10 pain scale"
        if after and re.fullmatch(gap, text[position:after[0].start], re.I):
            return [after[0]]
        return []

    def _variables(self, mentions: list[Mention]) -> list[Variable]:
        out: list[Variable] = []
        for mention in mentions:
            ids = self._groups[mention.id] if mention.kind == "group" else [mention.id]
            out.extend(self.lexicon.variables[i] for i in ids if i in self.lexicon.variables)
        return out

    def _comparison(self, variable: Variable, bound: Bound, start: int, text: Text) -> Comparison | None:
        """A comparison, or None when the bound cannot be about this variable (wrong dimension,
        implausible); the variable's variants are tried when its own unit does not fit."""
        for candidate in (variable, *(self.lexicon.variables[v] for v in variable.variants)):
            comparison = self._comparison_of(candidate, bound, start, text)
            if comparison is not None:
                return comparison
        return None

    def _comparison_of(self, variable: Variable, bound: Bound, start: int, text: Text) -> Comparison | None:
        unit = bound.unit
        implied = False
        if unit == "%" and variable.unit is None:
            unit = None
        op, value = bound.op, bound.value
        if bound.listed:
            listed = self._score_list(variable, bound.listed)
            if listed is None:
                return None
            op, value = listed
        if unit is None and variable.id == "age":
            unit = "year"
        if unit is None and variable.unit is not None and _MULTIPLE_OF.match(text.text, bound.end):
            return None  # "2 x UNRL": a multiple of a limit not read, never a bare value in the usual unit
        if unit is None and variable.unit is not None:
            if bound.shared_unit and compatible(bound.shared_unit, variable.unit, variable.analyte, variable.bsa_normalised):
                unit = bound.shared_unit
            else:
                unit, implied = variable.implied_unit(bound.value), True
        if unit in ("ULN", "LLN"):
            if variable.unit is None or variable.kind in ("demographic", "anthropometric", "imaging"):
                return None
        elif unit is None:
            if variable.unit is not None:
                return None
        else:
            parsed = parse_unit(unit)
            if parsed is not None and parsed.display in _TIME_UNITS and variable.id != "age" and variable.unit not in _TIME_UNITS:
                return None
            if variable.unit is None or not compatible(unit, variable.unit, variable.analyte, variable.bsa_normalised):
                return None
            if variable.range and not self._plausible(bound.value, unit, variable):
                return None
            if not variable.typical(bound.value, unit):
                return None
        span = text.origin(start, bound.end)
        return Comparison(
            variable=variable.id, label=variable.label, op=op, value=_clean(value), unit=unit,
            unit_implied=implied or None, alt=bound.alt, span=span, text=None,
        )

    @staticmethod
    def _score_list(variable: Variable, values: tuple[float, ...]) -> tuple[str, float] | None:
        """"ECOG 0 or 1" is "<= 1", "NYHA class 3 or 4" is ">= 3": a run of scores from one end
        of the scale; any other list is not a threshold."""
        if variable.unit is not None or not variable.range:
            return None
        low, high = (int(edge) for edge in variable.range)
        run = tuple(float(v) for v in range(int(min(values)), int(max(values)) + 1))
        if tuple(sorted(values)) != run:
            return None
        if min(values) == low:
            return "<=", max(values)
        if len(values) == 1 and max(values) < high:  # "NYHA class III": that class
            return "==", values[0]
        if max(values) == high:
            return ">=", min(values)
        return None

    @staticmethod
    def _plausible(value: float, unit: str, variable: Variable) -> bool:
        try:
            canonical = convert(value, unit, variable.unit, variable.analyte)
        except UnitError:
            return True  # per-area and absolute clearances: the range cannot judge, keep
        if variable.range is None:
            return True
        low, high = variable.range
        return low <= canonical <= high

    def _scale_edges(self, variable: Variable, bounds: list[Bound]) -> list[Bound]:
        """"ECOG 0-1", "Karnofsky 60-100%": a range edge at the limit of the scale says nothing."""
        if len(bounds) != 2 or not variable.range:
            return bounds
        low, high = variable.range
        kept = []
        for bound in bounds:
            unit = None if bound.unit == "%" and variable.unit is None else bound.unit
            try:
                value = convert(bound.value, unit, variable.unit, variable.analyte) if unit not in ("ULN", "LLN") else None
            except UnitError:
                value = None
            trivial = value is not None and ((bound.op == ">=" and value <= low) or (bound.op == "<=" and value >= high))
            if not trivial:
                kept.append(bound)
        return kept

    # -- the item ---------------------------------------------------------------------
    def item_rule(self, text: Text, section: Section, heading: str | None = None) -> Node:
        """The rule for one item; spans of nodes are offsets into the original source."""
        if _squash(text.text).strip(" .;").casefold() in self._no_requirement:
            return NoRequirement(span=text.origin(0, len(text.text)))
        row = self._table_row(text, section, heading) if heading and _COLUMNS.search(heading) else None
        if row is not None:
            return row
        nodes: list[Node] = []
        manual_parts: list[tuple[int, int]] = []
        found = (self.mentions(text.text), self.bounds(text.text))  # once per item, then per sentence
        sentences = self._sentences(text.text)
        group, restriction = self._group(text.text, sentences)
        for index, (start, end) in enumerate(sentences):
            node = self._sentence_rule(text, start, end, section, heading, found, group, not restriction)
            if node is not None and index and ruled_out_examples(text.text, sentences[index - 1], start):
                # "ensure that other etiologies were eliminated; example: COPD": the examples must be absent
                node = negated(node, _squash(text.text[start:end]), text.origin(start, end))
            if node is None:
                if not (group and start <= group.start and group.end >= end - 1):
                    manual_parts.append((start, end))
            else:
                nodes.append(node)
        if manual_parts:
            first, last = manual_parts[0][0], manual_parts[-1][1]
            span = text.origin(first, last)
            question = " ".join(text.text[s:e].strip() for s, e in manual_parts)
            nodes.append(Manual(question=_squash(question), span=span))
        span = text.origin(0, len(text.text))
        rule: Node = nodes[0] if len(nodes) == 1 else AllOf(items=nodes, span=span)
        if group is not None and restriction:
            return restricted(self._group_node(text, group), rule if nodes else None, section, restriction, span)
        return rule

    def _group_node(self, text: Text, group: Group) -> Node:
        label = self.lexicon.conditions[group.condition].label if group.condition in self.lexicon.conditions else None
        return group.node(text.origin(group.start, group.end), label)

    def _group(self, text: str, sentences: list[tuple[int, int]]) -> tuple[Group | None, bool]:
        """The group the item is about, from the first sentence that names one, and whether it
        restricts the item (rather than being required by it)."""
        named = groups_in(text)  # once per item; then the first sentence that names one group
        for start, end in sentences if named else ():
            found = [g for g in named if start <= g.start and g.end <= end]
            if found and len({g.sex for g in found}) == 1:
                return found[0], is_restriction(text, found[0], start)
        return None, False

    def _columns(self, heading: str) -> list[tuple[Variable, str | None]] | None:
        """"Age (in years) -- Creatinine (in mg/dL)": one variable, and maybe a unit, per column."""
        columns = []
        for part in _COLUMNS.split(heading):
            variables = self._variables([m for m in self.mentions(part) if m.kind in ("variable", "group")])
            if len(variables) != 1:
                return None
            stated = re.search(r"\(\s*(?:in\s+)?([^()]+?)\s*\)", part)
            unit = read_unit_at(stated.group(1), 0) if stated else None
            columns.append((variables[0], unit[0].display if unit else None))
        return columns if len(columns) == 2 else None

    def _table_row(self, text: Text, section: Section, heading: str) -> Node | None:
        """A row of a legacy table such as "Younger than 5 -- no greater than 1.2": in an
        inclusion, when the first column's condition holds the second must (an implication);
        in an exclusion, both together exclude."""
        columns = self._columns(heading)
        cells = _COLUMNS.split(text.text)
        separator = _COLUMNS.search(text.text)
        if columns is None or len(cells) != 2 or separator is None:
            return None
        offset = len(cells[0]) + len(separator.group(0))
        parts: list[Node] = []
        for (variable, unit), cell, start in zip(columns, cells, (0, offset)):
            comparisons = []
            for bound in self.bounds(cell):
                if bound.variant_of is None:
                    bound.start, bound.end = bound.start + start, bound.end + start
                    bound.shared_unit = bound.shared_unit or unit
                    comparisons.append(self._comparison(variable, bound, bound.start, text))
            read = [c for c in comparisons if c is not None]
            if not read or len(read) != len(comparisons):
                return None
            parts.append(read[0] if len(read) == 1 else AllOf(items=list(read)))
        condition, requirement = parts
        span = text.origin(0, len(text.text))
        if section == "exclusion":
            return AllOf(items=[condition, requirement], span=span)
        return AnyOf(items=[Not(item=condition), requirement], span=span)

    def _sentences(self, text: str) -> list[tuple[int, int]]:
        out, cursor = [], 0
        for match in _SENTENCE.finditer(text):
            if text[cursor:match.start()].strip():
                out.append((cursor, match.start()))
            cursor = match.end()
        if text[cursor:].strip():
            out.append((cursor, len(text.rstrip())))
        return out

    def _sentence_rule(self, text: Text, start: int, end: int, section: Section, heading: str | None,
                       found: tuple[list[Mention], list[Bound]], group: Group | None = None,
                       required_group: bool = False) -> Node | None:
        in_group = group is not None and start <= group.start < end
        lead = start  # a negation may follow a group that opens the sentence ("For females, not pregnant")
        if in_group and group is not None and text.text[start:group.start].strip(" ,:").lower() in ("", "for", "in", "among", "if"):
            lead = group.end
        sentence = text.text[lead:end]
        negation = self._negation_re.match(sentence)
        if negation and self._before_re.search(sentence[:negation.end() + 12].split(" than")[0] + " than"):
            negation = None
        if negation and re.match(r"\s*(?:more|less|greater|fewer|lower|higher)\b", sentence[negation.end():], re.I):
            negation = None
        body_start = lead + (negation.end() if negation else 0)
        leaves, covered = self._leaves(text, body_start, end, section, heading, found)
        if in_group and group is not None:
            leaves = [l for l in leaves if not (group.start <= l.start and l.end <= group.end)]
            covered.append((group.start, group.end))
        self._event_window(text, body_start, end, found[0], leaves, covered)
        notes = []
        measured = any(isinstance(n, Comparison) for l in leaves for n in walk(l.node))
        for match in contexts(text.text, body_start, end) if measured else ():  # context notes go on comparisons
            covered.append((match.start(), match.end()))
            note = _squash(match.group(0)).lower()
            notes.append(str(cues().get("context_wording", {}).get(note, note)))
        required = group if in_group and required_group else None
        if not leaves:
            if required is None or self._leftover(text.text, body_start, end, covered):
                return None
            node = self._group_node(text, required)  # "Women of childbearing potential"
            return negated(node, _squash(text.text[start:end]), text.origin(start, end)) if negation else node
        apart: list[Leaf] = []
        if negation and any(not isinstance(l.node, Not) for l in leaves):
            # "Not pregnant HIV negative": a finding negated after it is a statement of its own, outside the scope
            apart = [l for l in leaves if isinstance(l.node, Not) and l.start > body_start]
            leaves = [l for l in leaves if l not in apart]
            covered += [(l.start, l.end) for l in apart]
        polarity: Section = section if not negation else ("exclusion" if section == "inclusion" else "inclusion")
        cue = self._scope_cue(text.text, body_start, end, leaves)
        if cue is not None:
            part = self._scoped(text, start, body_start, end, cue, leaves, covered, polarity)
        else:
            part = self._part(text, start, body_start, end, leaves, covered, polarity)
        if part is None:
            return None
        node = with_context(part, notes)
        # "No pregnant or nursing women": the group inside the negation; "Women without childbearing potential":
        # a group written before the negation cue stays outside it
        outside = required is not None and negation is not None and required.end <= lead + negation.end()
        if required is not None and not outside:
            node = AllOf(items=[self._group_node(text, required), node], span=text.origin(start, end))
        if negation:
            node = negated(node, _squash(text.text[start:end]), text.origin(start, end))
        if required is not None and outside:
            node = AllOf(items=[self._group_node(text, required), node], span=text.origin(start, end))
        if apart:
            joiner = AllOf if section == "inclusion" else AnyOf
            node = joiner(items=[node] + [l.node for l in apart], span=text.origin(start, end))
        return node

    def _event_window(self, text: Text, start: int, end: int, mentions: list[Mention], leaves: list[Leaf],
                      covered: list[tuple[int, int]]) -> None:
        """"at any time during the first 10 days after onset": the values of the sentence count
        only when measured in that window after the event."""
        match = _EVENT_WINDOW.search(text.text, start, end)
        comparisons = [n for l in leaves for n in walk(l.node) if isinstance(n, Comparison)]
        if not match or not comparisons:
            return
        event = next((m for m in mentions if m.kind == "event" and match.end() <= m.start <= match.end() + 2), None)
        if event is None:
            return
        amount = match.group(1).lower()
        value = int(amount) if amount.isdigit() else _NUMBER_WORDS[amount]
        window = Window(event=event.id, end=Duration(value=value, unit=_DURATION_UNITS[match.group(2).lower().rstrip("s")]))
        for comparison in comparisons:
            comparison.window = window
        defined = re.compile(r"\s*\([^()]*\)").match(text.text, event.end)  # "(date of the first symptoms)"
        covered.append((match.start(), defined.end() if defined else event.end))

    def _part(self, text: Text, start: int, body_start: int, end: int, leaves: list[Leaf], covered: list[tuple[int, int]],
              section: Section, skip: tuple[int, int] = (0, 0)) -> Node | None:
        """What was read in ``body_start:end`` (less ``skip``), with a question on its unread words."""
        leaves = [l for l in leaves if body_start <= l.start < end and not skip[0] <= l.start < skip[1]]
        leftover = self._leftover(text.text, body_start, end, covered + [skip])
        if not leaves:
            return Manual(question=_squash(text.text[start:end]), span=text.origin(start, end)) if leftover else None
        node = self._join(leaves, text.text, section)
        only = _ONLY_IF.search(text.text, body_start, end)
        if only and not any(only.start() <= l.start < only.end() for l in leaves):
            # "DLCO > 55% (only required if there is clinical evidence of pulmonary dysfunction)"
            group = self._condition_for(only.group(1).strip(), text)
            node = Restrict(group=group, item=node, outside=section == "inclusion", span=text.origin(start, end))
            leftover = self._leftover(text.text, body_start, end, covered + [skip, only.span()])
        opening = _OPENING_CONDITION.match(text.text, body_start, end)
        if leftover and opening and all(l.end <= opening.end() for l in leaves):
            # "If the fibrosing lung disease threatens the vital prognosis, we will ...": what follows the
            # condition applies only under it; outside it the sentence asks nothing of the patient
            manual = Manual(question=_squash(text.text[start:end]), span=text.origin(start, end))
            return Restrict(group=node, item=manual, outside=section == "inclusion", span=manual.span)
        if leftover:
            if self._unread_condition_re.search(_blank_spans(text.text, covered, body_start, end)):
                # "(50,000/mm3 if post bone marrow transplantation)": another limit under a condition not read;
                # what was read is one reading, the sentence as written (a question) the other: decided where they agree
                manual = Manual(question=_squash(text.text[start:end]), span=text.origin(start, end))
                return Readings(items=[node, manual], span=manual.span)
            narrowing = all(text.text[a:b].lower() in self._qualifiers for a, b in leftover)  # "active hepatitis B or C"
            own = self._first_only(text, start, end, section, leaves, leftover) if narrowing else None
            if own is not None:
                return own
            alternative = not narrowing and self._leftover_is_alternative(text.text, leaves, leftover)
            node = self._with_unread(node, text, start, end, section, alternative)
        return node

    def _first_only(self, text: Text, start: int, end: int, section: Section, leaves: list[Leaf],
                    leftover: list[tuple[int, int]]) -> Node | None:
        """"Active neoplasia or concomitant myelodysplasia": a qualifier before the first of several
        alternatives narrows that one only when each later one has words of its own after its "or";
        "active hepatitis B or C" qualifies both (None: the caller keeps the whole-sentence question)."""
        ordered = sorted(leaves, key=lambda l: l.start)
        if len(ordered) < 2 or any(b > ordered[0].start or text.text[b:ordered[0].start].strip() for a, b in leftover):
            return None
        for previous, leaf in zip(ordered, ordered[1:]):
            between = re.sub(r"\b(?:or|and)\b|[,;/]", " ", text.text[previous.end:leaf.start], flags=re.I)
            joined = re.search(r"\bor\b|,", text.text[previous.end:leaf.start], re.I)
            if not joined or not between.strip():
                return None
        whole = self._join(ordered, text.text, section)
        if not isinstance(whole, AnyOf):
            return None
        manual = Manual(question=_squash(text.text[start:end]), span=text.origin(start, end))
        first = Leaf(ordered[0].start, ordered[0].end, AllOf(items=[ordered[0].node, manual], span=manual.span))
        return self._join([first, *ordered[1:]], text.text, section)

    def _scope_cue(self, text: str, start: int, end: int, leaves: list[Leaf]) -> tuple[str, int, int, int] | None:
        """The first example or exception cue outside what was read: (kind, cue start, cue end, end of its scope,
        the closing bracket when the cue stands in brackets)."""
        for match in self._cue_re.finditer(text, start, end):
            if any(l.start <= match.start() < l.end for l in leaves):
                continue
            kind = "examples" if match.group("examples") else "exception"
            opened = text.rfind("(", start, match.start())
            closed = text.find(")", match.end(), end)
            scope_end = closed if opened > text.rfind(")", start, match.start()) and closed != -1 else end
            return kind, match.start(), match.end(), scope_end
        return None

    def _scoped(self, text: Text, start: int, body_start: int, end: int, cue: tuple[str, int, int, int],
                leaves: list[Leaf], covered: list[tuple[int, int]], polarity: Section) -> Node | None:
        """"X, including Y": Y are examples of X (any one makes X present; none leaves X to review).
        "X unless Y": Y is an escape (in a requirement X or Y; in an exclusion X unless Y)."""
        kind, cue_start, cue_end, scope_end = cue
        head = self._part(text, start, body_start, end, leaves, covered, polarity, skip=(cue_start, scope_end))
        inner = self._part(text, cue_start, cue_end, scope_end, leaves, covered, polarity)
        if inner is None:
            return head
        span = text.origin(start, end)
        if kind == "examples":
            if head is None:
                return inner
            return AnyOf(items=[inner, head], span=span)
        if head is None:
            return None
        if polarity == "inclusion":
            return AnyOf(items=[head, inner], span=span)
        return escape(head, inner, self.lexicon, span)

    def _leaves(self, text: Text, start: int, end: int, section: Section, heading: str | None,
                found: tuple[list[Mention], list[Bound]]) -> tuple[list[Leaf], list[tuple[int, int]]]:
        sentence = text.text[:end]
        mentions = [m for m in found[0] if start <= m.start and m.end <= end]
        inside = {id(b) for b in found[1] if start <= b.start and b.end <= end}
        bounds = [b for b in found[1] if id(b) in inside and (b.variant_of is None or id(b.variant_of) in inside)
                  and (b.partner is None or id(b.partner) in inside)]
        leaves: list[Leaf] = []
        covered: list[tuple[int, int]] = []
        used_mentions: set[int] = set()
        previous_vars: list[Mention] = []
        previous_end = start
        after_style = False
        heading_vars = self._heading_variables(heading) if heading else []
        heading_vars = heading_vars if len(heading_vars) == 1 else []  # "Age -- Creatinine" names no one variable
        separators = [m.start() for m in re.finditer(r"[,;:]", sentence[start:end])]
        separators = [start + p for p in separators]
        by_anchor: dict[int, list[Bound]] = {}
        for bound in bounds:
            anchor = id(bound.variant_of or bound.partner or bound)
            by_anchor.setdefault(anchor, []).append(bound)
        for bound in bounds:
            if bound.variant_of is not None or bound.partner is not None:
                continue
            last = bisect.bisect_left(separators, bound.start)
            clause = separators[last - 1] + 1 if last else start
            if self._conditional_re.search(sentence[clause:bound.start]):  # the regex sees only the last clause
                continue  # "consent of a guardian if less than 18 years old": a condition, not a requirement
            after = self._variable_after(mentions, sentence, bound.end)
            if after_style and after:  # "≥ 140 mmHg SBP and/or ≥ 90 mmHg DBP": each value names its variable after it
                chosen = after
            else:
                chosen = self._variables_before(mentions, sentence, bound.start, previous_end if not previous_vars else start)
                continues = re.fullmatch(r"[\s,;()]*(?:or|and|and/or)?[\s,;()]*", sentence[previous_end:bound.start], re.I)
                if previous_vars and (not chosen or chosen[-1].end <= previous_end):
                    chosen = previous_vars if continues else []  # "BMI > 30 or < 18.5": the same variable again
                if not chosen and after:
                    chosen, after_style = after, True
            if chosen and chosen[0].kind == "variable" and chosen[0].id == "age":
                owner = self._age_owner(sentence, start, chosen[0], bound)
                if owner is None:
                    continue  # "onset at age 6 months", "3-4 times per week": no age the lexicon holds
                chosen = [Mention(chosen[0].start, chosen[0].end, "variable", owner)]  # "maternal age", "donor age"
            if not chosen and heading_vars:
                chosen = heading_vars
            owner = None if chosen else self._age_cue(sentence, start, bound, heading)
            if owner:
                chosen = [Mention(bound.start, bound.start, "variable", owner)]
            if not chosen:
                continue
            group = [b for b in by_anchor[id(bound)]]
            node = self._leaf(text, chosen, group, section, sentence)
            if node is None:
                continue
            if bound.sex:  # "Hemoglobin > 12 g/dL for men": only men must meet it; it does not apply to women
                node = Restrict(group=Sex(sex=bound.sex, span=text.origin(bound.start, bound.end)), item=node,
                                outside=section == "inclusion", span=text.origin(bound.start, bound.end))
            leaf_start = min([bound.start] + [m.start for m in chosen if previous_end <= m.start and m.end <= bound.start])
            leaf_end = max(b.end for b in group)
            leaf_end = max([leaf_end] + [m.end for m in chosen])
            leaves.append(Leaf(leaf_start, leaf_end, node, bound.sex))
            covered.append((leaf_start, leaf_end))
            used_mentions.update(id(m) for m in chosen)
            previous_vars, previous_end = chosen, leaf_end
        self._condition_leaves(text, sentence, start, mentions, bounds, leaves, covered, used_mentions)
        self._recency(text, sentence, bounds, leaves, covered)
        self._interval_leaves(text, sentence, start, mentions, [b for b in bounds if not b.recency], leaves, covered)
        covered += self._neutral_spans(sentence, start, covered)  # "male or female": no restriction
        leaves = self._defined(sentence, start, leaves, covered)
        covered += _spelled_out(sentence, start, leaves, self._qualifiers)
        leaves.sort(key=lambda l: l.start)
        return leaves, covered

    def _defined(self, sentence: str, start: int, leaves: list[Leaf], covered: list[tuple[int, int]]) -> list[Leaf]:
        """"Significant cardiac disease defined as NYHA III or IV", "clinically significant cardiac
        dysfunction (NYHA grade 3 or 4)": the measured definition says what the term means, so it
        decides alone; the term's words and conditions read from them are covered by it.  A closing
        parenthesis defines only a qualified term ("Known HIV infection (CD4 < 200)" keeps both)."""
        definition = self._definition_re.search(sentence, start)
        if definition:
            cue_start, cue_end = definition.start(), definition.end()
        else:
            bracket = re.search(r"\(([^()]*)\)[\s.;]*$", sentence[start:])
            words = {w.lower() for w in re.findall(r"[\w-]+", sentence[start:start + bracket.start()])} if bracket else set()
            if not bracket or not words & self._qualifiers:
                return leaves
            cue_start, cue_end = start + bracket.start(), start + bracket.start() + 1
        defining = [l for l in leaves if l.start >= cue_end]
        if not defining or not all(any(isinstance(n, Comparison) for n in walk(l.node)) for l in defining):
            return leaves
        if definition is None and any(l.end > cue_start and l.start < cue_end for l in leaves):
            return leaves
        covered.append((start, cue_end))
        return [l for l in leaves if l.start >= cue_end or any(isinstance(n, Comparison) for n in walk(l.node))]

    def _neutral_spans(self, sentence: str, start: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """"male or female" restricts nothing, unless a qualifier follows that nothing read
        ("male or female without childbearing potential" is neutral once the negation was read)."""
        spans = []
        for match in self._neutral_re.finditer(sentence, start):
            qualifier = self._qualified_re.match(sentence, match.end())
            if qualifier is None or any(a <= qualifier.start("word") < b for a, b in covered):
                spans.append(match.span())
        return spans

    def _heading_variables(self, heading: str) -> list[Mention]:
        """Variables a sub-heading names ("Age:"), read once per heading."""
        if heading not in self._headings:
            self._headings[heading] = [m for m in self.mentions(heading) if m.kind in ("variable", "group")]
        return self._headings[heading]

    def _age_owner(self, sentence: str, start: int, mention: Mention, bound: Bound) -> str | None:
        """Whose age an "age" mention with this bound states: the patient's ("age"), another
        lexicon variable ("maternal_age", "age_at_onset"), or None (see screener.ages)."""
        words = age_words()
        if bound.unit is None and words.count_after(sentence, bound.end):
            return None  # "3-4 times per week"
        owner = words.owner(sentence, start, min(mention.start, bound.start), max(mention.end, bound.end))
        return owner if owner in self.lexicon.variables else None

    def _age_cue(self, sentence: str, start: int, bound: Bound, heading: str | None) -> str | None:
        """Whose age a bound without the word "age" before it states: "18 years old", "aged 18
        to 75", "Over 18 years", "patients < 18" (see screener.ages); a bare "At least 2 months"
        under another sub-heading ("Life expectancy:") is no age."""
        words = age_words()
        unit = bound.unit or bound.shared_unit
        if unit not in (None, "year", "month"):
            return None
        if bound.age_words or words.cue(sentence, start, bound.start, bound.end) \
                or words.implied(sentence, start, bound.start, bound.end, self._ignored):
            owner = words.owner(sentence, start, bound.start, bound.end)
            return owner if owner in self.lexicon.variables else None
        if heading and not re.search(r"\bages?\b", heading, re.I):
            return None
        if words.owner(sentence, start, bound.start, bound.end) != "age":
            return None
        return "age" if words.bare(sentence, start, bound.start, bound.end, unit, self._ignored) else None

    def _pair_leaf(self, text: Text, variables: list[Variable], bound: Bound, start: int) -> Node | None:
        """"Blood pressure < 140/90 mmHg": systolic < 140 and diastolic < 90; "> 160/100":
        either one above its limit is enough."""
        if [v.id for v in variables] != ["systolic_bp", "diastolic_bp"] or bound.pair is None:
            return None
        diastolic = Bound(bound.start, bound.end, bound.op, bound.pair, bound.unit or "mmHg")
        systolic = Bound(bound.start, bound.end, bound.op, bound.value, bound.unit or "mmHg")
        parts = [self._comparison(v, b, start, text) for v, b in zip(variables, (systolic, diastolic))]
        if None in parts:
            return None
        joined = AnyOf if bound.op in (">", ">=") else AllOf
        return joined(items=parts, span=text.origin(min(start, bound.start), bound.end))

    def _leaf(self, text: Text, chosen: list[Mention], group: list[Bound], section: Section, sentence: str) -> Node | None:
        variables = self._variables(chosen)
        if any(b.pair is not None for b in group) or any(m.kind == "group" and self._groups[m.id] == ["systolic_bp", "diastolic_bp"] for m in chosen):
            return self._pair_leaf(text, variables, group[0], min(m.start for m in chosen)) if len(group) == 1 else None
        per_variable: list[Node] = []
        for variable in variables:
            main = [b for b in group if b.variant_of is None]
            main_ids = {id(b) for b in main}
            main = self._scale_edges(variable, main)
            if not main:
                continue
            start = min(m.start for m in chosen)
            comparisons = [self._comparison(variable, b, start, text) for b in main]
            read = [c for c in comparisons if c is not None]
            if len(read) != len(comparisons):
                continue
            node: Node = read[0] if len(read) == 1 else AllOf(items=list(read), span=text.origin(start, max(b.end for b in main)))
            variants = [b for b in group if b.variant_of is not None and id(b.variant_of) in main_ids]
            for variant in variants:
                alternative = self._comparison(variable, variant, variant.start, text)
                if alternative is None:
                    continue
                condition = self._condition_for(variant.variant_condition or "", text)
                node = self._with_variant(node, alternative, condition, text.origin(start, variant.end))
            per_variable.append(node)
        if not per_variable or len(per_variable) != len(variables):
            return None
        if len(per_variable) == 1:
            return per_variable[0]
        joints = [sentence[a.end:b.start] for a, b in zip(chosen, chosen[1:])]
        span = text.origin(min(m.start for m in chosen), max(b.end for b in group))
        if any(re.search(r"\bor\b", j, re.I) for j in joints):
            return AnyOf(items=per_variable, span=span)
        if any(re.search(r"\band\b", j, re.I) for j in joints):
            return AllOf(items=per_variable, span=span)
        return (AllOf if section == "inclusion" else AnyOf)(items=per_variable, span=span)

    @staticmethod
    def _with_variant(node: Node, alternative: Comparison, condition: Node, span: tuple[int, int]) -> Node:
        """The limit with a second one under a condition: a looser variant ("<= 5 x ULN if liver
        metastases") is enough under the condition; a stricter one ("1.5 mg/dL in patients under
        50 kg") is required under it as well as the main limit."""
        if isinstance(node, Comparison) and _stricter(alternative, node):
            return AllOf(items=[node, Restrict(group=condition, item=alternative, outside=True)], span=span)
        return AnyOf(items=[node, AllOf(items=[condition, alternative])], span=span)

    def _condition_for(self, phrase: str, text: Text) -> Node:
        """The condition under which a second limit holds: a known condition ("with diabetes";
        "post bone marrow transplantation" is its history), a known quantity ("patients under 50 kg",
        "older than 70 years"), else a question."""
        found = [m for m in self.mentions(phrase) if m.kind == "condition"]
        words = [w.lower() for w in _WORD.findall(phrase) if w.lower() not in self._ignored]
        after = [w for w in words if w in _AFTER_WORDS]
        covered_words = {w.lower() for m in found for w in _WORD.findall(phrase[m.start:m.end])}
        if len(found) == 1 and all(w in covered_words for w in words if w not in _AFTER_WORDS):
            term = self.lexicon.conditions[found[0].id]
            return Condition(condition=term.id, label=term.label, timing="history" if after else "current")
        return self._quantity_condition(phrase) or Manual(question=f"Does this apply: {phrase}?")

    def _quantity_condition(self, phrase: str) -> Node | None:
        """"patients under 50 kg": one limit on the patient's age or body measures, named or implied by its unit."""
        bounds = [b for b in self.bounds(phrase) if b.op is not None and b.variant_of is None and b.partner is None]
        if len(bounds) != 1 or bounds[0].unit is None:
            return None
        bound = bounds[0]
        named = [m for m in self.mentions(phrase) if m.kind == "variable"]
        variable_id = named[0].id if len(named) == 1 else patterns()["unit_variables"].get(bound.unit)
        variable = self.lexicon.variables.get(variable_id) if variable_id else None
        if variable is None or variable.kind not in ("demographic", "anthropometric"):
            return None  # a lab limit as the condition ("allowed if conjugated bilirubin < 1.5 x ULN") is an exception
        spans = [(bound.start, bound.end)] + [(m.start, m.end) for m in named]
        rest = _blank_spans(phrase, spans, 0, len(phrase))
        if any(w.lower() not in self._ignored for w in _WORD.findall(rest)):
            return None
        plain = Text(phrase, tuple(range(len(phrase))), tuple(range(1, len(phrase) + 1)))
        comparison = self._comparison_of(variable, bound, bound.start, plain)
        return None if comparison is None else comparison.model_copy(update={"span": None})

    def _condition_leaves(self, text: Text, sentence: str, start: int, mentions, bounds, leaves, covered, used) -> None:
        spans, known = _Spans([]), 0
        for mention in mentions:
            if mention.kind != "condition" or id(mention) in used:
                continue
            for leaf in leaves[known:]:  # the leaves so far, those added by this loop too
                spans.add(leaf.start, leaf.end)
            known = len(leaves)
            if spans.contains(mention.start):
                continue
            if self._uncertain_re.search(sentence[max(start, mention.start - 30):mention.start]):
                continue  # "suspected X" is not X: the words stay unread and go to manual review
            if not self._heads_clause(sentence, start, mention):
                continue  # "etiologies to scleroderma", "example: COPD": mentioned, not required
            term = self.lexicon.conditions[mention.id]
            window = self._within_re.search(sentence, mention.end, min(len(sentence), mention.end + 60))
            prefix = sentence[max(start, mention.start - 40):mention.start]
            history = bool(self._history_re.search(prefix)) and not self._current_re.search(prefix[-20:])
            within = None
            end = mention.end
            if window:
                amount = window.group(1).lower()
                value = int(amount) if amount.isdigit() else _NUMBER_WORDS[amount]
                within = Duration(value=value, unit=window.group(2).lower().rstrip("s"))
                history, end = True, window.end()
                covered.append((window.start(), window.end()))
            node: Node = Condition(condition=term.id, label=term.label, timing="history" if history else "current", within=within,
                             span=text.origin(mention.start, end), text=None)
            inside = in_clause_negation(sentence, max(start, mention.start - 40), mention.start, end)
            if inside is not None and any(isinstance(l.node, Condition) and l.node.condition == term.id for l in leaves):
                inside = None  # "HIV infection without AIDS": one lexicon entry both ways; left to review
            if inside is not None:  # "female without child-bearing potential"
                covered.append((inside, mention.start))
            if mention.negated or inside is not None:  # "Nonsmoker"
                node = Not(item=node, span=node.span)
            negated = self._negated_after_re.match(sentence, end)
            before = self._negated_before_re.search(sentence, max(start, mention.start - 20), mention.start)
            if negated:  # "HIV negative"
                end = negated.end()
                node = Not(item=node, span=text.origin(mention.start, end))
                covered.append((mention.start, end))
            elif before and not (mention.negated or inside is not None):  # "never smoked or no smoking within 2 years"
                node = Not(item=node, span=text.origin(before.start(), end))
                covered.append((before.start(), mention.end))
            # a window read past a parenthesis ("malignancy (other than skin cancer) in the last 3 years") does not
            # swallow what the parenthesis says: the leaf ends at the name
            leaf_end = mention.end if window and "(" in sentence[mention.end:window.start()] else end
            leaves.append(Leaf(mention.start, leaf_end, node))
            covered.append((mention.start, mention.end))
            self._elliptic_conditions(text, sentence, mention, term, leaves, covered, history)

    def _heads_clause(self, sentence: str, start: int, mention: Mention) -> bool:
        """Whether a condition leads its clause, after at most two qualifying words
        ("Uncontrolled epilepsia", "History of malignant disease", "Positive serology for HIV")."""
        prefix = sentence[max(start, mention.start - 300):mention.start]  # enough to find 3 words or a separator
        separator = list(self._clause_break_re.finditer(prefix))  # an exception or example cue opens a clause too
        if not separator and mention.start - start > 300 and len(self._meaningful(prefix)) <= 2:
            prefix = sentence[start:mention.start]  # a long run of blanks or ignored words: read it all
            separator = list(self._clause_break_re.finditer(prefix))
        clause = prefix[separator[-1].end():] if separator else prefix
        return len(self._meaningful(clause)) <= 2

    def _meaningful(self, text: str) -> list[str]:
        return [w for w in _WORD.findall(text) if w.lower().strip("'-") not in self._ignored]

    def _elliptic_conditions(self, text: Text, sentence: str, mention: Mention, term, leaves, covered, history: bool) -> None:
        """"hepatitis B or C": the second is the first with its last word replaced."""
        tail = re.compile(r"\s*(?:,|or|and|and/or)\s*([A-Z0-9])\b").match(sentence, mention.end)
        if not tail:
            return
        words = sentence[mention.start:mention.end].split()
        if len(words) < 2 or len(words[-1]) > 2:
            return
        guess = " ".join(words[:-1] + [tail.group(1)])
        other = self.lexicon.condition(guess)
        if other and other.id != term.id:
            leaves.append(Leaf(tail.start(1), tail.end(1), Condition(
                condition=other.id, label=other.label, timing="history" if history else "current",
                span=text.origin(tail.start(1), tail.end(1)))))
            covered.append((tail.start(1), tail.end(1)))

    def _recency(self, text: Text, sentence: str, bounds: list[Bound], leaves: list[Leaf], covered: list) -> None:
        """"ANC >= 1500/mm3 within 14 days prior to registration": the values of the sentence
        must be that recent; the window is set on each lab comparison."""
        windows = [b for b in bounds if b.within and b.unit in _DURATION_UNITS and b.op in ("<", "<=")]
        labs = [n for leaf in leaves for n in walk(leaf.node) if isinstance(n, Comparison)
                and self.lexicon.variables.get(n.variable) is not None and self.lexicon.variables[n.variable].kind in _RECENT_KINDS]
        if len(windows) != 1 or not labs:
            return
        window = windows[0]
        assert window.unit is not None  # windows are bounds in a duration unit
        window.recency = True
        duration = Duration(value=_clean(window.value), unit=_DURATION_UNITS[window.unit])
        for comparison in labs:
            comparison.within = duration
        tail = re.compile(r"[^.;,()]{0,60}").match(sentence, window.end)  # "prior to registration"
        covered.append((window.start, tail.end() if tail else window.end))

    def _interval_leaves(self, text: Text, sentence: str, start: int, mentions, bounds, leaves, covered) -> None:
        """"Admission less than 10 days after onset": time from one event to another."""
        events = [m for m in mentions if m.kind == "event"]
        for bound in bounds:
            if bound.unit not in _DURATION_UNITS or bound.variant_of is not None:
                continue
            after = _AFTER_BOUND.match(sentence, bound.end)
            if not after:
                continue
            later = [m for m in events if m.start >= after.end() and m.start - after.end() <= 5]
            if not later:
                continue
            earlier = [m for m in events if m.end <= bound.start and bound.start - m.end <= 30]
            if after.group("before") or (later[0].id in self._study_events and after.group(1).lower() == "of"):
                self._before_study_event(text, bound, earlier, later[0], leaves, covered)
                continue
            end_event = self.lexicon.events[earlier[-1].id].id if earlier else None
            leaf_start = earlier[-1].start if earlier else bound.start
            node = Interval(start=later[0].id, end=end_event, op=bound.op, value=_clean(bound.value),
                            unit=_DURATION_UNITS[bound.unit], span=text.origin(leaf_start, later[0].end))
            leaves.append(Leaf(leaf_start, later[0].end, node))
            covered.append((leaf_start, later[0].end))

    def _before_study_event(self, text: Text, bound: Bound, earlier: list[Mention], anchor: Mention, leaves: list[Leaf],
                            covered: list[tuple[int, int]]) -> None:
        """"Radiotherapy within 6 weeks prior to study entry": time from the event to the profile's
        date, which stands for study entry (screening, enrolment, randomisation, first dose) in a
        pre-screen.  Without an event before the limit the window belongs to a condition, which
        reads it; before any other event ("within 2 weeks before surgery") nothing is read."""
        if anchor.id not in self._study_events:
            return
        if not earlier:
            return
        event = earlier[-1]
        node = Interval(start=event.id, end=None, op=bound.op, value=_clean(bound.value),
                        unit=_DURATION_UNITS[str(bound.unit)], span=text.origin(event.start, anchor.end))
        leaves.append(Leaf(event.start, anchor.end, node))
        covered.append((event.start, anchor.end))

    def _leftover(self, text: str, start: int, end: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Meaningful words of the sentence that no leaf accounts for."""
        remarks = []
        for paren in re.finditer(r"\(([^()]*)\)", text[start:end]):
            if not self._exceptions.search(paren.group(1)):
                remarks.append((start + paren.start(), start + paren.end()))
        inside = _Spans(covered + remarks)
        out = []
        for word in _WORD.finditer(text, start, end):
            if inside.contains(word.start()):
                continue
            if word.group(0).lower().strip("'-") in self._ignored or len(word.group(0)) < 2:
                continue
            out.append((word.start(), word.end()))
        return out

    @staticmethod
    def _with_unread(node: Node, text: Text, start: int, end: int, section: Section, alternative: bool) -> Node:
        """Join what was read with a question on the whole sentence, keeping what was read.

        Unread words that qualify what was read ("Uncontrolled epilepsia") make both
        required.  Unread words that are an alternative ("X or other serious disease")
        make either enough in an exclusion (at worst a false exclusion), and in an
        inclusion when what was read is numeric limits only: the limit decides when it
        holds and the question stays for review when it does not.  A condition read out
        of a longer inclusion sentence ("SSc of poor prognosis ... or SSc with ...") is
        broader than the sentence, so such a sentence goes to review as a whole.
        """
        manual = Manual(question=_squash(text.text[start:end]), span=text.origin(start, end))
        if not alternative:
            return AllOf(items=[node, manual], span=manual.span)
        if section == "exclusion" or all(isinstance(n, (Comparison, Sex, AllOf, AnyOf)) for n in walk(node)):
            return AnyOf(items=[node, manual], span=manual.span)
        return manual

    def _leftover_is_alternative(self, text: str, leaves: list[Leaf], leftover: list[tuple[int, int]]) -> bool:
        """Whether unread words are an alternative to what was read rather than a qualifier.

        Two shapes count: "or" right beside a leaf ("X or other serious disease"), and a
        comma list closed by "or" with a leaf in one item and only unread words in another
        ("heart failure reversible, ventricular or atrial rhythm disturbances").
        """
        start = min([l.start for l in leaves] + [w[0] for w in leftover])
        end = max([l.end for l in leaves] + [w[1] for w in leftover])
        chars = list(_blank(text, start, end))
        for leaf in leaves:  # an "or" inside a leaf ("greater than or equal to") joins nothing
            chars[leaf.start:leaf.end] = " " * (leaf.end - leaf.start)
        plain = "".join(chars)
        starts = sorted(leaf.start for leaf in leaves)
        if not leftover:
            return False
        for connector in self._or_re.finditer(plain):
            if self._or_joins_unread(plain, leaves, leftover, connector.start(), connector.end()):
                return True
        if not re.search(r",[^,]*\b(?:or|and/or)\b", plain[start:end]):
            return False
        items = [(m.start(), m.end()) for m in re.finditer(r"[^,;]+", plain[start:end])]
        items = [(start + a, start + b) for a, b in items]
        has_leaf = [_any_between(starts, a, b - 1) for a, b in items]
        unread = sorted(w[0] for w in leftover)
        unread_only = [not leaf and _any_between(unread, a, b - 1) for (a, b), leaf in zip(items, has_leaf)]
        return any(has_leaf) and any(unread_only)

    @staticmethod
    def _or_joins_unread(plain: str, leaves: list[Leaf], leftover: list[tuple[int, int]], start: int, end: int) -> bool:
        """Whether the "or" at ``plain[start:end]`` stands between a leaf and unread words
        ("X or other serious disease"); an "or" between two leaves joins what was read."""
        left = any(re.fullmatch(r"[\s,;:]*", plain[l.end:start]) for l in leaves if l.end <= start)
        right = any(re.fullmatch(r"[\s,;:]*", plain[end:l.start]) for l in leaves if l.start >= end)
        if left == right:
            return False
        if left:
            following = [w for w in leftover if w[0] >= end]
            return bool(following) and not any(end <= l.start < following[0][0] for l in leaves)
        preceding = [w for w in leftover if w[1] <= start]
        before = [l for l in leaves if l.end <= start]
        if before and not re.search(r"[,;:]|\b(?:and|or)\b", plain[max(l.end for l in before):start], re.I):
            return False  # "CST > 300 microns on OCT or CST > 250": the words qualify the first limit
        return bool(preceding) and not any(preceding[-1][1] <= l.end <= start for l in leaves)

    def _join(self, leaves: list[Leaf], text: str, section: Section) -> Node:
        """Join leaves by the connectors between them.

        "A or B and C" is ambiguous; it is read the safe way for the section: in an
        inclusion "and" binds looser ((A or B) and C, the stricter reading), in an
        exclusion "or" binds looser (A or (B and C), the broader reading).
        """
        if len(leaves) == 1:
            return leaves[0].node
        joints: list[str | None] = []
        for left, right in zip(leaves, leaves[1:]):
            between = text[left.end:right.start]
            if left.sex and right.sex and left.sex != right.sex:  # "> 12 for men, > 11 for women": each for its group
                joints.append("and" if section == "inclusion" else "or")
            elif self._or_re.search(between):
                joints.append("or")
            elif self._and_re.search(between):
                joints.append("and")
            else:
                joints.append(None)
        for index, joint in enumerate(joints):
            if joint is None:
                following = next((j for j in joints[index:] if j), None)
                joints[index] = following or ("and" if section == "inclusion" else "or")
        loose, tight = ("and", AllOf) if section == "inclusion" else ("or", AnyOf)
        inner = AnyOf if section == "inclusion" else AllOf
        groups: list[list[Leaf]] = [[leaves[0]]]
        for joint, leaf in zip(joints, leaves[1:]):
            if joint == loose:
                groups.append([leaf])
            else:
                groups[-1].append(leaf)
        parts = [g[0].node if len(g) == 1 else inner(items=[l.node for l in g]) for g in groups]
        return parts[0] if len(parts) == 1 else tight(items=parts)


def _is_count(unit: str) -> bool:
    """A count per volume (/mm3, cells/uL, 10^9/L), where "100.000" can only be thousands."""
    parsed = parse_unit(unit)
    return parsed is not None and parsed.units is not None and parsed.dimensionality == _PER_VOLUME


_PER_VOLUME = getattr(parse_unit("/L"), "dimensionality", None)
_PAIR = re.compile(r"\s*/\s*(\d{2,3})(?![\d.,]\d|\s*(?:mm(?!\s*hg)|cm|m2|kg|l\b|dl\b|ml\b|ul\b|µl\b|min\b|h\b|day|week|month|year))", re.I)


_ARITHMETIC = re.compile(r"\s*[+\-x*]\s*\d")


class _Spans:
    """Membership in a union of [start, end) spans in logarithmic time (sentences may hold
    thousands of spans: scanning them for every word made long criteria quadratic)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            elif a < b:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def contains(self, position: int) -> bool:
        index = bisect.bisect_right(self.starts, position) - 1
        return index >= 0 and position < self.ends[index]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) shares a position with the union."""
        index = bisect.bisect_right(self.starts, start) - 1
        if index >= 0 and start < self.ends[index]:
            return True
        return index + 1 < len(self.starts) and self.starts[index + 1] < end

    def add(self, start: int, end: int) -> None:
        """Add [start, end), merging it with the spans it touches."""
        if start >= end:
            return
        low = bisect.bisect_left(self.ends, start)  # first span ending at or after start
        high = bisect.bisect_right(self.starts, end)  # spans starting at or before end
        if low < high:
            start, end = min(start, self.starts[low]), max(end, self.ends[high - 1])
        self.starts[low:high] = [start]
        self.ends[low:high] = [end]


_NAME_BOUNDARY = re.compile(r"(?:[,;:/()]|\b(?:and|or|by|as|with|if|when)\b)", re.I)


def _spelled_out(sentence: str, start: int, leaves: list[Leaf], qualifiers: set[str]) -> list[tuple[int, int]]:
    """"oxygen arterial pressure at rest (PaO2) < 8 kPa": the words before a bracketed name that
    a limit was read on spell that name out; they are read with it (back to the clause's start
    or a qualifier such as "stable", which stays unread; at most eight words)."""
    spans = []
    for leaf in leaves:
        opening = re.search(r"\(\s*$", sentence[start:leaf.start])
        if not opening or not isinstance(leaf.node, Comparison) and not any(isinstance(n, Comparison) for n in walk(leaf.node)):
            continue
        name_end = start + opening.start()
        floor = max([start] + [other.end for other in leaves if other.end <= name_end])
        head = sentence[floor:name_end]
        boundaries = list(_NAME_BOUNDARY.finditer(head))
        name_start = floor + (boundaries[-1].end() if boundaries else 0)
        words = list(re.finditer(r"[\w-]+", sentence[name_start:name_end]))
        name_start += max([w.end() for w in words if w.group(0).lower() in qualifiers], default=0)
        if 0 < len(sentence[name_start:name_end].split()) <= 8:
            spans.append((name_start, name_end))
    return spans


def _any_between(sorted_values: list[int], low: int, high: int) -> bool:
    """Whether some value v of the sorted list has low <= v <= high."""
    index = bisect.bisect_left(sorted_values, low)
    return index < len(sorted_values) and sorted_values[index] <= high


@lru_cache(maxsize=64)
def _first_word_at(text: str, words: frozenset[str]) -> int:
    """Where the first of ``words`` occurs in ``text`` (its length when none does)."""
    return next((m.start() for m in _WORD.finditer(text) if m.group(0).lower() in words), len(text))


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with parenthesised remarks and "one or more" blanked out (same length),
    so that only connectors of the sentence itself are seen."""
    out = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), text)
    return re.sub(r"\b(?:one|two|three|\d+)\s+or\s+more\b", lambda m: " " * len(m.group(0)), out, flags=re.I)


def _blank_spans(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """``text[start:end]`` with the spans already read blanked out."""
    chars = list(text[start:end])
    for a, b in spans:
        for i in range(max(a, start), min(b, end)):
            chars[i - start] = " "
    return "".join(chars)


def _clean(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def default_extractor() -> Extractor:
    return Extractor()


def _stricter(alternative: Comparison, main: Comparison) -> bool:
    """Whether ``alternative`` admits fewer values than ``main`` (same direction of limit)."""
    if alternative.op[0] != main.op[0] or alternative.op[0] not in "<>":
        return False
    try:
        value = alternative.value if alternative.unit == main.unit else convert(alternative.value, alternative.unit, main.unit)
    except UnitError:
        return False
    return value < main.value if main.op[0] == "<" else value > main.value

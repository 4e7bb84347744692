"""Reading the patient's age, and telling it from the other ages and durations of the text.

Ages are written in many ways ("18 years of age or older", "Ages 18-59", "Over 18 years",
"patients < 18", "18-35-year-old women"); and many quantities in years are no age of the
patient: a duration ("training at least 3 years"), an age at an event ("onset before the
age of 40"), another person's age ("maternal age", "donor age > 65").  A wrong age is a
wrong exclusion, so a number is read as the patient's age only on positive evidence.
The word lists are data (``patterns.yaml``, ``ages:``).
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from functools import cache

from .prefilter import Guarded
from .patterns import patterns

# "of age", "old", "-year-old", "y/o" after "N years" (or after a bare "18-35" when the tail
# itself names the years: "18-35-year-old")
_TAIL = re.compile(r"(?:[\s-]*(years?|yrs?)(?![\w]))?[\s-]*(?:of\s+age|old|/o)(?![\w])|\s*(y\.?\s?o\.?)(?![\w])", re.I)
# the windows before a number searched for these are skipped when they lack a word a match needs
_AGE_BEFORE = Guarded(re.compile(r"\b(?:aged?|ages)\s*(?:(?:of|between|from|is|was|range|:|=)\s*){0,2}$", re.I))
_COUNT = re.compile(r"\s*(?:times|x\b|episodes?|sessions?|visits?|cycles?|doses?|per\b|/\s*(?:d|day|wk|week|month)\b)", re.I)
_UNIT_AHEAD = re.compile(r"[^.;,()]{0,30}?\b(?:years?|yrs?|months?)\b", re.I)
_AGE_COMPARATOR = re.compile(r"\b(?:older|younger)\b|\bages?\s+of\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_EVENT_WORD_BEFORE = Guarded(re.compile(r"\b(at|before|after|by|since|until|from)\s+(?:the\s+)?$", re.I))
_EVENT_WORD_AFTER = re.compile(
    r"\s*(?:(?:years?|of|age)\s+)*(?:at|before|after|by|since|until|when)\s+(?:the\s+)?(?:time\s+of\s+)?((?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)
_CLAUSE_BREAK = re.compile(r"[,;:(\[]|\b(?:and|or|nor|with|who|but)\b", re.I)


def age_tail(text: str, position: int, unit: str | None) -> tuple[str, int] | None:
    """("year", end) when an age tail ("of age", "old", "-year-old") follows at ``position``."""
    if unit not in (None, "year", "month", "week", "day"):
        return None
    match = _TAIL.match(text, position)
    if not match or (unit is None and not match.group(1) and not match.group(2)):
        return None
    return (unit or "year"), match.end()


@dataclass(frozen=True)
class AgeWords:
    subjects: frozenset[str]
    persons: frozenset[str]
    others: dict[str, str | None]
    duration_after: re.Pattern[str]
    events: dict[str, str | None]
    others_words: str  # the keys of ``others`` as one alternation
    self_words: frozenset[str]

    def heading_person(self, heading: str) -> str | None:
        """The other person a heading is about ("DONOR:" -> "donor", "Caregiver inclusion
        criteria" -> "caregiver"), or None when it names no other person or the patient too
        ("Donor and recipient"): criteria under it must never be applied to the patient."""
        words = [w.lower() for w in _WORD.findall(heading)]
        others = [w for w in words if w in self.others]
        if not others or any(w in self.self_words for w in words):
            return None
        return others[0]

    def owner(self, sentence: str, clause_start: int, start: int, end: int) -> str | None:
        """Whose age (or the age at which event) ``sentence[start:end]`` states: "age" for the
        patient's age now, another lexicon variable ("maternal_age", "age_at_onset"), or
        None when it is no age the lexicon can hold ("3-4 times per week", "age at surgery")."""
        for found in (self._other_person(sentence, start, end), self._event(sentence, clause_start, start, end)):
            if found is None or isinstance(found, str):
                return found
        return "age"

    def possessed(self, sentence: str, position: int) -> bool:
        """True when another person's possessive stands right before ``position`` ("both parents'
        current body mass index", "the donor's weight"): a measure of that person, not the patient's."""
        return _possessive(self.others_words).search(sentence[max(0, position - 50):position]) is not None

    def _other_person(self, sentence: str, start: int, end: int) -> str | None | bool:
        before_re, after_re = _other_person_res(self.others_words)
        before = before_re.search(sentence[max(0, start - 40):start])
        after = after_re.match(sentence[end:end + 30])
        found = before or after
        return self.others[found.group(1).lower()] if found else False

    def _event(self, sentence: str, clause_start: int, start: int, end: int) -> str | None | bool:
        """"onset at age 40", "diagnosed before the age of 12", "50 years of age at migraine
        onset".  "Male at the age of >= 5" is the patient's age: "at" with no event word
        before it in the clause."""
        before = sentence[max(0, start - 20):start]
        word = _EVENT_WORD_BEFORE.search(before)
        if word:
            clause = _clause(sentence[clause_start:start - len(before) + word.start()])
            named = self._event_named(clause)
            if named is not False or word.group(1).lower() != "at":
                return None if named is False else named
        after = _EVENT_WORD_AFTER.match(sentence[end:end + 60])
        return self._event_named(after.group(1)) if after else False

    def _event_named(self, text: str) -> str | None | bool:
        for word in _WORD.findall(text):
            if word.lower() in self.events:
                return self.events[word.lower()]
        return False

    def count_after(self, sentence: str, end: int) -> bool:
        """"3-4 times per week", "2 sessions": a count, not an age."""
        return bool(_COUNT.match(sentence, end))

    def bare(self, sentence: str, clause_start: int, start: int, end: int, unit: str | None, ignored: Container[str]) -> bool:
        """A number of years (or "patients < 18") heading its clause: the patient's age.
        Only subject words may stand before it, and no duration word after it."""
        shared = _UNIT_AHEAD.match(sentence, end)  # ">= 1 and <= 6 months after": the unit written once
        if self.duration_after.match(sentence, end) or (shared and self.duration_after.match(sentence, shared.end())):
            return False
        prefix = sentence[clause_start:start]
        clause = _clause(prefix)
        words = [w.lower().strip("'-") for w in _WORD.findall(clause)]
        if not words and prefix.strip(" -*\t"):  # "user (>= 6 months)", "... and less than 5 years"
            words = [w.lower().strip("'-") for w in _WORD.findall(prefix)]  # unless only subjects stand before:
            if not words or not all(w in ignored or w in self.subjects or w in self.persons for w in words) \
                    or not prefix.rstrip().endswith(","):  # "Male or female, >= 19 years"
                return False
        if words and not any(w in self.subjects or w in self.persons for w in words):
            return False
        if unit is None:
            return bool(words) and words[-1] in self.persons and all(w in ignored or w in self.subjects for w in words) \
                and re.match(r"\s*(?:$|[,;.)]|who\b|with\b|and\b|or\b|undergoing\b|at\b|presenting\b|scheduled\b)", sentence[end:end + 15], re.I) is not None
        return unit in ("year", "month") and all((w in ignored or w in self.subjects) and w not in self.events for w in words)

    def implied(self, sentence: str, clause_start: int, start: int, end: int, ignored: Container[str]) -> bool:
        """"Being older than 18", "children 7 and older", "under the age of 18": the comparator
        itself speaks of age, when only subject words stand before it ("a biopsy older than 6
        months" is no age)."""
        if not _AGE_COMPARATOR.search(sentence, start, end):
            return False
        words = [w.lower().strip("'-") for w in _WORD.findall(_clause(sentence[clause_start:start]))]
        return all((w in ignored or w in self.subjects or w in self.persons) and w not in self.events for w in words)

    def cue(self, sentence: str, clause_start: int, start: int, end: int) -> bool:
        """"18 years old", "aged 18 to 75", "18 years of age", "ages 18-59"."""
        before = sentence[max(clause_start, start - 25):start]
        return bool(age_tail(sentence, end, "year") or _AGE_BEFORE.search(before))


@cache
def _other_person_res(others_words: str) -> tuple[Guarded, re.Pattern[str]]:
    """Another person named right before an age ("mother's age", "donor aged"), and right after
    one ("age of the donor"); compiled once for the words."""
    return (Guarded(re.compile(rf"\b({others_words})(?:'s|s')?\s+(?:(?:is|are|was|were|be|being|aged?)\s+)*$", re.I)),
            re.compile(rf"\s*of\s+(?:the\s+|a\s+|his\s+|her\s+|their\s+)?({others_words})\b", re.I))


@cache
def _possessive(others_words: str) -> Guarded:
    """Another person's possessive, then up to two words, at the end of the text ("both parents' current")."""
    return Guarded(re.compile(rf"\b(?:{others_words})(?:'s|s'|')\s+(?:[\w-]+\s+){{0,2}}$", re.I))


def _clause(text: str) -> str:
    """The last clause of ``text`` (after its last comma, bracket, "and", "or"...)."""
    breaks = list(_CLAUSE_BREAK.finditer(text))
    return text[breaks[-1].end():] if breaks else text


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@cache
def age_words() -> AgeWords:
    data = patterns()["ages"]
    return AgeWords(
        subjects=frozenset(w.lower() for w in data["subjects"]),
        persons=frozenset(w.lower() for w in data["persons"]),
        others={k.lower(): v for k, v in data["others"].items()},
        duration_after=re.compile(r"[\s-]*(?:" + _alternation(data["duration_after"]) + r")\b", re.I),
        events={k.lower(): v for k, v in data["events"].items()},
        others_words=_alternation(data["others"]),
        self_words=frozenset(w.lower() for w in data["self"]),
    )

"""Quantities: every comparator-number-unit of a text ("ANC >= 1,500/mm3", "18 to 65 years",
"<= 2.5 x ULN", "ECOG 0 or 1"), read as bounds with their offsets, before anyone decides
which variable each speaks of."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .ages import age_tail
from .carry import carries
from .classes import class_values
from .comparators import EndingComparators
from .lexicon import Lexicon, name_key
from .mentions import MentionReader
from .openers import opening_chars
from .patterns import patterns
from .phraseindex import finditer_from_heads
from .prefilter import cannot_match, needs
from .rules import Quantity
from .titres import titre_bounds
from .tokens import NUMBER, clean, first_word_at, has_digit, numbers, parse_number, phrase_regex
from .units import Analyte, UnitError, compatible, parse_unit, read_unit_at

_ANY_SUBSTANCE = Analyte(molar_mass=1.0, valence=1)  # to ask whether two units differ only by what converts per analyte
DURATION_UNITS = {"day": "day", "week": "week", "month": "month", "year": "year", "h": "hour"}
_VARIANT_GAP = re.compile(r"[\s,;(]*(?:(?:which|that)\s+(?:is|are)\s+)?(?:or\s+)?(?:allowed|permitted|acceptable|accepted)?\s*", re.I)
_VARIANT_CONDITION = re.compile(  # "50,000/mm3 if post bone marrow transplantation"
    r"\s*(?:if|in|for|when)\s+((?:patients|subjects|participants|those|cases)?\s*(?:with|of|who\s+have)?\s*[^.;,()]{3,60})")
_SHARED_UNIT_GAP = re.compile(r"[\s,()]*(?:(?:or|and|to|and/or|nor)\b[\s,()]*)?", re.I)
_AGE_BEFORE_NUMBER = re.compile(  # "over the age of 65", "maximum age for males is 39", "minimum age: 18"
    r"\s+(?:the\s+)?age(?:\s+limit)?(?:\s+(?:for|in)\s+(?:men|males?|women|females?))?"
    r"(?:\s+of|\s+(?:is|will\s+be)|\s*[:=])?\s*$", re.I)
_FOR_SEX = re.compile(
    r"\s*(?:\(\s*(?:(?:for|in)\s+)?(?P<bracketed>men|males?|women|females?|boys|girls)\s*\)"
    r"|\(?\s*(?:for|in)\s+(?P<sex>men|males?|women|females?|boys|girls)\b\s*\)?)", re.I)
_PAIR = re.compile(r"\s*/\s*(\d{2,3})(?![\d.,]\d|\s*(?:mm(?!\s*hg)|cm|m2|kg|l\b|dl\b|ml\b|ul\b|µl\b|min\b|h\b|day|week|month|year))", re.I)
_ARITHMETIC = re.compile(r"\s*[+\-x*]\s*\d")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_LIMIT_WORDS = re.compile(r"ULN|LLN|limit", re.I)
_LIMIT_WORDS_NEEDS = needs(_LIMIT_WORDS)
_SECOND_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)(?![\d])"
_RANGE_BETWEEN = re.compile(r"\s*(?:-\s*(?:and|to)|-|to|and|~)\s*" + _SECOND_NUMBER, re.I)  # after "between"
_RANGE = re.compile(  # "18 and 65 years old"
    r"\s*(?:-|to|~|and(?=\s*\d{1,3}\s*(?:years?|yrs?)[\s-]*(?:old|of\s+age)\b))\s*" + _SECOND_NUMBER, re.I)
_RISE_BEFORE = re.compile(r"\b(to|of)\s*$", re.I)
_EUROPEAN_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_RANGE_OPENS = opening_chars(_RANGE_BETWEEN.pattern)  # _RANGE opens as _RANGE_BETWEEN does
_OR_GAP = re.compile(r"\s*,?\s*or\s+")
_BRACKETS = frozenset("([")  # what _RESTATED and _VARIANT_OPENING open with, blanks aside


def _first_at(text: str, position: int) -> str:
    """The first non-blank character of ``text`` from ``position`` ("" at the end), blanks
    being what a pattern's ``\\s`` matches."""
    end = len(text)
    while position < end and text[position].isspace():
        position += 1
    return text[position:position + 1]


def _may_open(first: str, opens: frozenset[str] | None) -> bool:
    """Whether a match with some non-blank text can open with ``first`` (the first non-blank
    character, "" at the end), given what opens it (``screener.openers``)."""
    return opens is None or (first != "" and (not first.isascii() or first in opens))


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


def _range_bounds(span: tuple[int, int], value: float, second: float, units: tuple[str | None, str | None],
                  age_words: bool) -> list[Bound]:
    """"18 to 65 years", "between 2 and 3 x ULN": a lower and an upper bound (``units``: the
    first number's and the second's); a range written high to low is turned around."""
    start, cursor = span
    first_unit, unit = units
    if first_unit != unit or value > second:
        if value > second and first_unit == unit:  # "73 to 24"
            value, second = second, value
        elif value > second:
            return []
    lower = Bound(start, cursor, ">=", value, first_unit, age_words=age_words)
    return [lower, Bound(start, cursor, "<=", second, unit, partner=lower, age_words=age_words)]


def _is_count(unit: str) -> bool:
    """A count per volume (/mm3, cells/uL, 10^9/L), where "100.000" can only be thousands."""
    parsed = parse_unit(unit)
    return parsed is not None and parsed.parts is not None and parsed.dimensionality == _PER_VOLUME


_PER_VOLUME = getattr(parse_unit("/L"), "dimensionality", None)
_TYPO_THOUSANDS = re.compile(r"\d{2,3},\d{2}")
_PAIR_FIRST = re.compile(r"\d{2,3}")
_BETWEEN = re.compile(r"\b(between|from)(?:\s+(?:the\s+)?ages?(?:\s+of)?)?\s*$", re.I)
_RESTATED = re.compile(r"\s*[(\[]\s*(?:(?:approximately|approx\.?|about|~|ca\.?|i\.e\.,?)\s*)?(?:[<>]=?|=)?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)")
_CLOSE = re.compile(r"\s*[)\]]")
_VARIANT_OPENING = re.compile(r"\s*[(\[]\s*(?:or\s+)?")
_VARIANT_CLAUSE = re.compile(r"\b(?:if|for|in|with|when|where)\b\s*(.+)$", re.I)
_LISTED_FIRST = re.compile(r"\d(?:,\d)?")
_LISTED = re.compile(r"(?:\s*,\s*\d)*\s*,?\s*(?:or|and)\s+\d(?![\d.,]\d)|(?:\s*,\s*\d(?![\d.,]\d))+(?![\s,]*(?:\d|or\b|and\b|[IVX]+\b))")
_LISTED_OPENS = opening_chars(_LISTED.pattern)
_FOR_SEX_OPENS = opening_chars(_FOR_SEX.pattern)


def _may_rise(before: str) -> bool:
    """Whether ``_RISE_BEFORE`` can end ``before``: its last word, blanks aside, is "to" or "of"
    (in ASCII; other text is always searched)."""
    tail = before.rstrip()
    return not tail.isascii() or tail[-2:].lower() in ("to", "of")


class QuantityReader(MentionReader):
    """Reads the bounds of a text; whether a comparator carries over to the next number
    depends on the variables named between them, which the mentions stage finds."""

    def __init__(self, lexicon: Lexicon | None = None):
        super().__init__(lexicon)
        p = patterns()
        before = p["comparators_before"]
        self._before = {name_key(k): v for k, v in before.items()}
        self._ending = EndingComparators(before)
        self._before_re = self._ending.pattern
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
        self._uln_opens, self._lln_opens = opening_chars(p["upper_limit"]), opening_chars(p["lower_limit"])
        self._after_opens = opening_chars(self._after_re.pattern)
        self._rise = frozenset(w.lower() for w in p["rise_words"])
        self._exceptions = phrase_regex(p["exception_words"])
        self._exceptions_needs = needs(self._exceptions)
        self._within_normal_re = phrase_regex(p["within_normal"])
        self._within_normal_needs = needs(self._within_normal_re)
        self._distance_re = re.compile(r"\s*(?:" + phrase_regex(p["distance_words"]).pattern + r")", re.I)
        self._distance_opens = opening_chars(self._distance_re.pattern)

    def bounds(self, text: str) -> list[Bound]:
        """Every comparator-number-unit of ``text``, except those in a conditional remark
        ("(or the legal age if > 18 years)"), which are left to manual review."""
        found = self._number_bounds(text) if has_digit(text) else []  # every bound but "<= ULN" has a number
        found.extend(self._normal_limits(text, found))
        if len(found) > 1:  # both read pairs of neighbouring bounds
            found.sort(key=lambda b: b.start)
            self._share_units(text, found)
            self._conditional_variants(text, found)
        return found

    def _number_bounds(self, text: str) -> list[Bound]:
        """The bounds written with a number, in order."""
        found: list[Bound] = []
        consumed = 0
        remarks = [] if cannot_match(self._exceptions_needs, text) else \
            [(a + 1, b) for a, b in (m.span() for m in _PARENTHESES.finditer(text) if self._exceptions.search(m.group(1)))]
        for number in numbers(text):
            if number.start() < consumed or (remarks and any(a <= number.start() < b for a, b in remarks)):
                continue
            bound_list = self._bounds_at(text, number) or self._listed_at(text, number) or self._class_at(text, number)
            if not bound_list and found and self._carries(text, found[-1], number):  # "ANC >= 1500 and platelets 100,000"
                bound_list = self._bounds_at(text, number, carried=found[-1].op)
            if bound_list:
                found.extend(bound_list)
                consumed = max(b.end for b in bound_list)
        return found

    def comparator_before(self, text: str, end: int, start: int | None = None) -> tuple[str, int, str] | None:
        """The comparator that ends the text just before ``end`` ("at least", "<", "within"),
        looked for from ``start`` (60 characters back by default): (op, where it starts, its
        word, '' for a symbol)."""
        start = max(0, end - 60) if start is None else start
        comparator = self._ending.search(text[start:end])
        if comparator is None:
            return None
        return self._before[name_key(comparator.group(1) or comparator.group(2))], start + comparator.start(), comparator.group(1) or ""

    def comparator_after(self, text: str, position: int) -> tuple[str, int] | None:
        """The comparator written right after ``position`` ("18 years or older"): (op, its end)."""
        if not _may_open(_first_at(text, position), self._after_opens):
            return None
        suffix = self._after_re.match(text, position)
        return (self._after[name_key(suffix.group(1))], suffix.end()) if suffix else None

    def _unit_after(self, text: str, position: int) -> tuple[str | None, int]:
        first = _first_at(text, position)  # a limit is read only where its first character stands
        uln = self._uln_re.match(text, position) if _may_open(first, self._uln_opens) else None
        if uln and uln.end() > position and uln.group(0).strip():
            return "ULN", uln.end()
        lln = self._lln_re.match(text, position) if _may_open(first, self._lln_opens) else None
        if lln and lln.end() > position and lln.group(0).strip():
            return "LLN", lln.end()
        unit = read_unit_at(text, position)
        if unit:
            return unit[0].display, unit[1]
        return None, position

    def _bounds_at(self, text: str, number: re.Match[str], carried: str | None = None) -> list[Bound]:
        titre = titre_bounds(self, text, number.start())  # "ANA >= 1:160" (screener.titres)
        if titre is not None:
            return titre
        if number.group(1).endswith("00") and _TYPO_THOUSANDS.fullmatch(number.group(1)):
            return []  # "100,00/mm3": a typo of 100,000 or 100.00, not a threshold to trust
        before = text[max(0, number.start() - 60):number.start()]
        op, start, within, aged = self._comparator_at(text, number)
        op = op or carried
        value = parse_number(number.group(1))
        cursor = number.end()
        second = None
        pair = _PAIR.match(text, cursor) if _first_at(text, cursor) == "/" and _PAIR_FIRST.fullmatch(number.group(1)) else None
        if pair:  # "< 140/90 mmHg": systolic over diastolic, read by _pair_leaf
            cursor = pair.end()
        unit_first, after_first = self._unit_after(text, cursor)
        range_match = _RANGE_BETWEEN.match(text, after_first) if _may_open(_first_at(text, after_first), _RANGE_OPENS) else None
        # found wherever _RANGE is: "between" is read only then
        between = _BETWEEN.search(before) if range_match else None
        if range_match and not between:
            range_match = _RANGE.match(text, after_first)
        if range_match and op is None and not pair:  # "20/40 to 20/320" is no range of pairs
            second = parse_number(range_match.group(1))
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
        suffix = self.comparator_after(text, cursor) if op is None and second is None else None
        if suffix:
            op, cursor = suffix
        if second is not None:
            return _range_bounds((start, cursor), value, second, (unit_first or unit, unit), bool(tail))
        if op is None:
            rise = _RISE_BEFORE.search(before) if _may_rise(before) else None
            if rise and first_word_at(text, self._rise) < number.start():
                op = ">="
            else:
                return []
        return self._single_bound(text, number, (start, cursor, op, value, unit), within, bool(tail), pair)

    def _comparator_at(self, text: str, number: re.Match[str]) -> tuple[str | None, int, bool, bool]:
        """The comparator before a number (in the 60 characters before it): (op, where the
        bound starts, whether the comparator is "within", whether the words "age of" stand
        between: "less than age 18", "over the age of 65")."""
        window = max(0, number.start() - 60)
        comparator = self.comparator_before(text, number.start(), window)
        aged = None if comparator or "age" not in text[window:number.start()].lower() else \
            _AGE_BEFORE_NUMBER.search(text, window, number.start())
        if aged:  # the comparator stands before the word age
            comparator = self.comparator_before(text, aged.start(), window)
            aged = aged if comparator else None
        if comparator is None:
            return None, number.start(), False, False
        op, start, word = comparator
        return op, start, word.lower() == "within", aged is not None

    def _single_bound(self, text: str, number: re.Match[str], read: tuple[int, int, str, float, str | None],
                      within: bool, age_words: bool, pair: re.Match[str] | None) -> list[Bound]:
        """One comparator-number-unit (``read``: start, end, op, value, unit), unless it is a
        place or a distance, with its sex, restatements and conditional variant."""
        start, cursor, op, value, unit = read
        if within and unit not in DURATION_UNITS:
            return []  # "within 15 cm of the anal margin" is a place, not a limit
        first = _first_at(text, cursor)
        if _may_open(first, self._distance_opens) and self._distance_re.match(text, cursor):
            return []  # "≥ 3 mm distant from the fovea" measures a distance, not the variable
        if unit and "." in number.group(1) and _EUROPEAN_THOUSANDS.fullmatch(number.group(1)) and _is_count(unit):
            value = float(number.group(1).replace(".", ""))  # "100.000/mm3": European thousands
        if pair and unit not in (None, "mmHg"):
            return []
        bound = Bound(start, cursor, op, value, unit, within=within, age_words=age_words,
                      pair=parse_number(pair.group(1)) if pair else None)
        for_sex = _FOR_SEX.match(text, cursor) if _may_open(first, _FOR_SEX_OPENS) else None
        if for_sex:
            word = for_sex.group("bracketed") or for_sex.group("sex")
            bound.sex = "male" if word.lower().startswith(("m", "bo")) else "female"
            bound.end = for_sex.end()
        self._restatements(text, bound)
        return [bound, *self._variant(text, bound)]

    def _restatements(self, text: str, bound: Bound) -> None:
        """"< 8 kPa (< 60 mmHg)": the bracketed value is the same threshold in other units."""
        alt = _RESTATED.match(text, bound.end) if _first_at(text, bound.end) in _BRACKETS else None
        if not alt or bound.unit in (None, "ULN", "LLN"):
            return
        unit, end = self._unit_after(text, alt.end())
        close = _CLOSE.match(text, end)
        if unit and close and unit not in ("ULN", "LLN"):
            try:
                # mg/dL beside umol/L: the same limit through the analyte's molar mass, which the
                # check looks up; where it is not known that reading is unknown, never dropped
                if not compatible(unit, bound.unit, _ANY_SUBSTANCE):
                    return
            except UnitError:
                return
            bound.alt.append(Quantity(value=clean(parse_number(alt.group(1))), unit=unit))
            bound.end = close.end()

    def _variant(self, text: str, bound: Bound) -> list[Bound]:
        """"<= 2.5 x ULN (<= 5 x ULN if liver metastases)": a second threshold under a condition."""
        opening = _VARIANT_OPENING.match(text, bound.end) if _first_at(text, bound.end) in _BRACKETS else None
        if not opening:
            return []
        close = text.find(")", opening.end())
        if close < 0:
            return []
        inner = text[opening.end():close]
        clause = _VARIANT_CLAUSE.search(inner)
        number = NUMBER.search(inner)
        if not clause or not number or number.start() > clause.start():
            return []
        comparator = self.comparator_before(text, opening.end() + number.start(), opening.end())
        unit, _ = self._unit_after(inner, number.end())
        if comparator:
            op, begin = comparator[0], comparator[1]
        elif number.start() == 0 and unit is not None and unit == bound.unit:
            op, begin = bound.op, opening.end()  # "(1.5 mg/dL in patients under 50 kg)": the limit's own comparator
        else:
            return []
        variant = Bound(begin, close + 1, op, parse_number(number.group(1)), unit,
                        variant_of=bound, variant_condition=clause.group(1).strip())
        return [variant]

    @staticmethod
    def _conditional_variants(text: str, found: list[Bound]) -> None:
        """"< 2.5 x ULN, which is allowed < 5 x ULN in patients with liver metastasis": the second
        limit is an alternative to the first under a condition."""
        for first, second in zip(found, found[1:]):
            if first.variant_of or second.variant_of or second.partner or first.unit != second.unit:
                continue
            gap = text[first.end:second.start]
            if not _VARIANT_GAP.fullmatch(gap):
                continue
            clause = _VARIANT_CONDITION.match(text, second.end)
            if clause:
                second.variant_of, second.variant_condition = first, clause.group(1).strip()
                second.end = clause.end()

    def _listed_at(self, text: str, number: re.Match[str]) -> list[Bound]:
        """"ECOG 0 or 1", "0, 1 or 2", "I, II, III", "ASA 1,2" (read as a decimal by NUMBER): a
        list of values, kept only for scores as a run from one end of the scale (see _score_list)."""
        if not _LISTED_FIRST.fullmatch(number.group(1)):
            return []
        after = number.start() + 1
        listed = _LISTED.match(text, after) if _may_open(_first_at(text, after), _LISTED_OPENS) else None
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
        # "within normal limits": LLN <= value <= ULN (the phrases are looked for only where their words occur)
        ascii_text = text.isascii()
        lowered = text.lower() if ascii_text else None  # once for both tests
        normals = () if self._within_normal_needs.excludes(text, ascii_text, lowered) else self._within_normal_re.finditer(text)
        for normal in normals:
            lower = Bound(normal.start(), normal.end(), ">=", 1, "LLN")
            extra += [lower, Bound(normal.start(), normal.end(), "<=", 1, "ULN", partner=lower)]
            taken.append(normal.span())
        if _LIMIT_WORDS_NEEDS.excludes(text, ascii_text, lowered) or not _LIMIT_WORDS.search(text):
            return extra  # what follows finds only limits whose words say one of these
        comparators = finditer_from_heads(self._before_any_re, text)  # read once for both limits
        for limit_re, unit in ((self._uln_re, "ULN"), (self._lln_re, "LLN")):
            for comparator in comparators:
                limit = limit_re.match(text, comparator.end())
                if limit and _ARITHMETIC.match(text, limit.end()):
                    continue  # "> ULN + 4 seconds" is no multiple of the limit
                if limit and _LIMIT_WORDS.search(limit.group(0)) and not any(a <= comparator.start() < b for a, b in taken):
                    op = self._before[name_key(comparator.group(1) or comparator.group(2))]
                    extra.append(Bound(comparator.start(), limit.end(), op, 1, unit))
                    taken.append((comparator.start(), limit.end()))
            for bound in found:
                alternative = _OR_GAP.match(text, bound.end)
                limit = limit_re.match(text, alternative.end()) if alternative else None
                if alternative and limit and _LIMIT_WORDS.search(limit.group(0)) and bound.unit not in ("ULN", "LLN"):
                    extra.append(Bound(alternative.end(), limit.end(), bound.op, 1, unit))
        return extra

    @staticmethod
    def _share_units(text: str, found: list[Bound]) -> None:
        """A unit written once after a list applies to the bounds before it, if it fits them."""
        for bound, following in zip(found, found[1:]):
            gap = text[bound.end:following.start]
            if bound.unit is None and following.unit and following.unit not in ("ULN", "LLN") \
                    and _SHARED_UNIT_GAP.fullmatch(gap):  # "1 lesion of >= 12 mm": a count
                bound.shared_unit = following.unit
                bound.age_words = bound.age_words or following.age_words  # "less than 6 or greater than 65 years of age"

    def _carries(self, text: str, previous: Bound, number: re.Match[str]) -> bool:
        if previous.partner or previous.variant_of or previous.listed or previous.within:
            return False
        return carries(text, previous.start, previous.end, number.start(), number.end(), self._variable_kinds)

    def _variable_kinds(self, text: str) -> list[tuple[int, int, str]]:
        return [(m.start, m.end, self.lexicon.variables[m.id].kind) for m in self.mentions(text) if m.kind == "variable"]

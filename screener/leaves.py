"""Leaves and their scope: within one sentence, each bound is given the variable it speaks of
(before it, after it, the sub-heading's, or an age the words imply), conditions are read with
their timing, window and negation, recency windows and intervals between events are set, and
the spans that were read are recorded so that what stays unread can go to review."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import partial

from .ages import age_words
from .comparisons import ComparisonReader
from .itemwords import FillerTable, LastText
from .lexicon import Lexicon
from .mentions import Mention
from .patterns import patterns
from .phraseindex import finditer_from_heads
from .prefilter import Guarded, cannot_match, needs
from .prefix_negation import in_clause_negation
from .quantities import DURATION_UNITS, Bound
from . import readnodes as made
from .rules import Comparison, Condition, Duration, Interval, Node, Not, Restrict, Section, Sex, walk
from .scope import cues, phrase_pattern
from .text import Text
from .tokens import NUMBER_WORDS, WORD, Spans, clean, phrase_regex

_RECENT_KINDS = {"lab", "physiology", "imaging", "vital"}
_AFTER_BOUND = re.compile(r"\s*(?:(after|following|from|since|of)|(?P<before>prior\s+to|before|preceding))\s+(?:the\s+)?", re.I)
_NAME_BOUNDARY = re.compile(r"(?:[,;:/()]|\b(?:and|or|by|as|with|if|when)\b)", re.I)
_SEPARATOR = re.compile(r"[,;:]")
_BREAK_MARKS = ",;:("
_BREAK_WORD = re.compile(r"\b(?:or|and|nor)\b", re.I)
_ELLIPTIC_TAIL = re.compile(r"\s*(?:,|or|and|and/or)\s*([A-Z0-9])\b")  # "hepatitis B| or C"
_FIELD_LABEL = re.compile(r"[^\W\d_]{3,}:\s")  # "Performance Status: ": a field naming what follows
_CLOSED_BRACKETS = re.compile(r"\([^()]*\)")
_CONTINUES = re.compile(r"[\s,;()]*(?:or|and|and/or)?[\s,;()]*", re.I)
_CLOSING_BRACKET = re.compile(r"\(([^()]*)\)[\s.;]*$")
_OPENING_BRACKET = re.compile(r"\(\s*$")
_HYPHENATED_WORD = re.compile(r"[\w-]+")
# what may stand between a variable's name and its own limit ("Prolactin level of", "PSA (ng/mL) is")
_OWN_LIMIT_GAP = re.compile(r"\s*(?:\([^()]{0,20}\)\s*)?(?:(?:levels?|counts?|values?|concentrations?|scores?|is|was|of|must|should|be)\s+)*", re.I)


def _heads_own_limit(sentence: str, mention: Mention, bounds: list[Bound]) -> bool:
    """True when a limit of its own follows the variable named after a limit: then it is not that limit's
    (a duration after it is no limit of its own: "5% blasts no more than 2 weeks prior")."""
    gap = _OWN_LIMIT_GAP.match(sentence, mention.end)
    return gap is not None and any(b.start == gap.end() and not b.within and (b.unit or b.shared_unit) not in DURATION_UNITS
                                   for b in bounds)


@dataclass
class Leaf:
    start: int
    end: int
    node: Node
    sex: str | None = None  # a limit for one sex only ("> 12 g/dL for men")


class LeafReader(ComparisonReader):
    """Reads the leaves of one sentence from the item's mentions and bounds."""

    def __init__(self, lexicon: Lexicon | None = None):
        super().__init__(lexicon)
        p = patterns()
        self._history_re = phrase_regex(p["timing"]["history"])
        self._current_re = phrase_regex(p["timing"]["current"])
        # "male or female" restricts nothing, unless a qualifier follows ("male or female without childbearing potential")
        self._definition_re = re.compile(phrase_pattern(cues()["definitions"]), re.I)
        self._neutral_re = phrase_regex(p["no_restriction"])
        self._qualified_re = re.compile(r"\s+(?P<word>without|not|who|of|with|that)\b", re.I)  # "male or female without ..."
        self._negated_before_re = re.compile(  # "or no smoking", "non-smokers", "without childbearing potential"
            r"(?:(?<![\w-])(?:" + "|".join(re.escape(str(n)).replace(r"\ ", r"\s+") for n in sorted(p["negations"] + ["never"], key=lambda n: len(str(n)), reverse=True))
            + r")\s+|(?<![\w-])non-?\s*)$", re.I)
        self._negated_after_re = re.compile(r"[\s\-]*(?:" + "|".join(re.escape(w.lstrip("-")) for w in p["negations_after"]) + r")\b", re.I)
        self._conditional_re = re.compile(r"(?:" + phrase_regex(p["conditional_words"]).pattern + r")(?![^,;:]*\b(?:then|must)\b)[^,;:]*$", re.I)
        self._uncertain_re = re.compile(r"(?:" + phrase_regex(p["uncertain_words"]).pattern + r")[\s\w]{0,12}$", re.I)
        self._cue_re = re.compile(
            "(?P<examples>" + phrase_pattern(cues()["examples"]) + ")|(?P<exception>" + phrase_pattern(cues()["exceptions"]) + ")",
            re.I)
        self._cue_needs = needs(self._cue_re)
        self._definition_needs, self._neutral_needs = needs(self._definition_re), needs(self._neutral_re)
        self._clause_break_re = re.compile(f"[{_BREAK_MARKS}]|{_BREAK_WORD.pattern}|{self._cue_re.pattern}", re.I)
        self._cue_free = LastText(partial(cannot_match, self._cue_needs))
        phrases = [str(p) for kind in ("examples", "exceptions") for p in cues()[kind]]
        self._marks_resume = not any(mark in phrase for phrase in phrases for mark in _BREAK_MARKS)  # see _last_break
        self._is_filler = FillerTable(self._ignored)
        self._study_events = frozenset(p["study_events"])
        anchors = phrase_pattern(n for e in p["study_events"] for n in self.lexicon.events[e].names)
        self._within_re = re.compile(  # "within the past 3 months", "in the last 5 years", "within 3 months prior to study entry"
            r"\b(?:within\s+(?:the\s+)?(?:past|last|previous|preceding|prior)?|(?:in|during|over)\s+the\s+(?:past|last|previous|"
            r"preceding|prior))\s*(\d+|" + "|".join(NUMBER_WORDS)
            + r")\s+(years?|months?|weeks?|days?)\b(?:\s+(?:prior\s+to|before|preceding|of)\s+(?:the\s+)?" + anchors + ")?", re.I)
        # the windows searched around each condition and bound: most hold no word a match needs
        self._uncertain, self._within = Guarded(self._uncertain_re), Guarded(self._within_re)
        self._history, self._current = Guarded(self._history_re), Guarded(self._current_re)
        self._negated_before, self._conditional = Guarded(self._negated_before_re), Guarded(self._conditional_re)

    def _leaves(self, text: Text, start: int, end: int, section: Section, heading: str | None,
                found: tuple[list[Mention], list[Bound]]) -> tuple[list[Leaf], list[tuple[int, int]]]:
        """The leaves of ``text.text[start:end]`` from the item's mentions and bounds, and the
        spans they read.  A sentence that holds neither reads no leaf: only its "male or
        female" is covered (every other stage reads a mention or a bound)."""
        sentence = text.text[:end]
        mentions = [m for m in found[0] if start <= m.start and m.end <= end]
        inside = {id(b) for b in found[1] if start <= b.start and b.end <= end}
        bounds = [b for b in found[1] if id(b) in inside and (b.variant_of is None or id(b.variant_of) in inside)
                  and (b.partner is None or id(b.partner) in inside)]
        if not mentions and not bounds:
            return [], self._neutral_spans(sentence, start, [])
        leaves: list[Leaf] = []
        covered: list[tuple[int, int]] = []
        # a bound is read with its variable unless it is a variant or a partner, read with its anchor
        used_mentions = self._bound_leaves(text, (start, end), section, heading, mentions, bounds, leaves, covered) \
            if any(b.variant_of is None and b.partner is None for b in bounds) else set()
        self._condition_leaves(text, sentence, start, mentions, bounds, leaves, covered, used_mentions)
        self._recency(text, sentence, bounds, leaves, covered)
        self._interval_leaves(text, sentence, start, mentions, [b for b in bounds if not b.recency], leaves, covered)
        covered += self._neutral_spans(sentence, start, covered)  # "male or female": no restriction
        leaves = self._defined(sentence, start, leaves, covered)
        covered += _spelled_out(sentence, start, leaves, self._qualifiers)
        leaves.sort(key=lambda l: l.start)
        return leaves, covered

    def _bound_leaves(self, text: Text, where: tuple[int, int], section: Section, heading: str | None,
                      mentions: list[Mention], bounds: list[Bound], leaves: list[Leaf], covered: list) -> set[int]:
        """Each bound of the sentence ``where`` with the variable it speaks of, as leaves; the
        ids of the mentions so used."""
        start, end = where
        sentence = text.text[:end]
        used_mentions: set[int] = set()
        previous_vars: list[Mention] = []
        previous_end = start
        after_style = False
        heading_vars = self._heading_variables(heading) if heading else []
        heading_vars = heading_vars if len(heading_vars) == 1 else []  # "Age -- Creatinine" names no one variable
        separators = [start + m.start() for m in _SEPARATOR.finditer(sentence[start:end])]
        by_anchor: dict[int, list[Bound]] = {}
        for bound in bounds:
            anchor = id(bound.variant_of or bound.partner or bound)
            by_anchor.setdefault(anchor, []).append(bound)
        for bound in bounds:
            if bound.variant_of is not None or bound.partner is not None:
                continue
            last = bisect.bisect_left(separators, bound.start)
            clause = separators[last - 1] + 1 if last else start
            if self._conditional.search(sentence[clause:bound.start]) \
                    and self._conditional_re.search(_CLOSED_BRACKETS.sub(" ", sentence[clause:bound.start])):
                # "consent of a guardian if less than 18 years old": a condition, not a requirement; one closed
                # in brackets before the limit is a remark on it: "(unless ...) Creatinine <= 2 mg/dL"
                continue
            chosen, after_style, orphan = self._named(mentions, sentence, bound, bounds,
                                                      (start, previous_end, previous_vars, after_style))
            if orphan and not chosen:
                continue  # "SWOG 0-1 Karnofsky 80-100%": the limit of a measure the lexicon does not name
            if chosen and chosen[0].kind == "variable" and chosen[0].id != "age" \
                    and age_words().possessed(sentence, chosen[0].start):
                continue  # "both parents' current body mass index above 25": not the patient's
            if chosen and chosen[0].kind == "variable" and chosen[0].id == "age":
                owner = self._age_owner(sentence, start, chosen[0], bound)
                if owner is None:
                    continue  # "onset at age 6 months", "3-4 times per week": no age the lexicon holds
                chosen = [Mention(chosen[0].start, chosen[0].end, "variable", owner)]  # "maternal age", "donor age"
            if not chosen and heading_vars and not _FIELD_LABEL.search(sentence, start, bound.start):
                chosen = heading_vars  # not under a field of its own: "Age: ... Performance Status: GOG 0-2"
            owner = None if chosen else self._age_cue(sentence, start, bound, heading)
            if owner:
                chosen = [Mention(bound.start, bound.start, "variable", owner)]
            if not chosen:
                continue
            group = list(by_anchor[id(bound)])
            node = self._leaf(text, chosen, group, section, sentence)
            if node is None:
                continue
            if bound.sex:  # "Hemoglobin > 12 g/dL for men": only men must meet it; it does not apply to women
                node = Restrict(group=Sex(sex=bound.sex, span=text.origin(bound.start, bound.end)), item=node,
                                outside=section == "inclusion", span=text.origin(bound.start, bound.end))
            leaf_start = min([bound.start] + [m.start for m in chosen if previous_end <= m.start and m.end <= bound.start])
            leaf_end = max(max(b.end for b in group), *(m.end for m in chosen))
            leaves.append(Leaf(leaf_start, leaf_end, node, bound.sex))
            covered.append((leaf_start, leaf_end))
            used_mentions.update(id(m) for m in chosen)
            previous_vars, previous_end = chosen, leaf_end
        return used_mentions

    def _named(self, mentions: list[Mention], sentence: str, bound: Bound, bounds: list[Bound],
               state: tuple[int, int, list[Mention], bool]) -> tuple[list[Mention], bool, bool]:
        """The variables a bound speaks of, before it or after it; whether values name their
        variable after them in this sentence; and whether the name after it heads a limit of its
        own (``state``: the sentence's start, the end of the last leaf, its variables, and that
        style so far)."""
        start, previous_end, previous_vars, after_style = state
        after = self._variable_after(mentions, sentence, bound.end)
        orphan = bool(after) and _heads_own_limit(sentence, after[0], bounds)
        if orphan:
            after = []  # "Foo <= 3.3 ng/mL Prolactin <= 18 ng/dL": the name after heads its own limit
        if after_style and after:  # "≥ 140 mmHg SBP and/or ≥ 90 mmHg DBP": each value names its variable after it
            return after, after_style, orphan
        chosen = self._variables_before(mentions, sentence, bound.start, previous_end if not previous_vars else start)
        continues = _CONTINUES.fullmatch(sentence[previous_end:bound.start])
        if previous_vars and (not chosen or chosen[-1].end <= previous_end):
            chosen = previous_vars if continues else []  # "BMI > 30 or < 18.5": the same variable again
        if not chosen and after:
            return after, True, orphan
        return chosen, after_style, orphan

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

    def _condition_leaves(self, text: Text, sentence: str, start: int, mentions, bounds, leaves, covered, used) -> None:
        spans, known = Spans([]), 0
        for mention in mentions:
            if mention.kind != "condition" or id(mention) in used:
                continue
            for leaf in leaves[known:]:  # the leaves so far, those added by this loop too
                spans.add(leaf.start, leaf.end)
            known = len(leaves)
            if spans.contains(mention.start):
                continue
            if self._uncertain.search(sentence[max(start, mention.start - 30):mention.start]):
                continue  # "suspected X" is not X: the words stay unread and go to manual review
            if not self._heads_clause(sentence, start, mention):
                continue  # "etiologies to scleroderma", "example: COPD": mentioned, not required
            term = self.lexicon.conditions[mention.id]
            window = self._within.search(sentence, mention.end, min(len(sentence), mention.end + 60))
            prefix = sentence[max(start, mention.start - 40):mention.start]
            history = bool(self._history.search(prefix)) and not self._current.search(prefix[-20:])
            within = None
            end = mention.end
            if window:
                amount = window.group(1).lower()
                value = int(amount) if amount.isdigit() else NUMBER_WORDS[amount]
                within = Duration(value=value, unit=window.group(2).lower().rstrip("s"))
                history, end = True, window.end()
                covered.append((window.start(), window.end()))
            node: Node = made.condition(term.id, term.label, "history" if history else "current", within, text.origin(mention.start, end))
            inside = in_clause_negation(sentence, max(start, mention.start - 40), mention.start, end)
            if inside is not None and any(isinstance(l.node, Condition) and l.node.condition == term.id for l in leaves):
                inside = None  # "HIV infection without AIDS": one lexicon entry both ways; left to review
            if inside is not None:  # "female without child-bearing potential"
                covered.append((inside, mention.start))
            if mention.negated or inside is not None:  # "Nonsmoker"
                node = Not(item=node, span=node.span)
            negated = self._negated_after_re.match(sentence, end)
            before = self._negated_before.search(sentence, max(start, mention.start - 20), mention.start)
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
            self._shared_head(text, sentence, start, mention, node, leaves, covered, spans)

    def _heads_clause(self, sentence: str, start: int, mention: Mention) -> bool:
        """Whether a condition leads its clause, after at most two qualifying words
        ("Uncontrolled epilepsia", "History of malignant disease", "Positive serology for HIV")."""
        prefix = sentence[max(start, mention.start - 300):mention.start]  # enough to find 3 words or a separator
        if mention.start - start <= 300 and self._meaningful_words(prefix, 2) <= 1:
            return True  # the clause, a tail of the prefix, holds at most one word more (the part of one cut at its start)
        cue_free = self._cue_free(sentence)
        separator = self._last_break(prefix, cue_free)  # an exception or example cue opens a clause too
        if separator is None and mention.start - start > 300 and self._meaningful_words(prefix, 3) <= 2:
            prefix = sentence[start:mention.start]  # a long run of blanks or ignored words: read it all
            separator = self._last_break(prefix, cue_free)
        clause = prefix[separator:] if separator is not None else prefix
        return self._meaningful_words(clause, 3) <= 2

    def _last_break(self, text: str, cue_free: bool) -> int | None:
        """Where the clause after the last match of ``_clause_break_re`` in ``text`` starts (None:
        no match), scanning only what follows the last punctuation mark: no cue holds one, so a
        scan of the whole text matches that mark alone and goes on from just after it.  In a text
        no cue can occur in (``cue_free``), only the words "or", "and", "nor" can follow."""
        if not self._marks_resume:
            every = finditer_from_heads(self._clause_break_re, text)
            return every[-1].end() if every else None
        mark = max(text.rfind(c) for c in _BREAK_MARKS)
        found = list(_BREAK_WORD.finditer(text, mark + 1)) if cue_free else finditer_from_heads(self._clause_break_re, text, mark + 1)
        return found[-1].end() if found else (mark + 1 if mark >= 0 else None)

    def _meaningful_words(self, text: str, enough: int) -> int:
        """How many words of ``text`` are no filler, counted up to ``enough``."""
        count = 0
        for word in WORD.findall(text):
            if not self._is_filler[word]:
                count += 1
                if count == enough:
                    break
        return count

    def _elliptic_conditions(self, text: Text, sentence: str, mention: Mention, term, leaves, covered, history: bool) -> None:
        """"hepatitis B or C": the second is the first with its last word replaced."""
        tail = _ELLIPTIC_TAIL.match(sentence, mention.end)
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

    def _shared_head(self, text: Text, sentence: str, start: int, mention: Mention, node: Node, leaves, covered,
                     read: Spans) -> None:
        """"heart, lung, or kidney disease": single words listed before a condition name share
        its last words; each that makes a known condition that way is read as one, with the
        named condition's timing and negation (words that make none stay unread)."""
        words = sentence[mention.start:mention.end].split()
        if len(words) < 2 or not _ends_with_connector(sentence[start:mention.start]):
            return
        listed = _LISTED_BEFORE.search(sentence, start, mention.start)
        if listed is None:
            return
        head = " ".join(words[1:])
        for word in WORD.finditer(sentence, listed.start(), listed.end()):
            other = self.lexicon.condition(f"{word.group(0)} {head}")
            if word.group(0).lower() in _LIST_WORDS or other is None or read.contains(word.start()):
                continue
            inner = node.item if isinstance(node, Not) else node
            found: Node = inner.model_copy(update={"condition": other.id, "label": other.label,
                                                   "span": text.origin(word.start(), word.end())})
            leaves.append(Leaf(word.start(), word.end(), Not(item=found, span=found.span) if isinstance(node, Not) else found))
            covered.append(word.span())

    def _recency(self, text: Text, sentence: str, bounds: list[Bound], leaves: list[Leaf], covered: list) -> None:
        """"ANC >= 1500/mm3 within 14 days prior to registration": the values of the sentence
        must be that recent; the window is set on each lab comparison."""
        windows = [b for b in bounds if b.within and b.unit in DURATION_UNITS and b.op in ("<", "<=")]
        if len(windows) != 1:
            return
        labs = [n for leaf in leaves for n in walk(leaf.node) if isinstance(n, Comparison)
                and self.lexicon.variables.get(n.variable) is not None and self.lexicon.variables[n.variable].kind in _RECENT_KINDS]
        if not labs:
            return
        window = windows[0]
        assert window.unit is not None  # windows are bounds in a duration unit
        window.recency = True
        duration = Duration(value=clean(window.value), unit=DURATION_UNITS[window.unit])
        for comparison in labs:
            comparison.within = duration
        tail = re.compile(r"[^.;,()]{0,60}").match(sentence, window.end)  # "prior to registration"
        covered.append((window.start, tail.end() if tail else window.end))

    def _interval_leaves(self, text: Text, sentence: str, start: int, mentions, bounds, leaves, covered) -> None:
        """"Admission less than 10 days after onset": time from one event to another."""
        events = [m for m in mentions if m.kind == "event"]
        for bound in bounds:
            if bound.unit not in DURATION_UNITS or bound.variant_of is not None:
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
            node = Interval(start=later[0].id, end=end_event, op=bound.op, value=clean(bound.value),
                            unit=DURATION_UNITS[bound.unit], span=text.origin(leaf_start, later[0].end))
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
        node = Interval(start=event.id, end=None, op=bound.op, value=clean(bound.value),
                        unit=DURATION_UNITS[str(bound.unit)], span=text.origin(event.start, anchor.end))
        leaves.append(Leaf(event.start, anchor.end, node))
        covered.append((event.start, anchor.end))

    def _defined(self, sentence: str, start: int, leaves: list[Leaf], covered: list[tuple[int, int]]) -> list[Leaf]:
        """"Significant cardiac disease defined as NYHA III or IV", "clinically significant cardiac
        dysfunction (NYHA grade 3 or 4)": the measured definition says what the term means, so it
        decides alone; the term's words and conditions read from them are covered by it.  A closing
        parenthesis defines only a qualified term ("Known HIV infection (CD4 < 200)" keeps both)."""
        if not leaves:
            return leaves  # nothing defined, nothing covered
        definition = None if cannot_match(self._definition_needs, sentence) else self._definition_re.search(sentence, start)
        if definition:
            cue_start, cue_end = definition.start(), definition.end()
        else:
            bracket = _CLOSING_BRACKET.search(sentence[start:]) if sentence.find(")", start) != -1 else None
            words = {w.lower() for w in _HYPHENATED_WORD.findall(sentence[start:start + bracket.start()])} if bracket else set()
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
        spans: list[tuple[int, int]] = []
        if cannot_match(self._neutral_needs, sentence):
            return spans
        for match in finditer_from_heads(self._neutral_re, sentence, start):  # tried where a phrase can start
            qualifier = self._qualified_re.match(sentence, match.end())
            if qualifier is None or any(a <= qualifier.start("word") < b for a, b in covered):
                spans.append(match.span())
        return spans


_LIST_WORDS = {"or", "and", "nor"}
_LISTED_BEFORE = re.compile(r"(?<![\w-])[A-Za-z]+(?:\s*,\s*[A-Za-z]+)*\s*,?\s*(?:or|and|and/or|nor)\s+$")
"""A list of single words closed by a connector, right before a name ("heart, lung, or ")."""


def _ends_with_connector(text: str) -> bool:
    """Whether ``text`` ends with "or", "and" or "nor" and blanks, as every match of
    ``_LISTED_BEFORE`` does: the search, tried from every letter before, is skipped otherwise."""
    return text[-1:].isspace() and text.rstrip().endswith(("or", "and", "nor"))


def _spelled_out(sentence: str, start: int, leaves: list[Leaf], qualifiers: set[str]) -> list[tuple[int, int]]:
    """"oxygen arterial pressure at rest (PaO2) < 8 kPa": the words before a bracketed name that
    a limit was read on spell that name out; they are read with it (back to the clause's start
    or a qualifier such as "stable", which stays unread; at most eight words)."""
    spans = []
    for leaf in leaves:
        opening = _OPENING_BRACKET.search(sentence[start:leaf.start])
        if not opening or not isinstance(leaf.node, Comparison) and not any(isinstance(n, Comparison) for n in walk(leaf.node)):
            continue
        name_end = start + opening.start()
        floor = max([start] + [other.end for other in leaves if other.end <= name_end])
        head = sentence[floor:name_end]
        boundaries = list(_NAME_BOUNDARY.finditer(head))
        name_start = floor + (boundaries[-1].end() if boundaries else 0)
        words = list(_HYPHENATED_WORD.finditer(sentence[name_start:name_end]))
        name_start += max([w.end() for w in words if w.group(0).lower() in qualifiers], default=0)
        if 0 < len(sentence[name_start:name_end].split()) <= 8:
            spans.append((name_start, name_end))
    return spans

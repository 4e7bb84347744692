"""Clauses: one sentence of an item becomes a node.  A leading negation turns the sentence's
polarity; an example or exception cue splits it into a head and the cue's scope; the leaves
are joined by the connectors between them; what stays unread becomes a question joined to
what was read (required with it, or an alternative to it), never dropped."""

from __future__ import annotations

import re

from .applies_to import limit_for_group
from .exceptions import escape
from .healthy import admits_healthy
from .leaves import Leaf, LeafReader
from .lexicon import Lexicon
from .mentions import Mention
from .patterns import patterns
from .phraseindex import PhraseIndex, Words, anchored, finditer_from_heads, places_of
from .prefilter import cannot_match, needs
from .qualified import bracketed_qualifiers
from .quantities import DURATION_UNITS, Bound
from . import readnodes as made
from .rules import AllOf, AnyOf, Comparison, Condition, Duration, Manual, Node, Not, Readings, Restrict, Section, Sex, Window, walk
from .scope import Group, contexts, cues, negated, phrase_pattern, with_context
from .text import Text
from .tokens import NUMBER_WORDS, WORD, Spans, any_between, blank, blank_spans, phrase_regex, squash

_SENTENCE = re.compile(
    r"(?<=[.;])\s+(?=[A-Z(])|;\s*"
    r"|,?\s+and\s+(?=(?:must|should|shall|will|agree|agrees|have\s+to|has\s+to)\b)"  # "... must not be X and must use Y"
)
_ONLY_IF = re.compile(
    r"\(?\s*(?:only\s+(?:required\s+|needed\s+|necessary\s+|applicable\s+)?(?:if|when|in\s+case\s+of)"
    r"|(?:required|needed|necessary|applicable)\s+only\s+(?:if|when|in\s+case\s+of))\s+([^()]{3,120}?)\s*(?:\)|$)", re.I)
_RESULT_JOINT = re.compile(r"\s*(?:,\s*(?:or\b|and/or\b)?|\s(?:or|and/or)\b)\s*", re.I)
_OPENING_CONDITION = re.compile(r"\s*(?:if|when|whenever|in\s+case\s+of|in\s+case)\b[^,;:]{3,200}[,;:]", re.I)
_EVENT_WINDOW = re.compile(
    r"(?:at\s+any\s+time\s+)?(?:during|within|in)\s+the\s+first\s+(\d+|one|two|three|four|five|six|seven|ten|"
    r"twenty|thirty)\s+(days?|weeks?|months?)\s+(?:after|following|from|of)\s+(?:the\s+)?", re.I)
_REMARK = re.compile(r"\(([^()]*)\)")
_LIST_OR = re.compile(r",[^,]*\b(?:or|and/or)\b")  # a comma list closed by "or"
_PUNCTUATION_ONLY = re.compile(r"[\s,;:]*")
_COMPARATIVE = re.compile(r"\s*(?:more|less|greater|fewer|lower|higher)\b", re.I)
_EVENT_WINDOW_NEEDS, _ONLY_IF_NEEDS = needs(_EVENT_WINDOW), needs(_ONLY_IF)  # guards: most sentences hold neither


def _split_places(text: str) -> list[int]:
    """Where a match of ``_SENTENCE`` can start, ascending: a ";", a blank after "." or ";",
    and before an "and" the first of its blanks and the comma before them (a blank inside the
    run would have been tried, and matched, from the run's start: no match ends before a
    blank).  Most items hold none of these and are not scanned at all."""
    if ";" not in text and "and" not in text and ("." not in text or _STOP.search(text) is None):
        return []  # the cheap tests first: most items are one sentence
    places = set(places_of(text, (";",), 0, len(text)))
    places.update(i + 1 for mark in ".;" for i in places_of(text, (mark,), 0, len(text)) if text[i + 1:i + 2].isspace())
    for i in places_of(text, ("and",), 0, len(text)):
        j = i
        while j and text[j - 1].isspace():
            j -= 1
        if j < i:
            places.add(j)
            if j and text[j - 1] == ",":
                places.add(j - 1)
    return sorted(places)


_STOP = re.compile(r"\.\s")
_WORD_BEFORE = re.compile(r"[^\W\d_]{3}")  # a finding written between the negation and a limit


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` (within it) made blanks, the same length; its
    slices are joined, which costs a fraction of a list of its characters on long items."""
    merged = Spans(spans)  # disjoint, in order
    pieces = []
    last = 0
    for start, end in zip(merged.starts, merged.ends):
        pieces += [text[last:start], " " * (end - start)]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


class ClauseReader(LeafReader):
    """Reads one sentence of an item into a node, with its negation, cues and unread words."""

    def __init__(self, lexicon: Lexicon | None = None):
        super().__init__(lexicon)
        p = patterns()
        lead = phrase_pattern(cues()["negation_lead"])
        self._negation_re = re.compile(
            r"^[\s,:]*(?:" + lead + r"\s+){0,4}(?:"
            + "|".join(re.escape(str(n)) for n in sorted(p["negations"], key=lambda n: len(str(n)), reverse=True)) + r")\b\s*",
            re.I,
        )
        # a field left open, then the next field: "Not specified Performance Status: ..." (never "None of the ...")
        self._no_requirement_re = re.compile(r"[\s,:]*(?:" + phrase_pattern(p["no_requirement"]) + r")(?:\W*$|\s+(?-i:[A-Z]))", re.I)
        self._or_re = phrase_regex(p["connectors"]["or"])
        self._or_index = PhraseIndex(self._or_re, p["connectors"]["or"], True)  # tried where its words stand
        self._and_re = phrase_regex(p["connectors"]["and"])
        self._result_negations = {str(c).lower() for c in cues()["result_negations"]}
        self._result_noun_re = re.compile(phrase_pattern(cues()["result_nouns"]), re.I)
        self._specimens = {str(w).lower() for w in cues()["result_specimens"]}
        self._unread_condition_re = re.compile(
            r"(?:" + phrase_regex(p["conditional_words"]).pattern + r")\s+[^\W\d]", re.I)

    def _sentences(self, text: str) -> list[tuple[int, int]]:
        out, cursor = [], 0
        for match in anchored(_SENTENCE, text, _split_places(text)):  # as _SENTENCE.finditer(text)
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
        negation = self._leading_negation(sentence)
        split = self._result_scope(sentence, negation.end()) if negation else None
        if split is not None:
            return self._result_alternatives(text, start, lead, end, split, (section, heading, found, group, required_group))
        if not in_group and not _any_within(found, start, end):
            return None  # no leaf to read and no group to require: what follows would find nothing
        body_start = lead + (negation.end() if negation else 0)
        leaves, covered = self._leaves(text, body_start, end, section, heading, found)
        if negation:
            covered += self._result_words(text.text, body_start, end)
        if in_group and group is not None:
            leaves = [l for l in leaves if not (group.start <= l.start and l.end <= group.end)]
            covered.append((group.start, group.end))
        self._event_window(text, body_start, end, found[0], leaves, covered)
        notes = []
        measured = any(isinstance(n, Comparison) for l in leaves for n in walk(l.node))
        for match in contexts(text.text, body_start, end) if measured else ():  # context notes go on comparisons
            covered.append((match.start(), match.end()))
            note = squash(match.group(0)).lower()
            notes.append(str(cues().get("context_wording", {}).get(note, note)))
        required = group if in_group and required_group else None
        if not leaves:
            if required is None or self._leftover(text.text, body_start, end, covered):
                return None
            node = self._group_node(text, required)  # "Women of childbearing potential"
            return negated(node, squash(text.text[start:end]), text.origin(start, end)) if negation else node
        apart: list[Leaf] = []
        opening: set[int] = set()
        limits: list[Leaf] = []
        if negation and any(not isinstance(l.node, Not) for l in leaves):
            # "Not pregnant HIV negative": a finding negated after it is a statement of its own, outside the scope
            opening = _new_items(text.text, leaves)
            if section == "inclusion":
                healthy = self._healthy_limits(text.text, body_start, end, leaves, opening)
                # a limit moves out of the negation only beside a finding, read or not, that stays in it
                if any(id(l) not in healthy for l in leaves) or \
                        self._leftover(text.text, body_start, end, covered + [(l.start, l.end) for l in leaves]):
                    opening = healthy
            apart = [l for l in leaves if isinstance(l.node, Not) and l.start > body_start or id(l) in opening]
            limits = [l for l in apart if id(l) in opening]
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
        # "No pregnant or nursing women": the group inside the negation; "Women without childbearing potential":
        # a group written before the negation cue stays outside it
        outside = required is not None and negation is not None and required.end <= lead + negation.end()
        node = self._composed(text, (start, end), with_context(part, notes), required, outside, negation is not None)
        if apart:
            joiner = AllOf if section == "inclusion" else AnyOf
            limits_read = self._joined(limits, text, (start, end)) if section == "inclusion" else [l.node for l in limits]
            node = joiner(items=[node] + [l.node for l in apart if id(l) not in opening] + limits_read, span=text.origin(start, end))
        return node

    def _healthy_limits(self, text: str, body_start: int, end: int, leaves: list[Leaf], opening: set[int]) -> set[int]:
        """The limits that stand apart from an inclusion's opening negation, as ``id``s: those
        opening a run-on item (``opening``) unless only abnormal values meet them ("No severe
        hypertension, i.e.: Systolic 200 mm Hg or more Diastolic 120 mm Hg or more"), and those after
        the negated findings that a healthy value meets ("No history of stroke, creatinine < 1.5 mg/dL";
        ``screener.healthy``) with the undecided limits that follow one ("Creatinine no greater than
        1.5 mg/dL OR Creatinine clearance at least 50 mL/min").  Limits in brackets after a finding
        define it ("hypercalcemia (calcium greater than 10.5 mg/dL)"); under an exception cue
        ("unless") the sentence keeps its reading."""
        cue = self._scope_cue(text, body_start, end, leaves) is not None
        apart: set[int] = set()
        following = False
        for leaf in sorted(leaves, key=lambda l: l.start):
            healthy = admits_healthy(leaf.node, self.lexicon)
            if id(leaf) in opening:
                following = healthy is not False
            else:
                following = not cue and bool(healthy or following and healthy is None and isinstance(leaf.node, Comparison)) \
                    and bool(_WORD_BEFORE.search(text, body_start, leaf.start)) and not _defines_finding(text, body_start, leaf.start, leaves)
            if following:
                apart.add(id(leaf))
        return apart

    def _joined(self, leaves: list[Leaf], text: Text, sentence: tuple[int, int]) -> list[Node]:
        """Limits that stand apart from an inclusion's negation, joined as written ("Creatinine < 1.5
        mg/dL OR clearance > 60 mL/min"), as items of the inclusion's "all".  Under a condition the
        sentence states ("LVEF greater than 50% in patients with prior anthracyclines") they are one
        reading and the sentence as written the other: decided only where both agree."""
        if not leaves:
            return []
        node = self._join(leaves, text.text, "inclusion")
        start, end = sentence
        if self._unread_condition_re.search(text.text, start, end):
            manual = Manual(question=squash(text.text[start:end]), span=text.origin(start, end))
            return [Readings(items=[node, manual], span=manual.span)]
        return list(node.items) if isinstance(node, AllOf) and node.span is None else [node]

    def _leading_negation(self, sentence: str) -> re.Match[str] | None:
        """The negation that opens a sentence ("No", "Absence of"), unless it is part of a
        comparator ("no more than", "not less than")."""
        negation = self._negation_re.match(sentence)
        if negation and (self._before_re.search(sentence[:negation.end() + 12].split(" than")[0] + " than")
                         or _spans(self._before_any_re.match(sentence), negation.end())):
            return None  # "No more than 2", "Not over 35": the negation belongs to the comparator
        if negation and _COMPARATIVE.match(sentence, negation.end()):
            return None
        if negation and self._no_requirement_re.match(sentence):
            return None  # "Not specified Performance Status: ECOG 0-2": a field left open, then the next one
        return negation

    def _composed(self, text: Text, where: tuple[int, int], node: Node, required: Group | None, outside: bool,
                  negation: bool) -> Node:
        """The sentence's node with the group it requires (inside or outside its negation)."""
        span = text.origin(*where)
        if required is not None and not outside:
            node = AllOf(items=[self._group_node(text, required), node], span=span)
        if negation:
            node = negated(node, squash(text.text[where[0]:where[1]]), span)
        if required is not None and outside:
            node = AllOf(items=[self._group_node(text, required), node], span=span)
        return node

    def _result_scope(self, sentence: str, after: int) -> tuple[int, int, bool] | None:
        """Where the scope of a test-result negation ("Negative urine pregnancy test OR ...")
        ends: (end of the test's name, start of what follows, whether that is an alternative);
        None for another negation or when nothing follows the test's name."""
        if sentence[:after].split()[-1].lower() not in self._result_negations:
            return None
        noun = self._result_noun_re.search(sentence, after)
        joint = _RESULT_JOINT.match(sentence, noun.end()) if noun else None
        if noun is None or joint is None or not sentence[joint.end():].strip():
            return None
        rest = sentence[joint.end():]
        alternative = bool(re.search(r"\bor\b", joint.group(0), re.I) or re.search(r",\s*(?:or|and/or)\b", rest, re.I))
        return noun.end(), joint.end(), alternative

    def _result_words(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """The test's name and specimen words after a test-result negation ("Negative serum or
        urine pregnancy test"): what the negation is said of, read with it."""
        if text[:start].split()[-1].lower() not in self._result_negations:
            return []
        noun = self._result_noun_re.search(text, start, end)
        if noun is None:
            return []
        words = [(w.start(), w.end()) for w in WORD.finditer(text, start, noun.start()) if w.group(0).lower() in self._specimens]
        return words + [noun.span()]

    def _result_alternatives(self, text: Text, start: int, lead: int, end: int, split: tuple[int, int, bool],
                             context: tuple) -> Node:
        """The negated test result and what follows it, each read as a sentence of its own and
        joined by the connector between them."""
        cut, rest, alternative = lead + split[0], lead + split[1], split[2]
        parts = []
        for a, b in ((start, cut), (rest, end)):
            node = self._sentence_rule(text, a, b, *context)
            parts.append(node if node is not None else Manual(question=squash(text.text[a:b]), span=text.origin(a, b)))
        return (AnyOf if alternative else AllOf)(items=parts, span=text.origin(start, end))

    def _group_node(self, text: Text, group: Group) -> Node:
        label = self.lexicon.conditions[group.condition].label if group.condition in self.lexicon.conditions else None
        return group.node(text.origin(group.start, group.end), label)

    def _event_window(self, text: Text, start: int, end: int, mentions: list[Mention], leaves: list[Leaf],
                      covered: list[tuple[int, int]]) -> None:
        """"at any time during the first 10 days after onset": the values of the sentence count
        only when measured in that window after the event."""
        match = None if cannot_match(_EVENT_WINDOW_NEEDS, text.text) else _EVENT_WINDOW.search(text.text, start, end)
        if not match:
            return
        comparisons = [n for l in leaves for n in walk(l.node) if isinstance(n, Comparison)]
        if not comparisons:
            return
        event = next((m for m in mentions if m.kind == "event" and match.end() <= m.start <= match.end() + 2), None)
        if event is None:
            return
        amount = match.group(1).lower()
        value = int(amount) if amount.isdigit() else NUMBER_WORDS[amount]
        window = Window(event=event.id, end=Duration(value=value, unit=DURATION_UNITS[match.group(2).lower().rstrip("s")]))
        for comparison in comparisons:
            comparison.window = window
        defined = re.compile(r"\s*\([^()]*\)").match(text.text, event.end)  # "(date of the first symptoms)"
        covered.append((match.start(), defined.end() if defined else event.end))

    def _scope_cue(self, text: str, start: int, end: int, leaves: list[Leaf]) -> tuple[str, int, int, int] | None:
        """The first example or exception cue outside what was read: (kind, cue start, cue end, end of its scope,
        the closing bracket when the cue stands in brackets)."""
        if self._cue_free(text):
            return None
        for match in finditer_from_heads(self._cue_re, text, start, end):  # the regex tried only where a cue may start
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

    def _part(self, text: Text, start: int, body_start: int, end: int, leaves: list[Leaf], covered: list[tuple[int, int]],
              section: Section, skip: tuple[int, int] = (0, 0)) -> Node | None:
        """What was read in ``body_start:end`` (less ``skip``), with a question on its unread words."""
        leaves = [l for l in leaves if body_start <= l.start < end and not skip[0] <= l.start < skip[1]]
        grouped = limit_for_group(self, text, (start, body_start, end), leaves, covered, section) if skip == (0, 0) else None
        if grouped is not None:  # "Age 18 or older for patients with X": the limit holds for X only (screener.applies_to)
            return grouped
        leftover = self._leftover(text.text, body_start, end, covered + [skip])
        if not leaves:
            return made.manual(squash(text.text[start:end]), text.origin(start, end)) if leftover else None
        node = self._join(leaves, text.text, section)
        only = None if cannot_match(_ONLY_IF_NEEDS, text.text) else _ONLY_IF.search(text.text, body_start, end)
        if only and not any(only.start() <= l.start < only.end() for l in leaves):
            # "DLCO > 55% (only required if there is clinical evidence of pulmonary dysfunction)"
            group = self._condition_for(only.group(1).strip(), text)
            node = Restrict(group=group, item=node, outside=section == "inclusion", span=text.origin(start, end))
            leftover = self._leftover(text.text, body_start, end, covered + [skip, only.span()])
        opening = _OPENING_CONDITION.match(text.text, body_start, end)
        if leftover and opening and all(l.end <= opening.end() for l in leaves):
            # "If the fibrosing lung disease threatens the vital prognosis, we will ...": what follows the
            # condition applies only under it; outside it the sentence asks nothing of the patient
            manual = Manual(question=squash(text.text[start:end]), span=text.origin(start, end))
            return Restrict(group=node, item=manual, outside=section == "inclusion", span=manual.span)
        if leftover:
            if self._unread_condition_re.search(blank_spans(text.text, covered, body_start, end)):
                # "(50,000/mm3 if post bone marrow transplantation)": another limit under a condition not read;
                # what was read is one reading, the sentence as written (a question) the other: decided where they agree
                manual = Manual(question=squash(text.text[start:end]), span=text.origin(start, end))
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
        manual = Manual(question=squash(text.text[start:end]), span=text.origin(start, end))
        first = Leaf(ordered[0].start, ordered[0].end, AllOf(items=[ordered[0].node, manual], span=manual.span))
        return self._join([first, *ordered[1:]], text.text, section)

    def _leftover(self, text: str, start: int, end: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Meaningful words of the sentence that no leaf accounts for."""
        remarks = []
        for paren in _REMARK.finditer(text[start:end]) if text.find("(", start, end) != -1 else ():
            if not self._exceptions.search(paren.group(1)):
                remarks.append((start + paren.start(), start + paren.end()))
        inside = Spans(covered + remarks)
        starts, ends = inside.starts, inside.ends  # disjoint, in order: walked with the words
        index, count = 0, len(starts)
        is_filler = self._is_filler
        out = []
        for word in WORD.finditer(text, start, end):
            spelt = word.group()
            if len(spelt) < 2 or is_filler[spelt]:
                continue
            at = word.start()
            while index < count and ends[index] <= at:
                index += 1
            if index < count and starts[index] <= at:
                continue  # inside what was read
            out.append((at, word.end()))
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
        question = made.manual(squash(text.text[start:end]), text.origin(start, end))
        if not alternative:
            return made.all_of([node, question], question.span)
        if section == "exclusion" or all(isinstance(n, (Comparison, Sex, AllOf, AnyOf)) for n in walk(node)):
            return made.any_of([node, question], question.span)
        return question

    def _leftover_is_alternative(self, text: str, leaves: list[Leaf], leftover: list[tuple[int, int]]) -> bool:
        """Whether unread words are an alternative to what was read rather than a qualifier.

        Two shapes count: "or" right beside a leaf ("X or other serious disease"), and a
        comma list closed by "or" with a leaf in one item and only unread words in another
        ("heart failure reversible, ventricular or atrial rhythm disturbances").
        """
        start = min([l.start for l in leaves] + [w[0] for w in leftover])
        end = max([l.end for l in leaves] + [w[1] for w in leftover])
        # an "or" inside a leaf ("greater than or equal to") joins nothing
        plain = _blanked(blank(text, start, end), [(leaf.start, leaf.end) for leaf in leaves])
        starts = sorted(leaf.start for leaf in leaves)
        if not leftover:
            return False
        for connector in self._or_index.finditer(Words(plain)):  # as self._or_re.finditer(plain)
            if self._or_joins_unread(plain, leaves, leftover, connector.start(), connector.end()):
                return True
        segment = plain[start:end]
        if "," not in segment or "or" not in segment or not _LIST_OR.search(segment):
            return False
        items = [(m.start(), m.end()) for m in re.finditer(r"[^,;]+", plain[start:end])]
        items = [(start + a, start + b) for a, b in items]
        has_leaf = [any_between(starts, a, b - 1) for a, b in items]
        unread = sorted(w[0] for w in leftover)
        unread_only = [not leaf and any_between(unread, a, b - 1) for (a, b), leaf in zip(items, has_leaf)]
        return any(has_leaf) and any(unread_only)

    @staticmethod
    def _or_joins_unread(plain: str, leaves: list[Leaf], leftover: list[tuple[int, int]], start: int, end: int) -> bool:
        """Whether the "or" at ``plain[start:end]`` stands between a leaf and unread words
        ("X or other serious disease"); an "or" between two leaves joins what was read."""
        left = any(_PUNCTUATION_ONLY.fullmatch(plain[l.end:start]) for l in leaves if l.end <= start)
        right = any(_PUNCTUATION_ONLY.fullmatch(plain[end:l.start]) for l in leaves if l.start >= end)
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
        leaves = bracketed_qualifiers(leaves, text, lambda inner: self._join(inner, text, section))  # "HIV (CD4 < 200)"
        if len(leaves) == 1:
            return leaves[0].node
        joints: list[str | None] = []
        for left, right in zip(leaves, leaves[1:]):
            between = text[left.end:right.start]
            if left.sex and right.sex and left.sex != right.sex:  # "> 12 for men, > 11 for women": each for its group
                joints.append("and" if section == "inclusion" else "or")
            elif self._or_re.search(between):
                joints.append("or")
            elif self._and_re.search(between) or _one_phrase(left, right, text):
                joints.append("and")
            else:
                joints.append(None)
        for index, joint in enumerate(joints):
            if joint is None:
                following = next((j for j in joints[index:] if j), None)
                joints[index] = following or ("and" if section == "inclusion" else "or")
        loose, tight = ("and", made.all_of) if section == "inclusion" else ("or", made.any_of)
        inner = made.any_of if section == "inclusion" else made.all_of
        groups: list[list[Leaf]] = [[leaves[0]]]
        for joint, leaf in zip(joints, leaves[1:]):
            if joint == loose:
                groups.append([leaf])
            else:
                groups[-1].append(leaf)
        parts = [g[0].node if len(g) == 1 else inner([l.node for l in g], None) for g in groups]
        return parts[0] if len(parts) == 1 else tight(parts, None)


def _one_phrase(left: Leaf, right: Leaf, text: str) -> bool:
    """Two conditions side by side with nothing between and the second in lower case are one
    phrase ("Premenopausal myocardial infarction", "AIDS dementia"): both are meant, never
    either; a capital after the space starts a run-on item ("... nursing Negative pregnancy test")."""
    return (not text[left.end:right.start].strip() and text[right.start:right.start + 1].islower()
            and all(isinstance(l.node, (Condition, Not)) for l in (left, right)))


def _new_items(text: str, leaves: list[Leaf]) -> set[int]:
    """The limits that open a new item of a run-on paragraph ("No significant cardiac disease Ejection
    fraction at least 40%"), as ``id``s: a capitalised name right after the words of the leaf before
    it, with no connector or punctuation between, where that leaf ends in a lower-case word or is
    itself such a limit ("No severe renal disease Creatinine no greater than 1.5 mg/dL Creatinine
    clearance at least 60 mL/min": both limits).  They stand outside the negation that opens the
    paragraph."""
    opening: set[int] = set()
    ordered = sorted(leaves, key=lambda l: (l.start, l.end))
    for index, leaf in enumerate(ordered):
        before = [l for l in ordered[:index] if l.end <= leaf.start]
        if not before or not any(isinstance(n, Comparison) for n in walk(leaf.node)):
            continue
        previous = max(before, key=lambda l: l.end)
        if not (text[previous.end:leaf.start].isspace() and text[leaf.start:leaf.start + 1].isupper()):
            continue
        if text[previous.end - 1:previous.end].islower() or id(previous) in opening:
            opening.add(id(leaf))
    return opening


def _defines_finding(text: str, start: int, position: int, leaves: list[Leaf]) -> bool:
    """Whether ``position`` lies in a bracket opened after ``start`` right after a finding read
    ("hypercalcemia (calcium greater than 10.5 mg/dL)"): the bracket says what the finding is.
    After unread words ("Normal cardiac function (LVEF greater than 40%)") it does not."""
    opened = text.rfind("(", start, position)
    if opened < 0 or text.count(")", opened, position):
        return False
    return any(not isinstance(l.node, Comparison) and l.end <= opened and not text[l.end:opened].strip(" ,")
               for l in leaves)


def _any_within(found: tuple[list[Mention], list[Bound]], start: int, end: int) -> bool:
    """Whether a mention or a bound of the item lies in ``start:end`` (every leaf is read from one)."""
    return any(start <= m.start and m.end <= end for m in found[0]) or any(start <= b.start and b.end <= end for b in found[1])


def _spans(match: re.Match[str] | None, position: int) -> bool:
    """True when ``match`` reaches past ``position`` (a comparator that takes in the item's opening negation)."""
    return match is not None and match.end() > position

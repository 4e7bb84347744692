"""Class values of a scale: "NYHA class III", "Class III/IV", "ASA physical status I", "Child-Pugh B".

A class written alone is a value of the scale, not a limit: "NYHA class III" is class 3
exactly (the extractor reads it "== 3", or "<= 1" / ">= 4" at an end of the scale), and
"Class III/IV" lists two classes like "III or IV".  Read only right after a class word
("class", "stage", "grade", "NYHA", "ASA", ...: ``class_words`` in patterns.yaml), once the
text is normalised (roman numerals written as digits).  Classes written as letters stand for a
range of the scale's score ("Child-Pugh B" is 7-9 points: ``letter_classes`` in patterns.yaml);
``letter_rule`` rewrites them as that range for the normaliser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from .patterns import patterns

_VALUES = re.compile(r"(\d)(?:\s*/\s*(\d))*(?![\d.,]*\d|\s*(?:-|to|or|and|,)\s*\d|\s*[%x]|\s*/\s*\d{2})")


# "(ASA 1 corresponding to a patient in perfect health and ASA 2 to ...)": a class being explained
_DEFINES = re.compile(r"\s*(?:corresponds?|corresponding|means?|meaning|refers|defined|indicates?|[=:]|(?:is|are)\b"
                      r"|to\s+(?:a|an|the)\b|for\s+(?:a|an)\b)", re.I)

# "grade 2 or worse", "class II+": the class opens a range
_OPEN_ENDED = re.compile(r"\s*(?:\+|(?:or|and/or)\s+(?:worse|higher|greater|more|above|over|less|lower|better|below|under"
                         r"|beyond|severer|more\s+severe)\b)", re.I)
_COMPARED = re.compile(r"(?:[<>]=?|\b(?:greater|more|less|worse|higher|lower|better|fewer)\s+than|\b(?:above|below|over|under"
                       r"|exceeding|at\s+least|at\s+most|up\s+to|minimum|maximum)\b)[\s(]*(?:\w+\s+){0,2}$", re.I)


@cache
def _class_word_ends() -> frozenset[str]:
    """The last letters of the class words, lower case: what an ASCII text must end in, blanks
    and one ")" aside, for ``_class_word`` to match at its end."""
    return frozenset(str(w)[-1].lower() for w in patterns()["class_words"])


def _may_end_in_class_word(before: str) -> bool:
    """A quick first test for ``_class_word().search``: False only where it cannot match."""
    tail = before.rstrip()
    if tail.endswith(")"):
        tail = tail[:-1].rstrip()
    return not tail.isascii() or tail[-1:].lower() in _class_word_ends()


@cache
def _class_word() -> re.Pattern[str]:
    words = sorted((str(w) for w in patterns()["class_words"]), key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\s*(?:\)\s*)?$", re.I)


def class_values(text: str, start: int) -> tuple[int, tuple[float, ...]] | None:
    """(end, values) of the class or slash-joined classes at ``start``, when a class word stands
    just before; None otherwise."""
    window = max(0, start - 40)
    word = _class_word().search(text, window, start) if _may_end_in_class_word(text[window:start]) else None
    if not word or re.search(r"(?:\d|\b[IVX]{1,4})\s*-\s*$", text[max(0, word.start() - 8):word.start()]):
        return None  # "ASA I- ASA II": the end of a range, read as a range
    match = _VALUES.match(text, start)
    if not match or _DEFINES.match(text, match.end()) or _OPEN_ENDED.match(text, match.end()):
        return None
    if _COMPARED.search(text, max(0, word.start() - 30), word.start()):
        return None  # "> class 2 New York Heart Association": a limit, not a class
    values = tuple(float(v) for v in re.findall(r"\d", match.group(0)))
    return match.end(), values


def _initials(name: str) -> set[str]:
    """Letters a scale's name may open with (every word's first letter), for a quick first test."""
    return {c for m in re.finditer(r"(?<![A-Za-z\\])[A-Za-z]", name) for c in (m.group(0).lower(), m.group(0).upper())}


_OPEN_TAIL = r"(?:\s*(?:or|and)\s+(worse|higher|greater|more|above|better|lower|less|below)\b)"
_OPEN = re.compile(_OPEN_TAIL + "$", re.I)
_JOINT = r"\s*(?:,\s*(?:or|and)|,|-|to|or|and|/)\s*"


@cache
def letter_rule() -> tuple[re.Pattern[str], "Callable[[re.Match[str]], str]"]:
    """(pattern, replacement) that rewrites letter classes as the range of the score they stand for."""
    scales = {re.compile(name, re.I): {str(k): v for k, v in letters.items()}
              for name, letters in patterns()["letter_classes"].items()}
    alternatives = []
    for name, letters in patterns()["letter_classes"].items():
        letter = "(?-i:" + "|".join(sorted((re.escape(str(k)) for k in letters), key=len, reverse=True)) + ")"
        alternatives.append(rf"(?:{name})[\s(]*(?:(?:class(?:es)?|grade|score|stage|category|classification)\s*(?:of\s+)?)?"
                            rf"\)?\s*{letter}(?:{_JOINT}{letter})*(?![\w-]){_OPEN_TAIL}?")
    initials = "".join(sorted({c for name in patterns()["letter_classes"] for c in _initials(name)}))
    pattern = re.compile(rf"(?=[{re.escape(initials)}])\b(?:" + "|".join(alternatives) + ")", re.I)

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        opened = _OPEN.search(text)
        if opened:  # "Child-Pugh B or worse": from B up
            text = text[:opened.start()]
        for scale, letters in scales.items():
            head = scale.match(text)
            if not head:
                continue
            letter = "(?:" + "|".join(sorted(map(re.escape, letters), key=len, reverse=True)) + ")"
            words = re.search(rf"\b{letter}(?!\w)(?:{_JOINT}{letter})*$", text)
            if not words:
                return text
            chosen = sorted(set(re.findall(rf"\b{letter}\b", words.group(0))),
                            key=lambda k: letters[k][0])
            ranks = sorted(letters, key=lambda k: letters[k][0])
            first, last = ranks.index(chosen[0]), ranks.index(chosen[-1])
            if len(chosen) > 1 and not re.search(r"-|\bto\b", words.group(0)) and last - first + 1 != len(chosen):
                return text  # "A or C": no run of classes
            low, high = letters[chosen[0]][0], letters[chosen[-1]][1]
            value = f"class {low}" if low == high else f"{low}-{high}"
            if opened:
                upward = opened.group(1).lower() in ("worse", "higher", "greater", "more", "above")
                value = f"{low} or higher" if upward else f"{high} or lower"
            return text[:words.start()] + value
        return text

    return pattern, replace

"""The per-trial stages' fast paths give what their plain forms give.

Each fast path of segmenting and keying (the ASCII words of ``stable_ids``, the folded text
``headings`` searches for what a heading needs, ...) is compared here with the plain behaviour
it replaces, on tricky texts and on generated ones; ``test_headings.py`` compares the headings
found with every pattern tried on every line.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.headings import _folded
from screener.segment import _BULLET, _CONNECTOR, _CONNECTOR_FIRST, _REGION_INLINE_BULLET, _Line, _inline_marks, _item_line
from screener.stable_ids import _LIST_MARK, _SIGN_WORDS, Keys, _digest, _slug, _words, fingerprint, normalise


def _plain_words(text: str) -> list[str]:
    """``stable_ids._words`` in its plain form: a regex over the folded, casefolded text."""
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()
    while mark := _LIST_MARK.match(text):
        text = text[mark.end():]
    for sign, word in _SIGN_WORDS:
        text = text.replace(sign, word)
    return re.findall(r"[0-9a-z]+", text)


TEXTS = [
    "", " ", "...", "1. Signed consent.", "- signed consent", "1) a) Ribavirin", "- 2. Age", "IV. Stage", "(ii) prior",
    "(A) ECOG", "[1] x", "A) b) c) d", "i.e. none", "x. marks", "\t* Hemoglobin < 9 g/dL or > 18 g/dL",
    "Age >= 18 = yes + 5 % 2", "HIV+ or HBV-", "ECOG 0-1; KPS>=70%", "CD4+/CD8+ ratio", "AGE_MIN", "18 Years",
    "\u2264 5 mg \u00e9t\u00e9 caf\u00e9 \u00b1 2", "Ann\u00e9e < 2 % = +", "\u212a\u017f Kelvin", "\u2022 bullet", "\u2013 dash",
    "\u00bd dose", "na\u00efve", "stra\u00dfe", "\ufb01ne", "\u0130stanbul", "\u0663 Arabic three", "MiXeD CaSe 12ab",
    "under_score and-dash/slash", "line\nbreak\r\nand\x0bvertical\x0cfeed",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_words_are_the_plain_words(text: str) -> None:
    assert [w.decode("ascii") for w in _words(text)] == _plain_words(text)
    assert normalise(text) == " ".join(_plain_words(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZiIvVxX019 .)(-*\t\n<>=%+_/\u00e9\u2264\u00b1\u212a", max_size=24))
def test_generated_words_are_the_plain_words(text: str) -> None:
    assert [w.decode("ascii") for w in _words(text)] == _plain_words(text)


def _plain_keys(entries: list[tuple[str, str, str | None]]) -> list[tuple[str, str]]:
    """``Keys.add`` in its plain form: strings throughout, a repeat counted over the keys given."""
    given: list[str] = []
    out = []
    for first, text, heading in entries:
        words = " ".join(_plain_words(text))
        identity = words if not heading else f"{' '.join(_plain_words(heading))} / {words}"
        digits = _digest(identity.encode())
        key = f"{first}-{_slug([w.encode() for w in words.split()])}-{digits[:4]}"
        repeats = sum(1 for k in given if k == key or k.startswith(key + "-"))
        key = f"{key}-{repeats + 1}" if repeats else key
        given.append(key)
        out.append((key, digits))
    return out


KEYED = [
    [("I", "Signed consent", None), ("I", "signed consent.", None), ("I", "1. Signed consent", None)],
    [("E", "Ribavirin", "Excluded"), ("E", "Ribavirin", "Excluded within 3 months"), ("E", "Ribavirin", "Excluded")],
    [("I", "the patient", None), ("I", "", None), ("I", "...", ":"), ("AGE_MIN", "18 Years", None)],
    [("E", "\u2264 5 mg caf\u00e9", "R\u00e9nal:"), ("E", "\u2264 5 mg cafe", "Renal:"), ("E", "> 2", None), ("E", "< 2", None)],
]


@pytest.mark.parametrize("entries", KEYED)
def test_keys_are_the_plain_keys(entries: list[tuple[str, str, str | None]]) -> None:
    keys = Keys()
    assert [keys.add(*entry) for entry in entries] == _plain_keys(entries)
    assert [digits for _, digits in _plain_keys(entries)] == [fingerprint(text, heading) for _, text, heading in entries]


def test_the_fold_gives_every_character_a_case_blind_letter_matches_as_that_letter() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    for code in range(0x110000):
        char = chr(code)
        folded = _folded(char)
        assert len(folded) == 1, hex(code)
        if letter.fullmatch(char):
            assert "a" <= folded <= "z" and re.fullmatch(folded, char, re.IGNORECASE), hex(code)
        else:
            assert not "a" <= folded <= "z", hex(code)
    assert _folded("\u0130\u0131\u017f\u212a \u00c9T\u00c9 \u03a3\u03a3") == "iisk \u00e9t\u00e9 \u03c3\u03c2"


def _plain_inline_marks(region: str) -> list[int]:
    """``segment._inline_marks`` in its plain form: one regex search of the whole region."""
    return [m.start() for m in _REGION_INLINE_BULLET.finditer(region) if not m.start() or region[m.start() - 1].isspace()]


REGIONS = [
    "", "-", "- A", "-  A - B * C • D", "a - B", "a-B - c", "ASA I - IV", "grade - II - III", "x -\tY\n- Z", "-\n- A",
    "** Bold - Item", "*- A", "-- A", "- - A", "•\u00a0A • (b) - \"c\" - 'd'", "e.g.- A", "\n-\u2003Z", "- IVY - VI - Ia",
]


@pytest.mark.parametrize("region", REGIONS)
def test_inline_marks_are_the_plain_marks(region: str) -> None:
    assert _inline_marks(region) == _plain_inline_marks(region)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["-", "*", "•", " ", "\t", "\n", "\u00a0", "A", "a", "I", "V", "IV", "(", "\"", "x"]), max_size=20))
def test_generated_inline_marks_are_the_plain_marks(parts: list[str]) -> None:
    region = "".join(parts)
    assert _inline_marks(region) == _plain_inline_marks(region)


def _plain_item_line(segment: str, at: int, after_blank: bool, inline: bool) -> _Line | None:
    """``segment._item_line`` in its plain form: the bullet pattern run on every line."""
    bullet = _BULLET.match(segment)
    assert bullet is not None
    body = segment[bullet.end():].rstrip()
    while body and body[-1] in " \t|*":
        body = body[:-1].rstrip()
    if not body:
        return None
    absolute = at + bullet.end()
    return _Line(absolute, absolute + len(body), len(bullet.group(1).expandtabs()), bool(bullet.group(2)), body, after_blank, inline)


LINES = [
    "Age 18", "   Age 18", "\t  - Age", "  1. Age", "  12) x", "  123. x", "  1.5 mg", "  a) x", "  a. x", "  ab. x", "  A.x",
    "  (a) x", "  (iv) x", "  (12) x", "  (x", "  [1] x", "  [12345] x", "  • x", "  · x", "  ▪ x", "  ◦ x", "  + x", "  * x",
    "  ** x **", "  x |", "\u00a0\u2003Age", "  \u0663. x", "  \u0663) x", "  \u0663\u0664 x", "  é. x", "  Ω) x", "  x", "  .", "  )",
    "  ***", "  | * |", "\t\tTabbed", " \x0b\x0cfeeds", "\u3000ideographic", "  -x", "  -", "  1.", "  a)",
]


@pytest.mark.parametrize("segment", LINES)
def test_an_item_line_is_the_plain_line(segment: str) -> None:
    assert _item_line(segment, 7, True, False) == _plain_item_line(segment, 7, True, False)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([" ", "\t", "\u00a0", "\u2003", "-", "*", "•", "+", "(", ")", "[", "]", ".", "|", "1", "12",
                                 "\u0663", "a", "A", "iv", "x", "é", "Age"]), min_size=1, max_size=8))
def test_a_generated_item_line_is_the_plain_line(parts: list[str]) -> None:
    segment = "".join(parts)
    assert _item_line(segment, 0, False, True) == _plain_item_line(segment, 0, False, True)


def test_what_strips_a_line_is_what_the_bullet_pattern_takes_for_blanks() -> None:
    blank = re.compile(r"\s")
    assert all(bool(blank.match(chr(code))) == chr(code).isspace() for code in range(0x110000))
    assert all(bool(re.match(r"\d", chr(code))) == chr(code).isdecimal() for code in range(0x110000))


def test_a_connector_starts_as_the_connector_pattern_needs() -> None:
    firsts = {chr(code) for code in range(0x110000) if _CONNECTOR.match(chr(code) + "r") or _CONNECTOR.match(chr(code) + "nd/or")}
    assert firsts == set(_CONNECTOR_FIRST)

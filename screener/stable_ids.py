"""Stable ids for criteria and review questions, derived from their normalised text.

Positional ids (``I4``, ``I4.2``) move when a bullet is inserted into a trial: an answer
keyed by position would then answer another criterion.  Each criterion therefore also
gets a ``key`` made from its own words, ``I-signed-informed-consent-9c1e``: the section
letter (or the registry field, ``AGE_MIN``), the first three words that carry meaning,
and the first four hex digits of its ``fingerprint``, the SHA-256 of the normalised
text and heading (lower case, list numbering, punctuation and spacing dropped).  Inserting or
renumbering bullets leaves every key unchanged; rewording a criterion changes its
fingerprint, so an answer given to the old words no longer matches (``answers.py``
reports it, with the new key).  A criterion with several review questions gives each
the key ``<criterion key>.q<n>``, ``n`` as in its positional id ``I4.<n>``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator

from .rules import AllOf, AnyOf, Criterion, Manual, Node, Not, Readings, Restrict, RuleSet, Unless, node_class, walk
from .trusted import copy_with

FINGERPRINT_DIGITS = 16
"""Hex digits of SHA-256 kept in a rules file; the key shows the first ``KEY_DIGITS``."""
KEY_DIGITS = 4
SLUG_WORDS = 3
SLUG_CHARS = 30

_STOP = frozenset(  # as the bytes of ``_words``
    b"a an and any are as at be been by eq for from ge gt has have in is it its le least less lt more of on or other "
    b"patient patients subject subjects participant participants person persons the their "
    b"pct plus pm than this those to was were which who with".split()
)
_LIST_MARK = re.compile(r"^\s*(?:[-*\u2022\u25cf\u25e6\u2013\u2014]+|\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)])\s*", re.I)
_WORD = re.compile(r"[0-9a-z]+")
_SIGNS = str.maketrans({"<": " lt ", ">": " gt ", "\u2264": " le ", "\u2265": " ge ", "=": " eq ", "%": " pct ",
                        "\u00b1": " pm ", "+": " plus "})
"""Signs that carry meaning are kept as words: "< 2" and "> 2" are different criteria."""
_SIGN_WORDS = tuple((chr(code), str(word)) for code, word in _SIGNS.items())
"""``_SIGNS`` as (sign, word) pairs: no word holds a sign, so replacing one sign after another
is translating, and ``str.replace`` costs a tenth of ``str.translate`` with a dict of strings."""


def normalise(text: str) -> str:
    """The words of a criterion as its identity: Unicode-folded, lower case, without list
    numbering, punctuation or spacing differences ("1. Signed consent." == "- signed consent");
    comparison signs count ("< 2" is not "> 2")."""
    return b" ".join(_words(text)).decode("ascii")


def _words(text: str) -> list[bytes]:
    """The words ``normalise`` joins: kept apart, the key's first words need no second split.
    Every word is ASCII (``_WORD``): kept as bytes, which hashing takes as they are."""
    if text.isascii():  # nearly every criterion: nothing to fold
        return _ascii_words(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    while mark := _LIST_MARK.match(text):  # "1) a)" and "- 2." both go
        text = text[mark.end():]
    for sign, word in _SIGN_WORDS:  # most criteria have no sign
        if sign in text:
            text = text.replace(sign, word)
    return [word.encode("ascii") for word in _WORD.findall(text)]


_ASCII_SIGN_WORDS = tuple((sign, word) for sign, word in _SIGN_WORDS if sign.isascii())
_ASCII_WORD_BYTES = bytes(code + 32 if 65 <= code <= 90 else code if 48 <= code <= 57 or 97 <= code <= 122 else 32
                          for code in range(256))
"""Each byte of an ASCII text as ``_WORD`` sees it in the text lowered: a letter or digit (upper
case lowered), or a blank between words."""


def _ascii_words(text: str) -> list[bytes]:
    """``_words`` of an ASCII text, where ``casefold`` is ``lower`` and the case-blind list marks
    match as in the lowered text: the words found by translating the bytes (letters lowered,
    every other character a blank) and splitting, rather than by a regex over the casefolded text
    (this way costs a third of that)."""
    while mark := _LIST_MARK.match(text):
        text = text[mark.end():]
    for sign, word in _ASCII_SIGN_WORDS:
        if sign in text:
            text = text.replace(sign, word)
    return text.encode("ascii").translate(_ASCII_WORD_BYTES).split()


def fingerprint(text: str, heading: str | None = None) -> str:
    """The identity of a criterion's words, with the heading it stands under: the same
    "Ribavirin." under "Excluded" and under "Excluded within 3 months of study entry" are two
    criteria."""
    words = normalise(text)
    return _digest((words if not heading else f"{normalise(heading)} / {words}").encode("ascii"))


def _digest(identity: bytes) -> str:
    return hashlib.sha256(identity).hexdigest()[:FINGERPRINT_DIGITS]


def criterion_fingerprint(criterion: Criterion) -> str:
    return fingerprint(criterion.text, criterion.heading)


def slug(normalised: str) -> str:
    """The first words that carry meaning (of a ``normalise``d text), for a person reading the key."""
    return _slug(normalised.encode("ascii").split())


def _slug(words: list[bytes]) -> str:
    """``slug`` of the words of a ``normalise``d text."""
    kept: list[bytes] = []
    for word in words:  # the first words only: criteria may run to hundreds
        if word not in _STOP:
            kept.append(word)
            if len(kept) == SLUG_WORDS:
                break
    while len(kept) > 1 and len(b"-".join(kept)) > SLUG_CHARS:
        kept.pop()
    return b"-".join(kept)[:SLUG_CHARS].decode("ascii") or "text"


def prefix(criterion: Criterion) -> str:
    """``I``/``E`` for criteria from the text; the field's id (``AGE_MIN``, ``SEX``) for registry fields."""
    if criterion.field:
        return criterion.id
    return "I" if criterion.section == "inclusion" else "E"


def key_stem(key: str) -> str:
    """The key without its fingerprint digits (and question): what stays when the words change."""
    return key.split(".", 1)[0].rsplit("-", 1)[0]


def question_key(criterion_key_: str, manual: Manual) -> str | None:
    """``<criterion key>.q<n>`` for a numbered question (``I4.2`` -> ``...q2``), else None:
    a criterion's only question is answered by the criterion's key."""
    if manual.id is None or "." not in manual.id:
        return None
    return f"{criterion_key_}.q{manual.id.rsplit('.', 1)[1]}"


def expected_keys(rules: RuleSet) -> list[str]:
    """Every criterion's key, in order; identical texts get ``-2``, ``-3`` after the first."""
    return [key for key, _ in _keys_and_fingerprints(rules.criteria)]


def _keys_and_fingerprints(criteria: list[Criterion]) -> list[tuple[str, str]]:
    """Every criterion's key and fingerprint, in order (``Keys``)."""
    keys = Keys()
    return [keys.add(prefix(criterion), criterion.text, criterion.heading) for criterion in criteria]


class Keys:
    """The keys of one rule set's criteria, made one criterion at a time in their order (the
    compiler keys each criterion as it makes it): a key already given gets ``-2``, ``-3``."""

    def __init__(self) -> None:
        self._headings: dict[str, bytes] = {}  # the criteria under one heading share it: normalised once
        self._keys: list[str] = []
        self._written = "\n"  # the keys so far, one a line: one search tells that none repeats a key

    def add(self, first: str, text: str, heading: str | None) -> tuple[str, str]:
        """The key and fingerprint of the next criterion (``prefix`` ``first``), its text
        normalised once for both (normalising was a quarter of compile time when done for each)."""
        words = _words(text)
        identity = b" ".join(words)
        if heading:
            normalised = self._headings.get(heading)
            if normalised is None:
                normalised = self._headings[heading] = b" ".join(_words(heading)) + b" / "
            identity = normalised + identity
        digits = _digest(identity)
        key = f"{first}-{_slug(words)}-{digits[:KEY_DIGITS]}"
        if f"\n{key}\n" in self._written or f"\n{key}-" in self._written:
            stem = key + "-"
            key = f"{key}-{sum(1 for k in self._keys if k == key or k.startswith(stem)) + 1}"
        self._keys.append(key)
        self._written += key + "\n"
        return key, digits


def with_keys(rules: RuleSet) -> RuleSet:
    """The rule set with every criterion's ``key`` and ``fingerprint`` and every numbered
    question's ``key`` set (the compiler's last stage; also fills hand-written files)."""
    criteria = []
    for criterion, (key, digits) in zip(rules.criteria, _keys_and_fingerprints(rules.criteria)):
        rule = _keyed_questions(criterion.rule, key)
        criteria.append(criterion.model_copy(update={"key": key, "fingerprint": digits, "rule": rule}))
    return rules.model_copy(update={"criteria": criteria})


def keyed_rule(rule: Node, key: str, nodes: list[Node], classes: list[type]) -> Node:
    """``rule`` with its numbered questions keyed under the criterion's ``key``, as ``with_keys``
    keys them; ``nodes`` and ``classes`` list the rule as ``rules.nodes_and_classes`` does (the
    compiler has walked it already): a rule without a question to key (most) is returned at once."""
    return _keyed_questions(rule, key) if may_key(nodes, classes) else rule


def may_key(nodes: list[Node], classes: list[type]) -> bool:
    """Whether ``_keyed_questions`` may change a tree, given as ``rules.nodes_and_classes`` lists
    it: it holds a numbered question or one with a key (most rules have neither, and one walk
    costs less than the rewrite's tests)."""
    return Manual in classes and any(cls is Manual and ((n.id is not None and "." in n.id) or n.key is not None)  # type: ignore[union-attr]
               for n, cls in zip(nodes, classes))


_HOLDERS = frozenset({Manual, AllOf, AnyOf, Readings, Not, Unless, Restrict})
"""The nodes that are or may hold a question: any other is returned without a test each."""


def _keyed_questions(node: Node, key: str) -> Node:
    """``node`` with its numbered questions keyed; a part where no key changes is kept as it
    is (most rules have one question or none: copying every node was most of this stage)."""
    if node_class(node) not in _HOLDERS:
        return node
    if isinstance(node, Manual):
        new_key = question_key(key, node)
        return node if new_key == node.key else copy_with(node, key=new_key)
    if isinstance(node, (AllOf, AnyOf, Readings)):
        items = [_keyed_questions(item, key) for item in node.items]
        return node if all(a is b for a, b in zip(items, node.items)) else copy_with(node, items=items)
    if isinstance(node, Not):
        item = _keyed_questions(node.item, key)
        return node if item is node.item else copy_with(node, item=item)
    if isinstance(node, Unless):
        item, exception = _keyed_questions(node.item, key), _keyed_questions(node.exception, key)
        return node if item is node.item and exception is node.exception else copy_with(node, item=item, exception=exception)
    if isinstance(node, Restrict):
        group, item = _keyed_questions(node.group, key), _keyed_questions(node.item, key)
        return node if group is node.group and item is node.item else copy_with(node, group=group, item=item)
    return node


def key_problems(rules: RuleSet) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """Stored keys or fingerprints that do not match the criterion's words (a text edited by
    hand after compiling): an answer to the old words would land on the new ones."""
    for index, (criterion, key) in enumerate(zip(rules.criteria, expected_keys(rules))):
        if criterion.fingerprint is not None and criterion.fingerprint != criterion_fingerprint(criterion):
            yield (f"the fingerprint does not match the text or heading of {criterion.id} (edited after compiling?): "
                   f"it is {criterion_fingerprint(criterion)}; recompile, or remove 'key' and 'fingerprint'"), \
                ("criteria", index, "fingerprint")
        elif criterion.key is not None and criterion.key != key:
            yield f"the key of {criterion.id} should be {key}, from its text", ("criteria", index, "key")
        for node in walk(criterion.rule):
            if isinstance(node, Manual) and node.key is not None and node.key != question_key(key, node):
                yield (f"the question key {node.key} of {criterion.id} should be {question_key(key, node)}",
                       ("criteria", index, "rule"))


def stable_keys(rules: RuleSet) -> dict[str, str]:
    """Positional id -> stable key of every criterion and numbered question."""
    keys: dict[str, str] = {}
    for criterion in filled(rules).criteria:
        keys[criterion.id] = criterion.key or criterion.id
        for node in walk(criterion.rule):
            if isinstance(node, Manual) and node.id and node.key:
                keys[node.id] = node.key
    return keys


def filled(rules: RuleSet) -> RuleSet:
    """The rule set with keys computed where the file has none (hand-written or older files)."""
    if all(c.key is not None for c in rules.criteria):
        return rules
    return with_keys(rules)


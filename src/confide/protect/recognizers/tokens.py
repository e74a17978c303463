"""What the spoken-form recognisers share: tokens, digits said aloud, spelled codes, context words.

A recogniser writes "four one one one", "double five", "twenty three", "eight hundred", "g b",
"alpha", often half in numerals; these helpers read them all as digits and letters, so that each
recogniser only decides what a run of them is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from confide.understand.numbers import CARDINALS


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*|[^\sA-Za-z0-9]")
_DIGIT = {word: value for word, value in CARDINALS.items() if value < 10}
_DIGIT |= dict.fromkeys(("oh", "o", "nought"), 0)
_TEEN = {word: value for word, value in CARDINALS.items() if 10 <= value < 20}
_TENS = {word: value // 10 for word, value in CARDINALS.items() if value >= 20}
_REPEAT = {"double": 2, "triple": 3}
DIGIT_WORDS = frozenset({*_DIGIT, *_TEEN, *_TENS, *_REPEAT, "hundred", "thousand"})
"""Every word that says digits in a spoken run."""
_RUN_GAPS = frozenset({"-", ",", ".", "(", ")", "/", "dash", "hyphen", "uh", "um", "er"})
"""Tokens a spoken number may pause on without ending."""
_NATO = {
    word: word[0]
    for word in word_set(
        "alpha alfa bravo charlie delta echo foxtrot golf hotel india juliet juliett kilo lima "
        "mike november oscar papa quebec romeo sierra tango uniform victor whiskey whisky xray "
        "yankee zulu"
    )
}
"""The spelling alphabet, each word for its first letter."""
CONTEXT = {
    word: kind
    for kind, words in (
        ("CREDIT_CARD", "card credit debit visa mastercard amex"),
        ("SSN", "social ssn security"),
        ("BANK_ACCOUNT", "account acct routing sort bank"),
        ("PHONE", "phone mobile cell telephone landline fax whatsapp"),
        ("PHONE", "call text ring dial reach contact on"),
        ("ADDRESS", "zip postcode postal"),
        ("IBAN", "iban"),
    )
    for word in words.split()
}
"""The nearest of these before a number says what it is ("on" as in "ring me on ...")."""
_CONTEXT_WINDOW = 6
STOPWORDS = word_set(
    "a an the and or but if of to in on at by for from with about as into over after before is "
    "are was were be been am i i'm im me my mine you your he him his she her it its it's we us "
    "our they them their this that these those what which who whom whose when where why how not "
    "no yes do does did done have has had will would can could should shall may might must "
    "please thanks thank okay ok hi hello hey bye so then than there here up down out off again "
    "just also too very now later today tomorrow tonight yesterday back home all any some every "
    "each one two three four five six seven eight nine ten say says said tell call text ask "
    "remind send set add play get let know want need like see going go"
)
"""Everyday words, never part of a code, a street name or a person's name."""
SCORES = {"strong": 0.9, "checked": 0.85, "context": 0.75, "shape": 0.6, "weak": 0.5}
"""How sure each kind of evidence makes a recogniser."""


@dataclass(frozen=True)
class Token:
    """One word, number or punctuation mark of a text."""

    text: str
    """Lowercased."""
    raw: str
    """As written."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset one past its last character."""


@dataclass(frozen=True)
class Run:
    """Consecutive tokens that spell digits: "four one one one", "4111 1111", "double five"."""

    first: int
    """Index of its first token."""
    last: int
    """Index of its last token."""
    digits: str
    """The digits it says."""
    groups: tuple[int, ...]
    """How many digits each written numeral or spoken group held ((3, 2, 4) for 123-45-6789)."""
    plus: bool
    """Whether it began with "+" or "plus" (an international phone number)."""


def tokenize(text: str) -> tuple[Token, ...]:
    """Words and numbers whole ("o'brien", "221b", "4111"), every other mark on its own."""
    return tuple(
        Token(m.group().lower().replace("\u2019", "'"), m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    )


def digit_item(tokens: Sequence[Token], index: int) -> tuple[str, int] | None:
    """The digits that the tokens from `index` say as one item, and the index after it."""
    word = tokens[index].text
    following = tokens[index + 1].text if index + 1 < len(tokens) else ""
    if word.isdigit():
        return word, index + 1
    if word in _REPEAT and following in _DIGIT:
        return str(_DIGIT[following]) * _REPEAT[word], index + 2
    if word in _REPEAT and following.isdigit() and len(following) == 1:
        return following * _REPEAT[word], index + 2
    if word in _TEEN:
        return str(_TEEN[word]), index + 1
    if word in _TENS:
        if following in _DIGIT and _DIGIT[following] > 0 and following not in ("o", "oh"):
            return f"{_TENS[word]}{_DIGIT[following]}", index + 2
        return f"{_TENS[word]}0", index + 1
    if word in _DIGIT and word != "o":
        digit = str(_DIGIT[word])
        if following == "hundred":
            rest = digit_item(tokens, index + 2) if index + 2 < len(tokens) else None
            if rest and len(rest[0]) == 2 and tokens[index + 2].text in (*_TEEN, *_TENS):
                return digit + rest[0], rest[1]
            return digit + "00", index + 2
        if following == "thousand":
            return digit + "000", index + 2
        return digit, index + 1
    return None


def digit_runs(tokens: Sequence[Token]) -> list[Run]:
    """Every maximal run of digit items, pauses and separators inside it allowed."""
    runs: list[Run] = []
    index = 0
    while index < len(tokens):
        plus = tokens[index].text in ("+", "plus")
        at = index + 1 if plus else index
        if at >= len(tokens) or not _starts_run(tokens, at):
            index += 1
            continue
        digits, groups, last = "", [], at
        while at < len(tokens):
            item = digit_item(tokens, at) if _digitish(tokens, at, bool(digits)) else None
            if item is None:
                gap = at
                while gap < len(tokens) and tokens[gap].text in _RUN_GAPS:
                    gap += 1
                if gap == at or gap >= len(tokens) or not _digitish(tokens, gap, True):
                    break
                at = gap
                continue
            digits += item[0]
            groups.append(len(item[0]))
            last, at = item[1] - 1, item[1]
        runs.append(Run(index, last, digits, tuple(groups), plus))
        index = last + 1
    return runs


def _starts_run(tokens: Sequence[Token], index: int) -> bool:
    return _digitish(tokens, index, False) and digit_item(tokens, index) is not None


def _digitish(tokens: Sequence[Token], index: int, inside: bool) -> bool:
    """Whether the token may be read as a digit here: "oh" only inside a run or before one."""
    word = tokens[index].text
    if word in ("oh", "o"):
        following = tokens[index + 1].text if index + 1 < len(tokens) else ""
        return inside or following in _DIGIT or following.isdigit() or following in _REPEAT
    return digit_item(tokens, index) is not None


def spelled_units(tokens: Sequence[Token], index: int, words: bool) -> list[tuple[str, int]]:
    """From `index`, each unit's characters (uppercase) and the index after it, as far as the
    tokens spell letters and digits; `words` lets short words count ("west" in a bank code)."""
    units: list[tuple[str, int]] = []
    at = index
    while at < len(tokens):
        token = tokens[at]
        word = token.text
        if word in _RUN_GAPS:
            if not units:
                break
            at += 1
            continue
        item = digit_item(tokens, at) if word not in ("o", "a", "i") else None
        if word == "double" and at + 1 < len(tokens) and tokens[at + 1].text in ("u", "you"):
            units.append(("W", at + 2))
        elif item is not None and (word not in ("oh",) or units):
            units.append((item[0], item[1]))
        elif word in _NATO:
            units.append((_NATO[word].upper(), at + 1))
        elif (
            re.fullmatch(r"[a-z]", word)
            or re.fullmatch(r"[A-Z0-9]{2,}", token.raw)
            or (words and re.fullmatch(r"[a-z]{2,4}", word) and word not in STOPWORDS)
            or (words and re.fullmatch(r"[a-z]{2}\d+", word))
        ):
            units.append((word.upper(), at + 1))
        else:
            break
        at = units[-1][1]
    return units


def context_of(tokens: Sequence[Token], first: int) -> str | None:
    """The type named by the nearest context word within a few tokens before `first`."""
    for index in range(first - 1, max(-1, first - 1 - _CONTEXT_WINDOW), -1):
        word = tokens[index].text
        if word in CONTEXT:
            if word == "sort" and index + 1 < len(tokens) and tokens[index + 1].text != "code":
                continue
            return CONTEXT[word]
    return None

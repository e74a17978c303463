"""Text as a speech recogniser writes it: lowercase words, no punctuation, numbers spelt out.

The tagger only ever sees this form, so typed text, a recogniser that writes digits and one
that writes words all look alike to it; each word remembers where it came from in the input, so
slots come back as exact character spans of the text that was given.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from confide.understand.data import Query, SlotSpan
from confide.understand.numbers import spell_digits

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|[%&+]")
_PIECE = re.compile(r"\d+(?:st|nd|rd|th)?|\D+")
_SYMBOLS = {"%": "percent", "&": "and", "+": "plus"}


@dataclass(frozen=True)
class Token:
    """One written token of the input and the spoken words it stands for."""

    start: int
    """Offset of its first character in the input."""
    end: int
    """Offset just past its last character."""
    words: tuple[str, ...]
    """Lowercase words without accents; "25th" gives ("twenty", "fifth"), "jazz" gives one."""


def fold(text: str) -> str:
    """Lowercase without accents: "Beyoncé" -> "beyonce", as recognisers mostly write it."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def tokens(text: str) -> list[Token]:
    """The input's tokens in order, each with its spoken words; punctuation is dropped."""
    found = []
    for match in _TOKEN.finditer(text):
        found.append(Token(match.start(), match.end(), tuple(_words(match.group()))))
    return found


def _words(token: str) -> list[str]:
    if token in _SYMBOLS:
        return [_SYMBOLS[token]]
    folded = fold(token)
    if not any(char.isdigit() for char in folded):
        return [folded]
    words: list[str] = []
    for piece in _PIECE.findall(folded):
        words += spell_digits(piece) if piece[0].isdigit() else piece.split("'")
    return [word for word in words if word]


def asr_text(text: str) -> str:
    """`text` as a recogniser would write it: "Play 2 songs by Beyoncé!" -> "play two songs by
    beyonce"."""
    return " ".join(word for token in tokens(text) for word in token.words)


def asr_query(query: Query) -> Query:
    """A labelled query as a recogniser would have written it, its slots moved to match."""
    parts: list[tuple[str, str | None]] = []
    position = 0
    for slot in query.slots:
        parts += [(query.text[position : slot.start], None), (query.value(slot), slot.name)]
        position = slot.end
    parts.append((query.text[position:], None))
    text, slots = "", []
    for written, name in parts:
        spoken = asr_text(written)
        if not spoken:
            continue
        text += " " if text else ""
        if name is not None:
            slots.append(SlotSpan(name, len(text), len(text) + len(spoken)))
        text += spoken
    return Query(text, query.intent, tuple(slots))

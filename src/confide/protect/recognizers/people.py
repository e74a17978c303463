"""People's names in a transcript that is often all lowercase, so that capitals cannot mark them.

Names come from cue phrases ("my name is", "call", "tell ... that"), the lexicon in
`confide.protect.names`, and, after a name or a cue, words too rare to be everyday English.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from confide.protect.names import COMMON_WORD_NAMES, FIRST_NAMES, SURNAMES
from confide.protect.recognizers.tokens import (
    CONTEXT,
    DIGIT_WORDS,
    SCORES,
    STOPWORDS,
    Token,
    tokenize,
    word_set,
)
from confide.protect.spans import PiiSpan
from confide.understand.lexicon import word_classes

_TITLES = word_set(
    "mr mrs ms miss mister missus dr doctor professor prof sir madam dame aunt auntie uncle"
)
_STRONG_CUES = (
    ("my", "name", "is"),
    ("my", "name's"),
    ("name's",),
    ("name", "is"),
    ("i'm", "called"),
    ("i", "am", "called"),
    ("call", "me"),
    ("this", "is"),
    ("it's",),
    ("it", "is"),
    ("i", "am"),
    ("i'm",),
    ("im",),
    ("names",),
)
"""After these, the next words are a name if they are not everyday words; "this is", "i am"
and the like only take a name from the lexicon or a rare word."""
_OPEN_CUES = frozenset({("my", "name", "is"), ("my", "name's"), ("name's",), ("name", "is")})
_VERB_CUES = word_set(
    "call text message tell ask remind email ring phone ping invite meet dear hi hello hey "
    "thanks thank facetime contact visit pay send give forward as name"
)
"""After these, a word from the lexicon or a rare word is a name ("call zara")."""
_PAIR_CUES = frozenset(
    {
        (noun, preposition)
        for noun in ("voicemail", "message", "messages", "email", "call", "text", "note", "letter")
        for preposition in ("from", "to", "for")
    }
    | {(noun, "with") for noun in ("meeting", "lunch", "dinner", "call", "appointment", "chat")}
)
_LEXICON_CUES = frozenset({"with", "from", "to", "for", "and", "by"})
"""After these, only a word from the lexicon is a name (not "weather for siler city")."""
_NOT_AFTER = frozenset({"in", "near", "around", "of"})
"""A lexicon name right after these is more likely a place ("weather in florence")."""
COMMON_RANK = 5_000
"""Words among the 5,000 likeliest in the language model are everyday English."""
UNKNOWN_RANK = 20_000
"""Words past the 20,000 likeliest, or not in it at all, are hardly known to the language model:
two of them side by side, with no cue, are taken for a full name."""


@cache
def _common_words() -> frozenset[str]:
    ranked = list(word_classes())
    return frozenset(ranked[:COMMON_RANK]) - FIRST_NAMES - SURNAMES


@cache
def _never_names() -> frozenset[str]:
    """Words that are never part of a name here: function words, cues, context words."""
    return STOPWORDS | _VERB_CUES | _TITLES | frozenset(CONTEXT) | DIGIT_WORDS | {"number"}


@cache
def _ranks() -> dict[str, int]:
    return {word: rank for rank, word in enumerate(word_classes())}


def _unknown(word: str) -> bool:
    """A word the language model hardly knows: most such words in speech are names."""
    rank = _ranks().get(word)
    return (
        len(word) >= 2
        and re.fullmatch(r"[a-z][a-z'-]*", word) is not None
        and word not in _never_names()
        and (rank is None or rank >= UNKNOWN_RANK)
    )


def _unknown_or_surname(word: str) -> bool:
    return _unknown(word) or word in SURNAMES


def _rare(word: str) -> bool:
    return len(word) >= 3 and word not in _common_words()


def _namelike(token: Token, mixed_case: bool) -> bool:
    """A word that may be part of a name: in the lexicon, title-case in cased text, or rare."""
    word = token.text
    if not re.fullmatch(r"[a-z][a-z'-]*", word) or word in _never_names():
        return False
    if word in FIRST_NAMES or word in SURNAMES:
        return True
    return token.raw[0].isupper() if mixed_case else _rare(word)


def find_names(tokens: Sequence[Token]) -> list[PiiSpan]:
    """People's names after cue phrases or from the lexicon, with the surnames that follow."""
    words = [token for token in tokens if token.text.isalnum() or "'" in token.text]
    mixed = any(t.raw[:1].isupper() for t in words[1:] if t.text not in ("i", "i'm"))
    spans: list[PiiSpan] = []
    index = 0
    while index < len(words):
        found = _name_at(words, index, mixed)
        if found is None:
            index += 1
            continue
        end, score = found
        spans.append(PiiSpan(words[index].start, words[end].end, "PERSON", score))
        index = end + 1
    return spans


def _name_at(words: Sequence[Token], index: int, mixed: bool) -> tuple[int, float] | None:
    """The last token and score of a name starting at `index`, or None."""
    word = words[index].text
    if not re.fullmatch(r"[a-z][a-z'-]*", word) or word in _never_names():
        return None
    cue = _cue_before([token.text for token in words], index)
    in_lexicon = word in FIRST_NAMES
    surname_follows = index + 1 < len(words) and words[index + 1].text in SURNAMES
    plain_name = in_lexicon and (word not in COMMON_WORD_NAMES or surname_follows)
    if cue == "open":
        accept, score = in_lexicon or word not in _common_words(), SCORES["strong"]
    elif cue == "verb":
        accept = in_lexicon or _namelike(words[index], mixed)
        score = SCORES["checked" if in_lexicon else "shape"]
    elif cue == "title":
        accept, score = _namelike(words[index], mixed), SCORES["checked"]
    elif plain_name:
        accept = cue == "lexicon" or index == 0 or words[index - 1].text not in _NOT_AFTER
        score = SCORES["checked" if surname_follows else "shape"]
    elif cue == "lexicon" and index + 1 < len(words):
        # A full name of two rare words ("send it to chiara acheampong").
        accept = _namelike(words[index], mixed) and _namelike(words[index + 1], mixed)
        score = SCORES["shape"]
    elif index + 1 < len(words) and _unknown(word) and _unknown_or_surname(words[index + 1].text):
        # With no cue at all: a first and a last name the language model has never or hardly
        # ever seen ("did aoua yabre reply", "monika ali said").
        accept, score = True, SCORES["weak"]
    else:
        accept, score = False, 0.0
    if not accept:
        return None
    end = index
    while end + 1 < len(words) and end - index < 2 and _namelike(words[end + 1], mixed):
        end += 1
    return end, score


def _cue_before(words: list[str], index: int) -> str | None:
    """What comes before a possible name: 'open' ("my name is"), 'verb' ("call", "this is"),
    'title' ("mrs"), 'lexicon' ("with", "from"), or None."""
    for cue in _STRONG_CUES:
        if tuple(words[max(0, index - len(cue)) : index]) == cue:
            return "open" if cue in _OPEN_CUES else "verb"
    previous = words[index - 1] if index else ""
    if tuple(words[max(0, index - 2) : index]) in _PAIR_CUES or previous in _VERB_CUES:
        return "verb"
    if previous in _TITLES:
        return "title"
    return "lexicon" if previous in _LEXICON_CUES else None


def trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A name span without the cue or function words a tagger took with it ("Tell Lucas" ->
    "Lucas", "james home" -> "james"); None if no word of it can be a name."""
    inside = [t for t in tokenize(text[start:end]) if t.text.isalnum() or "'" in t.text]
    keep = [t for t in inside if t.text not in _never_names()]
    if not keep:
        return None
    first, last = inside.index(keep[0]), inside.index(keep[-1])
    return start + inside[first].start, start + inside[last].end

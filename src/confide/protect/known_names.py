"""The household's own names, found in a transcript however the recogniser spelled them.

A detector that knows no "Lopez" and sees no cue before it lets the name through, and then the
fail-closed check, which asks the same detector, lets it through again. But the household's
names are known (its people, the names on its lists), so they are looked for directly, as a
recogniser mishears them: spelled another way ("Lopes"), sounding the same (metaphone codes),
split in two ("lo pez"), or glued to the word before ("call Maria" heard as "Kalmaria").

Only a name may be matched loosely. A dictionary word near a name ("river" for "Rivera",
"malice" for "Alice") is never a near miss, and a name that is also an everyday word ("Grace")
is matched only as written, capitalised or beside another of the household's names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import jellyfish
from rapidfuzz.distance import Levenshtein

from confide.protect.names import COMMON_WORD_NAMES, FIRST_NAMES, SURNAMES
from confide.protect.recognizers.tokens import DIGIT_WORDS, STOPWORDS, Token, tokenize
from confide.protect.spans import PiiSpan
from confide.understand.lexicon import word_classes

DICTIONARY_RANK = 20_000
"""Words among the 20,000 likeliest in the language model are dictionary words; rarer ones
there are mostly names, places and brands."""
EVERYDAY_RANK = 5_000
"""A known name among the 5,000 likeliest words ("will", "grace") is an everyday word too."""
MIN_LOOSE_LENGTH = 4
"""Names shorter than this ("Bo", "Ann") match only exactly: too many words are one edit away."""
LONG_NAME = 7
"""From this length a name may be two edits away ("Katharina" heard as "Katerina")."""
MAX_AFFIX = 3
"""At most this many letters glued before or after a name ("Kal" + "maria")."""
SCORE = 0.9
"""A known name, found: as sure as a checked detector."""

_WORD = re.compile(r"[a-z][a-z'-]*")


@cache
def _ranked() -> dict[str, int]:
    return {word: rank for rank, word in enumerate(word_classes())}


def _dictionary_word(word: str, names: frozenset[str]) -> bool:
    """A word of the language that is not a name, which a loose match must never take."""
    rank = _ranked().get(word)
    return (
        rank is not None
        and rank < DICTIONARY_RANK
        and word not in names
        and word not in FIRST_NAMES
        and word not in SURNAMES
    )


def _everyday(name: str) -> bool:
    rank = _ranked().get(name)
    return (
        name in COMMON_WORD_NAMES
        or name in STOPWORDS
        or (rank is not None and rank < EVERYDAY_RANK)
    )


def name_words(text: str) -> list[str]:
    """The words of a name as kept ("Alice Rivera" -> ["alice", "rivera"]), function words
    and one-letter initials left out."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


def namelike(word: str) -> bool:
    """A word that may be a name where names and other words mix (a list entry, a household's
    name): a name of the lexicon, or no everyday word. Many surnames ("Lopez") rank among the
    language model's 20,000 words, so a rarer word of a list is taken for a name: hiding a
    "dentist" too is the cheaper mistake."""
    if word in FIRST_NAMES or word in SURNAMES:
        return True
    rank = _ranked().get(word)
    return len(word) >= 3 and word not in DIGIT_WORDS and (rank is None or rank >= EVERYDAY_RANK)


def sounds_like(
    word: str, name: str, names: frozenset[str] = frozenset(), *, glued: bool = True
) -> bool:
    """Whether `word` (lowercase) may be `name` as a recogniser wrote it; `glued` allows a few
    letters of another word stuck before or after it."""
    if word == name:
        return True
    if len(name) < MIN_LOOSE_LENGTH or len(word) < 3 or _dictionary_word(word, names):
        return False
    distance = Levenshtein.distance(word, name)
    if distance <= (2 if len(name) >= LONG_NAME else 1):
        return True
    code = jellyfish.metaphone(name)
    if len(code) >= 2 and jellyfish.metaphone(word) == code and distance <= len(name) // 2:
        return True
    extra = len(word) - len(name)
    return glued and 0 < extra <= MAX_AFFIX and name in (word[extra:], word[: len(name)])


@dataclass(frozen=True)
class KnownNames:
    """The name words one household uses, ready to be looked for in transcripts."""

    words: frozenset[str]
    """Lowercase name words ("maria", "lopez"), no function words."""

    @classmethod
    def of(cls, names: Iterable[str]) -> KnownNames:
        """From full names as kept ("Maria Lopez", "The Rivera household" keeps "rivera")."""
        words: set[str] = set()
        for name in names:
            words.update(name_words(name))
        return cls(frozenset(words))

    def find(self, text: str) -> list[PiiSpan]:
        """Every stretch of `text` that is one of the household's names, as PERSON spans."""
        if not self.words:
            return []
        tokens = [t for t in tokenize(text) if _WORD.fullmatch(t.text)]
        mixed = any(t.raw[:1].isupper() for t in tokens[1:] if t.text not in ("i", "i'm"))
        hits: dict[int, tuple[int, bool]] = {}
        for index, token in enumerate(tokens):
            matched = self._match(token.text)
            if matched is not None:
                plain = _everyday(matched) and token.text == matched
                hits[index] = (index, not plain or (mixed and token.raw[:1].isupper()))
            elif index + 1 < len(tokens) and _adjacent(text, token, tokens[index + 1]):
                joined = self._match(token.text + tokens[index + 1].text, glued=False)
                if joined is not None and not _everyday(joined):
                    hits[index] = (index + 1, True)
        spans = []
        for index, (last, sure) in sorted(hits.items()):
            beside = (index - 1) in hits or (last + 1) in hits
            if sure or beside:
                first = index - 1 if index and self._garbled(tokens[index - 1].text) else index
                spans.append(PiiSpan(tokens[first].start, tokens[last].end, "PERSON", SCORE))
        return spans

    def _garbled(self, word: str) -> bool:
        """A word right before a known name that is no word of the language: most likely the
        rest of the name, misheard beyond matching ("Comoria Lopez" for "call Maria Lopez")."""
        return len(word) >= 3 and word not in STOPWORDS and word not in _ranked()

    def _match(self, word: str, glued: bool = True) -> str | None:
        """The known name `word` may be, or None."""
        if word in self.words:
            return word
        names = sorted(self.words)
        return next((n for n in names if sounds_like(word, n, self.words, glued=glued)), None)


def _adjacent(text: str, first: Token, second: Token) -> bool:
    """Two words with only spaces between them, so that one name may have been split in two."""
    return text[first.end : second.start].isspace()

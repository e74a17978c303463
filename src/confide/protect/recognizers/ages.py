"""A person's age: "a thirty two year old", "she just turned 68", "aged forty", "i'm 37 y o".

An age narrows down who spoke ("a 101-year-old in a small town" may be one person), so it is
hidden when the words around a number say it is an age; a bare number is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from confide.protect.recognizers.spoken_numbers import read_number
from confide.protect.recognizers.tokens import SCORES, Token, word_set
from confide.protect.spans import PiiSpan

OLDEST = 125
"""No age is larger."""
_BEFORE = word_set("turned turn turning aged age")
"""Right before a number, these make it an age ("turned sixty", "age 45", "age of 30")."""
_LINKS = word_set("is of was")
"""May stand between an age word and the number ("age is 30", "age of 30")."""
_AFTER = (("year", "old"), ("years", "old"), ("y", "o"), ("yo",), ("yrs",))
"""Right after a number, these make it an age; hyphens between them are skipped."""


def find_ages(tokens: Sequence[Token]) -> list[PiiSpan]:
    """Numbers that are said to be someone's age."""
    spans: list[PiiSpan] = []
    index = 0
    while index < len(tokens):
        number = read_number(tokens, index, 3)
        if number is None or int(number[0]) > OLDEST:
            index += 1
            continue
        after = number[1]
        if _age_before(tokens, index) or _age_after(tokens, after):
            spans.append(
                PiiSpan(tokens[index].start, tokens[after - 1].end, "AGE", SCORES["context"])
            )
        index = after
    return spans


def _age_before(tokens: Sequence[Token], index: int) -> bool:
    at = index - 1
    if at >= 0 and tokens[at].text in _LINKS:
        at -= 1
    return at >= 0 and tokens[at].text in _BEFORE


def _age_after(tokens: Sequence[Token], index: int) -> bool:
    words = [t.text for t in tokens[index : index + 4] if t.text != "-"]
    return any(tuple(words[: len(phrase)]) == phrase for phrase in _AFTER)

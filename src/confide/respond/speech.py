"""Numbers and durations in words, both ways, as the answers speak them and people say them.

Answers are spoken by a TTS voice, which reads "10" unpredictably ("ten", "one zero"), so every
number in an answer is written out here: 21 -> "twenty one", 600 s -> "ten minutes".
"""

from __future__ import annotations

from collections.abc import Sequence

from confide.errors import OutOfRange
from confide.understand import numbers

LARGEST = 999
"""The largest number spoken or read here; answers never need more."""
_UNITS = (("day", 86_400), ("hour", 3600), ("minute", 60), ("second", 1))


def number_words(n: int) -> str:
    """An integer from -999 to 999 as spoken: 105 -> "one hundred five", -3 -> "minus three"."""
    if not -LARGEST <= n <= LARGEST:
        raise OutOfRange(f"{n} is outside the numbers spoken here (-{LARGEST} to {LARGEST})")
    return "minus " + numbers.number_words(-n) if n < 0 else numbers.number_words(n)


def ordinal_words(n: int) -> str:
    """A positive integer up to 999 as an ordinal: 24 -> "twenty fourth", 12 -> "twelfth"."""
    if not 1 <= n <= LARGEST:
        raise OutOfRange(f"{n} has no ordinal spoken here (1 to {LARGEST})")
    return numbers.ordinal_words(n)


def quantity(n: int, noun: str) -> str:
    """A count with its noun: (1, "minute") -> "one minute", (3, "item") -> "three items"."""
    return f"{number_words(n)} {noun}" + ("" if n == 1 else "s")


def join_words(parts: Sequence[str]) -> str:
    """A spoken list: ["a"] -> "a", ["a", "b", "c"] -> "a, b and c"."""
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def duration_words(seconds: int) -> str:
    """A length of time in whole seconds: 3900 -> "one hour and five minutes"."""
    if seconds < 0:
        raise OutOfRange(f"a duration cannot be negative ({seconds} seconds)")
    parts = []
    for noun, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(quantity(count, noun))
    return join_words(parts) or "zero seconds"


def parse_number(words: Sequence[str]) -> int | None:
    """Spoken or written digits back to an integer from 0 to 999: ["twenty", "five"] -> 25,
    ["a", "hundred", "and", "two"] -> 102, ["42"] -> 42; None when they are not such a number."""
    value = numbers.parse_number(words)
    return value if value is not None and 0 <= value <= LARGEST else None

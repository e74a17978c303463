"""Numbers and durations in words, both ways, as the answers speak them and people say them.

Answers are spoken by a TTS voice, which reads "10" unpredictably ("ten", "one zero"), so every
number in an answer is written out here: 21 -> "twenty one", 600 s -> "ten minutes".
"""

from __future__ import annotations

from collections.abc import Sequence

ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
LARGEST = 999
"""The largest number spoken or read here; answers never need more."""
_IRREGULAR_ORDINALS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth",
    "eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}  # fmt: skip
_VALUES = {word: value for value, word in enumerate(ONES)} | {
    word: 10 * value for value, word in enumerate(TENS) if word
}
_UNITS = (("day", 86_400), ("hour", 3600), ("minute", 60), ("second", 1))


def number_words(n: int) -> str:
    """An integer from -999 to 999 as spoken: 105 -> "one hundred five", -3 -> "minus three"."""
    if not -LARGEST <= n <= LARGEST:
        raise ValueError(f"{n} is outside the numbers spoken here (-{LARGEST} to {LARGEST})")
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f" {ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")


def ordinal_words(n: int) -> str:
    """A positive integer up to 999 as an ordinal: 24 -> "twenty fourth", 12 -> "twelfth"."""
    if not 1 <= n <= LARGEST:
        raise ValueError(f"{n} has no ordinal spoken here (1 to {LARGEST})")
    *head, last = number_words(n).split()
    if last in _IRREGULAR_ORDINALS:
        last = _IRREGULAR_ORDINALS[last]
    else:
        last = last[:-1] + "ieth" if last.endswith("y") else last + "th"
    return " ".join([*head, last])


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
        raise ValueError(f"a duration cannot be negative ({seconds} seconds)")
    parts = []
    for noun, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(quantity(count, noun))
    return join_words(parts) or "zero seconds"


def parse_number(words: Sequence[str]) -> int | None:
    """Spoken or written digits back to an integer from 0 to 999: ["twenty", "five"] -> 25,
    ["a", "hundred", "and", "two"] -> 102, ["42"] -> 42; None when they are not a number."""
    if len(words) == 1 and words[0].isdigit():
        return int(words[0]) if int(words[0]) <= LARGEST else None
    total, current, last = 0, None, ""
    for word in words:
        if word == "hundred":
            hundreds = 1 if current is None else current
            if total or not 1 <= hundreds <= 9:
                return None
            total, current = hundreds * 100, None
        elif word in ("a", "an") and last == "":
            current = 1
        elif word == "and":
            if last != "hundred":
                return None
        elif word in _VALUES:
            value = _VALUES[word]
            if current is not None and not (current >= 20 and current % 10 == 0 and 0 < value < 10):
                return None
            current = (current or 0) + value
        else:
            return None
        last = word
    if last in ("", "a", "an", "and"):
        return None
    return total + (current or 0)

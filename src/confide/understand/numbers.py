"""Numbers as people say them, both ways: 25 <-> "twenty five", 3rd <-> "third".

Speech recognisers write numbers as words or digits at whim, so the tagger sees one form (words)
and the values come back as integers whichever form was heard.
"""

from __future__ import annotations

from collections.abc import Sequence

from confide.errors import OutOfRange, Unparseable

ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
"""The words for 0 to 19, each at its value."""
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
"""The words for the tens, each at its tens digit."""
SCALES = (("billion", 10**9), ("million", 10**6), ("thousand", 1000))
_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
CARDINALS = {word: value for value, word in enumerate(ONES)} | {
    word: 10 * value for value, word in enumerate(TENS) if word
}
"""Every word that says a value on its own ("seven": 7, "forty": 40): the one table of them, so
that no stage keeps its own."""
_CARDINAL_OF_ORDINAL = {ordinal: word for word, ordinal in _IRREGULAR_ORDINALS.items()}
_CARDINAL_OF_ORDINAL |= {
    word[:-1] + "ieth" if word.endswith("y") else word + "th": word
    for word in [*ONES[1:], *TENS[2:], "hundred", "thousand", "million", "billion"]
    if word not in _IRREGULAR_ORDINALS
}
_MULTIPLIERS = {"hundred": 100} | dict(SCALES)
NUMBER_WORDS = (
    frozenset(CARDINALS) | frozenset(_CARDINAL_OF_ORDINAL) | frozenset(_MULTIPLIERS) | {"oh"}
)
"""Every word that is only ever part of a spoken number."""
_DIGIT_SUFFIXES = ("st", "nd", "rd", "th")


def number_words(n: int) -> str:
    """A non-negative integer as spoken: 1205 -> "one thousand two hundred five"."""
    if n < 0:
        raise OutOfRange(f"cannot spell negative number {n}")
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f" {ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for name, size in SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            return f"{number_words(head)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def year_words(n: int) -> str:
    """A four-digit year as said aloud: 1987 -> "nineteen eighty seven", 2005 -> "two thousand
    five"; other numbers as `number_words`."""
    if 1100 <= n <= 9999 and not 2000 <= n <= 2009 and n % 1000 >= 10:
        century, rest = divmod(n, 100)
        if rest == 0:
            return f"{number_words(century)} hundred"
        return f"{number_words(century)} {'oh ' if rest < 10 else ''}{number_words(rest)}"
    return number_words(n)


def ordinal_words(n: int) -> str:
    """21 -> "twenty first"."""
    *head, last = number_words(n).split()
    if last in _IRREGULAR_ORDINALS:
        last = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return " ".join([*head, last])


def spell_digits(token: str) -> list[str]:
    """Words for a token of digits, optionally with an ordinal suffix ("21st"); years as years."""
    digits = token.rstrip("stndrh")
    suffix = token[len(digits) :]
    if not digits.isdigit() or (suffix and suffix not in _DIGIT_SUFFIXES):
        raise Unparseable(f"not a number: {token!r}")
    value = int(digits)
    if suffix:
        return ordinal_words(value).split()
    if len(digits) > 1 and digits.startswith("0"):
        return [ONES[int(digit)] for digit in digits]
    if len(digits) == 4:
        return year_words(value).split()
    if len(digits) > 9:
        return [ONES[int(digit)] for digit in digits]
    return number_words(value).split()


def parse_number(words: Sequence[str]) -> int | None:
    """The integer that `words` say, or None unless all of them are one number.

    Takes "twenty five", "a hundred and five", "two thousand sixteen", "nineteen eighty seven",
    digits ("25") and mixes ("2 hundred"); refuses runs that are several numbers ("five five").
    """
    if len(words) == 1 and words[0].isdigit():
        return int(words[0])
    return _parse_cardinal(words) or _parse_year(words) or (0 if list(words) == ["zero"] else None)


def _parse_cardinal(words: Sequence[str]) -> int | None:
    total, group, last, scale = 0, 0, "", 10**12
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        value = int(word) if word.isdigit() else CARDINALS.get(word)
        if word in ("a", "an"):
            if last or following not in _MULTIPLIERS:
                return None
            group, last = 1, "ones"
        elif value is not None and 1 <= value <= 9:
            if last not in ("", "tens", "hundred", "scale"):
                return None
            group, last = group + value, "ones"
        elif (value is not None and 10 <= value <= 19) or (value is not None and value % 10 == 0):
            if last not in ("", "hundred", "scale") or value is None or value == 0:
                return None
            group, last = group + value, "teen" if value < 20 else "tens"
        elif word == "hundred":
            if group >= 100:
                return None
            group, last = (group or 1) * 100, "hundred"
        elif word in _MULTIPLIERS:
            size = _MULTIPLIERS[word]
            if size >= scale:
                return None
            total, group, last, scale = total + (group or 1) * size, 0, "scale", size
        elif word == "and" and last in ("hundred", "scale") and following:
            continue
        else:
            return None
    return total + group if last else None


def _parse_year(words: Sequence[str]) -> int | None:
    """ "nineteen eighty seven" -> 1987, "twenty oh five" -> 2005: a century and a year, said
    apart (centuries 13 to 20, so that times like "seven fifteen" stay apart)."""
    for split in (1, 2):
        century = _parse_cardinal(words[:split])
        tail = list(words[split:])
        if century is None or not 13 <= century <= 20 or not tail:
            continue
        if tail[0] == "oh" and len(tail) == 2 and 1 <= CARDINALS.get(tail[1], 0) <= 9:
            return century * 100 + CARDINALS[tail[1]]
        rest = _parse_cardinal(tail)
        if rest is not None and 10 <= rest <= 99:
            return century * 100 + rest
    return None


def parse_ordinal(words: Sequence[str]) -> int | None:
    """ "third" -> 3, "twenty first" -> 21, "21st" -> 21; None unless all of `words` are one."""
    if not words:
        return None
    last = words[-1]
    if len(words) == 1 and last[:-2].isdigit() and last[-2:] in _DIGIT_SUFFIXES:
        return int(last[:-2])
    if last not in _CARDINAL_OF_ORDINAL:
        return None
    return _parse_cardinal([*words[:-1], _CARDINAL_OF_ORDINAL[last]])

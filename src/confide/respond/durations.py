"""Lengths of time as the understand stage hands them over: ISO 8601 ("PT10M") or as heard.

Only units of fixed length are read: weeks, days, hours, minutes and seconds. Years and months
differ in length from one to the next, so "P1M" is refused rather than guessed.
"""

from __future__ import annotations

import re
from datetime import timedelta

from confide.errors import OutOfRange, Unparseable
from confide.respond.speech import parse_number
from confide.understand.dates import UNIT_SECONDS

_NUMBER = r"\d+(?:[.,]\d+)?"
_ISO = re.compile(
    rf"P(?!$)(?:(?P<years>{_NUMBER})Y)?(?:(?P<months>{_NUMBER})M)?(?:(?P<weeks>{_NUMBER})W)?"
    rf"(?:(?P<days>{_NUMBER})D)?(?:T(?=\d)(?:(?P<hours>{_NUMBER})H)?(?:(?P<minutes>{_NUMBER})M)?"
    rf"(?:(?P<seconds>{_NUMBER})S)?)?"
)
_SPOKEN_UNITS = {
    unit: seconds for unit, seconds in UNIT_SECONDS.items() if not unit.startswith("week")
}
"""The units a spoken duration may count in: understand's table, up to days, as before."""
_HALF = ("and", "a", "half")


def parse_iso_duration(text: str) -> timedelta:
    """An ISO 8601 duration such as "PT1H30M", "P1DT2H" or "PT1.5M"; Unparseable if it is
    not one or counts years or months, OutOfRange if it is too long."""
    match = _ISO.fullmatch(text.strip().upper())
    if match is None:
        raise Unparseable(f"{text!r} is not an ISO 8601 duration")
    if match["years"] or match["months"]:
        raise Unparseable(f"{text!r} counts years or months, which have no fixed length")
    amounts = {
        unit: float(value.replace(",", "."))
        for unit, value in match.groupdict().items()
        if value is not None
    }
    try:
        return timedelta(**amounts)
    except OverflowError:
        raise OutOfRange(f"{text!r} is longer than any duration kept here") from None


def parse_spoken_duration(text: str) -> timedelta | None:
    """A duration as said: "ten minutes", "1 hour and 5 minutes", "an hour and a half",
    "half an hour", "one and a half hours", "90 seconds"; None when it is not one."""
    words = re.findall(r"[a-z]+|\d+(?:\.\d+)?", text.lower())
    total, last_unit = 0.0, 0
    chunk: list[str] = []
    for word in words:
        if word not in _SPOKEN_UNITS:
            chunk.append(word)
            continue
        amount = _amount(chunk[1:] if chunk[:1] == ["and"] and last_unit else chunk)
        if amount is None:
            return None
        last_unit = _SPOKEN_UNITS[word]
        total += amount * last_unit
        chunk = []
    if not last_unit:
        return None
    if tuple(chunk) == _HALF:
        total += last_unit / 2
    elif chunk:
        return None
    try:
        return timedelta(seconds=total)
    except OverflowError:
        return None


def _amount(words: list[str]) -> float | None:
    """How many of a unit the words before it say: "twenty", "an", "half an", "one and a half"."""
    if words in (["half", "a"], ["half", "an"]):
        return 0.5
    if words in (["a"], ["an"]):
        return 1.0
    if tuple(words[-3:]) == _HALF and len(words) > 3:
        whole = _amount(words[:-3])
        return None if whole is None else whole + 0.5
    if len(words) == 1 and re.fullmatch(r"\d+\.\d+", words[0]):
        return float(words[0])
    number = parse_number(words)
    return None if number is None else float(number)

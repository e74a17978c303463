"""Slot values as data: numbers, ordinals, durations and dates out of the words that say them."""

from __future__ import annotations

from datetime import date

from confide.understand.catalog import SLOT_KINDS
from confide.understand.dates import parse_date, parse_duration
from confide.understand.normalise import asr_text
from confide.understand.numbers import parse_number, parse_ordinal

UNITS = frozenset(
    [
        "star",
        "stars",
        "point",
        "points",
        "people",
        "persons",
        "person",
        "guests",
        "guest",
        "percent",
        "degrees",
        "degree",
        "times",
        "out",
    ]
)
"""Words that may follow a number inside a value whose value is the number ("six stars")."""


def resolve(name: str, value: str, today: date) -> int | str | None:
    """The value of slot `name`: an int, an ISO 8601 duration or date, or None if it is a name
    (slots linked to the catalog are names, even "Seven")."""
    if name in SLOT_KINDS:
        return None
    words = asr_text(value).split()
    if duration := parse_duration(words):
        return duration
    if day := parse_date(words, today):
        return day.isoformat()
    if len(words) > 1 and words[-1] in UNITS:
        words = words[:-1]
    number = parse_number(words)
    if number is not None:
        return number
    return parse_ordinal(words)

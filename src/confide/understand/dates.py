"""Spoken durations and dates as values: "twenty five minutes" -> PT25M, "next friday" -> a date.

Dates are relative to a reference day passed in, never read from the clock here, so that the same
words always give the same answer in tests. The conventions: a bare weekday ("friday", "on
friday", "this friday") is the coming one, today included; "next friday" is the Friday of next
week (weeks start on Monday); "last friday" is the latest one before today; a month and day that
has passed this year is next year's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from confide.understand.numbers import parse_number, parse_ordinal

UNIT_SECONDS = {
    "second": 1,
    "seconds": 1,
    "sec": 1,
    "secs": 1,
    "minute": 60,
    "minutes": 60,
    "min": 60,
    "mins": 60,
    "hour": 3600,
    "hours": 3600,
    "hr": 3600,
    "hrs": 3600,
    "day": 86400,
    "days": 86400,
    "week": 7 * 86400,
    "weeks": 7 * 86400,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_FILLERS = frozenset({"on", "for", "at", "of", "the", "this", "coming", "in"})
_DAY_PARTS = frozenset({"morning", "afternoon", "evening", "night"})
_RELATIVE_DAYS = {
    ("today",): 0,
    ("tonight",): 0,
    ("now",): 0,
    ("tomorrow",): 1,
    ("yesterday",): -1,
    ("day", "after", "tomorrow"): 2,
    ("day", "before", "yesterday"): -2,
}


def parse_duration(words: Sequence[str]) -> str | None:
    """An ISO 8601 duration ("PT1H30M") for "an hour and a half", "ninety seconds", "two and a
    half hours"; None unless all of `words` are one duration."""
    words = list(words[1:] if words[:1] == ["for"] else words)
    seconds = 0.0
    amount: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word not in UNIT_SECONDS:
            amount.append(word)
            index += 1
            continue
        if amount[:1] == ["and"] and seconds:
            amount = amount[1:]
        count = _amount(amount)
        if count is None:
            return None
        unit = UNIT_SECONDS[word]
        seconds += count * unit
        amount = []
        index += 1
        if words[index : index + 3] == ["and", "a", "half"]:
            seconds += unit / 2
            index += 3
    if amount or not seconds:
        return None
    return _iso_duration(round(seconds))


def _amount(words: Sequence[str]) -> float | None:
    """How many units: "twenty five", "a", "half an", "two and a half", "a quarter of an"."""
    if list(words) in (["half", "a"], ["half", "an"]):
        return 0.5
    if list(words) in (["a", "quarter", "of", "a"], ["a", "quarter", "of", "an"], ["quarter"]):
        return 0.25
    if list(words[-3:]) == ["and", "a", "half"]:
        whole = _amount(words[:-3])
        return None if whole is None else whole + 0.5
    if list(words) in (["a"], ["an"], ["one"]):
        return 1
    value = parse_number(words)
    return None if value is None else float(value)


def _iso_duration(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "P" + (f"{days}D" if days else "")
    clock = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return text + (f"T{clock}" if clock else "")


def parse_date(words: Sequence[str], today: date) -> date | None:
    """The day that `words` name, relative to `today`; None unless all of them name one."""
    words = [word for word in words if word not in _FILLERS]
    if words and words[-1] in _DAY_PARTS:
        words = words[:-1]
    if not words:
        return None
    if tuple(words) in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[tuple(words)])
    head, *rest = words
    if words[-2:] == ["from", "now"]:
        words, rest = words[:-2], rest[:-2]
    if head in ("next", "last") and len(words) == 2:
        return _next_or_last(head, words[1], today)
    if rest and rest[-1] in ("days", "day", "weeks", "week"):
        return _offset(words[:-1], words[-1], today)
    if len(words) == 1 and head in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS.index(head) - today.weekday()) % 7)
    if words == ["weekend"]:
        return today + timedelta(days=(5 - today.weekday()) % 7)
    return _month_day(words, today)


def _offset(amount: Sequence[str], unit: str, today: date) -> date | None:
    count = 1 if list(amount) in (["a"], ["an"]) else parse_number(amount)
    if count is None:
        return None
    return today + timedelta(days=count * (7 if unit.startswith("week") else 1))


def _next_or_last(direction: str, what: str, today: date) -> date | None:
    monday = today - timedelta(days=today.weekday())
    if what in WEEKDAYS:
        day = WEEKDAYS.index(what)
        if direction == "next":
            return monday + timedelta(days=7 + day)
        return today - timedelta(days=(today.weekday() - day - 1) % 7 + 1)
    step = 7 if direction == "next" else -7
    if what == "week":
        return monday + timedelta(days=step)
    if what == "weekend":
        return monday + timedelta(days=step + 5)
    return None


def _month_day(words: Sequence[str], today: date) -> date | None:
    """ "march fifth", "fifth march", "march 5" (as words), optionally with a spoken year."""
    month_at = next((i for i, word in enumerate(words) if word in MONTHS), None)
    if month_at is None:
        return None
    month = MONTHS.index(words[month_at]) + 1
    before, after = list(words[:month_at]), list(words[month_at + 1 :])
    year: int | None = None
    for split in range(len(after), 0, -1):
        candidate = parse_number(after[split:]) if split < len(after) else None
        if candidate is not None and candidate >= 1000:
            year, after = candidate, after[:split]
            break
    day_words = before or after
    if not day_words or (before and after):
        return None
    day = parse_ordinal(day_words) or parse_number(day_words)
    if day is None:
        return None
    try:
        found = date(year or today.year, month, day)
        if year is None and found < today:
            found = date(today.year + 1, month, day)
    except ValueError:
        return None
    return found

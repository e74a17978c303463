"""Durations and relative dates, against a fixed reference day (Monday 23 November 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from confide.understand.dates import parse_date, parse_duration
from confide.understand.resolve import resolve

MONDAY = date(2026, 11, 23)
SATURDAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("words", "iso"),
    [
        ("twenty five minutes", "PT25M"),
        ("ten minutes", "PT10M"),
        ("for five minutes", "PT5M"),
        ("a minute", "PT1M"),
        ("an hour", "PT1H"),
        ("half an hour", "PT30M"),
        ("a quarter of an hour", "PT15M"),
        ("an hour and a half", "PT1H30M"),
        ("two and a half hours", "PT2H30M"),
        ("one hour ten minutes", "PT1H10M"),
        ("one hour and ten minutes", "PT1H10M"),
        ("ninety seconds", "PT1M30S"),
        ("three days", "P3D"),
        ("two weeks", "P14D"),
    ],
)
def test_durations(words: str, iso: str) -> None:
    assert parse_duration(words.split()) == iso


@pytest.mark.parametrize("words", ["", "ten", "minutes", "blue minutes", "ten minutes blue"])
def test_not_durations(words: str) -> None:
    assert parse_duration(words.split()) is None


@pytest.mark.parametrize(
    ("today", "words", "day"),
    [
        (MONDAY, "today", date(2026, 11, 23)),
        (MONDAY, "tonight", date(2026, 11, 23)),
        (MONDAY, "tomorrow", date(2026, 11, 24)),
        (MONDAY, "tomorrow morning", date(2026, 11, 24)),
        (MONDAY, "yesterday", date(2026, 11, 22)),
        (MONDAY, "the day after tomorrow", date(2026, 11, 25)),
        (MONDAY, "day before yesterday", date(2026, 11, 21)),
        (MONDAY, "friday", date(2026, 11, 27)),
        (MONDAY, "on friday", date(2026, 11, 27)),
        (MONDAY, "this friday", date(2026, 11, 27)),
        (MONDAY, "monday", date(2026, 11, 23)),
        (MONDAY, "next friday", date(2026, 12, 4)),
        (MONDAY, "next monday", date(2026, 11, 30)),
        (MONDAY, "last friday", date(2026, 11, 20)),
        (MONDAY, "last monday", date(2026, 11, 16)),
        (SATURDAY, "friday", date(2026, 12, 4)),
        (SATURDAY, "next friday", date(2026, 12, 4)),
        (SATURDAY, "last friday", date(2026, 11, 27)),
        (MONDAY, "this weekend", date(2026, 11, 28)),
        (MONDAY, "next week", date(2026, 11, 30)),
        (MONDAY, "next weekend", date(2026, 12, 5)),
        (MONDAY, "in three days", date(2026, 11, 26)),
        (MONDAY, "three days from now", date(2026, 11, 26)),
        (MONDAY, "in two weeks", date(2026, 12, 7)),
        (MONDAY, "december twenty fifth", date(2026, 12, 25)),
        (MONDAY, "the fifth of march", date(2027, 3, 5)),
        (MONDAY, "march fifth", date(2027, 3, 5)),
        (MONDAY, "january first twenty twenty eight", date(2028, 1, 1)),
    ],
)
def test_dates(today: date, words: str, day: date) -> None:
    assert parse_date(words.split(), today) == day


@pytest.mark.parametrize("words", ["", "soon", "march", "february thirtieth", "next tuesday week"])
def test_not_dates(words: str) -> None:
    assert parse_date(words.split(), MONDAY) is None


@pytest.mark.parametrize(
    ("slot", "value", "normalized"),
    [
        ("rating_value", "six", 6),
        ("rating_value", "6", 6),
        ("rating_value", "six stars", 6),
        ("party_size_number", "five people", 5),
        ("year", "1987", 1987),
        ("year", "nineteen eighty seven", 1987),
        ("duration", "twenty five minutes", "PT25M"),
        ("duration", "25 minutes", "PT25M"),
        ("timeRange", "the day after tomorrow", "2026-11-25"),
        ("timeRange", "next Friday", "2026-12-04"),
        ("sort", "third", 3),
        ("object_name", "the hobbit", None),
        ("artist", "21 savage", None),
        ("track", "Seven", None),
    ],
)
def test_resolve(slot: str, value: str, normalized: int | str | None) -> None:
    assert resolve(slot, value, MONDAY) == normalized

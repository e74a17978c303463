"""Durations read from ISO 8601 and from the words heard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from confide.respond.durations import parse_iso_duration, parse_spoken_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT10M", timedelta(minutes=10)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("PT90S", timedelta(seconds=90)),
        ("PT1.5M", timedelta(seconds=90)),
        ("PT0,5H", timedelta(minutes=30)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(weeks=2)),
        ("P1D", timedelta(days=1)),
        ("pt10m", timedelta(minutes=10)),
        (" PT5S ", timedelta(seconds=5)),
    ],
)
def test_iso_durations(text: str, expected: timedelta) -> None:
    assert parse_iso_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "PTXM",
        "P",
        "PT",
        "PT10",
        "10M",
        "T10M",
        "PT-5M",
        "P1M",
        "P1Y",
        "P1Y2D",
        "PT10M5H",
        "P99999999999D",
        "ten minutes",
        "",
    ],
)
def test_bad_iso_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_iso_duration(text)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("ten minutes", 600),
        ("10 minutes", 600),
        ("a minute", 60),
        ("an hour", 3600),
        ("1 hour and 5 minutes", 3900),
        ("two hours, five minutes and ten seconds", 7510),
        ("an hour and a half", 5400),
        ("one and a half hours", 5400),
        ("half an hour", 1800),
        ("1.5 hours", 5400),
        ("twenty five secs", 25),
        ("a day", 86_400),
        ("Ninety Seconds", 90),
        ("minutes", None),
        ("ten", None),
        ("PTXM", None),
        ("ten minutes or so", None),
        ("lots of minutes", None),
        ("", None),
    ],
)
def test_spoken_durations(text: str, seconds: int | None) -> None:
    expected = None if seconds is None else timedelta(seconds=seconds)
    assert parse_spoken_duration(text) == expected

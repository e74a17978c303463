"""The offline forecast: deterministic, plausible, and never passed off as real weather."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from confide.respond import Slot
from confide.respond.weather import CONDITIONS, NOTICE, forecast, pseudo_forecast


@pytest.mark.parametrize(
    "slots",
    [
        [],
        [Slot("city", "Paris")],
        [Slot("city", "Oslo", link="city:oslo"), Slot("timeRange", "tomorrow")],
        [Slot("country", "Japan"), Slot("date", "24 December", "2026-12-24")],
    ],
)
def test_every_answer_is_marked_offline(ask, slots: list[Slot]) -> None:
    answer = forecast(ask("GetWeather", *slots))
    assert answer.offline
    assert answer.text.startswith(NOTICE)
    assert answer.skill == "weather"
    assert answer.action["weather"]["source"] == "offline"  # type: ignore[index]


def test_same_place_and_day_give_the_same_forecast(ask) -> None:
    asked = ask("GetWeather", Slot("city", "Paris"), Slot("timeRange", "tomorrow"))
    assert forecast(asked) == forecast(asked)
    # The linked id, or the name in any case, is the place: the same city, the same forecast.
    assert pseudo_forecast("paris", date(2026, 11, 24)) == pseudo_forecast(
        "Paris".casefold(), date(2026, 11, 24)
    )


def test_different_cities_and_days_get_different_forecasts(ask) -> None:
    cities = ["Paris", "Oslo", "Lima", "Cairo", "Osaka", "Perth"]
    by_city = {pseudo_forecast(city.casefold(), date(2026, 11, 24)) for city in cities}
    by_day = {pseudo_forecast("paris", date(2026, 11, 24) + timedelta(d)) for d in range(6)}
    assert len(by_city) > 1 and len(by_day) > 1
    answers = {forecast(ask("GetWeather", Slot("city", city))).text for city in cities}
    assert len(answers) == len(cities)  # the city is named, and the forecast follows it


@pytest.mark.parametrize("day", [date(2026, 1, 15), date(2026, 7, 15), date(2026, 11, 24)])
def test_forecasts_are_plausible(day: date) -> None:
    for place in ("paris", "oslo", "city:lima", ""):
        made = pseudo_forecast(place, day)
        assert made.condition in (*CONDITIONS, "light snow")
        assert -15 <= made.low < made.high <= 35


def test_summer_is_warmer_than_winter() -> None:
    places = [f"town {i}" for i in range(20)]
    winter = sum(pseudo_forecast(p, date(2026, 1, 20)).high for p in places)
    summer = sum(pseudo_forecast(p, date(2026, 7, 20)).high for p in places)
    assert summer > winter


@pytest.mark.parametrize(
    ("slots", "day", "said"),
    [
        ([], "2026-11-23", "Today here:"),
        ([Slot("city", "Paris")], "2026-11-23", "Today in Paris:"),
        ([Slot("timeRange", "tomorrow")], "2026-11-24", "Tomorrow here:"),
        ([Slot("timeRange", "tomorrow morning")], "2026-11-24", "Tomorrow here:"),
        ([Slot("timeRange", "the day after tomorrow")], "2026-11-25", "On Wednesday here:"),
        ([Slot("timeRange", "tonight")], "2026-11-23", "Today here:"),
        ([Slot("timeRange", "on friday evening")], "2026-11-27", "On Friday here:"),
        ([Slot("timeRange", "monday")], "2026-11-23", "Today here:"),
        ([Slot("timeRange", "this weekend")], "2026-11-28", "On Saturday here:"),
        (
            [Slot("date", "November 24", "2026-11-24")],
            "2026-11-24",
            "Tomorrow here:",
        ),
        (
            [Slot("date", "Christmas Eve", "2026-12-24")],
            "2026-12-24",
            "On Thursday the twenty fourth of December here:",
        ),
        (
            [Slot("date", "at 5 pm", "2026-11-24T17:00:00")],
            "2026-11-24",
            "Tomorrow here:",
        ),
        (
            # A time given in another zone is a day in the household's: 09:00 on the 25th at
            # UTC+13 is the evening of the 24th in UTC.
            [Slot("date", "then", datetime(2026, 11, 25, 9, tzinfo=timezone(timedelta(hours=13))))],
            "2026-11-24",
            "Tomorrow here:",
        ),
        ([Slot("date", "then", date(2026, 11, 26))], "2026-11-26", "On Thursday here:"),
        (
            [Slot("city", "Portland"), Slot("state", "Oregon"), Slot("timeRange", "tomorrow")],
            "2026-11-24",
            "Tomorrow in Portland, Oregon:",
        ),
        (
            [Slot("date", "tomorrow", "not a date")],
            "2026-11-24",
            "Tomorrow here:",
        ),
    ],
)
def test_the_day_and_place_asked_about(ask, slots: list[Slot], day: str, said: str) -> None:
    answer = forecast(ask("GetWeather", *slots))
    assert answer.action["weather"]["date"] == day  # type: ignore[index]
    assert answer.text.removeprefix(NOTICE + " ").startswith(said)


@pytest.mark.parametrize(
    ("slots", "text"),
    [
        ([Slot("timeRange", "at some point")], "Which day would you like the forecast for?"),
        ([Slot("timeRange", "yesterday")], "I can only forecast from today on."),
        ([Slot("date", "last week", "2026-11-16")], "I can only forecast from today on."),
    ],
)
def test_days_it_cannot_forecast(ask, slots: list[Slot], text: str) -> None:
    answer = forecast(ask("GetWeather", *slots))
    assert (answer.text, answer.action, answer.offline) == (text, {}, False)


def test_temperatures_are_spoken_in_words(ask, now) -> None:
    answer = forecast(ask("GetWeather", Slot("city", "Oslo"), when=now.replace(month=1)))
    assert not any(char.isdigit() for char in answer.text)

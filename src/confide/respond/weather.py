"""Weather from an offline provider: a made-up forecast that says it is one.

Confide has no weather service, and a privacy-first assistant does not send a person's town to
one unasked. Until one is configured, a forecast is derived from a hash of the place and the day:
the same question gets the same answer, the temperatures follow a temperate northern season, and
every answer opens by saying it is not real data (and sets `Answer.offline`).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from confide.respond.base import Answer, Request, Slot
from confide.respond.speech import number_words, ordinal_words

NOTICE = "Offline forecast, not real weather data."
"""How every offline answer begins, so no one mistakes it for a forecast."""
PLACE_SLOTS = ("city", "geographic_poi", "state", "country")
"""Slots naming where, spoken in this order ("Portland, Oregon")."""
DATE_SLOTS = ("date", "timeRange")
"""Slots naming when: ours, and the Snips benchmark's."""
CONDITIONS = (
    "sunny",
    "clear",
    "partly cloudy",
    "cloudy",
    "light rain",
    "showers",
    "windy",
    "foggy",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Forecast:
    """One made-up day of weather."""

    condition: str
    """One of `CONDITIONS`, or "light snow" when it is freezing."""
    low: int
    """Degrees Celsius."""
    high: int
    """Degrees Celsius."""


def forecast(request: Request) -> Answer:
    """The offline forecast for the place and day asked about (here and today by default)."""
    places = [slot for name in PLACE_SLOTS if (slot := request.slot(name)) is not None]
    today = request.now.date()
    when = request.slot(*DATE_SLOTS)
    day = today if when is None else _day(when, request.now)
    if day is None:
        return Answer("Which day would you like the forecast for?", "weather", {})
    if day < today:
        return Answer("I can only forecast from today on.", "weather", {})
    place = ", ".join(slot.value for slot in places)
    made = pseudo_forecast("|".join(slot.link or slot.value.casefold() for slot in places), day)
    spoken = _spoken_day(day, today)
    text = (
        f"{NOTICE} {spoken[0].upper()}{spoken[1:]} {'in ' + place if place else 'here'}: "
        f"{made.condition}, from {number_words(made.low)} to {number_words(made.high)} degrees."
    )
    action: dict[str, object] = {
        "weather": {
            "place": place or None,
            "date": day.isoformat(),
            "condition": made.condition,
            "low": made.low,
            "high": made.high,
            "unit": "celsius",
            "source": "offline",
        }
    }
    return Answer(text, "weather", action, offline=True)


def pseudo_forecast(place_key: str, day: date) -> Forecast:
    """A deterministic forecast for a place (its catalog id or folded name) and a day."""
    digest = hashlib.sha256(f"{place_key}|{day.isoformat()}".encode()).digest()
    season = 11 - 9 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
    high = round(season) + 4 + digest[1] % 13 - 6
    low = high - 4 - digest[2] % 7
    condition = CONDITIONS[digest[0] % len(CONDITIONS)]
    if high <= 1 and condition in ("light rain", "showers"):
        condition = "light snow"
    return Forecast(condition, low, high)


def _day(slot: Slot, now: datetime) -> date | None:
    """The day a date slot means: its normalized ISO date or datetime, else the words heard."""
    normalized = slot.normalized
    if isinstance(normalized, str):
        try:
            normalized = datetime.fromisoformat(normalized)
        except ValueError:
            normalized = None
    if isinstance(normalized, datetime):
        aware = normalized.utcoffset() is not None
        return (normalized.astimezone(now.tzinfo) if aware else normalized).date()
    if isinstance(normalized, date):
        return normalized
    words = set(re.findall(r"[a-z]+", slot.value.lower()))
    today = now.date()
    if "tomorrow" in words:
        return today + timedelta(days=2 if "after" in words else 1)
    if "yesterday" in words:
        return today - timedelta(days=1)
    for index, name in enumerate(WEEKDAYS):
        if name.lower() in words:
            return today + timedelta(days=(index - today.weekday()) % 7)
    if "weekend" in words:
        return today + timedelta(days=max(5 - today.weekday(), 0))
    if words & {"today", "tonight", "now", "morning", "afternoon", "evening"}:
        return today
    return None


def _spoken_day(day: date, today: date) -> str:
    """The day in words: "today", "tomorrow", "on Friday" within the week, else "on Tuesday the
    twenty fourth of November"."""
    ahead = (day - today).days
    if ahead == 0:
        return "today"
    if ahead == 1:
        return "tomorrow"
    weekday = WEEKDAYS[day.weekday()]
    if ahead < 7:
        return f"on {weekday}"
    return f"on {weekday} the {ordinal_words(day.day)} of {MONTHS[day.month - 1]}"

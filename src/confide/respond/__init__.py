"""The respond stage: the skills that answer an understood utterance, one module each.

`respond` routes a `Request` by its intent; a skill that keeps state (timers, lists, deletions)
does so through the `HouseholdState` seam, so the skills know nothing of the database.
"""

from __future__ import annotations

from confide.respond import lists, music, privacy, timer, volume, weather
from confide.respond.base import Answer, HouseholdState, Request, Slot
from confide.respond.fallback import fallback
from confide.respond.stop import stop


def respond(request: Request, household: HouseholdState) -> Answer:
    """The answer to one request, from the skill its intent belongs to."""
    match request.intent:
        case "PlayMusic":
            return music.play(request)
        case "GetWeather":
            return weather.forecast(request)
        case "SetTimer":
            return timer.set_timer(request, household)
        case "AddToList":
            return lists.add(request, household)
        case "GetList":
            return lists.read(request, household)
        case "Volume":
            return volume.set_volume(request)
        case "Stop":
            return stop()
        case "DeleteLastUtterance":
            return privacy.delete_last_utterance(household)
        case "DeleteToday":
            return privacy.delete_today(household)
        case "WhatDidYouHear":
            return privacy.what_did_you_hear(household)
        case _:
            return fallback(request.intent)


__all__ = ["Answer", "HouseholdState", "Request", "Slot", "respond"]

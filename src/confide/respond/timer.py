"""Timers: "set a timer for ten minutes" keeps one, due that long from now, and says so."""

from __future__ import annotations

from datetime import timedelta

from confide.errors import InvalidInput
from confide.respond.base import Answer, HouseholdState, Request, Slot
from confide.respond.durations import parse_iso_duration, parse_spoken_duration
from confide.respond.speech import duration_words

LONGEST = 24 * 3600
"""The longest timer, in seconds: longer is likelier a mishearing, or a job for reminders."""
ASK = "How long should the timer be?"


def set_timer(request: Request, household: HouseholdState) -> Answer:
    """Keep a timer for the heard duration, or ask for one that can be used."""
    slot = request.slot("duration")
    if slot is None:
        return Answer(ASK, "timer", {})
    length = _length(slot)
    if length is None:
        return Answer(f"Sorry, I didn't get how long. {ASK}", "timer", {})
    seconds = round(length.total_seconds())
    if seconds < 1:
        return Answer(f"A timer needs some time on it. {ASK}", "timer", {})
    if seconds > LONGEST:
        return Answer(f"I can only set timers for up to {duration_words(LONGEST)}.", "timer", {})
    due_at = request.now + timedelta(seconds=seconds)
    timer_id = household.add_item("timer", {"seconds": seconds}, due_at)
    action: dict[str, object] = {
        "timer": {"id": timer_id, "seconds": seconds, "due_at": due_at.isoformat()}
    }
    return Answer(f"Timer set for {duration_words(seconds)}.", "timer", action)


def _length(slot: Slot) -> timedelta | None:
    """The normalized duration if there is a usable one, else the words as heard."""
    if isinstance(slot.normalized, timedelta):
        return slot.normalized
    if isinstance(slot.normalized, str):
        try:
            return parse_iso_duration(slot.normalized)
        except InvalidInput:  # not an ISO duration of fixed length: read the words
            pass
    return parse_spoken_duration(slot.value)

"""Timers: kept with the right due time, confirmed in words, or asked about again."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from confide.respond import Slot
from confide.respond.timer import set_timer


@pytest.mark.parametrize(
    ("duration", "seconds", "text"),
    [
        (Slot("duration", "ten minutes", "PT10M"), 600, "Timer set for ten minutes."),
        (Slot("duration", "ten minutes"), 600, "Timer set for ten minutes."),
        (Slot("duration", "ten minutes", timedelta(minutes=10)), 600, "Timer set for ten minutes."),
        (
            Slot("duration", "an hour and five minutes", "PT1H5M"),
            3900,
            "Timer set for one hour and five minutes.",
        ),
        (Slot("duration", "half an hour"), 1800, "Timer set for thirty minutes."),
        (
            Slot("duration", "ninety seconds", "PT90S"),
            90,
            "Timer set for one minute and thirty seconds.",
        ),
        (Slot("duration", "a day", "P1D"), 86_400, "Timer set for one day."),
        # The understand stage's form is wrong but what was heard is clear: use what was heard.
        (Slot("duration", "five minutes", "PTXM"), 300, "Timer set for five minutes."),
    ],
)
def test_a_timer_is_kept_and_confirmed(
    ask, household, now, duration: Slot, seconds: int, text: str
) -> None:
    answer = set_timer(ask("SetTimer", duration), household)
    assert (answer.text, answer.skill) == (text, "timer")
    [(timer_id, (kind, payload, due_at))] = household.kept.items()
    assert (kind, payload, due_at) == (
        "timer",
        {"seconds": seconds},
        now + timedelta(seconds=seconds),
    )
    assert answer.action == {
        "timer": {"id": timer_id, "seconds": seconds, "due_at": due_at.isoformat()}
    }


@pytest.mark.parametrize(
    ("slots", "text"),
    [
        ([], "How long should the timer be?"),
        ([Slot("item", "pasta")], "How long should the timer be?"),
        (
            [Slot("duration", "x minutes", "PTXM")],
            "Sorry, I didn't get how long. How long should the timer be?",
        ),
        (
            [Slot("duration", "a month", "P1M")],
            "Sorry, I didn't get how long. How long should the timer be?",
        ),
        (
            [Slot("duration", "a while", None)],
            "Sorry, I didn't get how long. How long should the timer be?",
        ),
        (
            [Slot("duration", "zero minutes", "PT0M")],
            "A timer needs some time on it. How long should the timer be?",
        ),
        (
            [Slot("duration", "a bit", "PT0.2S")],
            "A timer needs some time on it. How long should the timer be?",
        ),
        (
            [Slot("duration", "two days", "P2D")],
            "I can only set timers for up to one day.",
        ),
    ],
    ids=[
        "no-slot",
        "no-duration",
        "bad-iso",
        "months",
        "unparsed",
        "zero",
        "under-a-second",
        "too-long",
    ],
)
def test_no_timer_without_a_usable_duration(ask, household, slots: list[Slot], text: str) -> None:
    answer = set_timer(ask("SetTimer", *slots), household)
    assert (answer.text, answer.skill, answer.action) == (text, "timer", {})
    assert household.kept == {}


def test_due_time_keeps_the_households_zone(ask, household, now) -> None:
    evening_in_tokyo = now.astimezone(timezone(timedelta(hours=9)))
    answer = set_timer(
        ask("SetTimer", Slot("duration", "ten minutes"), when=evening_in_tokyo), household
    )
    assert answer.action["timer"]["due_at"].endswith("+09:00")  # type: ignore[index]

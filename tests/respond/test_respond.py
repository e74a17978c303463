"""Routing: each intent reaches its skill, and everything else an honest fallback."""

from __future__ import annotations

from datetime import datetime

import pytest

from confide.respond import Request, Slot, respond


@pytest.mark.parametrize(
    ("intent", "slots", "skill", "text"),
    [
        ("PlayMusic", [Slot("artist", "Adele")], "music", "Playing Adele."),
        ("GetWeather", [], "weather", None),
        (
            "SetTimer",
            [Slot("duration", "ten minutes", "PT10M")],
            "timer",
            "Timer set for ten minutes.",
        ),
        ("AddToList", [Slot("item", "milk")], "list", "Added milk to your shopping list."),
        ("GetList", [], "list", "Your shopping list is empty."),
        ("Volume", [Slot("level", "four", 4)], "volume", "Volume four."),
        ("Stop", [], "stop", "Okay."),
        ("DeleteLastUtterance", [], "privacy", "There was nothing to delete."),
        ("DeleteToday", [], "privacy", "There was nothing from today to delete."),
        ("WhatDidYouHear", [], "privacy", "I haven't kept anything you said recently."),
        (None, [], "fallback", "Sorry, I didn't catch that."),
        ("", [], "fallback", "Sorry, I didn't catch that."),
        ("DanceForMe", [], "fallback", "Sorry, I didn't catch that."),
        ("playmusic", [], "fallback", "Sorry, I didn't catch that."),
        (
            "BookRestaurant",
            [Slot("party_size_number", "four", 4)],
            "fallback",
            "Sorry, I can't book restaurants yet.",
        ),
        ("RateBook", [], "fallback", "Sorry, I can't rate books yet."),
        ("SearchCreativeWork", [], "fallback", "Sorry, I can't look up books, films or shows yet."),
        ("SearchScreeningEvent", [], "fallback", "Sorry, I can't look up film showings yet."),
        ("AddToPlaylist", [], "fallback", "Sorry, I can't add songs to playlists yet."),
        ("Call", [Slot("contact", "maria")], "fallback", "Sorry, I can't make calls yet."),
        ("SendMessage", [], "fallback", "Sorry, I can't send messages yet."),
        ("AddContact", [], "fallback", "Sorry, I can't keep contacts yet."),
        ("SetReminder", [], "fallback", "Sorry, I can't set reminders yet."),
    ],
)
def test_each_intent_reaches_its_skill(
    ask, household, intent: str | None, slots: list[Slot], skill: str, text: str | None
) -> None:
    answer = respond(ask(intent, *slots), household)
    assert answer.skill == skill
    if text is not None:
        assert answer.text == text
    assert answer.offline == (skill == "weather")


@pytest.mark.parametrize(
    ("intent", "action"),
    [
        ("Stop", {"stop": True}),
        (None, {}),
        ("BookRestaurant", {"unsupported": "BookRestaurant"}),
    ],
)
def test_fixed_actions(ask, household, intent: str | None, action: dict[str, object]) -> None:
    assert respond(ask(intent), household).action == action


def test_answers_never_read_digits_aloud(ask, household) -> None:
    household.today = 37
    requests = [
        ask("SetTimer", Slot("duration", "90 seconds", "PT90S")),
        ask("Volume", Slot("level", "7", 7)),
        ask("DeleteToday"),
        ask("GetWeather", Slot("city", "Oslo"), Slot("date", "on 2026-12-24", "2026-12-24")),
    ]
    for request in requests:
        text = respond(request, household).text
        assert not any(char.isdigit() for char in text), text


def test_now_must_know_its_timezone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Request("SetTimer", (), "set a timer", datetime(2026, 11, 23, 18, 30))


@pytest.mark.parametrize(
    ("names", "found"),
    [
        (("city",), "Paris"),
        (("country", "city"), "France"),
        (("state", "city"), "Paris"),
        (("state",), None),
        ((), None),
    ],
)
def test_slot_lookup_tries_names_in_order(ask, names: tuple[str, ...], found: str | None) -> None:
    request = ask("GetWeather", Slot("city", "Paris"), Slot("country", "France"))
    slot = request.slot(*names)
    assert (slot.value if slot is not None else None) == found

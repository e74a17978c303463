"""What the assistant says when no skill answers: that it did not understand, or, for a request
it understood but has no skill for, honestly that it cannot do that yet."""

from __future__ import annotations

from confide.respond.base import Answer

NOT_YET = {
    "BookRestaurant": "book restaurants",
    "RateBook": "rate books",
    "SearchCreativeWork": "look up books, films or shows",
    "SearchScreeningEvent": "look up film showings",
    "AddToPlaylist": "add songs to playlists",
    "Call": "make calls",
    "SendMessage": "send messages",
    "AddContact": "keep contacts",
    "SetReminder": "set reminders",
}
"""Intents the understand stage recognises but no skill serves (the Snips benchmark's, and
Confide's own private ones, known so that their words stay private), and what they ask for."""


def fallback(intent: str | None) -> Answer:
    """Not understood, or understood but not served."""
    if intent in NOT_YET:
        return Answer(f"Sorry, I can't {NOT_YET[intent]} yet.", "fallback", {"unsupported": intent})
    return Answer("Sorry, I didn't catch that.", "fallback", {})

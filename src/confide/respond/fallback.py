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
}
"""Snips benchmark intents the understand stage recognises but no skill serves, and what they
ask for, in words."""


def fallback(intent: str | None) -> Answer:
    """Not understood, or understood but not served."""
    if intent in NOT_YET:
        return Answer(f"Sorry, I can't {NOT_YET[intent]} yet.", "fallback", {"unsupported": intent})
    return Answer("Sorry, I didn't catch that.", "fallback", {})

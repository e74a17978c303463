"""Music: "play Queen" starts what was asked for, named as it was heard, or asks what to play.

The action carries each music slot as heard and, where the understand stage linked it, the
catalog id, so the player can fall back to a search when there is no link.
"""

from __future__ import annotations

from confide.respond.base import Answer, Request

MUSIC_SLOTS = ("track", "album", "playlist", "artist", "genre")
"""The slots that say what to play; others ("service", "sort", "year") only refine it."""


def play(request: Request) -> Answer:
    """Play the track, album, playlist, artist or genre asked for."""
    heard = {name: slot for name in MUSIC_SLOTS if (slot := request.slot(name)) is not None}
    if not heard:
        return Answer("What would you like to hear?", "music", {})
    target: dict[str, object] = {}
    for name, slot in heard.items():
        target[name] = slot.value
        if slot.link is not None:
            target[f"{name}_id"] = slot.link
    text = f"Playing {_describe({name: slot.value for name, slot in heard.items()})}."
    return Answer(text, "music", {"play": target})


def _describe(values: dict[str, str]) -> str:
    """What is playing, in words: "Bohemian Rhapsody by Queen", "some jazz"..."""
    by = f" by {values['artist']}" if "artist" in values else ""
    if "track" in values:
        return values["track"] + by
    if "album" in values:
        return f"the album {values['album']}{by}"
    if "playlist" in values:
        return f"the playlist {values['playlist']}"
    if "artist" in values:
        return values["artist"]
    return f"some {values['genre']}"

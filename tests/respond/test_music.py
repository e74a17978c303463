"""Music: what was asked for is named back and handed to the player, with its catalog link."""

from __future__ import annotations

import pytest

from confide.respond import Slot
from confide.respond.music import play


@pytest.mark.parametrize(
    ("slots", "text", "target"),
    [
        (
            [Slot("artist", "Queen", link="artist:queen")],
            "Playing Queen.",
            {"artist": "Queen", "artist_id": "artist:queen"},
        ),
        (
            [Slot("track", "Bohemian Rhapsody"), Slot("artist", "Queen")],
            "Playing Bohemian Rhapsody by Queen.",
            {"track": "Bohemian Rhapsody", "artist": "Queen"},
        ),
        (
            [Slot("album", "Abbey Road"), Slot("artist", "the beatles", link="artist:the-beatles")],
            "Playing the album Abbey Road by the beatles.",
            {"album": "Abbey Road", "artist": "the beatles", "artist_id": "artist:the-beatles"},
        ),
        (
            [Slot("playlist", "chill evening", link="playlist:chill")],
            "Playing the playlist chill evening.",
            {"playlist": "chill evening", "playlist_id": "playlist:chill"},
        ),
        ([Slot("genre", "jazz")], "Playing some jazz.", {"genre": "jazz"}),
        (
            [Slot("service", "spotify"), Slot("artist", "Adele"), Slot("year", "2015")],
            "Playing Adele.",
            {"artist": "Adele"},
        ),
    ],
    ids=["artist", "track-by-artist", "album", "playlist", "genre", "refinements-ignored"],
)
def test_plays_what_was_asked_for(
    ask, slots: list[Slot], text: str, target: dict[str, str]
) -> None:
    answer = play(ask("PlayMusic", *slots))
    assert (answer.text, answer.skill, answer.action) == (text, "music", {"play": target})


@pytest.mark.parametrize(
    "slots", [[], [Slot("music_item", "song")], [Slot("service", "deezer"), Slot("sort", "new")]]
)
def test_asks_when_nothing_says_what_to_play(ask, slots: list[Slot]) -> None:
    answer = play(ask("PlayMusic", *slots))
    assert (answer.text, answer.action) == ("What would you like to hear?", {})

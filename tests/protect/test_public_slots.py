"""Which names are public by the request: the slots, the intent's confidence, what overrides it."""

from __future__ import annotations

from typing import Any

import pytest

from confide.protect.public_slots import PublicName, hidden, public_names, recurring
from confide.protect.spans import PiiSpan


def understood(text: str, intent: str, *slots: tuple[str, str], confidence: float = 0.9) -> dict:
    """`confide understand`'s shape, each slot found at its first place in `text`."""
    found: list[dict[str, Any]] = []
    for name, value in slots:
        start = text.index(value)
        found.append({"name": name, "value": value, "start": start, "end": start + len(value)})
    return {"text": text, "intent": intent, "confidence": confidence, "slots": found}


def span(text: str, words: str, kind: str = "PERSON") -> PiiSpan:
    start = text.index(words)
    return PiiSpan(start, start + len(words), kind, 0.85)


def linked(found: dict, value: str, entry: str) -> dict:
    """`found` with the slot holding `value` linked to the catalog entry `entry`."""
    for slot in found["slots"]:
        if slot["value"] == value:
            slot["link"] = {"id": entry, "score": 0.9}
    return found


TINA = "add tina turner to rock hits"
GRACE = "add amazing grace to sunday"
SONG = "add this song by maria lopez to road trip"
CONTACTS = "add maria lopez to my contacts"
JAZZ = "add eric moo to women of jazz"
CLUB = "add maria lopez to the country club list"


@pytest.mark.parametrize(
    ("text", "found", "public"),
    [
        (
            TINA,
            linked(
                understood(TINA, "AddToPlaylist", ("artist", "tina turner")),
                "tina turner",
                "artist:tina-turner",
            ),
            ["tina turner"],
        ),
        (
            GRACE,
            linked(
                understood(GRACE, "AddToPlaylist", ("entity_name", "amazing grace")),
                "amazing grace",
                "song:amazing-grace",
            ),
            ["amazing grace"],
        ),
        (
            SONG,
            understood(
                SONG,
                "AddToPlaylist",
                ("music_item", "song"),
                ("artist", "maria lopez"),
                ("playlist", "road trip"),
            ),
            ["maria lopez", "road trip"],
        ),
        (TINA, understood(TINA, "AddToPlaylist", ("artist", "tina turner")), []),
        (
            TINA,
            linked(
                understood(TINA, "AddToPlaylist", ("artist", "tina turner")),
                "tina turner",
                "city:turner",
            ),
            [],
        ),
        (CONTACTS, understood(CONTACTS, "AddToPlaylist", ("artist", "maria lopez")), []),
        (
            JAZZ,
            understood(
                JAZZ, "AddToPlaylist", ("artist", "eric moo"), ("playlist", "women of jazz")
            ),
            ["eric moo", "women of jazz"],
        ),
        (JAZZ, understood(JAZZ, "AddToPlaylist", ("artist", "eric moo")), []),
        (
            CLUB,
            understood(CLUB, "AddToPlaylist", ("artist", "maria lopez"), ("playlist", "club list")),
            [],
        ),
    ],
)
def test_a_playlist_request_shows_its_names_when_it_is_evidently_about_music(
    text: str, found: dict, public: list[str]
) -> None:
    """Saying "playlist", naming a music item ("this song"), a name the music catalog knows or
    a genre in the playlist's name shows that the request is about music; one showing none of
    these may be a misread contact."""
    assert [name.value for name in public_names(text, found)] == public


@pytest.mark.parametrize(
    ("text", "intent", "slots", "public"),
    [
        (
            "play something by taylor swift",
            "PlayMusic",
            [("artist", "taylor swift")],
            ["taylor swift"],
        ),
        (
            "play the album thriller by michael jackson",
            "PlayMusic",
            [("album", "thriller"), ("artist", "michael jackson")],
            ["thriller", "michael jackson"],
        ),
        (
            "add bruno mars to maria's road trip playlist",
            "AddToPlaylist",
            [("artist", "bruno mars"), ("playlist_owner", "maria's"), ("playlist", "road trip")],
            ["bruno mars", "road trip"],
        ),
        (
            "weather in austin texas",
            "GetWeather",
            [("city", "austin"), ("state", "texas")],
            ["austin", "texas"],
        ),
        ("weather at grandma's house", "GetWeather", [("geographic_poi", "grandma's house")], []),
        (
            "book a table for me and john smith at chez panisse",
            "BookRestaurant",
            [("party_size_description", "me and john smith"), ("restaurant_name", "chez panisse")],
            ["chez panisse"],
        ),
        ("add maria lopez to my list", "AddToList", [("item", "maria lopez")], []),
        ("set a maria timer", "SetTimer", [("timer_name", "maria")], []),
        ("call maria lopez", "Call", [("contact", "maria lopez")], []),
        # Requests the NLU has no intent for, read as the nearest one: nothing public.
        ("call maria lopez", "SearchCreativeWork", [("object_name", "maria lopez")], []),
        ("add maria lopez to my contacts", "AddToPlaylist", [("artist", "maria lopez")], []),
        (
            "add kalmaria lopez to my to-do list",
            "AddToPlaylist",
            [("artist", "kalmaria lopez"), ("playlist", "to-do")],
            [],
        ),
    ],
)
def test_only_the_catalog_slots_of_an_intent_are_public(
    text: str, intent: str, slots: list[tuple[str, str]], public: list[str]
) -> None:
    names = public_names(text, understood(text, intent, *slots))
    assert [name.value for name in names] == public
    assert all(text[name.start : name.end] == name.value for name in names)


@pytest.mark.parametrize(
    ("why", "change"),
    [
        ("the intent is a guess", {"confidence": 0.3}),
        ("no confidence given", {"confidence": None}),
        ("no intent", {"intent": None}),
        (
            "offsets that do not hold the value",
            {"slots": [{"name": "artist", "value": "maria lopez", "start": 0, "end": 11}]},
        ),
        ("no offsets", {"slots": [{"name": "artist", "value": "maria lopez"}]}),
    ],
)
def test_nothing_is_public_when_the_understanding_cannot_be_trusted(why: str, change: dict) -> None:
    text = "play something by maria lopez"
    result = {**understood(text, "PlayMusic", ("artist", "maria lopez")), **change}
    assert public_names(text, result) == (), why


@pytest.mark.parametrize(
    "private",
    [
        "lopez",  # a household's name in the artist slot
        "maria lopez",  # the whole slot
        "by maria",  # reaching into it
    ],
)
def test_a_slot_that_holds_a_private_span_is_not_public(private: str) -> None:
    text = "play something by maria lopez and taylor swift"
    result = understood(text, "PlayMusic", ("artist", "maria lopez"), ("artist", "taylor swift"))
    names = public_names(text, result, [span(text, private)])
    assert [name.value for name in names] == ["taylor swift"]


@pytest.mark.parametrize(
    ("found", "kept"),
    [
        ("taylor swift", []),  # exactly the artist
        ("swift", []),  # inside it
        ("taylor swift for maria", ["for maria"]),  # what lies beyond it stays hidden
        ("something by taylor swift", ["something by"]),
        ("maria", ["maria"]),  # elsewhere
    ],
)
def test_a_public_name_is_taken_out_of_the_spans_and_the_rest_stays(
    found: str, kept: list[str]
) -> None:
    text = "play something by taylor swift for maria"
    names = public_names(text, understood(text, "PlayMusic", ("artist", "taylor swift")))
    left = hidden(text, [span(text, found)], names)
    assert [text[s.start : s.end] for s in left] == kept
    assert all(s.type == "PERSON" for s in left)


@pytest.mark.parametrize(
    ("text", "slots", "found", "kept"),
    [
        # Two public names and the comma between them: nothing left to hide.
        (
            "weather in Clontarf, KY tomorrow",
            [("city", "Clontarf"), ("state", "KY")],
            ("Clontarf, KY", "ADDRESS"),
            [],
        ),
        # A detector reading on past the name: the word it took along stays hidden.
        (
            "weather in Clontarf, KY tomorrow",
            [("city", "Clontarf")],
            ("Clontarf, KY", "ADDRESS"),
            ["KY"],
        ),
        (
            "weather in north wolcott alabama 35004",
            [("city", "north wolcott"), ("state", "alabama")],
            ("north wolcott alabama 35004", "ADDRESS"),
            ["35004"],
        ),
    ],
)
def test_spans_over_neighbouring_names(
    text: str, slots: list[tuple[str, str]], found: tuple[str, str], kept: list[str]
) -> None:
    names = public_names(text, understood(text, "GetWeather", *slots))
    left = hidden(text, [span(text, *found)], names)
    assert [text[s.start : s.end] for s in left] == kept


@pytest.mark.parametrize(
    ("slot", "kind", "dropped"),
    [
        ("artist", "PERSON", True),
        ("track", "PHONE", False),  # "play eight six seven five three oh nine"
        ("city", "ADDRESS", True),
        ("artist", "ADDRESS", False),
    ],
)
def test_only_the_types_a_name_may_take_are_dropped(slot: str, kind: str, dropped: bool) -> None:
    text = "play springfield"
    intent = "GetWeather" if slot == "city" else "PlayMusic"
    names = public_names(text, understood(text, intent, (slot, "springfield")))
    assert (hidden(text, [span(text, "springfield", kind)], names) == []) == dropped


@pytest.mark.parametrize(
    ("other", "found"),
    [
        ("Playing Shape of You by Ed Sheeran.", ["Ed Sheeran"]),
        ("ed-sheeran, ED SHEERAN", ["ed-sheeran", "ED SHEERAN"]),
        ("Playing Ed Sheerans greatest hits", []),  # not the name whole
        ("Playing Ed", []),
        ("Playing music by Fred Sheeran", []),
    ],
)
def test_a_public_name_recurs_only_whole(other: str, found: list[str]) -> None:
    text = "play music by ed sheeran in the kitchen"
    names = public_names(text, understood(text, "PlayMusic", ("artist", "ed sheeran")))
    again = recurring(other, names)
    assert [other[name.start : name.end] for name in again] == found
    assert all(name.types == names[0].types for name in again)


def test_a_name_without_words_recurs_nowhere() -> None:
    assert recurring("anything", [PublicName(0, 3, "...", frozenset({"PERSON"}))]) == ()

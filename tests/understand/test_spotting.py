"""Catalog names the tagger missed or mistook are put right, and only those that are clearly one."""

from __future__ import annotations

import pytest

from confide.understand.catalog import Catalog, Entry
from confide.understand.gazetteer import Gazetteer
from confide.understand.slots import OUTSIDE
from confide.understand.spotting import fill_known_names, fill_near_names

NAMES = Gazetteer(
    [
        ("cat:artist", ["the", "hollow", "tigers"]),
        ("cat:artist", ["hollow", "tigers"]),
        ("cat:artist", ["adele"]),
        ("cat:artist", ["love", "story"]),
        ("cat:song", ["love", "story"]),
        ("cat:playlist", ["rock", "classics"]),
        ("cat:city", ["new", "york"]),
        ("cat:state", ["puerto", "rico"]),
        ("artist", ["marble", "kettles"]),  # a training value, not the catalog's
    ]
)
MUSIC = {"artist", "track", "playlist"}


def labelled(words: str, tagged: dict[int, str] | None = None) -> list[str]:
    labels = [OUTSIDE] * len(words.split())
    for position, label in (tagged or {}).items():
        labels[position] = label
    return labels


def fill(words: str, labels: list[str], allowed: set[str] = MUSIC) -> list[str]:
    split = words.split()
    everywhere = set(range(len(split)))
    return fill_known_names(split, labels, NAMES.matches(split), allowed, (everywhere, everywhere))


@pytest.mark.parametrize(
    ("words", "tagged", "expected"),
    [
        # the longest known name, with its article, where the tagger found nothing
        (
            "play the latest song the hollow tigers",
            None,
            {4: "B-artist", 5: "I-artist", 6: "I-artist"},
        ),
        ("turn on my hollow tigers playlist", None, {3: "B-artist", 4: "I-artist"}),
        ("my rock classics please", None, {1: "B-playlist", 2: "I-playlist"}),
        # one-word names are the tagger's to find
        ("play adele", None, {}),
        # a name the catalog knows as an artist and as a song: not decided here
        ("play love story", None, {}),
        # a name of a kind the intent has no slot for
        ("play new york", None, {}),
        # names seen only in training are the tagger's features, not catalog entries
        ("play marble kettles", None, {}),
        # a catalog slot the catalog does not know the name as, or an album: put right
        (
            "turn on my hollow tigers playlist",
            {3: "B-playlist", 4: "I-playlist"},
            {3: "B-artist", 4: "I-artist"},
        ),
        (
            "play crazy by hollow tigers",
            {3: "B-album", 4: "I-album"},
            {3: "B-artist", 4: "I-artist"},
        ),
        # anything else the tagger found stays as it found it: a slot the catalog cannot
        # overrule, a span that is not exactly the name, a kind the catalog knows the name as
        ("play hollow tigers", {1: "B-service", 2: "I-service"}, {1: "B-service", 2: "I-service"}),
        ("play the hollow tigers", {2: "B-artist"}, {2: "B-artist"}),
        (
            "play hollow tigers live",
            {1: "B-track", 2: "I-track", 3: "I-track"},
            {1: "B-track", 2: "I-track", 3: "I-track"},
        ),
        (
            "my rock classics please",
            {1: "B-playlist", 2: "I-playlist"},
            {1: "B-playlist", 2: "I-playlist"},
        ),
    ],
)
def test_catalog_names_the_tagger_missed_are_put_right(
    words: str, tagged: dict[int, str] | None, expected: dict[int, str]
) -> None:
    assert fill(words, labelled(words, tagged)) == labelled(words, expected)


@pytest.mark.parametrize(
    ("words", "tagged", "expected"),
    [
        # a territory the tagger calls a country stays one, whatever kind the catalog lists
        (
            "weather in puerto rico",
            {2: "B-country", 3: "I-country"},
            {2: "B-country", 3: "I-country"},
        ),
        ("weather in puerto rico", None, {2: "B-state", 3: "I-state"}),
    ],
)
def test_one_kind_of_place_is_never_put_for_another(
    words: str, tagged: dict[int, str] | None, expected: dict[int, str]
) -> None:
    places = {"city", "state", "country"}
    assert fill(words, labelled(words, tagged), allowed=places) == labelled(words, expected)


def test_only_the_slots_the_intent_allows_are_filled() -> None:
    words = "turn on my hollow tigers playlist"
    assert fill(words, labelled(words), allowed={"playlist"}) == labelled(words)


@pytest.mark.parametrize(
    ("words", "firsts", "lasts", "expected"),
    [
        # "play the" written as one token: the article cannot start the name, the rest can
        ("play the hollow tigers", {0, 2, 3}, {1, 2, 3}, {2: "B-artist", 3: "I-artist"}),
        # "tigers live" written as one token: the name would end inside it
        ("play the hollow tigers live", {0, 1, 2, 3}, {0, 1, 2, 4}, {}),
    ],
)
def test_a_name_is_filled_only_in_whole_tokens(
    words: str, firsts: set[int], lasts: set[int], expected: dict[int, str]
) -> None:
    split = words.split()
    filled = fill_known_names(split, labelled(words), NAMES.matches(split), MUSIC, (firsts, lasts))
    assert filled == labelled(words, expected)


CATALOG = Catalog(
    [
        Entry("artist:bunda-mandal", "artist", "Bunda Mandal"),
        Entry("artist:the-quiet-canoes", "artist", "The Quiet Canoes"),
        Entry("artist:madonna", "artist", "Madonna"),
        Entry("song:call-me", "song", "Call Me"),
        Entry("artist:road-trips", "artist", "Road Trips"),
        Entry("playlist:road-trip", "playlist", "Road Trip"),
    ]
)


def near(words: str, labels: list[str], allowed: set[str] = MUSIC) -> list[str]:
    split = words.split()
    everywhere = set(range(len(split)))
    return fill_near_names(split, labels, allowed, CATALOG, (everywhere, everywhere))


@pytest.mark.parametrize(
    ("words", "tagged", "expected"),
    [
        # misheard names, joined or split differently, where the request lacks that slot
        (
            "play call me by bandam andal",
            {1: "B-track", 2: "I-track"},
            {1: "B-track", 2: "I-track", 4: "B-artist", 5: "I-artist"},
        ),
        (
            "time to hear me some quiet can news",
            None,
            {5: "B-artist", 6: "I-artist", 7: "I-artist"},
        ),
        # a catalog slot tagged on words that link to nothing of its kind, but sound like a
        # name of the kind the request lacks
        (
            "turn on my quite canoes playlist",
            {3: "B-track", 4: "I-track"},
            {3: "B-artist", 4: "I-artist"},
        ),
        # ... but not when they link as what they were tagged
        (
            "turn on my road trip playlist",
            {3: "B-playlist", 4: "I-playlist"},
            {3: "B-playlist", 4: "I-playlist"},
        ),
        # the request has its artist already: nothing more is taken for one
        (
            "play quiet can news by bunda mandal",
            {5: "B-artist", 6: "I-artist"},
            {5: "B-artist", 6: "I-artist"},
        ),
        # ... or an album, the tagger's guess for an unknown name after "by"
        (
            "play crazy by bandam andal",
            {1: "B-track", 3: "B-album", 4: "I-album"},
            {1: "B-track", 3: "B-artist", 4: "I-artist"},
        ),
        # words tagged as a slot the catalog cannot overrule are never taken
        (
            "play bandam andal",
            {1: "B-service", 2: "I-service"},
            {1: "B-service", 2: "I-service"},
        ),
        # nothing alike enough, or a one-word name (left to the tagger)
        ("play the latest song", None, {}),
        ("play bandits and all", None, {}),
        ("play madona", None, {}),
    ],
)
def test_misheard_catalog_names_are_filled_in(
    words: str, tagged: dict[int, str] | None, expected: dict[int, str]
) -> None:
    assert near(words, labelled(words, tagged)) == labelled(words, expected)


def test_near_names_only_for_slots_the_intent_allows() -> None:
    words = "time to hear me some quiet can news"
    assert near(words, labelled(words), allowed={"playlist", "album"}) == labelled(words)

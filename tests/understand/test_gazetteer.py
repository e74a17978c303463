"""Known names found in word sequences, overlaps included."""

from __future__ import annotations

import pytest

from confide.understand.gazetteer import MAX_WORDS, Gazetteer

NAMES = [
    ("city", ["new", "york"]),
    ("city", ["york"]),
    ("state", ["new", "york"]),
    ("artist", ["adele"]),
]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("weather in new york", {(2, 4, "city"), (2, 4, "state"), (3, 4, "city")}),
        ("play adele", {(1, 2, "artist")}),
        ("new", set()),
        ("", set()),
    ],
)
def test_matches(words: str, found: set[tuple[int, int, str]]) -> None:
    assert set(Gazetteer(NAMES).matches(words.split())) == found


@pytest.mark.parametrize(
    ("words", "kinds"),
    [("weather in new york", {"city", "state"}), ("play adele", {"artist"}), ("new", set())],
)
def test_kinds(words: str, kinds: set[str]) -> None:
    assert Gazetteer(NAMES).kinds(words.split()) == kinds


def test_overlong_and_empty_names_are_ignored() -> None:
    gazetteer = Gazetteer([("x", []), ("x", ["a"] * (MAX_WORDS + 1))])
    assert len(gazetteer) == 0

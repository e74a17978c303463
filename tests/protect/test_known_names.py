"""The household's own names found however a recogniser wrote them, and never in ordinary words."""

from __future__ import annotations

import pytest

from confide.protect.known_names import KnownNames, namelike, sounds_like
from confide.protect.redact import merge_spans


def found(names: list[str], text: str) -> list[str]:
    spans = merge_spans(KnownNames.of(names).find(text))
    return [text[span.start : span.end] for span in spans]


@pytest.mark.parametrize(
    ("names", "text", "hidden"),
    [
        # Issue 10.1: "call maria lopez" heard as "Kalmaria Lopez".
        (["Maria Lopez"], "Add Kalmaria Lopez on [PHONE] to my to-do list", ["Kalmaria Lopez"]),
        (["Maria Lopez"], "add call maria lopes on five to my to do list", ["maria", "lopes"]),
        (["Maria Lopez"], "ask lo pez about the keys", ["lo pez"]),
        (["Maria Lopez"], "Add Comoria Lopez on 555 to my to-do list.", ["Comoria Lopez"]),
        (["Catherine Okafor"], "remind kathryn okafer about friday", ["kathryn", "okafer"]),
        (["Alice Rivera"], "Alise and Riviera are coming", ["Alise", "Riviera"]),
        (["Bob Rivera"], "Ask Bob about it.", ["Bob"]),
        (["Grace Hill"], "tell grace hill dinner is ready", ["grace", "hill"]),
        (["Siobhan Nakamura"], "text shivaun nakamura", ["shivaun nakamura"]),
        (["Thandiwe Mensah"], "thandiwe mensa called", ["thandiwe mensa"]),
    ],
)
def test_known_names_are_found_as_misheard(names, text, hidden):
    assert found(names, text) == hidden


@pytest.mark.parametrize(
    ("names", "text"),
    [
        (["Alice Rivera"], "the river is near the police station"),
        (["Alice Rivera"], "malice alike slice"),
        (["Maria Lopez"], "malaria is a concern in that area"),
        (["Maria Lopez"], "a topaz ring and more lobes"),
        (["Bob Rivera"], "bob your head to the music"),
        (["Will Smith"], "i will go to the shop"),
        (["Mark Ode"], "bookmark this page"),
        (["Ann Lee"], "an annual leave"),
        (["Maria Lopez"], "play some music by the police"),
    ],
)
def test_ordinary_words_near_a_name_are_not_taken(names, text):
    assert found(names, text) == []


@pytest.mark.parametrize(
    ("word", "name", "expected"),
    [
        ("lopez", "lopez", True),
        ("lopes", "lopez", True),
        ("kalmaria", "maria", True),
        ("stephen", "steven", True),
        ("rivers", "rivera", False),
        ("area", "maria", False),
        ("malice", "alice", False),
        ("bo", "bob", False),
    ],
)
def test_sounds_like(word, name, expected):
    assert sounds_like(word, name) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("maria", True), ("lopez", True), ("okafor", True), ("milk", False), ("household", False)],
)
def test_namelike_words_of_lists_and_households(word, expected):
    assert namelike(word) is expected

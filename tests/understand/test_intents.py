"""The intent classifier weighs the kinds of known name in a query beside its words."""

from __future__ import annotations

import pytest

from confide.understand.intents import IntentClassifier

EXAMPLES = [
    *((f"play {name}".split(), {"artist"}, "PlayMusic") for name in ("adele", "queen", "muse")),
    *((f"play {name}".split(), {"game"}, "PlayGame") for name in ("chess", "tetris", "go")),
    *((f"find {name}".split(), {"book"}, "FindBook") for name in ("emma", "dune", "it")),
    *((f"show {name}".split(), {"film"}, "FindFilm") for name in ("jaws", "up", "heat")),
]


@pytest.mark.parametrize(
    ("words", "names", "intent"),
    [
        ("i'd like some nova", {"artist"}, "PlayMusic"),
        ("i'd like some nova", {"game"}, "PlayGame"),
        ("i'd like some nova", {"book"}, "FindBook"),
        ("i'd like some nova", {"film"}, "FindFilm"),
    ],
)
def test_the_kind_of_a_known_name_moves_an_unseen_phrasing_towards_its_intent(
    words: str, names: set[str], intent: str
) -> None:
    """Of all intents, the one the kind of name was met with gains the most from it."""
    classifier = IntentClassifier.train(EXAMPLES)
    gain = classifier.probabilities(words.split(), names) - classifier.probabilities(words.split())
    assert classifier.intents[int(gain.argmax())] == intent

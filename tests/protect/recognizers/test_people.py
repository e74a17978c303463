"""Trimming a tagger's name span down to the words that can be a name."""

from __future__ import annotations

import pytest

from confide.protect.recognizers.people import find_names, trim_name
from confide.protect.recognizers.tokens import tokenize


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Tell Lucas", "Lucas"),
        ("james home", "james"),
        ("text margaret", "margaret"),
        ("call me", None),
    ],
)
def test_trim_name(text: str, name: str | None) -> None:
    trimmed = trim_name(text, 0, len(text))
    assert (text[trimmed[0] : trimmed[1]] if trimmed else None) == name


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # No cue before them: two words the language model hardly knows, side by side.
        ("did aoua yabre reply", ["aoua yabre"]),
        ("from the film also features mariem trabelsi", ["mariem trabelsi"]),
        # A name after "name".
        ("what's your last name krier", ["krier"]),
        ("my partner's name is under brice bouba", ["brice bouba"]),
        # Everyday words side by side are no name.
        ("play the new album by the police", []),
        ("what is the weather in siler city", []),
        # "called" names films and books more often than people.
        ("find a book called screwed", []),
    ],
)
def test_names_with_no_cue_or_a_naming_word(text: str, names: list[str]) -> None:
    assert [text[s.start : s.end] for s in find_names(tokenize(text))] == names

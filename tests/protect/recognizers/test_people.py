"""Trimming a tagger's name span down to the words that can be a name."""

from __future__ import annotations

import pytest

from confide.protect.recognizers.people import trim_name


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

"""Ages said with the words that make a number an age; other numbers are left."""

from __future__ import annotations

import pytest

from confide.protect.recognizers.ages import find_ages
from confide.protect.recognizers.tokens import tokenize


def found(text: str) -> list[str]:
    return [text[span.start : span.end] for span in find_ages(tokenize(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("patient is a thirty two year old male", ["thirty two"]),
        ("my brother just turned sixty eight", ["sixty eight"]),
        ("I'm 37 y o and tired", ["37"]),
        ("This 45-year-old female", ["45"]),
        ("my age is forty", ["forty"]),
        ("a one hundred one year old woman", ["one hundred one"]),
        # Not ages: no age word, a number too large, a volume.
        ("set a timer for thirty minutes", []),
        ("turn the volume to five", []),
        ("a two hundred year old oak", []),
        ("play track twenty two", []),
    ],
)
def test_ages(text, expected):
    assert found(text) == expected

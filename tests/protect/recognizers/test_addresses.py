"""Street addresses with any standard street type, units and boxes said in several words, the
city and state before a ZIP code, and streets named after "lives on"; everyday places are left."""

from __future__ import annotations

import pytest

from confide.protect.recognizers.addresses import find_addresses
from confide.protect.recognizers.tokens import tokenize


def found(text: str) -> list[str]:
    return [text[span.start : span.end] for span in find_addresses(tokenize(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "send it to four hundred sixteen johanna haven suite seven hundred sixty five",
            ["four hundred sixteen johanna haven suite seven hundred sixty five"],
        ),
        ("we are at 9907 zeynalov corner now", ["9907 zeynalov corner"]),
        (
            "1505 Fujita Squares West Mohammadhaven, RI 39226? I am",
            ["1505 Fujita Squares West Mohammadhaven, RI 39226"],
        ),
        ("box eighty two fifty three", ["box eighty two fifty three"]),
        ("she lives on abed ramp street", ["abed ramp", "abed ramp street"]),
        ("i live in flat 2b", ["flat 2b"]),
        ("It's in 1103 Svetlana Hills Apt. 124, Shantelside", ["1103 Svetlana Hills Apt. 124"]),
        # Everyday places: no house number, no cue.
        ("we walked along the river park", []),
        ("she lives on the high street", []),
        ("meet me at the train station", []),
    ],
)
def test_addresses(text, expected):
    assert found(text) == expected

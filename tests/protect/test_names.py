"""The name lexicon: names in, everyday words out, the ambiguous ones a subset of first names."""

from __future__ import annotations

import pytest

from confide.protect.names import COMMON_WORD_NAMES, FIRST_NAMES, SURNAMES


@pytest.mark.parametrize(
    ("word", "first", "surname"),
    [
        ("john", True, False),
        ("sarah", True, False),
        ("smith", False, True),
        ("patel", False, True),
        ("the", False, False),
        ("timer", False, False),
        ("mr", False, False),
    ],
)
def test_lexicon(word: str, first: bool, surname: bool) -> None:
    assert (word in FIRST_NAMES, word in SURNAMES) == (first, surname)


def test_ambiguous_names_are_first_names() -> None:
    assert COMMON_WORD_NAMES <= FIRST_NAMES
    assert {"mark", "grace", "florence"} <= COMMON_WORD_NAMES

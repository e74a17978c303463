"""Numbers and durations in words, both ways."""

from __future__ import annotations

import pytest

from confide.respond.speech import (
    duration_words,
    join_words,
    number_words,
    ordinal_words,
    parse_number,
    quantity,
)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (20, "twenty"),
        (21, "twenty one"),
        (99, "ninety nine"),
        (100, "one hundred"),
        (105, "one hundred five"),
        (310, "three hundred ten"),
        (999, "nine hundred ninety nine"),
        (-4, "minus four"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words
    if n >= 0:
        assert parse_number(words.split()) == n  # and back


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "first"),
        (2, "second"),
        (3, "third"),
        (12, "twelfth"),
        (20, "twentieth"),
        (24, "twenty fourth"),
        (31, "thirty first"),
        (100, "one hundredth"),
    ],
)
def test_ordinal_words(n: int, words: str) -> None:
    assert ordinal_words(n) == words


@pytest.mark.parametrize(
    ("spell", "n"),
    [(number_words, 1000), (number_words, -1000), (ordinal_words, 0), (ordinal_words, 1000)],
)
def test_numbers_outside_the_range_are_refused(spell, n: int) -> None:
    with pytest.raises(ValueError):
        spell(n)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "zero seconds"),
        (1, "one second"),
        (45, "forty five seconds"),
        (600, "ten minutes"),
        (3600, "one hour"),
        (3900, "one hour and five minutes"),
        (7510, "two hours, five minutes and ten seconds"),
        (90_000, "one day and one hour"),
    ],
)
def test_duration_words(seconds: int, words: str) -> None:
    assert duration_words(seconds) == words


@pytest.mark.parametrize(
    ("words", "n"),
    [
        ("42", 42),
        ("twenty five", 25),
        ("a hundred", 100),
        ("one hundred and two", 102),
        ("", None),
        ("a", None),
        ("one hundred and", None),
        ("1000", None),
        ("twenty hundred", None),
        ("one hundred five hundred", None),
        ("five twenty", None),
        ("zero zero", None),
        ("twenty five three", None),
        ("twenty zero", None),
        ("zero hundred", None),
        ("and five", None),
        ("loud", None),
    ],
)
def test_parse_number(words: str, n: int | None) -> None:
    assert parse_number(words.split()) == n


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        ([], ""),
        (["milk"], "milk"),
        (["milk", "eggs"], "milk and eggs"),
        (["a", "b", "c"], "a, b and c"),
    ],
)
def test_join_words(parts: list[str], joined: str) -> None:
    assert join_words(parts) == joined


def test_quantity_is_plural_except_for_one() -> None:
    assert [quantity(n, "item") for n in (0, 1, 2)] == ["zero items", "one item", "two items"]


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        duration_words(-1)

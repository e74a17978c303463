"""Spoken numbers both ways: spelling digits as a recogniser would, and reading words back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from confide.errors import OutOfRange, Unparseable
from confide.understand.numbers import (
    number_words,
    ordinal_words,
    parse_number,
    parse_ordinal,
    spell_digits,
)


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("zero", 0),
        ("seven", 7),
        ("twenty five", 25),
        ("a hundred and five", 105),
        ("one hundred twenty", 120),
        ("two thousand sixteen", 2016),
        ("nineteen eighty seven", 1987),
        ("twenty oh five", 2005),
        ("twenty twenty five", 2025),
        ("fifteen hundred", 1500),
        ("one million two hundred thousand", 1_200_000),
        ("2 hundred", 200),
        ("42", 42),
    ],
)
def test_parse_number(words: str, value: int) -> None:
    assert parse_number(words.split()) == value


@pytest.mark.parametrize(
    "words",
    ["five five", "seven fifteen", "a", "and", "twenty hundred thousand million", "blue", ""],
)
def test_not_one_number(words: str) -> None:
    assert parse_number(words.split()) is None


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("first", 1),
        ("third", 3),
        ("twelfth", 12),
        ("twentieth", 20),
        ("twenty first", 21),
        ("ninety ninth", 99),
        ("one hundred first", 101),
        ("21st", 21),
        ("3rd", 3),
    ],
)
def test_parse_ordinal(words: str, value: int) -> None:
    assert parse_ordinal(words.split()) == value


@pytest.mark.parametrize("words", ["first second", "three", "fifth twenty", ""])
def test_not_one_ordinal(words: str) -> None:
    assert parse_ordinal(words.split()) is None


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("25", "twenty five"),
        ("100", "one hundred"),
        ("2016", "twenty sixteen"),
        ("2005", "two thousand five"),
        ("1900", "nineteen hundred"),
        ("21st", "twenty first"),
        ("007", "zero zero seven"),
        ("1205", "twelve oh five"),
    ],
)
def test_spell_digits(token: str, words: str) -> None:
    assert " ".join(spell_digits(token)) == words


@pytest.mark.parametrize("value", [0, 1, 13, 40, 99, 101, 999, 1234, 20_000, 7_654_321])
def test_spelt_numbers_read_back(value: int) -> None:
    assert parse_number(number_words(value).split()) == value
    assert parse_ordinal(ordinal_words(value).split()) == value or value == 0


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: number_words(-1), OutOfRange),
        (lambda: spell_digits("12x"), Unparseable),
        (lambda: spell_digits("3rx"), Unparseable),
    ],
)
def test_refusals_are_invalid_input(call: Callable[[], object], error: type[Exception]) -> None:
    with pytest.raises(error):
        call()

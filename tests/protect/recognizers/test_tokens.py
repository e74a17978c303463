"""Reading digits as a recogniser says them: runs, groups and a leading "plus"."""

from __future__ import annotations

import pytest

from confide.protect.recognizers.tokens import digit_runs, tokenize


@pytest.mark.parametrize(
    ("text", "digits", "groups", "plus"),
    [
        ("four one one one", "4111", (1, 1, 1, 1), False),
        ("double five triple oh", "55000", (2, 3), False),
        ("twenty three forty", "2340", (2, 2), False),
        ("eight hundred five five five", "800555", (3, 1, 1, 1), False),
        ("123-45-6789", "123456789", (3, 2, 4), False),
        ("plus four four", "44", (1, 1), True),
        ("oh seven", "07", (1, 1), False),
    ],
)
def test_digit_runs(text: str, digits: str, groups: tuple[int, ...], plus: bool) -> None:
    [run] = digit_runs(tokenize(text))
    assert (run.digits, run.groups, run.plus) == (digits, groups, plus)

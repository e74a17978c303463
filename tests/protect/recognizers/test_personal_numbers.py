"""Typing a run of digits by its length, checksum, grouping and context word."""

from __future__ import annotations

import pytest

from confide.protect.recognizers.personal_numbers import classify, luhn_valid
from confide.protect.recognizers.tokens import digit_runs, tokenize


@pytest.mark.parametrize(
    ("text", "context", "kind"),
    [
        ("4111111111111111", None, "CREDIT_CARD"),
        ("4111111111111112", None, "BANK_ACCOUNT"),
        ("4111111111111112", "CREDIT_CARD", "CREDIT_CARD"),
        ("4-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1", None, "BANK_ACCOUNT"),  # misheard card
        ("123-45-6789", None, "SSN"),
        ("123456789", "BANK_ACCOUNT", "BANK_ACCOUNT"),
        ("5551234", None, "PHONE"),
        ("90210", "ADDRESS", "ADDRESS"),
        ("90210", None, None),
        ("ten twenty four twenty twenty eight", None, None),
    ],
)
def test_classify(text: str, context: str | None, kind: str | None) -> None:
    [run] = digit_runs(tokenize(text))
    result = classify(run, context)
    assert (result[0] if result else None) == kind


@pytest.mark.parametrize(
    ("digits", "valid"), [("4111111111111111", True), ("4111111111111112", False)]
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid

"""Card, account, sort code, SSN, phone and ZIP numbers, spoken or written.

A run of digits is typed by its length, its checksum (Luhn for cards), its grouping (3-2-4 is an
SSN) and the nearest context word before it ("card", "social", "account", "phone").
"""

from __future__ import annotations

from collections.abc import Sequence

from confide.protect.recognizers.tokens import SCORES, Run, Token, context_of, digit_runs
from confide.protect.spans import PiiSpan


def luhn_valid(digits: str) -> bool:
    """The card-number checksum: a random 16 digits pass one time in ten."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def classify(run: Run, context: str | None) -> tuple[str, float] | None:
    """What a run of digits is, and how sure, or None when it is no personal number."""
    digits, n = run.digits, len(run.digits)
    if run.plus and 8 <= n <= 15:
        return "PHONE", SCORES["strong"]
    if context == "CREDIT_CARD" and 12 <= n <= 19:
        return "CREDIT_CARD", SCORES["strong" if luhn_valid(digits) else "context"]
    if context == "SSN" and n == 9:
        return "SSN", SCORES["strong"]
    if context == "BANK_ACCOUNT" and 6 <= n <= 18:
        return "BANK_ACCOUNT", SCORES["checked"]
    if context == "PHONE" and 7 <= n <= 13:
        return "PHONE", SCORES["checked"]
    if context == "ADDRESS" and n in (5, 9):
        return "ADDRESS", SCORES["checked"]
    if 13 <= n <= 19 and luhn_valid(digits):
        return "CREDIT_CARD", SCORES["checked"]
    if n <= 8 and sum(size == 2 for size in run.groups) >= 2:
        return None  # "ten twenty four twenty twenty eight": a date or times, said in pairs
    if n == 9 and run.groups == (3, 2, 4):
        return "SSN", SCORES["checked"]
    if n in (7, 10, 11) or (10 <= n <= 13 and digits[0] in "01"):
        return "PHONE", SCORES["shape"]
    if n == 9:
        return "SSN", SCORES["weak"]
    if n >= 8:  # longer than any card: a misheard one, or an account; hide it either way
        return "BANK_ACCOUNT", SCORES["weak"]
    return None


def find_numbers(tokens: Sequence[Token]) -> list[PiiSpan]:
    """Card, account, sort code, SSN, phone and ZIP numbers, spoken or written."""
    spans = []
    for run in digit_runs(tokens):
        found = classify(run, context_of(tokens, run.first))
        if found:
            spans.append(PiiSpan(tokens[run.first].start, tokens[run.last].end, *found))
    return spans

"""One number as a speaker says it, read from tokens: "one ninety two", "two hundred five", "34".

`tokens.digit_item` reads one item ("ninety two", "double five", "two hundred"); a number said
in one breath joins several ("one" "ninety two" is 192, "two hundred" "five" is 205). Addresses,
IP addresses and ages say numbers this way, where codes and phones say digits one by one.
"""

from __future__ import annotations

from collections.abc import Sequence

from confide.protect.recognizers.tokens import Token, digit_item


def read_number(tokens: Sequence[Token], index: int, most_digits: int) -> tuple[str, int] | None:
    """The digits of the number said from `index` and the index after it, reading at most
    `most_digits` digits; None if no number starts there."""
    digits, at = "", index
    while at < len(tokens):
        if tokens[at].text in ("oh", "o") and not digits:
            return None
        item = digit_item(tokens, at)
        if item is None:
            break
        said, after = item
        if digits.endswith("00") and len(said) < 3 and not tokens[at].text.isdigit():
            joined = digits[: len(digits) - len(said)] + said  # "two hundred" "five" -> 205
        else:
            joined = digits + said
        if len(joined) > most_digits:
            break
        digits, at = joined, after
    return (digits, at) if digits else None

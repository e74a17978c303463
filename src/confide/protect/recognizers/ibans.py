"""IBANs: a country code, two check digits and the account, spelled or written; the mod-97
checksum tells one from a chance run of letters and digits."""

from __future__ import annotations

from collections.abc import Sequence

from confide.protect.recognizers.tokens import (
    SCORES,
    Token,
    context_of,
    spelled_units,
    word_set,
)
from confide.protect.spans import PiiSpan

_IBAN_LENGTHS = {
    entry[:2]: int(entry[2:])
    for entry in word_set(
        "AD24 AT20 BE16 BG22 CH21 CY28 CZ24 DE22 DK18 EE20 ES24 FI18 FR27 GB22 GI23 GR27 HR21 HU28 "
        "IE22 IS26 IT27 LI21 LT20 LU20 LV21 MC27 MT31 NL18 NO15 PL28 PT25 RO24 SE24 SI19 SK24 SM27"
    )
}
"""Each country's IBAN length, after its two-letter code."""


def iban_valid(code: str) -> bool:
    """The IBAN checksum (ISO 13616 mod 97): a random code passes one time in 97."""
    rearranged = code[4:] + code[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def find_ibans(tokens: Sequence[Token]) -> list[PiiSpan]:
    """IBANs spelled ("g b eight two w e s t ...") or written; checksum-valid, or after "iban"."""
    spans: list[PiiSpan] = []
    index = 0
    while index < len(tokens):
        units = spelled_units(tokens, index, words=True)
        found = _iban_in(units, tokens, index)
        if found:
            spans.append(found[0])
            index = found[1]
        else:
            index += 1
    return spans


def _iban_in(
    units: list[tuple[str, int]], tokens: Sequence[Token], index: int
) -> tuple[PiiSpan, int] | None:
    code = ""
    context = context_of(tokens, index) == "IBAN"
    for chars, after in units:
        code += chars
        if len(code) < 4:
            continue
        if not (code[:2].isalpha() and code[2:4].isdigit() and code[:2] in _IBAN_LENGTHS):
            return None
        length = _IBAN_LENGTHS[code[:2]]
        if len(code) == length and code.isalnum():
            if iban_valid(code) or context:
                score = SCORES["strong" if iban_valid(code) else "context"]
                return PiiSpan(tokens[index].start, tokens[after - 1].end, "IBAN", score), after
            return None
        if len(code) > length:
            break
    if context and len(code) >= 15 and code[:2].isalpha() and code[2:4].isdigit():
        end = tokens[units[-1][1] - 1].end
        return PiiSpan(tokens[index].start, end, "IBAN", SCORES["weak"]), units[-1][1]
    return None

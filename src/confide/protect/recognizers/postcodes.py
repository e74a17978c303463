"""UK postcodes: a shape with no checksum, so a bare one scores lower than one after "postcode"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from confide.protect.recognizers.tokens import SCORES, Token, context_of, spelled_units
from confide.protect.spans import PiiSpan

_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")


def find_postcodes(tokens: Sequence[Token]) -> list[PiiSpan]:
    """UK postcodes, spelled ("s w one a one a a") or written ("SW1A 1AA")."""
    spans: list[PiiSpan] = []
    index = 0
    while index < len(tokens):
        units = spelled_units(tokens, index, words=False)
        code, best = "", None
        for chars, after in units:
            code += chars
            if len(code) > 8:
                break
            if _POSTCODE.fullmatch(code):
                best = after
        if best is not None and (best - index >= 2):
            context = context_of(tokens, index) == "ADDRESS"
            score = SCORES["checked" if context else "shape"]
            spans.append(PiiSpan(tokens[index].start, tokens[best - 1].end, "ADDRESS", score))
            index = best
        else:
            index += 1
    return spans

"""Street addresses: "twelve elm street", "221 b baker street apartment four", "flat 2b".

A street suffix alone is everyday ("the high street"), so a street needs a house number before
its name; a unit ("flat", "apartment") needs a number or a letter after it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from confide.protect.recognizers.tokens import (
    SCORES,
    STOPWORDS,
    Run,
    Token,
    digit_item,
    digit_runs,
    word_set,
)
from confide.protect.spans import PiiSpan

_STREET_SUFFIXES = word_set(
    "street st road rd avenue ave lane ln drive close way court ct place pl crescent boulevard "
    "blvd terrace grove square sq parkway highway hwy circle row walk mews gardens"
)
_UNIT_WORDS = frozenset({"apartment", "apt", "flat", "unit", "suite", "floor"})


def find_addresses(tokens: Sequence[Token]) -> list[PiiSpan]:
    """ "twelve elm street", "221 b baker street apartment four", "flat 2b", ZIPs after them."""
    spans: list[PiiSpan] = []
    runs = {run.last: run for run in digit_runs(tokens)}
    covered = -1
    for index, token in enumerate(tokens):
        if index <= covered:
            continue
        if token.text in _STREET_SUFFIXES:
            start = _street_start(tokens, index, runs)
            if start is not None:
                end = _address_tail(tokens, index + 1, runs)
                score = SCORES["checked"]
                spans.append(PiiSpan(tokens[start].start, tokens[end].end, "ADDRESS", score))
                covered = end
        elif token.text in _UNIT_WORDS:
            unit_end = _unit_end(tokens, index)
            if unit_end is not None:
                score = SCORES["shape"]
                spans.append(PiiSpan(token.start, tokens[unit_end].end, "ADDRESS", score))
                covered = unit_end
    return spans


def _street_start(tokens: Sequence[Token], suffix: int, runs: dict[int, Run]) -> int | None:
    """Where the house number before the street name starts, or None without one."""
    names = 0
    index = suffix - 1
    while index >= 0 and names <= 3:
        token = tokens[index]
        if re.fullmatch(r"\d+[a-z]", token.text) and names:
            return index
        if index in runs and names:
            run = runs[index]
            return run.first if len(run.digits) <= 5 else None
        if re.fullmatch(r"[a-z]", token.text) and names and index - 1 in runs:
            run = runs[index - 1]
            return run.first if len(run.digits) <= 5 else None
        if not re.fullmatch(r"[a-z][a-z']*", token.text) or token.text in STOPWORDS:
            return None
        names += 1
        index -= 1
    return None


def _unit_end(tokens: Sequence[Token], index: int) -> int | None:
    at = index + 1
    while at < len(tokens) and tokens[at].text in ("number", "no", "#"):
        at += 1
    if at >= len(tokens):
        return None
    item = digit_item(tokens, at)
    if item is not None:
        end = item[1]
        if end < len(tokens) and re.fullmatch(r"[a-z]", tokens[end].text):
            end += 1
        return end - 1
    if re.fullmatch(r"\d+[a-z]|[a-z]", tokens[at].text):
        return at
    return None


def _address_tail(tokens: Sequence[Token], index: int, runs: dict[int, Run]) -> int:
    """Last token of a unit and a ZIP code that follow a street, if they do."""
    end = index - 1
    at = _skip_commas(tokens, index)
    if at < len(tokens) and tokens[at].text in _UNIT_WORDS:
        unit = _unit_end(tokens, at)
        if unit is not None:
            end = unit
            at = _skip_commas(tokens, unit + 1)
    zip_code = next((run for run in runs.values() if run.first == at), None)
    if zip_code is not None and len(zip_code.digits) in (5, 9):
        end = zip_code.last
    return end


def _skip_commas(tokens: Sequence[Token], index: int) -> int:
    while index < len(tokens) and tokens[index].text == ",":
        index += 1
    return index

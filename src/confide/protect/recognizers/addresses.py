"""Street addresses: "twelve elm street", "221 b baker street apartment four", "flat 2b".

A street suffix alone is everyday ("the high street"), so a street needs a house number before
its name; a unit ("flat", "apartment", "box") needs a number or a letter after it; a city and
state between a street and its ZIP code are taken with it.
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
    # The street types of the US Postal Service's standard (Publication 28, appendix C1), as
    # they are said: after a house number, any of them ends a street's name.
    " alley annex arcade bayou beach bend bluff bluffs bottom branch bridge brook brooks burg "
    "burgs bypass camp canyon cape causeway center centers circles cliff cliffs club common "
    "commons corner corners course courts cove coves creek crest crossing crossroad crossroads "
    "curve dale dam divide drives estate estates expressway extension extensions falls ferry "
    "field fields flat flats ford fords forest forge forges fork forks fort freeway garden "
    "gateway glen glens green greens groves harbor harbors haven heights hill hills hollow "
    "inlet island islands isle junction junctions key keys knoll knolls lake lakes land landing "
    "lanes light lights loaf lock locks lodge loop mall manor manors meadow meadows mill mills "
    "mission motorway mount mountain mountains neck orchard oval overpass park parks parkways "
    "pass passage path pike pine pines plain plains plaza point points port ports prairie "
    "radial ramp ranch rapid rapids rest ridge ridges river roads route rue run shoal shoals "
    "shore shores skyway spring springs spur spurs squares station stravenue stream streets "
    "summit terraces throughway trace track trafficway trail trailer tunnel turnpike underpass "
    "union unions valley valleys via viaduct view views village villages ville vista walks "
    "wall ways well wells"
)
_UNIT_WORDS = frozenset({"apartment", "apt", "flat", "unit", "suite", "floor", "box"})
_PLACE_CUES = tuple(
    tuple(cue.split())
    for cue in (
        "lives on",
        "live on",
        "living on",
        "lives at",
        "live at",
        "located at",
        "located on",
        "corner of",
        "address is",
        "moved to",
        "reside on",
        "resides on",
        "stay on",
        "stays on",
    )
)
"""Words before a street's name that make it an address even without a house number."""
MAX_UNIT_DIGITS = 5
"""A flat's or a box's number said in several words ("box eighty two fifty three") is one."""
ZIP_REACH = 5
"""At most this many words (a city, a state) between a street and the ZIP code that ends it."""


def find_addresses(tokens: Sequence[Token]) -> list[PiiSpan]:
    """ "twelve elm street", "221 b baker street apartment four", "flat 2b", ZIPs after them."""
    spans: list[PiiSpan] = []
    runs = {run.last: run for run in digit_runs(tokens)}
    covered = -1
    for index, token in enumerate(tokens):
        if index <= covered:
            continue
        start = _street_start(tokens, index, runs) if token.text in _STREET_SUFFIXES else None
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
            return index + 1 if names and _place_cue(tokens, index + 1) else None
        names += 1
        index -= 1
    return None


def _place_cue(tokens: Sequence[Token], index: int) -> bool:
    """Whether the words before `index` say that a street's name follows ("she lives on", "the
    corner of ... and"), so that the street is someone's address without a house number."""
    before = tuple(token.text for token in tokens[max(0, index - 3) : index])
    return any(before[len(before) - len(cue) :] == cue for cue in _PLACE_CUES)


def _unit_end(tokens: Sequence[Token], index: int) -> int | None:
    at = index + 1
    while at < len(tokens) and tokens[at].text in ("number", "no", "#", "."):
        at += 1
    if at >= len(tokens):
        return None
    run = next((run for run in digit_runs(tokens[at:]) if run.first == 0), None)
    item = digit_item(tokens, at)
    if run is not None and len(run.digits) <= MAX_UNIT_DIGITS:
        item = run.digits, at + run.last + 1
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
    for reach in range(at, min(len(tokens), at + ZIP_REACH + 1)):
        zip_code = next((run for run in runs.values() if run.first == reach), None)
        if zip_code is not None:
            return zip_code.last if len(zip_code.digits) in (5, 9) else end
        if (
            not re.fullmatch(r"[a-z][a-z']*|,", tokens[reach].text)
            or tokens[reach].text in STOPWORDS
        ):
            break
    return end


def _skip_commas(tokens: Sequence[Token], index: int) -> int:
    while index < len(tokens) and tokens[index].text == ",":
        index += 1
    return index

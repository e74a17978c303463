"""Volume: "volume six" sets a level from zero to ten; "turn it up" moves it one step."""

from __future__ import annotations

import re

from confide.respond.base import Answer, Request
from confide.respond.speech import number_words, parse_number

LOUDEST = 10
"""Levels run from 0 (silent) to this."""
_UP = frozenset({"up", "louder", "higher", "increase", "raise"})
_DOWN = frozenset({"down", "quieter", "softer", "lower", "decrease", "reduce"})
_LOUDEST = frozenset({"max", "maximum", "full"})


def set_volume(request: Request) -> Answer:
    """Set the level heard, or step it up or down; the words of the request name the direction
    when no level slot was filled."""
    slot = request.slot("level")
    normalized = slot.normalized if slot is not None else None
    words = re.findall(r"[a-z]+|\d+", (slot.value if slot is not None else request.text).lower())
    if isinstance(normalized, int) and not isinstance(normalized, bool):
        level: int | None = normalized
    elif _LOUDEST & set(words):
        level = LOUDEST
    else:
        level = parse_number(words) if slot is not None else None
    if level is not None:
        if not 0 <= level <= LOUDEST:
            return Answer(f"The volume goes from zero to {number_words(LOUDEST)}.", "volume", {})
        return Answer(f"Volume {number_words(level)}.", "volume", {"volume": level})
    if _UP & set(words):
        return Answer("Turning it up.", "volume", {"volume_step": 1})
    if _DOWN & set(words):
        return Answer("Turning it down.", "volume", {"volume_step": -1})
    return Answer(
        f"What volume would you like, from zero to {number_words(LOUDEST)}?", "volume", {}
    )

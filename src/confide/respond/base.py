"""What a skill is given and what it gives back, and the seam to the household's stored state.

The respond stage takes plain values, not the understand stage's classes, so either side can
change its internals; the pipeline copies an understanding into a `Request`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from confide.errors import Malformed


@dataclass(frozen=True)
class Slot:
    """One slot the understand stage filled."""

    name: str
    """Which slot: "artist", "duration", "city", "list", "item", "level"..."""
    value: str
    """The text span as heard."""
    normalized: object | None = None
    """The value in a fixed form where the understand stage made one: "PT10M", 6, "2026-11-24"."""
    link: str | None = None
    """The catalog entry the value was linked to ("artist:queen"), or None."""


@dataclass(frozen=True)
class Request:
    """One utterance as understood, with the moment it was said."""

    intent: str | None
    """What is asked: "PlayMusic", "SetTimer", "DeleteToday"...; None when not understood."""
    slots: tuple[Slot, ...]
    """The slots, in the order they were heard."""
    text: str
    """The transcript."""
    now: datetime
    """The household's current time, timezone-aware: timers and dates are counted from it."""

    def __post_init__(self) -> None:
        if self.now.utcoffset() is None:
            raise Malformed("Request.now must be timezone-aware")

    def slot(self, *names: str) -> Slot | None:
        """The first slot called one of `names`, trying the names in the order given."""
        for name in names:
            for slot in self.slots:
                if slot.name == name:
                    return slot
        return None


@dataclass(frozen=True)
class Answer:
    """What the assistant does in reply."""

    text: str
    """What the device says and shows: short and spoken-style, numbers in words."""
    skill: str
    """Which skill answered: "music", "weather", "timer", "list", "volume", "stop", "privacy" or
    "fallback"."""
    action: dict[str, object]
    """The structured effect for the device and the app, e.g. {"volume": 4}; empty for speech
    alone."""
    offline: bool = False
    """True when the answer comes from an offline provider, which the text then says too."""


class HouseholdState(Protocol):
    """The stored state skills read and change for the person speaking; the server implements it
    over the database, the tests with a dictionary."""

    def add_item(self, kind: str, payload: dict[str, object], due_at: datetime | None) -> str:
        """Keep a timer (kind "timer") or a list entry (kind "list:<name>"); returns its id."""
        ...

    def items(self, kind_prefix: str) -> list[tuple[str, dict[str, object], datetime | None]]:
        """(id, payload, due_at) of every item whose kind starts with `kind_prefix`."""
        ...

    def remove_item(self, item_id: str) -> None:
        """Forget one item."""
        ...

    def delete_last_utterance(self) -> int:
        """Delete the person's previous interaction (not the one being answered); returns how
        many were deleted, 0 or 1."""
        ...

    def delete_today(self) -> int:
        """Delete everything the person said today; returns how many interactions that was."""
        ...

    def recent_transcripts(self, limit: int) -> list[tuple[datetime, str]]:
        """Up to `limit` of the newest (when, transcript) heard from the person, newest first,
        not counting the interaction being answered."""
        ...

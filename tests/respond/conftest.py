"""Fixtures for the skills: a household kept in a dictionary, and requests made on a Monday."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from confide.respond import Request, Slot

MONDAY_EVENING = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)


class FakeHousehold:
    """`HouseholdState` over a dictionary; deletions report the counts the test sets."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[str, dict[str, object], datetime | None]] = {}
        self.last_utterances = 0
        """What `delete_last_utterance` finds to delete (0 or 1)."""
        self.today = 0
        """How many interactions `delete_today` finds."""
        self.transcripts: list[tuple[datetime, str]] = []
        """What was heard, newest first."""
        self.calls: list[str] = []
        """The deletions and reads asked for, in order."""

    def add_item(self, kind: str, payload: dict[str, object], due_at: datetime | None) -> str:
        item_id = f"item-{len(self.kept) + 1}"
        self.kept[item_id] = (kind, payload, due_at)
        return item_id

    def items(self, kind_prefix: str) -> list[tuple[str, dict[str, object], datetime | None]]:
        return [
            (item_id, payload, due_at)
            for item_id, (kind, payload, due_at) in self.kept.items()
            if kind.startswith(kind_prefix)
        ]

    def remove_item(self, item_id: str) -> None:
        del self.kept[item_id]

    def delete_last_utterance(self) -> int:
        self.calls.append("delete_last_utterance")
        deleted, self.last_utterances = self.last_utterances, 0
        return deleted

    def delete_today(self) -> int:
        self.calls.append("delete_today")
        deleted, self.today = self.today, 0
        return deleted

    def recent_transcripts(self, limit: int) -> list[tuple[datetime, str]]:
        self.calls.append(f"recent_transcripts({limit})")
        return self.transcripts[:limit]


@pytest.fixture
def household() -> FakeHousehold:
    return FakeHousehold()


@pytest.fixture
def now() -> datetime:
    """When requests are made unless a test says otherwise: Monday 23 November 2026, 18:30 UTC."""
    return MONDAY_EVENING


@pytest.fixture
def ask(now: datetime) -> Callable[..., Request]:
    """`ask(intent, *slots, text="", now=now)`: a request as the understand stage hands it over."""

    def make(intent: str | None, *slots: Slot, text: str = "", when: datetime = now) -> Request:
        return Request(intent, slots, text, when)

    return make

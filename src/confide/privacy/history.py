"""Finding things in one's own history: by date, by device, by what was asked, and by whether a
reviewer heard it.

The words are sealed, so no database index can search them: the person's own interactions are
opened for them, newest first, and matched here, at most SCAN_LIMIT of them, which the page says
when it stops short. Dates, device and review are asked of the database first, so the words are
only read where they could match.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Exists, exists, select
from sqlalchemy.orm import Session

from confide.privacy.export import OwnInteraction, own_interactions
from confide.privacy.keys import KeyRing
from confide.store.database import as_utc
from confide.store.tables import Device, Interaction, ReviewTask

SCAN_LIMIT = 2000
"""The most interactions one search opens: a year of a busy speaker."""
MAX_WORDS = 100
"""The longest search text."""


@dataclass(frozen=True)
class HistoryFilter:
    """What a person looks for in their history; every field empty means everything."""

    words: str = ""
    """Text that what was heard or answered contains, any case."""
    since: date | None = None
    """The first day (UTC), included."""
    until: date | None = None
    """The last day (UTC), included."""
    device_id: str | None = None
    """One of the person's devices."""
    reviewed: bool | None = None
    """True: only what a reviewer was handed; False: only what none was."""

    @property
    def active(self) -> bool:
        return any((self.words, self.since, self.until, self.device_id, self.reviewed is not None))


EVERYTHING = HistoryFilter()


@dataclass(frozen=True)
class Found:
    items: list[OwnInteraction]
    """The page asked for."""
    more: bool
    """Whether more match after it."""
    reviewed: frozenset[str]
    """Ids among `items` a reviewer was handed."""
    cut_short: bool
    """The words were looked for in the newest SCAN_LIMIT only."""


def search_history(
    session: Session,
    keyring: KeyRing,
    person_id: str,
    wanted: HistoryFilter,
    *,
    limit: int,
    offset: int,
) -> Found:
    found = conditions(wanted)
    if wanted.words:
        opened = own_interactions(
            session, keyring, person_id, limit=SCAN_LIMIT + 1, conditions=found
        )
        cut_short = len(opened) > SCAN_LIMIT
        needle = wanted.words.casefold()
        matching = [item for item in opened[:SCAN_LIMIT] if needle in _said(item)]
        page = matching[offset : offset + limit + 1]
    else:
        cut_short = False
        page = own_interactions(
            session, keyring, person_id, limit=limit + 1, offset=offset, conditions=found
        )
    items = page[:limit]
    return Found(items, len(page) > limit, _reviewed(session, items), cut_short)


@dataclass(frozen=True)
class Week:
    starts: date
    """Its Monday."""
    interactions: int
    reviewed: int
    """Of those, the ones a reviewer was handed."""


def activity(session: Session, person_id: str, today: date, weeks: int) -> list[Week]:
    """The person's interactions per week for the last `weeks` weeks up to this one, oldest
    first, and how many of them a reviewer was handed."""
    first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    rows = session.execute(
        select(Interaction.created_at, _handed()).where(
            Interaction.owner_id == person_id,
            Interaction.created_at >= datetime.combine(first, time(), UTC),
        )
    )
    said: Counter[date] = Counter()
    reviewed: Counter[date] = Counter()
    for created, handed in rows:
        day = as_utc(created).date()
        monday = day - timedelta(days=day.weekday())
        said[monday] += 1
        reviewed[monday] += bool(handed)
    mondays = [first + timedelta(weeks=n) for n in range(weeks)]
    return [Week(monday, said[monday], reviewed[monday]) for monday in mondays]


def own_devices(session: Session, person_id: str) -> list[tuple[str, str]]:
    """(id, name) of each device the person's history came from, by name."""
    rows = session.execute(
        select(Device.id, Device.name)
        .join(Interaction, Interaction.device_id == Device.id)
        .where(Interaction.owner_id == person_id)
        .distinct()
        .order_by(Device.name)
    )
    return [(device_id, name) for device_id, name in rows]


def conditions(wanted: HistoryFilter) -> list[ColumnElement[bool]]:
    """What `wanted` asks of the database (all but the words), on Interaction."""
    wheres: list[ColumnElement[bool]] = []
    if wanted.since is not None:
        wheres.append(Interaction.created_at >= datetime.combine(wanted.since, time(), UTC))
    if wanted.until is not None:  # the day's last moment: 9999-12-31 has no next day
        wheres.append(Interaction.created_at <= datetime.combine(wanted.until, time.max, UTC))
    if wanted.device_id is not None:
        wheres.append(Interaction.device_id == wanted.device_id)
    if wanted.reviewed is not None:
        wheres.append(_handed() if wanted.reviewed else ~_handed())
    return wheres


def _handed() -> Exists:
    """Whether a reviewer was handed the interaction (a task of it was ever assigned)."""
    return exists(
        select(ReviewTask.id).where(
            ReviewTask.interaction_id == Interaction.id, ReviewTask.assigned_at.is_not(None)
        )
    )


def _said(item: OwnInteraction) -> str:
    answer: dict[str, Any] = item.answer or {}
    return f"{item.heard or ''}\n{answer.get('text') or ''}".casefold()


def _reviewed(session: Session, items: list[OwnInteraction]) -> frozenset[str]:
    ids = [item.id for item in items]
    handed = session.scalars(
        select(ReviewTask.interaction_id).where(
            ReviewTask.interaction_id.in_(ids), ReviewTask.assigned_at.is_not(None)
        )
    )
    return frozenset(handed)

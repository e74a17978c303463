"""How review keeps up: clips sampled into the queue and labelled, day by day, the queue's depth
now, and what each reviewer labelled. For the lead's and the admin's charts; counts only, no
clip and no customer in them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from confide.store.database import as_utc
from confide.store.tables import Annotation, ReviewTask


@dataclass(frozen=True)
class Day:
    day: date
    sampled: int
    """Clips that entered review that day."""
    labelled: int
    """Labels reviewers submitted that day (adjudications not counted)."""


def daily(session: Session, now: datetime, days: int) -> list[Day]:
    """The last `days` days (UTC) up to today, oldest first."""
    first = (now - timedelta(days=days - 1)).date()
    since = datetime.combine(first, datetime.min.time(), now.tzinfo)
    sampled = Counter(
        as_utc(moment).date()
        for moment in session.scalars(
            select(ReviewTask.sampled_at).where(ReviewTask.sampled_at >= since)
        )
    )
    labelled = Counter(
        as_utc(moment).date()
        for moment in session.scalars(
            select(Annotation.submitted_at).where(
                Annotation.submitted_at >= since, Annotation.adjudication.is_(False)
            )
        )
    )
    return [
        Day(day, sampled[day], labelled[day])
        for day in (first + timedelta(days=n) for n in range(days))
    ]


def queue_depth(session: Session) -> int:
    """Clips waiting for a reviewer now."""
    return session.scalar(select(func.count()).where(ReviewTask.status == "queued")) or 0


def labelled_by(session: Session, since: datetime) -> dict[str, int]:
    """Labels each reviewer (by staff id) submitted since `since`."""
    rows = session.execute(
        select(Annotation.reviewer_id, func.count())
        .where(Annotation.submitted_at >= since, Annotation.adjudication.is_(False))
        .group_by(Annotation.reviewer_id)
    )
    return {reviewer: count for reviewer, count in rows}

"""The sweep: the database, not the broker, says what work is left, so a lost message, a killed
worker or a restarted broker only delays an interaction, never loses it.

Every worker process heartbeats into `workers` and sweeps every few seconds. An interaction is
due again when no live claim holds it and it has waited `redrive_after` since it was last sent;
the sweeper that moves its `queued_at` on is the one that sends it, so two sweepers never both
do. The caller commits (a sweep's claims hold from then).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from confide.pipeline import WAITING, lease_dead
from confide.store.tables import Interaction, ReviewTask, ScheduleClaim, Worker

REDRIVE_SECONDS = 20
"""An interaction no one holds is sent again once it has waited this long since it was last sent
(or uploaded): past WORKER_DEAD_SECONDS, so that a dead worker's claim is taken up again within
half a minute, and long enough that a message waiting its turn in a busy queue is rarely sent
twice (a second one costs a claim that finds the work done)."""
BATCH = 500
"""At most this many interactions of each kind per sweep; the next sweep takes the rest."""
WORKERS_KEPT = timedelta(days=1)
"""A worker not heard from for this long is forgotten."""


@dataclass(frozen=True)
class Due:
    """What the database says needs a job now."""

    answer: list[str] = field(default_factory=list)
    """Interaction ids to (re)send to the answers queue."""
    protect: list[str] = field(default_factory=list)
    """Interaction ids whose sampled clips wait for protection."""


def heartbeat(session: Session, worker_id: str, now: datetime) -> None:
    """Say this worker process is alive at `now`, so its claims hold."""
    seen = session.scalar(
        update(Worker).where(Worker.id == worker_id).values(seen_at=now).returning(Worker.id)
    )
    if seen is None:
        host = socket.gethostname()[:255]
        session.add(Worker(id=worker_id, host=host, pid=os.getpid(), started_at=now, seen_at=now))
        session.flush()


def due(session: Session, now: datetime, *, redrive_after: float = REDRIVE_SECONDS) -> Due:
    """Claim what needs sending again: interactions still to be answered, and answered ones
    whose sampled clips wait for protection, that no live claim holds and that were last sent
    (or uploaded) more than `redrive_after` seconds ago. Also forgets long-gone workers."""
    stale = (
        lease_dead(now),
        func.coalesce(Interaction.queued_at, Interaction.created_at)
        < now - timedelta(seconds=redrive_after),
    )
    protecting = (
        select(ReviewTask.id)
        .where(ReviewTask.interaction_id == Interaction.id, ReviewTask.status == "protecting")
        .exists()
    )
    answer = _claim(session, now, Interaction.status.in_(WAITING), *stale)
    protect = _claim(session, now, Interaction.status == "answered", protecting, *stale)
    session.execute(delete(Worker).where(Worker.seen_at < now - WORKERS_KEPT))
    return Due(answer, protect)


def _claim(session: Session, now: datetime, *conditions: ColumnElement[bool]) -> list[str]:
    """Mark up to BATCH interactions meeting `conditions` as sent now; their ids. In
    PostgreSQL rows another sweeper has locked are skipped; SQLite has one writer at a time."""
    found = (
        select(Interaction.id)
        .where(*conditions)
        .order_by(func.coalesce(Interaction.queued_at, Interaction.created_at))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
        .correlate(None)
    )
    claimed = session.scalars(
        update(Interaction)
        .where(Interaction.id.in_(found))
        .values(queued_at=now)
        .returning(Interaction.id)
        .execution_options(synchronize_session=False)
    )
    return list(claimed)


def claim_slot(session: Session, name: str, slot: datetime) -> bool:
    """Claim the periodic job `name` for the slot starting at `slot` (the caller commits):
    True for the one caller in the cluster that moved its row on to `slot`, or made it."""
    moved = session.scalar(
        update(ScheduleClaim)
        .where(ScheduleClaim.name == name, ScheduleClaim.slot_at < slot)
        .values(slot_at=slot)
        .returning(ScheduleClaim.name)
    )
    if moved is not None:
        return True
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    made = session.scalar(
        dialect.insert(ScheduleClaim)
        .values(name=name, slot_at=slot)
        .on_conflict_do_nothing(index_elements=[ScheduleClaim.name])
        .returning(ScheduleClaim.name)
    )
    return made is not None

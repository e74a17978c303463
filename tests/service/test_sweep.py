"""The sweep: what the database says needs a job, claimed so that two sweepers never both send
it, and the hourly slot that one worker of the cluster wins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from confide.pipeline import LEASE_SECONDS, WORKER_DEAD_SECONDS
from confide.service.sweep import (
    REDRIVE_SECONDS,
    WORKERS_KEPT,
    Due,
    claim_slot,
    due,
    heartbeat,
)
from confide.store.database import sessions
from confide.store.tables import Interaction, ReviewTask, Worker
from confide_testing import racing

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
OLD = REDRIVE_SECONDS * 3
"""Seconds ago: long past the re-drive wait."""


@dataclass(frozen=True)
class Case:
    status: str
    age: float
    """Seconds since it was uploaded."""
    lease: str | None = None
    """None, 'live', 'expired', 'quiet worker' (its worker stopped heartbeating) or 'no
    heartbeat' (a one-off command's claim, unexpired)."""
    protecting: bool = False
    """Whether a sampled clip of it waits for protection."""
    queued_ago: float | None = None
    """Seconds since the sweep last sent it; None if never."""


CASES = {
    "fresh received": (Case("received", 1), None),
    "old received": (Case("received", OLD), "answer"),
    "sent again just now": (Case("received", OLD, queued_ago=1), None),
    "sent again long ago": (Case("received", OLD, queued_ago=OLD), "answer"),
    "live lease": (Case("processing", OLD, "live"), None),
    "expired lease": (Case("processing", OLD, "expired"), "answer"),
    "dead worker's lease": (Case("processing", OLD, "quiet worker"), "answer"),
    "unexpired lease without heartbeats": (Case("processing", OLD, "no heartbeat"), None),
    "released lease": (Case("processing", OLD), "answer"),
    "answered": (Case("answered", OLD), None),
    "answered, clip protecting": (Case("answered", OLD, protecting=True), "protect"),
    "answered just now, clip protecting": (
        Case("answered", OLD, protecting=True, queued_ago=1),
        None,
    ),
    "clip protecting under a live lease": (
        Case("answered", OLD, "live", protecting=True),
        None,
    ),
    "clip protecting, worker dead": (
        Case("answered", OLD, "quiet worker", protecting=True),
        "protect",
    ),
    "failed": (Case("failed", OLD), None),
    "failed, clip protecting": (Case("failed", OLD, protecting=True), None),
}


def add_interaction(session, household, case: Case) -> str:
    """One interaction in the state `case` describes, seen from NOW."""
    person, device = household.people["alice"].id, household.devices["alice"].id
    iid = uuid.uuid4().hex
    ago = timedelta(seconds=case.age)
    leases = {
        "live": ("busy", NOW + timedelta(seconds=LEASE_SECONDS), NOW),
        "expired": ("busy", NOW - timedelta(seconds=1), NOW),
        "quiet worker": ("gone", NOW + timedelta(seconds=LEASE_SECONDS), NOW - 2 * ago),
        "no heartbeat": (None, NOW + timedelta(seconds=LEASE_SECONDS), None),
    }
    worker, leased_until, seen = leases[case.lease] if case.lease else (None, None, None)
    if worker and session.get(Worker, worker) is None:
        session.add(Worker(id=worker, host="h", pid=1, started_at=NOW - ago, seen_at=seen))
    session.add(
        Interaction(
            id=iid,
            owner_id=person,
            device_id=device,
            client_id=iid,
            created_at=NOW - ago,
            status=case.status,
            attempts=1,
            audio_seconds=1.0,
            lease_worker=worker or ("one-off" if case.lease else None),
            lease_token=uuid.uuid4().hex if case.lease else None,
            leased_until=leased_until,
            queued_at=None if case.queued_ago is None else NOW - timedelta(seconds=case.queued_ago),
        )
    )
    session.flush()
    if case.protecting:
        session.add(
            ReviewTask(
                id=uuid.uuid4().hex,
                interaction_id=iid,
                owner_id=person,
                group_id=iid,
                kind="first",
                stratum="random",
                status="protecting",
                pseudonym="Clip",
                sampled_at=NOW - ago,
            )
        )
    session.commit()
    return iid


@pytest.mark.parametrize(("case", "expected"), list(CASES.values()), ids=list(CASES))
def test_what_is_due(session, household, case: Case, expected: str | None) -> None:
    iid = add_interaction(session, household, case)
    found = due(session, NOW)
    session.commit()
    assert found == Due(
        answer=[iid] if expected == "answer" else [], protect=[iid] if expected == "protect" else []
    )
    session.expunge_all()
    sent = session.get(Interaction, iid)
    assert (sent.queued_at is not None and sent.queued_at.replace(tzinfo=UTC) == NOW) is (
        expected is not None
    )
    assert due(session, NOW) == Due(), "once sent, it waits the re-drive time again"


def test_two_sweepers_racing_send_each_interaction_once(engine, session, household) -> None:
    """Both sweepers find the same interactions; neither sends one the other sent."""
    waiting = {add_interaction(session, household, Case("received", OLD)) for _ in range(20)}
    waiting |= {add_interaction(session, household, Case("processing", OLD, "expired"))}
    found: list[Due] = []

    def sweeper() -> None:
        with sessions(engine)() as own:
            found.append(due(own, NOW))
            own.commit()

    racing(engine, sweeper, sweeper)
    first, second = (set(result.answer) for result in found)
    assert first.isdisjoint(second)
    assert first | second == waiting


def test_a_heartbeat_registers_then_refreshes_a_worker(session) -> None:
    heartbeat(session, "w1", NOW - timedelta(seconds=30))
    heartbeat(session, "w1", NOW)
    session.commit()
    (worker,) = session.scalars(select(Worker)).all()
    assert (worker.id, worker.pid > 0, worker.host != "") == ("w1", True, True)
    assert worker.started_at.replace(tzinfo=UTC) == NOW - timedelta(seconds=30)
    assert worker.seen_at.replace(tzinfo=UTC) == NOW


def test_workers_gone_for_a_day_are_forgotten(session) -> None:
    heartbeat(session, "gone", NOW - WORKERS_KEPT - timedelta(seconds=1))
    heartbeat(session, "quiet", NOW - timedelta(seconds=WORKER_DEAD_SECONDS * 10))
    due(session, NOW)
    session.commit()
    assert session.scalars(select(Worker.id)).all() == ["quiet"]


def test_one_claim_per_slot(session) -> None:
    hour = NOW.replace(minute=0)
    assert claim_slot(session, "hourly", hour)
    assert not claim_slot(session, "hourly", hour)
    assert claim_slot(session, "other", hour), "each periodic job has a slot of its own"
    assert not claim_slot(session, "hourly", hour - timedelta(hours=1)), "never back in time"
    assert claim_slot(session, "hourly", hour + timedelta(hours=1))

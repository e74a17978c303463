"""The audit chain: every human access and every change, hash-linked and append-only.

Each event's hash covers its fields and the previous event's hash, so editing, deleting or
reordering any event breaks every link after it. The database refuses UPDATE and DELETE on
the table (triggers), and `verify` names the first link that does not hold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from confide.errors import AuditChainBroken
from confide.store.tables import AuditEvent, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Access:
    """Who did what to whose data, and why: the customer sees these rows."""

    actor: str
    """The person or service: a pseudonym for reviewers, never their real name."""
    role: str
    """owner, reviewer, lead, safety, privacy_officer, admin, system."""
    action: str
    """A verb: listen, read_transcript, delete, consent_change, ..."""
    subject: str
    """What was touched: an interaction id, a consent name, ..."""
    reason: str
    """Why, in words the customer can read."""
    owner_id: str | None = None
    """Whose data it was, so their "who accessed my recordings" can list it."""


def _digest(previous_hash: str, sequence: int, at: str, access: Access) -> str:
    body = json.dumps(
        [
            sequence,
            at,
            access.actor,
            access.role,
            access.action,
            access.owner_id,
            access.subject,
            access.reason,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{previous_hash}|{body}".encode()).hexdigest()


def append(session: Session, access: Access) -> AuditEvent:
    """Add one link; concurrent appenders queue on the chain's head row."""
    sequence, previous_hash = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(sequence=AuditHead.sequence + 1)
        .returning(AuditHead.sequence, AuditHead.hash)
    ).one()
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    digest = _digest(previous_hash, sequence, at, access)
    event = AuditEvent(
        sequence=sequence,
        at=at,
        actor=access.actor,
        role=access.role,
        action=access.action,
        owner_id=access.owner_id,
        subject=access.subject,
        reason=access.reason,
        previous_hash=previous_hash,
        hash=digest,
    )
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=digest))
    session.flush()
    return event


def events(session: Session, owner_id: str | None = None) -> Iterator[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.sequence)
    if owner_id is not None:
        query = query.where(AuditEvent.owner_id == owner_id)
    yield from session.scalars(query)


def verify(session: Session) -> int:
    """Check every link; return the number of events, or raise naming the first broken one."""
    previous_hash, expected = GENESIS, 1
    for event in events(session):
        if event.sequence != expected:
            raise AuditChainBroken(expected, f"event {expected} is missing")
        if event.previous_hash != previous_hash:
            raise AuditChainBroken(event.sequence, "it does not link to the event before it")
        access = Access(
            event.actor, event.role, event.action, event.subject, event.reason, event.owner_id
        )
        if _digest(previous_hash, event.sequence, event.at, access) != event.hash:
            raise AuditChainBroken(event.sequence, "its content does not match its hash")
        previous_hash, expected = event.hash, expected + 1
    head = session.execute(text("SELECT sequence, hash FROM audit_head WHERE id = 1")).one()
    if (head.sequence, head.hash) != (expected - 1, previous_hash):
        raise AuditChainBroken(expected, f"the chain ends early; its head is at {head.sequence}")
    return expected - 1

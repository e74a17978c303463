"""Retention: each person chooses how long their interactions are kept, and older ones go.

The choice is `Person.retention_days` (None keeps everything until the person deletes it).
`enforce_retention` deletes through `delete_interactions`, so automatic deletion reaches every
derived copy and leaves the same receipt, with scope 'retention', as deleting by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import NotFound, OutOfRange
from confide.privacy.audit import Access, append
from confide.privacy.deletion import Receipt, delete_interactions
from confide.privacy.keys import KeyRing
from confide.store.blobs import BlobStore
from confide.store.tables import Interaction, Person

PRESETS = {91: "3 months", 548: "18 months"}
"""The periods offered by name, in days (a month taken as 30.44 days)."""
MAX_DAYS = 36500
"""A custom period is 1 day to 100 years."""
ACTOR = "retention"
"""Who the audit chain names for automatic deletion."""


def set_retention(session: Session, person_id: str, days: int | None, *, actor: str) -> None:
    """Keep `person_id`'s interactions for `days` (None: until they delete them); audited."""
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise OutOfRange(f"a retention period is 1 to {MAX_DAYS} days, not {days}")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person {person_id}")
    person.retention_days = days
    append(
        session,
        Access(
            actor=actor,
            role="owner",
            action="retention_changed",
            subject="retention",
            reason=describe(days),
            owner_id=person_id,
        ),
    )
    session.flush()


def describe(days: int | None) -> str:
    """The period in the words the privacy centre shows."""
    if days is None:
        return "keep until I delete them"
    return f"delete after {PRESETS.get(days, f'{days} days')}"


def enforce_retention(
    session: Session, keyring: KeyRing, blobs: BlobStore, now: datetime
) -> list[Receipt]:
    """Delete every interaction older than its owner's period; one receipt per person touched.

    The caller commits, as with every deletion.
    """
    people = session.scalars(
        select(Person).where(Person.retention_days.is_not(None), Person.erased_at.is_(None))
    ).all()
    receipts = []
    for person in people:
        cutoff = now - timedelta(days=person.retention_days or 0)
        expired = session.scalars(
            select(Interaction.id).where(
                Interaction.owner_id == person.id, Interaction.created_at < cutoff
            )
        ).all()
        if expired:
            receipts.append(
                delete_interactions(
                    session,
                    keyring,
                    blobs,
                    person.id,
                    expired,
                    scope="retention",
                    actor=ACTOR,
                    role="system",
                )
            )
    return receipts

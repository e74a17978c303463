"""Break-glass: hearing a clip's original audio, only with a second person's approval.

A lead or safety member asks, with a reason the customer will read. A privacy officer who is
not the asker approves or refuses. An approval opens the original for its asker alone, for a
limited time; every step, and every listen, is in the audit chain under the owner's id, so it
shows in their "who accessed my recordings" (invariants 5 and 6).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import AccessDenied, NotFound, OutOfRange
from confide.privacy.audit import Access, append
from confide.privacy.contexts import audio_context
from confide.privacy.keys import KeyRing
from confide.review.staff import roles_of
from confide.review.watermark import mark_for
from confide.store.blobs import BlobStore
from confide.store.database import as_utc
from confide.store.tables import BreakGlass, Interaction, ReviewTask, StaffMember

APPROVAL_MINUTES = 30
"""How long an approval lasts."""
MIN_REASON = 20
"""A reason shorter than this cannot tell the customer why."""


def request(
    session: Session, member: StaffMember, task_id: str, reason: str, now: datetime
) -> BreakGlass:
    task = session.get(ReviewTask, task_id)
    if task is None:
        raise NotFound("no such task")
    if len(reason.strip()) < MIN_REASON:
        raise OutOfRange(
            f"give a reason of at least {MIN_REASON} characters; the customer reads it"
        )
    row = BreakGlass(
        id=uuid.uuid4().hex,
        task_id=task.id,
        requested_by=member.id,
        reason=reason.strip(),
        requested_at=now,
        status="pending",
    )
    session.add(row)
    append(
        session,
        Access(
            member.pseudonym,
            _role(member),
            "break_glass_request",
            f"interaction:{task.interaction_id}",
            f"asked to hear your original recording: {row.reason}",
            task.owner_id,
        ),
    )
    session.flush()
    return row


def pending(session: Session) -> list[BreakGlass]:
    return list(
        session.scalars(
            select(BreakGlass)
            .where(BreakGlass.status == "pending")
            .order_by(BreakGlass.requested_at)
        )
    )


def decide(
    session: Session, officer: StaffMember, request_id: str, approve: bool, now: datetime
) -> BreakGlass:
    """A privacy officer other than the asker approves (time-limited) or refuses."""
    row = session.get(BreakGlass, request_id)
    if row is None or row.status != "pending":
        raise NotFound("no such pending request")
    if "privacy_officer" not in roles_of(officer):
        raise AccessDenied("only a privacy officer decides break-glass requests")
    if row.requested_by == officer.id:
        raise AccessDenied("a second person must approve: you cannot decide your own request")
    row.status = "approved" if approve else "refused"
    row.decided_by, row.decided_at = officer.id, now
    row.expires_at = now + timedelta(minutes=APPROVAL_MINUTES) if approve else None
    task = session.get(ReviewTask, row.task_id)
    append(
        session,
        Access(
            officer.pseudonym,
            "privacy_officer",
            "break_glass_approve" if approve else "break_glass_refuse",
            f"interaction:{task.interaction_id if task else ''}",
            f"{'approved' if approve else 'refused'} a request to hear your original "
            f"recording{f' for {APPROVAL_MINUTES} minutes' if approve else ''}",
            task.owner_id if task else None,
        ),
    )
    session.flush()
    return row


def original_audio(
    session: Session,
    keyring: KeyRing,
    blobs: BlobStore,
    member: StaffMember,
    request_id: str,
    now: datetime,
) -> bytes:
    """The original recording, for the asker of a live approval only, marked for them; an audited
    listen."""
    row = session.get(BreakGlass, request_id)
    expires = row.expires_at if row else None
    if row is None or row.requested_by != member.id or row.status != "approved" or expires is None:
        raise NotFound("no such approved request")
    if as_utc(expires) <= now:
        raise AccessDenied("this approval has expired; ask again")
    task = session.get(ReviewTask, row.task_id)
    interaction = session.get(Interaction, task.interaction_id) if task else None
    if task is None or interaction is None or interaction.audio_key is None:
        raise NotFound("the original recording is no longer kept")
    wav = keyring.open(
        session,
        interaction.owner_id,
        blobs.get(interaction.audio_key),
        audio_context(interaction.id),
    )
    append(
        session,
        Access(
            member.pseudonym,
            _role(member),
            "listen_original",
            f"interaction:{task.interaction_id}",
            f"listened to your original recording under an approved request: {row.reason}",
            interaction.owner_id,
        ),
    )
    session.flush()
    return mark_for(wav, keyring.watermark_secret(), member.id)


def _role(member: StaffMember) -> str:
    roles = roles_of(member)
    return next(
        (r for r in ("safety", "lead", "privacy_officer", "admin") if r in roles), "reviewer"
    )

"""Break-glass: hearing a clip's original audio, only with a second person's approval.

A lead or safety member asks, with a reason the customer will read. A privacy officer who is
not the asker approves or refuses. An approval opens the original for its asker alone, for a
limited time; every step, and every listen, is in the audit chain under the owner's id, so it
shows in their "who accessed my recordings" (invariants 5 and 6).

Two accounts are not two people: an admin who makes accounts can hold both. So an approval
also needs, read from the staff changes in the audit chain:

- an established officer: one made PROBATION or more ago, so a new account is known to the
  team before it can open anything;
- two separate lines of creation: the asker's account and every admin above it that made it,
  and the same for the officer, share no account. Neither made the other, directly or through
  an admin they made, and no admin made both. The command line is outside every line: whoever
  runs it holds the server itself. An account whose making is not in the chain has no known
  line, so it cannot take part in an approval;
- hands clean of granting: an account that changed staff within GRANT_COOLING of now may neither
  ask nor approve, so no one grants roles and uses them the same day.

Refusing opens nothing, so it needs only the role and a second person.
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
from confide.review.staff import ADDED, COMMAND_LINE, StaffChange, roles_of, staff_changes
from confide.review.watermark import mark_for
from confide.store.blobs import BlobStore
from confide.store.database import as_utc
from confide.store.tables import BreakGlass, Interaction, ReviewTask, StaffMember

APPROVAL_MINUTES = 30
"""How long an approval lasts."""
MIN_REASON = 20
"""A reason shorter than this cannot tell the customer why."""
PROBATION = timedelta(days=7)
"""How long a new privacy officer waits before approving."""
GRANT_COOLING = timedelta(days=1)
"""How long after changing staff an account may not ask or approve; counted back from the
moment, not from midnight, so a change at 23:59 does not free its maker at 00:00."""


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
    _refuse_granters(staff_changes(session), now, member)
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


def decided(session: Session, limit: int = 50) -> list[BreakGlass]:
    """The latest decisions, newest first: what an officer checks the team's requests by."""
    return list(
        session.scalars(
            select(BreakGlass)
            .where(BreakGlass.status != "pending")
            .order_by(BreakGlass.decided_at.desc())
            .limit(limit)
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
    if approve:
        _refuse_one_person(session, officer, session.get_one(StaffMember, row.requested_by), now)
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


def _refuse_one_person(
    session: Session, officer: StaffMember, asker: StaffMember, now: datetime
) -> None:
    """AccessDenied unless the officer and the asker can be two people (the module's rules)."""
    if as_utc(officer.created_at) > now - PROBATION:
        raise AccessDenied(
            f"a privacy officer approves only after {PROBATION.days} days on the team"
        )
    changes = staff_changes(session)
    _refuse_granters(changes, now, officer, asker)
    made_by = {c.pseudonym: c.by for c in changes if c.action == ADDED}
    officer_line, asker_line = _line(made_by, officer.pseudonym), _line(made_by, asker.pseudonym)
    if officer.pseudonym in asker_line or asker.pseudonym in officer_line:
        raise AccessDenied(
            "a second person must approve: one of you made the other, directly or through an admin"
        )
    if officer_line & asker_line:
        raise AccessDenied("a second person must approve: the same admin made you both")


def _refuse_granters(changes: list[StaffChange], now: datetime, *members: StaffMember) -> None:
    """AccessDenied if any of `members` changed staff within GRANT_COOLING of now."""
    granted = {c.by for c in changes if c.at > now - GRANT_COOLING}
    if granted & {m.pseudonym for m in members}:
        raise AccessDenied(
            "whoever changes staff may not ask for or approve break-glass for "
            f"{GRANT_COOLING.days} day after"
        )


def _line(made_by: dict[str, str], pseudonym: str) -> set[str]:
    """The account and every admin above it that made it, up to the command line."""
    line: set[str] = set()
    while pseudonym != COMMAND_LINE and pseudonym not in line:
        if pseudonym not in made_by:
            raise AccessDenied(f"the audit chain does not say who made {pseudonym}")
        line.add(pseudonym)
        pseudonym = made_by[pseudonym]
    return line


def _role(member: StaffMember) -> str:
    roles = roles_of(member)
    return next(
        (r for r in ("safety", "lead", "privacy_officer", "admin") if r in roles), "reviewer"
    )

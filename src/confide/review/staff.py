"""The people who work on reviews: roles, pseudonyms, password and TOTP for every one of them.

A staff member is known to customers only by a pseudonym and a role, and to other staff by the
same pseudonym: real names are not stored at all. Every role signs in with a password and a
TOTP code, through the sign-in check customers go through too; there is no role for which the
second factor is optional.

Every change to staff is in the audit chain, made by a named admin or at the command line: the
chain is the record of who made whom, which break-glass reads to keep its two people apart.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from confide.errors import AccessDenied, BadAccountDetails, LoginTaken, NotFound, UnknownChoice
from confide.privacy.audit import Access, append
from confide.privacy.contexts import staff_totp_context
from confide.privacy.credentials import hash_password, new_totp_secret, refuse_guessable
from confide.privacy.keys import KeyRing
from confide.store.tables import AuditEvent, ReviewTask, SignInSession, StaffMember

ROLES = {
    "reviewer": "transcribes and labels protected clips",
    "lead": "adjudicates disagreements, sets gold tasks, watches agreement",
    "safety": "is trained to handle distressing clips and follows docs/distress-procedure.md",
    "privacy_officer": "approves or refuses break-glass requests",
    "admin": "manages staff accounts",
}
"""Every role, with what it is for."""
COMMAND_LINE = "cli"
"""Who made a staff change at the command line: the operator of the server, not an account."""
ADDED = "staff_add"
"""The audit action of adding a staff member; every staff change's action starts 'staff_'."""
DISABLED, ENABLED = "staff_disable", "staff_enable"
ROLES_CHANGED = "staff_roles"
TOTP_RESET = "staff_totp_reset"
SESSIONS_ENDED = "staff_sessions_ended"


@dataclass(frozen=True)
class NewStaff:
    """A staff account just made, with the secret shown once."""

    id: str
    """The account's id."""
    pseudonym: str
    """What customers and colleagues see, e.g. 'Reviewer 4F2A'."""
    login: str
    """What they sign in with."""
    totp_secret: str
    """Base32 TOTP secret for their authenticator app, shown once."""


@dataclass(frozen=True)
class StaffChange:
    """One change to staff, as the audit chain holds it."""

    by: str
    """The pseudonym of the admin who made it, or COMMAND_LINE."""
    action: str
    """ADDED, or another 'staff_' action."""
    pseudonym: str
    """Whose account changed."""
    at: datetime
    """When it was written."""


def add_staff(
    session: Session,
    keyring: KeyRing,
    login: str,
    password: str,
    roles: set[str],
    *,
    by: StaffMember | None = None,
) -> NewStaff:
    """A new account, audited as made by the admin `by`, or at the command line if None; roles
    must be known, the password 12 characters or more and not guessable."""
    unknown = roles - ROLES.keys()
    if not roles or unknown:
        raise UnknownChoice(f"roles must be some of {', '.join(ROLES)}; got {sorted(roles)}")
    if not login or len(password) < 12:
        raise BadAccountDetails(
            "a staff member needs a login and a password of at least 12 characters"
        )
    refuse_guessable(password, known=[login])
    if session.scalar(select(StaffMember.id).where(StaffMember.login == login)):
        raise LoginTaken(f"the login {login!r} is taken")
    staff_id = uuid.uuid4().hex
    keyring.ensure_key(session, staff_id)
    secret = new_totp_secret()
    title = "Reviewer" if roles == {"reviewer"} else _title(roles)
    pseudonym = _unused_pseudonym(session, title)
    session.add(
        StaffMember(
            id=staff_id,
            pseudonym=pseudonym,
            login=login,
            password_hash=hash_password(password),
            totp_sealed=keyring.seal(
                session, staff_id, secret.encode(), staff_totp_context(staff_id)
            ),
            roles=",".join(sorted(roles)),
            active=True,
            created_at=datetime.now(UTC),
        )
    )
    append(
        session,
        Access(
            by.pseudonym if by else COMMAND_LINE,
            "admin" if by else "system",
            ADDED,
            f"staff:{pseudonym}",
            f"added a staff member with the roles {', '.join(sorted(roles))}",
        ),
    )
    session.flush()
    return NewStaff(staff_id, pseudonym, login, secret)


def member_by_pseudonym(session: Session, pseudonym: str) -> StaffMember:
    """The account a pseudonym names: how staff pages address a colleague, never by id."""
    member = session.scalar(select(StaffMember).where(StaffMember.pseudonym == pseudonym))
    if member is None:
        raise NotFound("no such staff member")
    return member


def set_active(session: Session, member: StaffMember, active: bool, *, by: StaffMember) -> None:
    """Disable an account (its sessions end at once, it signs in no more, and a clip it held
    goes back to the queue for someone else) or enable it again. An admin cannot disable
    themselves, so the team always keeps one admin who can."""
    if member.active == active:
        return
    if not active and member.id == by.id:
        raise AccessDenied("you cannot disable your own account: ask another admin")
    member.active = active
    if not active:
        _end_sessions(session, member)
        session.execute(
            update(ReviewTask)
            .where(ReviewTask.assigned_to == member.id, ReviewTask.status == "assigned")
            .values(status="queued", assigned_to=None, heard_at=None)
        )
    _audit_change(
        session,
        by,
        ENABLED if active else DISABLED,
        member,
        "disabled" if not active else "enabled again",
    )


def change_roles(
    session: Session, member: StaffMember, roles: set[str], *, by: StaffMember
) -> None:
    """The account's roles become `roles`. An admin keeps their own admin role, so the team
    is never left without one; the pseudonym stays, since customers' logs name it."""
    unknown = roles - ROLES.keys()
    if not roles or unknown:
        raise UnknownChoice(f"roles must be some of {', '.join(ROLES)}; got {sorted(roles)}")
    if member.id == by.id and "admin" not in roles:
        raise AccessDenied("you cannot give up your own admin role: ask another admin")
    if roles == roles_of(member):
        return
    member.roles = ",".join(sorted(roles))
    _audit_change(
        session, by, ROLES_CHANGED, member, f"set the roles to {', '.join(sorted(roles))}"
    )


def reset_totp(session: Session, keyring: KeyRing, member: StaffMember, *, by: StaffMember) -> str:
    """A new authenticator secret for the account, returned to be shown once; the old one
    signs in no more and the account's sessions end."""
    secret = new_totp_secret()
    member.totp_sealed = keyring.seal(
        session, member.id, secret.encode(), staff_totp_context(member.id)
    )
    member.totp_last_step = None
    _end_sessions(session, member)
    _audit_change(session, by, TOTP_RESET, member, "reset the authenticator secret")
    return secret


def end_sessions(session: Session, member: StaffMember, *, by: StaffMember) -> int:
    """Sign the account out everywhere; how many sessions ended."""
    ended = _end_sessions(session, member)
    _audit_change(session, by, SESSIONS_ENDED, member, f"ended {ended} signed-in session(s)")
    return ended


def live_sessions(session: Session, member: StaffMember, now: datetime) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                SignInSession.principal_kind == "staff",
                SignInSession.principal_id == member.id,
                SignInSession.expires_at > now,
            )
        )
        or 0
    )


def _end_sessions(session: Session, member: StaffMember) -> int:
    ended = session.execute(
        delete(SignInSession).where(
            SignInSession.principal_kind == "staff", SignInSession.principal_id == member.id
        )
    )
    session.flush()
    return int(getattr(ended, "rowcount", 0) or 0)


def _audit_change(
    session: Session, by: StaffMember, action: str, member: StaffMember, what: str
) -> None:
    append(session, Access(by.pseudonym, "admin", action, f"staff:{member.pseudonym}", what))
    session.flush()


def _unused_pseudonym(session: Session, title: str) -> str:
    """A short pseudonym no one else holds: four hex digits collide now and then, so draw again."""
    while True:
        pseudonym = f"{title} {secrets.token_hex(2).upper()}"
        if session.scalar(select(StaffMember.id).where(StaffMember.pseudonym == pseudonym)) is None:
            return pseudonym


def staff_changes(session: Session) -> list[StaffChange]:
    """Every change to staff, oldest first, read back from the audit chain: the one record of
    who made whom, since a staff row does not say."""
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.startswith("staff_", autoescape=True))
        .order_by(AuditEvent.sequence)
    )
    return [
        StaffChange(
            e.actor, e.action, e.subject.removeprefix("staff:"), datetime.fromisoformat(e.at)
        )
        for e in rows
    ]


def roles_of(member: StaffMember) -> frozenset[str]:
    return frozenset(filter(None, member.roles.split(",")))


def _title(roles: set[str]) -> str:
    for role in ("admin", "privacy_officer", "safety", "lead"):
        if role in roles:
            return {"privacy_officer": "Privacy", "safety": "Safety"}.get(role, role.title())
    return "Reviewer"

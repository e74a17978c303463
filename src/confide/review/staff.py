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

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import BadAccountDetails, LoginTaken, UnknownChoice
from confide.privacy.audit import Access, append
from confide.privacy.contexts import staff_totp_context
from confide.privacy.credentials import hash_password, new_totp_secret, refuse_guessable
from confide.privacy.keys import KeyRing
from confide.store.tables import AuditEvent, StaffMember

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

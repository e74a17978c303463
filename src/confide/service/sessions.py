"""The session store: one table of sign-in sessions for every kind of principal.

A session's id lives only in its cookie; the table keeps the id's hash, so a copy of the database
signs no one in. Each row names its principal's kind, and a lookup asks for one kind: a staff
member's session never opens a customer's pages, nor the other way round.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from confide.ingest import token_hash
from confide.store.tables import PrincipalKind, SignInSession


def open_session(
    session: Session, kind: PrincipalKind, principal_id: str, hours: int, now: datetime
) -> str:
    """A new session, live for `hours`; returns the id for the cookie. Caller commits.

    Expired sessions of every kind are swept on the way, so the table holds only live ones.
    """
    token = secrets.token_urlsafe(32)
    session.execute(delete(SignInSession).where(SignInSession.expires_at < now))
    session.add(
        SignInSession(
            id_hash=token_hash(token),
            principal_kind=kind,
            principal_id=principal_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def find_session(
    session: Session, kind: PrincipalKind, token: str, now: datetime
) -> SignInSession | None:
    """The live session of `kind` whose id is `token`, if there is one."""
    return session.scalar(
        select(SignInSession).where(
            SignInSession.id_hash == token_hash(token),
            SignInSession.principal_kind == kind,
            SignInSession.expires_at > now,
        )
    )


def close_session(session: Session, token: str) -> None:
    session.execute(delete(SignInSession).where(SignInSession.id_hash == token_hash(token)))
    session.flush()

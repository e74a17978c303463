"""Throttling of sign-in and pairing: after a few failures under a key, attempts under it are
refused unheard (TooManyAttempts, 429) for a delay that doubles with each further failure, up to
a cap.

Failures count per account (its kind and login) and per client address, under keyed digests, so
the table names nobody and a stolen copy cannot be tested against guessed logins. A login that
does not exist counts and is refused exactly as one that does. The counts live in the database,
so every server process throttles alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from confide.errors import AccessDenied, TooManyAttempts
from confide.privacy.keys import KeyRing
from confide.store.database import as_utc
from confide.store.tables import PrincipalKind, SignInFailure

ACCOUNT_FREE_FAILURES = 5
"""Failures an account is allowed before its first delay."""
ADDRESS_FREE_FAILURES = 20
"""More for an address: many people may share one behind a router, and one guesser's failures
should not lock the others out as soon."""
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 3600
FORGET_AFTER = timedelta(days=1)
"""A key with no failure for this long starts again from nothing."""


@contextmanager
def guarded(
    session: Session,
    keyring: KeyRing,
    address: str,
    account: tuple[PrincipalKind, str] | None = None,
    *,
    now: datetime | None = None,
) -> Iterator[None]:
    """Hear one attempt from `address`, for `account` if it names one: refused unheard while
    either is locked. An AccessDenied inside is counted against both and committed at once, so
    that the refusal's answer cannot roll the count back; a success forgets the account's count
    (not the address's, which one account of the guesser's own could otherwise wipe)."""
    at = now or datetime.now(UTC)
    keys = {keyring.keyed_digest("throttle-address", address.encode()): ADDRESS_FREE_FAILURES}
    account_key = (
        keyring.keyed_digest("throttle-account", f"{account[0]}:{account[1]}".encode())
        if account
        else None
    )
    if account_key:
        keys[account_key] = ACCOUNT_FREE_FAILURES
    _refuse_if_locked(session, list(keys), at)
    try:
        yield
    except AccessDenied:
        session.rollback()  # nothing of a failed attempt is kept but its count
        session.execute(
            delete(SignInFailure).where(SignInFailure.last_failure_at < at - FORGET_AFTER)
        )
        for key, free in keys.items():
            _count(session, key, free, at)
        session.commit()
        raise
    if account_key:
        session.execute(delete(SignInFailure).where(SignInFailure.key == account_key))


def _delay_seconds(failures: int, free: int) -> int:
    """How long to refuse after `failures` in a row: nothing until `free` are spent, then
    doubling from FIRST_DELAY_SECONDS to MAX_DELAY_SECONDS."""
    if failures < free:
        return 0
    doublings = min(failures - free, MAX_DELAY_SECONDS.bit_length())  # no huge powers
    return min(FIRST_DELAY_SECONDS << doublings, MAX_DELAY_SECONDS)


def _refuse_if_locked(session: Session, keys: list[str], now: datetime) -> None:
    until = session.scalar(
        select(func.max(SignInFailure.locked_until)).where(SignInFailure.key.in_(keys))
    )
    if until is not None and as_utc(until) > now:
        raise TooManyAttempts(math.ceil((as_utc(until) - now).total_seconds()))


def _count(session: Session, key: str, free: int, now: datetime) -> None:
    """One more failure under `key`, counted in the database itself, so that processes counting
    at once all count; the first failure inserts the row, and a lost race to insert it counts
    through the winner's row."""
    failures = _increment(session, key, now)
    if failures is None:
        try:
            with session.begin_nested():
                session.add(SignInFailure(key=key, failures=1, last_failure_at=now))
            failures = 1
        except IntegrityError:
            failures = _increment(session, key, now)
    wait = _delay_seconds(failures or 1, free)
    if wait:
        session.execute(
            update(SignInFailure)
            .where(SignInFailure.key == key)
            .values(locked_until=now + timedelta(seconds=wait))
        )


def _increment(session: Session, key: str, now: datetime) -> int | None:
    return session.scalar(
        update(SignInFailure)
        .where(SignInFailure.key == key)
        .values(failures=SignInFailure.failures + 1, last_failure_at=now)
        .returning(SignInFailure.failures)
    )

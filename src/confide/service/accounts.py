"""Households, people and devices: argon2 passwords, TOTP, one-time pairing codes, revocable tokens;
and the one sign-in check, for customers and staff alike.

Names are sealed under each person's own key; logins are the only plaintext that names anyone,
because a login must be looked up before anything can be unsealed.

A pairing code is typed on a device, so it is short-lived and drawn from Crockford's base32
(no I, L, O or U to misread); twelve characters, 60 bits, cannot be guessed in its ten minutes
even without the throttle in front of the pairing route.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from confide.errors import AccessDenied
from confide.ingest import token_hash
from confide.privacy.audit import Access, append
from confide.privacy.contexts import (
    household_name_context,
    person_name_context,
    person_totp_context,
    staff_totp_context,
)
from confide.privacy.credentials import check_sign_in, hash_password, new_totp_secret
from confide.privacy.deletion import revoke_devices
from confide.privacy.keys import KeyRing
from confide.store.database import as_utc
from confide.store.tables import Device, Household, Person, PrincipalKind, StaffMember

PAIRING_CODE_MINUTES = 10
PAIRING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: 5 bits a character, none that reads as another."""
PAIRING_CODE_LENGTH = 12
_TYPED_AS = str.maketrans("OIL", "011", " -")
"""What a person may type for the code's characters: any case, O for 0, I or L for 1, and the
spaces or hyphens of its groups."""
_ACCOUNTS: dict[
    PrincipalKind,
    tuple[type[Person] | type[StaffMember], ColumnElement[bool], Callable[[str], str]],
] = {
    "person": (Person, Person.erased_at.is_(None), person_totp_context),
    "staff": (StaffMember, StaffMember.active.is_(True), staff_totp_context),
}
"""Each kind of account: its table, which rows may still sign in, its TOTP's sealing context."""


@dataclass(frozen=True)
class NewPerson:
    """A person just created, with the secrets shown to them once."""

    id: str
    """Their id."""
    login: str | None
    """What they log in with; None for a child profile."""
    totp_secret: str | None
    """Base32 TOTP secret for their authenticator app, shown once."""


def _id() -> str:
    return uuid.uuid4().hex


def create_household(session: Session, keyring: KeyRing, name: str) -> str:
    household_id = _id()
    keyring.ensure_key(session, household_id)
    sealed = keyring.seal(
        session, household_id, name.encode(), household_name_context(household_id)
    )
    session.add(Household(id=household_id, name_sealed=sealed, created_at=datetime.now(UTC)))
    session.flush()
    return household_id


def add_person(
    session: Session,
    keyring: KeyRing,
    household_id: str,
    name: str,
    *,
    login: str | None = None,
    password: str | None = None,
    child: bool = False,
) -> NewPerson:
    """An adult needs a login and a password of 12+ characters; a child profile has neither."""
    if child and login:
        raise ValueError("child profiles do not log in")
    if not child and (not login or not password or len(password) < 12):
        raise ValueError("an adult needs a login and a password of at least 12 characters")
    if login and session.scalar(select(Person.id).where(Person.login == login)):
        raise ValueError(f"the login {login!r} is taken")
    person_id = _id()
    keyring.ensure_key(session, person_id)
    secret = new_totp_secret() if login else None
    session.add(
        Person(
            id=person_id,
            household_id=household_id,
            login=login,
            password_hash=hash_password(password) if password else None,
            totp_sealed=(
                keyring.seal(session, person_id, secret.encode(), person_totp_context(person_id))
                if secret
                else None
            ),
            name_sealed=keyring.seal(
                session, person_id, name.encode(), person_name_context(person_id)
            ),
            is_child=child,
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    return NewPerson(person_id, login, secret)


def person_name(session: Session, keyring: KeyRing, person: Person) -> str:
    return keyring.open(
        session, person.id, person.name_sealed, person_name_context(person.id)
    ).decode()


def log_in(
    session: Session, keyring: KeyRing, kind: PrincipalKind, login: str, password: str, code: str
) -> str:
    """The id of the account of `kind` that the login, password and current TOTP code prove, or
    AccessDenied that says neither. The code's step is stored, so the code signs in only once.
    Customers and staff sign in this one way."""
    table, usable, context = _ACCOUNTS[kind]
    found = session.execute(
        select(table.id, table.password_hash, table.totp_sealed, table.totp_last_step).where(
            table.login == login, usable
        )
    ).first()
    owner, sealed = (found.id, found.totp_sealed) if found else ("", None)
    step = check_sign_in(
        found.password_hash if found else None,
        (lambda: keyring.open(session, owner, sealed, context(owner)).decode()) if sealed else None,
        password,
        code,
        found.totp_last_step if found else None,
    )
    # check_sign_in has refused every account that is not there. Of two sign-ins racing with one
    # code, only the first moves the step on; the other is refused here.
    spent = session.scalar(
        update(table)
        .where(table.id == owner, or_(table.totp_last_step.is_(None), table.totp_last_step < step))
        .values(totp_last_step=step)
        .returning(table.id)
    )
    if spent is None:
        raise AccessDenied("wrong login, password or code")
    return owner


def start_pairing(
    session: Session, household_id: str, person_id: str, name: str
) -> tuple[str, str]:
    """A device slot and its one-time code (PAIRING_CODE_LENGTH characters of PAIRING_ALPHABET,
    valid for PAIRING_CODE_MINUTES)."""
    code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
    device = Device(
        id=_id(),
        household_id=household_id,
        person_id=person_id,
        name=name,
        pairing_code_hash=token_hash(code),
        pairing_expires_at=datetime.now(UTC) + timedelta(minutes=PAIRING_CODE_MINUTES),
        private=False,
    )
    session.add(device)
    session.flush()
    return device.id, code


def complete_pairing(session: Session, code: str) -> tuple[str, str]:
    """Exchange a pairing code, as typed, for a device token; the code works once."""
    typed = code.upper().translate(_TYPED_AS)
    device = session.scalar(select(Device).where(Device.pairing_code_hash == token_hash(typed)))
    expires = device.pairing_expires_at if device else None
    if device is None or expires is None or as_utc(expires) < datetime.now(UTC):
        raise AccessDenied("unknown or expired pairing code")
    token = secrets.token_urlsafe(32)
    device.token_hash = token_hash(token)
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    device.paired_at = datetime.now(UTC)
    session.flush()
    return device.id, token


def revoke_device(
    session: Session, device_id: str, *, actor: str = "system", role: str = "system"
) -> None:
    """The device's token stops working at once; the owner's access log says who did it."""
    device = session.get(Device, device_id)
    if device is None or device.revoked_at is not None:
        return
    revoke_devices([device], datetime.now(UTC))
    append(
        session,
        Access(
            actor,
            role,
            "device_removed",
            f"device:{device.id}",
            f"the device \u201c{device.name}\u201d was removed; its token no longer works",
            device.person_id,
        ),
    )
    session.flush()

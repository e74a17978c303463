"""Passwords and TOTP codes, checked one way for everyone who signs in, customers and staff.

Argon2 hashes the passwords; a TOTP code from an authenticator app is the second factor, always
required. Signing in as an unknown account costs the same hashing work as a known one, so
timing does not tell which logins exist.
"""

from __future__ import annotations

from collections.abc import Callable

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from confide.errors import AccessDenied

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_totp_secret() -> str:
    """A base32 secret for the person's authenticator app, shown to them once."""
    return pyotp.random_base32()


def check_sign_in(
    password_hash: str | None, totp_secret: Callable[[], str] | None, password: str, code: str
) -> None:
    """Pass only when the password and the current TOTP code are both right.

    `password_hash` or `totp_secret` is None for an unknown or login-less account; `totp_secret`
    unseals the secret only once the password has been checked. Every refusal is the same
    AccessDenied, saying neither which part was wrong nor whether the login exists.
    """
    denied = AccessDenied("wrong login, password or code")
    if password_hash is None or totp_secret is None:
        _hasher.hash(password)  # same work either way: no login enumeration by timing
        raise denied
    try:
        _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        raise denied from None
    if not pyotp.TOTP(totp_secret()).verify(code, valid_window=1):
        raise denied

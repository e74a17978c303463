"""Passwords and TOTP codes, checked one way for everyone who signs in, customers and staff.

Argon2 hashes the passwords; a TOTP code from an authenticator app is the second factor, always
required, and signs in once: a code of the time step that last signed the account in, or of an
earlier one, is refused (RFC 6238, 5.2), so a code seen over a shoulder or in a log is spent.
Signing in as an unknown account costs the same hashing work as a known one, so timing does not
tell which logins exist. A staff password must also resist guessing: zxcvbn estimates how many
guesses it would take, counting breached passwords, names, words, keyboard walks and dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pyotp.utils import strings_equal
from zxcvbn import zxcvbn

from confide.errors import AccessDenied, BadAccountDetails

_hasher = PasswordHasher()

MIN_GUESSES = 10**10
"""zxcvbn's top score: an offline attacker with the hashes needs about 10^10 guesses, so a
password in any breach list, or a short variation of one, falls short."""


def refuse_guessable(password: str, *, known: list[str]) -> None:
    """Raise unless `password` needs MIN_GUESSES guesses; `known` are words an attacker would
    try first (the login, the pseudonym). zxcvbn's own warning says what made it weak."""
    estimate = zxcvbn(password[:100], user_inputs=known)
    if estimate["guesses"] < MIN_GUESSES:
        warning = estimate["feedback"]["warning"] or "This password is easy to guess"
        raise BadAccountDetails(
            f"{warning.rstrip('.')}. Choose a longer one, such as four unrelated words."
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_totp_secret() -> str:
    """A base32 secret for the person's authenticator app, shown to them once."""
    return pyotp.random_base32()


def check_sign_in(
    password_hash: str | None,
    totp_secret: Callable[[], str] | None,
    password: str,
    code: str,
    last_step: int | None = None,
) -> int:
    """The TOTP time step of `code`, when the password and the code are both right and the code
    is of a step after `last_step`, the one that last signed this account in; the caller stores
    it. The code may be one step early or late, for clocks that drift.

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
    totp = pyotp.TOTP(totp_secret())
    now = totp.timecode(datetime.now(UTC))
    first = now - 1 if last_step is None else max(now - 1, last_step + 1)
    step = next(
        (s for s in range(first, now + 2) if strings_equal(code, totp.generate_otp(s))), None
    )
    if step is None:
        raise denied
    return step

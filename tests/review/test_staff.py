"""Staff accounts: known roles, pseudonyms, and TOTP for every role."""

from __future__ import annotations

import pyotp
import pytest

from confide.errors import AccessDenied
from confide.review.staff import ROLES, add_staff
from confide.service.accounts import log_in


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_needs_password_and_totp(session, keyring, role):
    made = add_staff(session, keyring, f"{role}-1", "a long enough password", {role})
    code = pyotp.TOTP(made.totp_secret).now()
    assert log_in(session, keyring, "staff", made.login, "a long enough password", code) == made.id
    for password, given in (
        ("a long enough password", ""),
        ("a long enough password", "000000"),
        ("wrong password here", code),
    ):
        with pytest.raises(AccessDenied):
            log_in(session, keyring, "staff", made.login, password, given)


@pytest.mark.parametrize(
    ("login", "password", "roles", "error"),
    [
        ("x", "a long enough password", set(), "roles"),
        ("x", "a long enough password", {"overlord"}, "roles"),
        ("x", "short", {"reviewer"}, "12 characters"),
        ("", "a long enough password", {"reviewer"}, "login"),
    ],
)
def test_bad_accounts_are_refused(session, keyring, login, password, roles, error):
    with pytest.raises(ValueError, match=error):
        add_staff(session, keyring, login, password, roles)


def test_pseudonyms_are_unique_and_name_no_one(session, keyring):
    made = [
        add_staff(session, keyring, f"rev{i}", "a long enough password", {"reviewer"})
        for i in range(20)
    ]
    assert len({m.pseudonym for m in made}) == 20
    assert all(m.pseudonym.startswith("Reviewer ") and m.login not in m.pseudonym for m in made)

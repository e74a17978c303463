"""Staff accounts: known roles, pseudonyms, TOTP for every role, and every change audited."""

from __future__ import annotations

import pyotp
import pytest

from confide.errors import AccessDenied
from confide.privacy.audit import events, verify
from confide.review.staff import ROLES, add_staff, staff_changes
from confide.service.accounts import log_in
from confide.store.tables import StaffMember
from confide_testing import TEAM


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
        ("x", "password1234", {"reviewer"}, "very common password"),
        ("x", "Password123!", {"reviewer"}, "similar to a commonly used"),
        ("theo", "theo-theo-theo-1", {"reviewer"}, "Repeats"),
        ("x", "qwertyuiop12", {"reviewer"}, "similar to a commonly used"),
        ("x", "Summer2024!!", {"reviewer"}, "easy to guess"),
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


@pytest.mark.parametrize(
    ("by", "roles", "role", "named"),
    [
        (None, {"reviewer"}, "system", "reviewer"),
        ("ada", {"lead", "privacy_officer"}, "admin", "lead, privacy_officer"),
        ("ada", {"admin"}, "admin", "admin"),
    ],
)
def test_adding_staff_is_audited(session, keyring, blobs, team, by, roles, role, named):
    """Who made whom, with which roles: break-glass reads it back to keep two people apart."""
    maker = session.get(StaffMember, team[by].id) if by else None
    made = add_staff(session, keyring, "newcomer", "a long enough password", roles, by=maker)
    last = list(events(session))[-1]
    actor = maker.pseudonym if maker else "cli"
    assert (last.actor, last.role, last.action, last.subject, last.owner_id) == (
        actor,
        role,
        "staff_add",
        f"staff:{made.pseudonym}",
        None,
    )
    assert named in last.reason and "newcomer" not in last.reason
    assert (staff_changes(session)[-1].by, staff_changes(session)[-1].pseudonym) == (
        actor,
        made.pseudonym,
    )
    assert verify(session, blobs).events == len(TEAM) + 1


def test_a_disabled_reviewers_clip_goes_back_to_the_queue(session, keyring, team, queued):
    from datetime import UTC, datetime

    from confide.review.staff import set_active
    from confide.review.tasks import next_task

    now = datetime.now(UTC)
    queued("alice")
    rhea, remy, ada = (session.get(StaffMember, team[who].id) for who in ("rhea", "remy", "ada"))
    held = next_task(session, rhea, now)
    set_active(session, rhea, False, by=ada)
    session.flush()
    assert (held.status, held.assigned_to) == ("queued", None)
    assert next_task(session, remy, now).id == held.id

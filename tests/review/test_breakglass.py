"""Break-glass: a second person approves, it expires, and the customer sees every step; one
admin who makes accounts cannot be both people."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from confide.errors import AccessDenied, NotFound
from confide.privacy.audit import events
from confide.review.breakglass import APPROVAL_MINUTES, decide, original_audio, request
from confide.review.staff import add_staff
from confide.store.tables import StaffMember

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REASON = "possible risk to a person; the anonymised clip is unclear"


def staff(session, team, login):
    return session.get(StaffMember, team[login].id)


@pytest.mark.parametrize(
    ("decider", "error"),
    [("sol", AccessDenied), ("lena", AccessDenied)],  # not an officer / the asker's role only
)
def test_only_a_second_privacy_officer_decides(session, team, queued, decider, error):
    task = queued("alice")[0]
    asked = request(session, staff(session, team, "lena"), task.id, REASON, NOW)
    with pytest.raises(error):
        decide(session, staff(session, team, decider), asked.id, True, NOW)


def test_an_officer_cannot_approve_their_own_request(session, team, queued):
    task = queued("alice")[0]
    pia = staff(session, team, "pia")
    asked = request(session, pia, task.id, REASON, NOW)
    with pytest.raises(AccessDenied, match="second person"):
        decide(session, pia, asked.id, True, NOW)


def test_a_reason_is_required(session, team, queued):
    task = queued("alice")[0]
    with pytest.raises(ValueError, match="reason"):
        request(session, staff(session, team, "sol"), task.id, "because", NOW)


@pytest.mark.parametrize(
    ("approve", "who", "when", "outcome"),
    [
        (True, "sol", NOW + timedelta(minutes=5), "audio"),
        (True, "sol", NOW + timedelta(minutes=APPROVAL_MINUTES + 1), AccessDenied),
        (True, "lena", NOW + timedelta(minutes=5), NotFound),  # only the asker
        (False, "sol", NOW + timedelta(minutes=5), NotFound),
    ],
)
def test_approval_opens_the_original_for_a_while(
    session, keyring, blobs, household, team, queued, approve, who, when, outcome
):
    task = queued("alice")[0]
    sol = staff(session, team, "sol")
    asked = request(session, sol, task.id, REASON, NOW)
    decide(session, staff(session, team, "pia"), asked.id, approve, NOW)
    reader = staff(session, team, who)
    if outcome == "audio":
        assert original_audio(session, keyring, blobs, reader, asked.id, when).startswith(b"RIFF")
        seen = [(e.actor, e.action) for e in events(session, household.people["alice"].id)]
        assert (sol.pseudonym, "break_glass_request") in seen
        assert (team["pia"].pseudonym, "break_glass_approve") in seen
        assert (sol.pseudonym, "listen_original") in seen
    else:
        with pytest.raises(outcome):
            original_audio(session, keyring, blobs, reader, asked.id, when)


OFFICER, LEAD, ADMIN = {"privacy_officer"}, {"lead"}, {"admin"}
ONE_PERSON = [
    # (accounts made: (maker, login, roles), aged: made 30 days before the clock,
    #  asker, approver, days on from the making, the refusal or None)
    pytest.param(
        [("ada", "lee", LEAD), ("ada", "oli", OFFICER)],
        (),
        "lee",
        "oli",
        0,
        "days on the team",
        id="the issue: an admin makes a lead and an officer and approves at once",
    ),
    pytest.param(
        [("ada", "lee", LEAD), ("ada", "oli", OFFICER)],
        (),
        "lee",
        "oli",
        8,
        "same admin",
        id="a week on, still one admin's pair",
    ),
    pytest.param(
        [("ada", "ad2", ADMIN), ("ad2", "oli", OFFICER), ("ada", "lee", LEAD)],
        (),
        "lee",
        "oli",
        8,
        "same admin",
        id="the officer made through a second admin",
    ),
    pytest.param(
        [("cli", "boss", ADMIN | OFFICER), ("boss", "lee", LEAD)],
        (),
        "lee",
        "boss",
        8,
        "made the other",
        id="an admin approves the lead they made",
    ),
    pytest.param(
        [("cli", "boss", ADMIN | LEAD), ("boss", "oli", OFFICER)],
        (),
        "boss",
        "oli",
        8,
        "made the other",
        id="an officer approves the admin who made them",
    ),
    pytest.param(
        [("cli", "boss", ADMIN | LEAD), ("boss", "rev", {"reviewer"})],
        ("boss",),
        "boss",
        "pia",
        0,
        "changes staff",
        id="an admin asks the day they made someone",
    ),
    pytest.param(
        [("cli", "boss", ADMIN | OFFICER), ("boss", "rev", {"reviewer"})],
        ("boss",),
        "sol",
        "boss",
        0,
        "changes staff",
        id="an admin approves the day they made someone",
    ),
    pytest.param(
        [("unrecorded", "oli", OFFICER)],
        ("oli",),
        "sol",
        "oli",
        0,
        "who made",
        id="an officer whose making is not in the audit chain",
    ),
    pytest.param([], (), "sol", "pia", 0, None, id="honest: an established officer approves"),
    pytest.param(
        [("ada", "oli", OFFICER)],
        (),
        "sol",
        "oli",
        8,
        None,
        id="honest: an admin's officer, a week on, for a lead the admin did not make",
    ),
    pytest.param(
        [("cli", "boss", ADMIN | OFFICER), ("boss", "rev", {"reviewer"})],
        ("boss",),
        "sol",
        "boss",
        2,
        None,
        id="honest: an admin approves two days after making someone",
    ),
]
"""Who makes whom, then who asks and who approves, and whether one person could be both."""


@pytest.mark.parametrize(("made", "aged", "asker", "approver", "days", "refused"), ONE_PERSON)
def test_one_admin_cannot_be_both_people(
    session, keyring, team, queued, made, aged, asker, approver, days, refused
):
    clock = datetime.now(UTC) + timedelta(days=days)

    def member(login):
        return session.scalar(select(StaffMember).where(StaffMember.login == login))

    for maker, login, roles in made:
        if maker == "unrecorded":  # as an account made before staff changes were audited
            session.add(
                StaffMember(
                    id=uuid.uuid4().hex,
                    pseudonym=f"Privacy {login}",
                    login=login,
                    password_hash="-",
                    totp_sealed=b"-",
                    roles=",".join(roles),
                    active=True,
                    created_at=clock,
                )
            )
        else:
            by = None if maker == "cli" else member(maker)
            add_staff(session, keyring, login, "a long enough password", roles, by=by)
    for login in aged:
        member(login).created_at = clock - timedelta(days=30)
    session.flush()
    task = queued("alice")[0]

    def ask_and_approve():
        asked = request(session, member(asker), task.id, REASON, clock)
        return decide(session, member(approver), asked.id, True, clock).status

    if refused:
        with pytest.raises(AccessDenied, match=refused):
            ask_and_approve()
    else:
        assert ask_and_approve() == "approved"


def test_a_new_officer_may_still_refuse(session, keyring, team, queued):
    """Refusing opens nothing, so probation does not hold it back."""
    ada = staff(session, team, "ada")
    made = add_staff(session, keyring, "oli", "a long enough password", OFFICER, by=ada)
    task = queued("alice")[0]
    now = datetime.now(UTC)
    asked = request(session, staff(session, team, "sol"), task.id, REASON, now)
    assert decide(session, session.get(StaffMember, made.id), asked.id, False, now).status == (
        "refused"
    )

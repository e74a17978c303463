"""Break-glass: a second person approves, it expires, and the customer sees every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from confide.errors import AccessDenied, NotFound
from confide.privacy.audit import events
from confide.review.breakglass import APPROVAL_MINUTES, decide, original_audio, request
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

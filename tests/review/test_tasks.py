"""The queue: one task at a time, reachable only by its holder, consent checked again, distress
routed to safety, caps per shift, and deletion reaching every review copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from confide.errors import NotFound
from confide.privacy.audit import events
from confide.privacy.consent import set_consent
from confide.privacy.deletion import delete_interactions, erase_account
from confide.review.tasks import (
    Labels,
    QueueClosed,
    Wellness,
    flag_distress,
    heard_through,
    held_task,
    material,
    next_task,
    open_escalations,
    protected_audio,
    shift_progress,
    submit,
    take_break,
)
from confide.store.tables import Annotation, Escalation, ReviewTask, StaffMember

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def member(session, team, login):
    return session.get(StaffMember, team[login].id)


def test_a_reviewer_holds_one_task_and_gets_it_back(session, team, queued):
    queued("alice")
    queued("bob")
    rhea = member(session, team, "rhea")
    first = next_task(session, rhea, NOW)
    assert next_task(session, rhea, NOW).id == first.id
    assert first.status == "assigned" and first.assigned_to == rhea.id


@pytest.mark.parametrize("whose", ["other reviewer's", "queued", "unknown", "submitted"])
def test_no_task_but_the_held_one_can_be_reached(session, keyring, team, queued, whose):
    queued("alice")
    queued("bob")
    rhea, remy = member(session, team, "rhea"), member(session, team, "remy")
    mine = next_task(session, rhea, NOW)
    theirs = next_task(session, remy, NOW)
    target = {
        "other reviewer's": theirs.id,
        "queued": queued("alice")[0].id,
        "unknown": "0" * 32,
        "submitted": mine.id,
    }[whose]
    if whose == "submitted":
        submit(session, keyring, rhea, mine, Labels("x", "SetTimer"), NOW)
    with pytest.raises(NotFound):
        held_task(session, rhea, target)


def test_what_a_reviewer_sees_is_protected_and_audited(session, keyring, household, team, queued):
    queued("alice")
    rhea = member(session, team, "rhea")
    task = next_task(session, rhea, NOW)
    shown = material(session, keyring, rhea, task)
    assert "four nine two one" not in shown["transcript"]
    assert "[PHONE]" in shown["transcript"]
    assert protected_audio(session, keyring, rhea, task).startswith(b"RIFF")
    alice_events = [
        e for e in events(session, household.people["alice"].id) if e.role == "reviewer"
    ]
    assert {(e.actor, e.action) for e in alice_events} == {
        (rhea.pseudonym, "read_transcript"),
        (rhea.pseudonym, "listen"),
    }
    assert household.people["alice"].id not in str(shown)


def test_revoking_consent_takes_the_held_task_away(session, team, household, queued):
    queued("alice")
    rhea = member(session, team, "rhea")
    task = next_task(session, rhea, NOW)
    set_consent(session, household.people["alice"].id, "human_review", False, actor="alice")
    with pytest.raises(NotFound):
        held_task(session, rhea, task.id)
    assert task.status == "withdrawn" and task.audio_sealed is None


def test_a_second_opinion_goes_to_someone_else(session, keyring, team, queued):
    queued("alice", second_opinion=True)
    rhea, remy = member(session, team, "rhea"), member(session, team, "remy")
    first = next_task(session, rhea, NOW)
    submit(session, keyring, rhea, first, Labels("set a timer", "SetTimer"), NOW)
    with pytest.raises(QueueClosed):
        next_task(session, rhea, NOW)
    second = next_task(session, remy, NOW)
    assert second.group_id == first.group_id and second.id != first.id


def test_distress_stops_routes_and_caps(session, team, queued):
    for _ in range(3):
        queued("alice")
    warned = queued("bob")[0]
    rhea, remy = member(session, team, "rhea"), member(session, team, "remy")
    wellness = Wellness(distress_per_shift=2)
    for _ in range(2):
        task = next_task(session, rhea, NOW, wellness)
        flag_distress(session, rhea, task, NOW)
        assert task.status == "escalated" and task.assigned_to is None
        with pytest.raises(NotFound):
            held_task(session, rhea, task.id)
    assert len(open_escalations(session)) == 2
    warned.content_warning, warned.sampled_at = True, NOW - timedelta(days=1)  # first in line
    remaining = next_task(session, rhea, NOW, wellness)
    assert remaining.id != warned.id  # two flags this shift: no more content-warning clips
    assert next_task(session, remy, NOW, wellness).id == warned.id
    assert session.scalar(select(Escalation.raised_by)) == rhea.id


@pytest.mark.parametrize("closed_by", ["break", "shift cap", "empty"])
def test_the_queue_closes_with_a_reason(session, team, queued, closed_by):
    queued("alice")
    rhea = member(session, team, "rhea")
    wellness = Wellness(clips_per_shift=1)
    if closed_by == "break":
        take_break(session, rhea, NOW, wellness)
    elif closed_by == "shift cap":
        task = next_task(session, rhea, NOW, wellness)
        task.status = "submitted"
        queued("bob")
    else:
        rhea.shift_started_at = NOW
        session.execute(ReviewTask.__table__.update().values(status="submitted"))
    with pytest.raises(
        QueueClosed, match={"break": "break", "shift cap": "limit", "empty": "empty"}[closed_by]
    ):
        next_task(session, rhea, NOW, wellness)
    if closed_by == "shift cap":  # a new shift opens the queue again
        assert next_task(session, rhea, NOW + timedelta(hours=9), wellness)


@pytest.mark.parametrize(
    ("labels", "error"),
    [
        (Labels("x", "SetTimer", flags=frozenset({"nonsense"})), "unknown flags"),
        (Labels("x", "SetTimer", rating=9), "1 to 5"),
        (Labels("x", "SetTimer", span=(0.2, 0.9)), "raise a flag with it"),
        (Labels("x", None, flags=frozenset({"false_wake"}), span=(0.9, 0.2)), "starts before"),
        (Labels("x", None, flags=frozenset({"false_wake"}), span=(0.2, 9.0)), "within the clip"),
    ],
)
def test_bad_labels_are_refused(session, keyring, team, queued, labels, error):
    queued("alice")
    rhea = member(session, team, "rhea")
    with pytest.raises(ValueError, match=error):
        submit(session, keyring, rhea, next_task(session, rhea, NOW), labels, NOW)


def test_critical_data_flag_keeps_the_clip_from_everyone_else(session, keyring, team, queued):
    queued("alice")
    rhea = member(session, team, "rhea")
    task = next_task(session, rhea, NOW)
    labels = Labels("set a timer", "SetTimer", rating=4, flags=frozenset({"critical_data"}))
    annotation = submit(session, keyring, rhea, task, labels, NOW)
    assert task.audio_sealed is None and annotation.flags == "critical_data"
    assert b"set a timer" not in annotation.content_sealed  # sealed like everything else


@pytest.mark.parametrize("how", ["delete", "erase"])
def test_deletion_reaches_review_copies(session, keyring, blobs, household, team, queued, how):
    task = queued("alice", second_opinion=True)[0]
    rhea = member(session, team, "rhea")
    held = next_task(session, rhea, NOW)
    submit(session, keyring, rhea, held, Labels("set a timer", "SetTimer"), NOW)
    alice = household.people["alice"].id
    if how == "delete":
        receipt = delete_interactions(
            session, keyring, blobs, alice, [task.interaction_id], scope="interaction", actor=alice
        )
    else:
        receipt = erase_account(session, keyring, blobs, alice, actor=alice)
    session.commit()
    assert receipt.erased["review.review_tasks"] == 2
    assert receipt.erased["review.annotations"] == 1
    assert session.scalars(select(ReviewTask)).all() == []
    assert session.scalars(select(Annotation)).all() == []


@pytest.mark.parametrize("purpose", ["human_review"])
@pytest.mark.parametrize("heard", ["anonymised", "original"])
def test_revoking_consent_reaches_escalated_clips(
    session, keyring, blobs, household, team, queued, purpose, heard
):
    """Issue 10.6: after the owner revoked review, safety still played the escalated clip and the
    break-glass original. Neither may be heard once the consent is gone."""
    from confide.review.breakglass import decide, original_audio, request

    queued("alice")
    rhea, sol = member(session, team, "rhea"), member(session, team, "sol")
    task = next_task(session, rhea, NOW)
    flag_distress(session, rhea, task, NOW)
    asked = request(session, sol, task.id, "the clip may show someone in danger", NOW)
    decide(session, member(session, team, "pia"), asked.id, True, NOW)
    assert protected_audio(session, keyring, sol, task, role="safety").startswith(b"RIFF")
    set_consent(session, household.people["alice"].id, purpose, False, actor="alice")
    session.commit()
    session.expire_all()
    with pytest.raises(NotFound):
        if heard == "anonymised":
            protected_audio(session, keyring, sol, session.get_one(ReviewTask, task.id), "safety")
        else:
            original_audio(session, keyring, blobs, sol, asked.id, NOW + timedelta(minutes=1))
    assert open_escalations(session) == []
    assert session.get_one(ReviewTask, task.id).status == "withdrawn"


def test_a_flag_keeps_the_stretch_it_is_about(session, keyring, team, queued):
    from confide.review.tasks import open_annotation

    queued("alice")
    rhea = member(session, team, "rhea")
    labels = Labels("x", None, flags=frozenset({"critical_data"}), span=(0.25, 0.75))
    stored = submit(session, keyring, rhea, next_task(session, rhea, NOW), labels, NOW)
    assert open_annotation(session, keyring, stored)["span"] == [0.25, 0.75]


@pytest.mark.parametrize(
    ("after", "heard"),
    [(None, False), (0.5, False), (1.1, False), (1.25, True), (60.0, True)],
)
def test_a_clip_counts_as_heard_once_its_length_has_passed(
    session, keyring, team, queued, after, heard
):
    """The fake clips are 1.5 s long; the player may seem short by PLAY_SLACK (0.3 s)."""
    queued("alice")
    rhea = member(session, team, "rhea")
    task = next_task(session, rhea, NOW)
    assert task.seconds == pytest.approx(1.5)
    if after is not None:
        protected_audio(session, keyring, rhea, task, now=NOW)
        protected_audio(session, keyring, rhea, task, now=NOW + timedelta(seconds=1))  # a replay
    moment = NOW + timedelta(seconds=after or 0)
    assert heard_through(task, moment) is heard


@pytest.mark.parametrize(
    ("clips", "minutes", "break_ended", "expected"),
    [
        (0, 0, None, (0, 0, 50)),
        (3, 30, None, (3, 30, 20)),
        (5, 75, None, (5, 75, 0)),
        (5, 75, 70, (5, 75, 45)),
        (5, 75, 80, (5, 75, 50)),  # on a break now: the work clock starts when it ends
    ],
)
def test_shift_progress_says_clips_time_and_the_next_break(
    session, keyring, team, queued, clips, minutes, break_ended, expected
):
    rhea = member(session, team, "rhea")
    start = NOW - timedelta(minutes=minutes)
    for _ in range(clips):
        queued("alice")
        submit(session, keyring, rhea, next_task(session, rhea, start), Labels("x", None), start)
    if break_ended is not None:
        rhea.break_until = start + timedelta(minutes=break_ended)
    progress = shift_progress(session, rhea, NOW)
    assert (progress.done, progress.minutes, progress.break_due_in) == expected
    assert progress.limit == Wellness().clips_per_shift

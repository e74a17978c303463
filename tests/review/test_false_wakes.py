"""A reviewer's false-wake flag leaves the wake's word and score for the household, audited, and
nothing of the clip; a wake confirmed twice counts once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from confide.privacy.audit import events
from confide.privacy.deletion import delete_interactions
from confide.review.false_wakes import record_false_wake
from confide.review.quality import adjudicate
from confide.review.tasks import Labels, next_task, submit
from confide.store.tables import Interaction, StaffMember, WakeFeedback

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def feedback(session) -> list[tuple[str, str, float | None, str, str]]:
    rows = session.scalars(select(WakeFeedback).order_by(WakeFeedback.confirmed_at))
    return [(r.household_id, r.wake_word, r.score, r.source, r.interaction_id) for r in rows]


@pytest.mark.parametrize(
    ("flags", "recorded"),
    [
        (frozenset({"false_wake"}), True),
        (frozenset({"false_wake", "critical_data"}), True),
        (frozenset(), False),
        (frozenset({"critical_data"}), False),
    ],
)
def test_a_reviewers_false_wake_flag_is_kept_as_a_score(
    session, keyring, blobs, household, team, queued, flags, recorded
) -> None:
    [task] = queued("alice")
    session.get_one(Interaction, task.interaction_id).wake_score = 0.9312
    rhea = session.get_one(StaffMember, team["rhea"].id)
    held = next_task(session, rhea, NOW)
    submit(session, keyring, rhea, held, Labels("okay now boot the laptop", None, flags=flags), NOW)
    session.commit()
    expected = [(household.id, "okay_nabu", 0.9312, "reviewer", task.interaction_id)]
    assert feedback(session) == (expected if recorded else [])
    alices = events(session, owner_id=household.people["alice"].id)
    tuned = [e for e in alices if e.action == "false_wake"]
    assert len(tuned) == int(recorded)
    if recorded:
        assert tuned[0].actor == team["rhea"].pseudonym and "no sound or words" in tuned[0].reason
        # The interaction's deletion takes every copy of the clip, and leaves the number.
        delete_interactions(
            session,
            keyring,
            blobs,
            household.people["alice"].id,
            [task.interaction_id],
            scope="interaction",
            actor="alice",
        )
        session.commit()
        assert feedback(session) == expected


def test_a_wake_confirmed_twice_counts_once(session, keyring, blobs, household, queued) -> None:
    [task] = queued("alice")
    interaction = session.get_one(Interaction, task.interaction_id)
    interaction.wake_score = 0.9
    first = record_false_wake(session, interaction, "reviewer", NOW)
    again = record_false_wake(session, interaction, "customer", NOW)
    assert first is again and len(feedback(session)) == 1


def test_a_button_press_has_no_wake_to_learn_from(session, household, queued) -> None:
    [task] = queued("alice")
    interaction = session.get_one(Interaction, task.interaction_id)
    interaction.wake_word = None
    assert record_false_wake(session, interaction, "customer", NOW) is None
    assert feedback(session) == []


def test_a_lead_settling_a_clip_as_a_false_wake_counts_too(
    session, keyring, household, team, queued
) -> None:
    tasks = queued("alice", second_opinion=True)
    session.get_one(Interaction, tasks[0].interaction_id).wake_score = 0.88
    lena = session.get_one(StaffMember, team["lena"].id)
    labels = Labels("okay now bye", None, flags=frozenset({"false_wake"}))
    adjudicate(session, keyring, lena, tasks[0].group_id, labels, NOW)
    session.commit()
    assert feedback(session) == [
        (household.id, "okay_nabu", 0.88, "reviewer", tasks[0].interaction_id)
    ]
    alices = events(session, owner_id=household.people["alice"].id)
    assert [(e.actor, e.role) for e in alices if e.action == "false_wake"] == [
        (team["lena"].pseudonym, "lead")
    ]

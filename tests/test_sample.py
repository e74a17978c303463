"""Sampling: only consenting adults, at the rate, under the caps, away from the exclusions;
revoking consent withdraws at once (invariant 4)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from confide.privacy.consent import set_consent
from confide.review.tasks import QueueClosed, next_task
from confide.sample import SamplingPolicy, in_quiet_hours, sample
from confide.service.accounts import add_person, complete_pairing, start_pairing
from confide.store.tables import Device, Household, Interaction, ReviewTask, StaffMember
from confide_testing import answered_interaction

ALWAYS = SamplingPolicy(rate=1.0, second_opinion=0.0)


class Draws(random.Random):
    """A random source that returns the given draws in turn."""

    def __init__(self, *values: float) -> None:
        super().__init__(0)
        self.values = list(values)

    def random(self) -> float:
        return self.values.pop(0)


def consent(session, person_id, *purposes, granted=True):
    for purpose in purposes:
        set_consent(session, person_id, purpose, granted, actor=person_id)


@pytest.mark.parametrize(
    ("who", "consents", "setup", "reason"),
    [
        ("alice", ("human_review",), None, "drawn"),
        ("alice", (), None, "no consent"),
        ("alice", ("false_wake_review",), None, "no consent"),
        ("sam", ("human_review",), None, "child"),
        ("alice", ("human_review",), "false_wake", "no false-wake consent"),
        ("alice", ("human_review", "false_wake_review"), "false_wake", "drawn"),
        ("alice", ("human_review",), "private", "private device"),
        ("alice", ("human_review",), "quiet", "quiet hours"),
        ("alice", ("human_review",), "not kept", "not kept"),
    ],
)
def test_only_what_is_allowed_is_sampled(
    session, keyring, blobs, household, who, consents, setup, reason
):
    person = household.people[who].id
    consent(session, person, *consents)
    if setup == "private":
        household.devices[who].private = True
    if setup == "quiet":
        home = session.get(Household, household.id)
        now = datetime.now(UTC)
        home.quiet_hours = f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}"
    iid = answered_interaction(
        session, keyring, blobs, person, household.devices[who].id, false_wake=setup == "false_wake"
    )
    interaction = session.get(Interaction, iid)
    if setup == "not kept":
        interaction.audio_key = None
    decision = sample(session, interaction, ALWAYS)
    assert decision.reason == reason
    tasks = session.scalars(select(ReviewTask).where(ReviewTask.interaction_id == iid)).all()
    assert len(tasks) == (1 if reason == "drawn" else 0)


@pytest.mark.parametrize(
    ("confidence", "draw", "sampled", "stratum"),
    [
        (0.9, 0.19, True, "random"),  # rate 0.2
        (0.9, 0.21, False, ""),
        (0.3, 0.79, True, "low_confidence"),  # boosted to 0.8
        (0.3, 0.81, False, ""),
    ],
)
def test_rate_leans_toward_uncertain_clips(
    session, keyring, blobs, household, confidence, draw, sampled, stratum
):
    alice = household.people["alice"].id
    consent(session, alice, "human_review")
    iid = answered_interaction(
        session, keyring, blobs, alice, household.devices["alice"].id, confidence=confidence
    )
    policy = SamplingPolicy(rate=0.2, low_confidence_boost=4.0, second_opinion=0.0)
    decision = sample(session, session.get(Interaction, iid), policy, Draws(draw, 0.99))
    assert (decision.sampled, decision.stratum) == (sampled, stratum)


@pytest.mark.parametrize(("month", "life", "expected"), [(3, 100, 3), (100, 4, 4), (2, 2, 2)])
def test_caps_bound_one_person(session, keyring, blobs, household, month, life, expected):
    alice = household.people["alice"].id
    consent(session, alice, "human_review")
    policy = SamplingPolicy(
        rate=1.0, per_person_month=month, per_person_life=life, second_opinion=0.0
    )
    decisions = [
        sample(
            session,
            session.get(
                Interaction,
                answered_interaction(session, keyring, blobs, alice, household.devices["alice"].id),
            ),
            policy,
        )
        for _ in range(6)
    ]
    assert sum(d.sampled for d in decisions) == expected
    assert {d.reason for d in decisions if not d.sampled} == {"cap"}


def test_a_second_opinion_is_one_clip_twice(session, keyring, blobs, household):
    alice = household.people["alice"].id
    consent(session, alice, "human_review")
    iid = answered_interaction(session, keyring, blobs, alice, household.devices["alice"].id)
    sample(session, session.get(Interaction, iid), SamplingPolicy(rate=1.0), Draws(0.0, 0.05))
    tasks = session.scalars(select(ReviewTask).where(ReviewTask.interaction_id == iid)).all()
    assert sorted(t.kind for t in tasks) == ["review", "second"]
    assert len({t.group_id for t in tasks}) == 1


@pytest.mark.parametrize(
    ("revoked", "left_open"),
    [
        ("human_review", set()),
        ("false_wake_review", {"random"}),
        ("improvement", {"random", "false_wake"}),
    ],
)
def test_revoking_withdraws_at_once(session, keyring, blobs, household, revoked, left_open):
    alice = household.people["alice"].id
    consent(session, alice, "human_review", "false_wake_review")
    device = household.devices["alice"].id
    for false_wake in (False, True):
        iid = answered_interaction(session, keyring, blobs, alice, device, false_wake=false_wake)
        sample(session, session.get(Interaction, iid), ALWAYS)
    consent(session, alice, revoked, granted=False)
    tasks = session.scalars(select(ReviewTask).where(ReviewTask.owner_id == alice)).all()
    assert {t.stratum for t in tasks if t.status != "withdrawn"} == left_open
    assert all(t.material_sealed is None for t in tasks if t.status == "withdrawn")


@pytest.mark.parametrize(
    ("hours", "time_zone", "utc_time", "quiet"),
    [
        ("22:00-07:00", "UTC", "23:30", True),
        ("22:00-07:00", "UTC", "06:59", True),
        ("22:00-07:00", "UTC", "07:00", False),
        ("22:00-07:00", "America/New_York", "03:00", True),  # 22:00 or 23:00 there
        ("22:00-07:00", "America/New_York", "13:00", False),
        ("12:00-14:00", "UTC", "13:00", True),
        (None, "UTC", "03:00", False),
    ],
)
def test_quiet_hours_are_the_households_own(hours, time_zone, utc_time, quiet):
    home = Household(id="h", name_sealed=b"", time_zone=time_zone, quiet_hours=hours)
    hour, minute = map(int, utc_time.split(":"))
    assert in_quiet_hours(home, datetime(2026, 11, 23, hour, minute, tzinfo=UTC)) is quiet


Step = tuple[str, int, bool]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("speak"), st.integers(0, 3), st.booleans()),
        st.tuples(st.sampled_from(["grant", "revoke"]), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("review"), st.just(0), st.just(False)),
    ),
    min_size=1,
    max_size=25,
)
people = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=4)


SLOW_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW_FIXTURES)
@given(people=people, steps=steps)
def test_no_clip_of_a_person_without_consent_reaches_a_task(
    session, keyring, blobs, household, team, people, steps
):
    """Random households (children, private devices) and consent histories: a task exists only
    for a consenting adult at sampling time, and no open or handed-out task outlives consent."""
    reviewer = session.get(StaffMember, team["rhea"].id)
    members = []
    for index, (child, private) in enumerate(people):
        made = add_person(
            session,
            keyring,
            household.id,
            f"P{index}",
            child=child,
            login=None if child else f"p{index}-{id(steps)}",
            password=None if child else "long enough password",
        )
        _, code = start_pairing(session, household.id, made.id, "speaker")
        device_id, _ = complete_pairing(session, code)
        session.get(Device, device_id).private = private
        members.append((made.id, device_id, child, private))
    granted: dict[tuple[str, str], bool] = {}
    for action, who, flag in steps:
        person, device, child, private = members[who % len(members)]
        purpose = "false_wake_review" if flag else "human_review"
        if action in ("grant", "revoke"):
            set_consent(session, person, purpose, action == "grant", actor=person)
            granted[person, purpose] = action == "grant"
        elif action == "speak":
            iid = answered_interaction(session, keyring, blobs, person, device, false_wake=flag)
            decision = sample(session, session.get(Interaction, iid), ALWAYS)
            allowed = (
                not child
                and not private
                and granted.get((person, "human_review"), False)
                and (not flag or granted.get((person, "false_wake_review"), False))
            )
            assert decision.sampled == allowed, decision.reason
        else:
            for task in session.scalars(
                select(ReviewTask).where(ReviewTask.status == "protecting")
            ):
                task.status = "queued"
            try:
                task = next_task(session, reviewer, datetime.now(UTC))
            except QueueClosed:
                continue
            assert granted.get((task.owner_id, "human_review"), False)
            task.status = "submitted"
        for task in session.scalars(
            select(ReviewTask).where(ReviewTask.status.in_(("protecting", "queued", "assigned")))
        ):
            assert granted.get((task.owner_id, "human_review"), False)
            if task.stratum == "false_wake":
                assert granted.get((task.owner_id, "false_wake_review"), False)
    session.rollback()

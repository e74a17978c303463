"""Fixtures for review: consenting adults with clips sampled and protected, and the team."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from confide.privacy.consent import set_consent
from confide.review.preparation import prepare_pending
from confide.sample import SamplingPolicy, sample
from confide.store.tables import Interaction, ReviewTask
from confide_testing import SAID, answered_interaction, fake_protector


@pytest.fixture
def queued(session, keyring, blobs, household) -> Callable[..., list[ReviewTask]]:
    """`queued(who, text, second_opinion=False)`: one of their clips, sampled and protected."""
    for who in ("alice", "bob"):
        set_consent(session, household.people[who].id, "human_review", True, actor="test")

    def make(who: str = "alice", text: str = SAID, second_opinion: bool = False):
        person, device = household.people[who].id, household.devices[who].id
        iid = answered_interaction(session, keyring, blobs, person, device, text)
        policy = SamplingPolicy(rate=1.0, second_opinion=1.0 if second_opinion else 0.0)
        assert sample(session, session.get(Interaction, iid), policy).sampled
        prepare_pending(session, keyring, blobs, iid, fake_protector)
        session.commit()
        return list(session.scalars(select(ReviewTask).where(ReviewTask.interaction_id == iid)))

    return make

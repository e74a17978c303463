"""Consent: human review off until granted, every change recorded in the audit chain."""

from __future__ import annotations

import pytest

from confide.privacy.audit import events
from confide.privacy.consent import DEFAULTS, consents, has_consent, set_consent
from confide_testing import DemoHousehold


def test_defaults_keep_humans_out(session, household: DemoHousehold) -> None:
    for person in household.people.values():
        chosen = consents(session, person.id)
        assert chosen == DEFAULTS
        assert chosen["human_review"] is False and chosen["false_wake_review"] is False


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ([("human_review", True)], True),
        ([("human_review", True), ("human_review", False)], False),
        ([("improvement", True)], False),  # automated improvement is not human review
        ([("storage", False), ("human_review", True)], True),
    ],
)
def test_each_change_takes_effect_and_is_audited(session, household, changes, expected) -> None:
    alice = household.people["alice"].id
    for purpose, granted in changes:
        set_consent(session, alice, purpose, granted, actor="alice")
    session.commit()
    assert has_consent(session, alice, "human_review") is expected
    logged = [(e.action, e.subject) for e in events(session, owner_id=alice)]
    assert logged == [
        ("consent_granted" if granted else "consent_revoked", f"consent:{purpose}")
        for purpose, granted in changes
    ]


def test_unknown_purpose_is_refused(session, household) -> None:
    with pytest.raises(ValueError, match="unknown consent purpose"):
        set_consent(session, household.people["alice"].id, "marketing", True, actor="alice")


@pytest.mark.parametrize(
    ("purpose", "leaves"),
    [
        ("improvement", True),
        ("human_review", True),
        ("storage", False),
        ("false_wake_review", False),
    ],
)
def test_withdrawing_a_consent_the_dataset_relies_on_takes_the_data_out(
    session, keyring, team, queued, household, purpose, leaves
) -> None:
    """Invariant 10: automated improvement and human review both feed the dataset; withdrawing
    either removes the person's items at once, with a receipt. Other purposes leave it."""
    from confide.learn.dataset import current_items
    from confide.privacy.deletion import receipts
    from confide_testing import reviewed_items

    alice = household.people["alice"].id
    reviewed_items(session, keyring, team, queued, "alice", 1)
    set_consent(session, alice, purpose, False, actor="alice")
    session.commit()
    assert len(current_items(session, keyring)) == int(not leaves)
    assert [(r.scope, r.erased) for r in receipts(session, alice)] == (
        [("dataset", {"dataset.items": 1, "dataset.models": 0})] if leaves else []
    )
    assert ("delete" in [e.action for e in events(session, owner_id=alice)]) is leaves

"""Each household's wake-word thresholds, from its confirmed false wakes and its true wakes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from confide.capture.wakeword import MAX_THRESHOLD, MODEL_THRESHOLDS
from confide.learn.wake import WakePolicy, household_thresholds, learn_threshold
from confide.store.tables import Interaction, WakeFeedback
from confide_testing import answered_interaction

NABU = MODEL_THRESHOLDS["okay_nabu"]  # 0.85
TRUE = [0.99] * 20
"""Twenty true wakes, well above every false wake below: the evidence floor, just met."""


@pytest.mark.parametrize(
    ("false_scores", "true_scores", "expected"),
    [
        ([0.9, 0.92], TRUE, 0.925),  # just above the highest false wake, by the margin
        ([0.92, 0.9, 0.91], TRUE, 0.925),  # in any order
        ([0.9], TRUE, None),  # one false wake may be a one-off: not enough to act on
        ([0.9, 0.92], TRUE[:19], None),  # too few true wakes to know what a change would lose
        ([0.5, 0.6], TRUE, None),  # never below the model's default (0.85)
        ([0.84, 0.86], TRUE, 0.865),  # above the default: the one that fired decides
        ([0.9, 0.95], [0.93] + [0.99] * 19, 0.955),  # losing 1 true wake of 20 is the 5% allowed
        ([0.9, 0.95], [0.93, 0.94] + [0.99] * 18, 0.905),  # losing 2 is not: stop below them
        ([0.95, 0.96], [0.93, 0.94] + [0.99] * 18, None),  # no threshold keeps 95%: no change
        ([0.9, 0.96], [0.9] * 5 + [0.99] * 95, 0.965),  # of 100 true wakes, 5 may go...
        ([0.9, 0.96], [0.9] * 6 + [0.99] * 94, None),  # ... but not 6
        ([0.9, 0.993], [0.996] * 20, 0.905),  # a false wake as loud as the model scores stays
    ],
)
def test_thresholds_from_scores(false_scores, true_scores, expected) -> None:
    assert learn_threshold(NABU, false_scores, true_scores) == expected


def test_a_learned_threshold_never_passes_the_highest_a_detector_takes() -> None:
    """A word tuned beyond MAX_THRESHOLD could no longer wake the device at all."""
    assert learn_threshold(0.5, [0.98, 0.986], [0.996] * 20) == 0.985
    assert learn_threshold(0.5, [0.98, 0.988], [0.996] * 20) == 0.985
    assert all(
        learned is None or learned <= MAX_THRESHOLD
        for learned in (learn_threshold(0.5, [x / 100, x / 100], [1.0] * 20) for x in range(100))
    )


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (WakePolicy(min_false=3), None),
        (WakePolicy(min_true=21), None),
        (WakePolicy(margin=0.02), 0.94),
        (WakePolicy(keep=1.0), 0.925),
    ],
)
def test_the_policy_sets_the_evidence_and_the_margin(policy, expected) -> None:
    assert learn_threshold(NABU, [0.9, 0.92], TRUE, policy) == expected


def wake(session, keyring, blobs, household, score: float, *, suspected: bool = False) -> str:
    """An answered wake on alice's device with its detector's score."""
    iid = answered_interaction(
        session,
        keyring,
        blobs,
        household.people["alice"].id,
        household.devices["alice"].id,
        false_wake=suspected,
    )
    session.get_one(Interaction, iid).wake_score = score
    return iid


def confirmed(session, household, score: float | None, word: str = "okay_nabu", iid=None) -> None:
    session.add(
        WakeFeedback(
            id=uuid.uuid4().hex,
            household_id=household.id,
            wake_word=word,
            score=score,
            source="customer",
            interaction_id=iid or uuid.uuid4().hex,
            confirmed_at=datetime.now(UTC),
        )
    )
    session.flush()


def test_a_household_is_tuned_from_its_own_wakes(session, keyring, blobs, household) -> None:
    for _ in range(20):
        wake(session, keyring, blobs, household, 0.99)
    assert household_thresholds(session, household.id) == {}  # no false wake yet
    confirmed(session, household, 0.90)
    assert household_thresholds(session, household.id) == {}  # one is not enough
    confirmed(session, household, 0.95)
    assert household_thresholds(session, household.id) == {"okay_nabu": 0.955}


def test_what_counts_as_a_true_wake(session, keyring, blobs, household) -> None:
    """Wakes the pipeline suspected (nothing heard or understood) and wakes a reviewer confirmed
    false (still kept) are not true wakes; counted as such, they would hold the threshold down."""
    for _ in range(20):
        wake(session, keyring, blobs, household, 0.99)
    for _ in range(3):
        wake(session, keyring, blobs, household, 0.93, suspected=True)
    for _ in range(2):  # flagged by reviewers: each alone would cap the threshold below 0.95
        flagged = wake(session, keyring, blobs, household, 0.95)
        confirmed(session, household, 0.95, iid=flagged)
    confirmed(session, household, 0.90)
    confirmed(session, household, None)  # a wake reported without a score places nothing
    confirmed(session, household, 0.99, word="hey computer")  # a keyphrase: no model to tune
    assert household_thresholds(session, household.id) == {"okay_nabu": 0.955}

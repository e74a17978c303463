"""Agreement (Cohen's kappa, WER between transcripts), adjudication and gold tasks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from confide.review.quality import (
    adjudicate,
    agreement,
    cohen_kappa,
    disagreements,
    gold_accuracy,
    make_gold,
    word_error_rate,
)
from confide.review.staff import add_staff
from confide.review.tasks import Labels, QueueClosed, next_task, submit
from confide.store.tables import StaffMember

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], None),
        ([("a", "a"), ("b", "b")], 1.0),
        ([("a", "a"), ("a", "a")], 1.0),  # one label only: agreement is total
        ([("a", "b"), ("b", "a")], -1.0),
        # The textbook example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no gives 0.4.
        ([("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15, 0.4),
    ],
)
def test_cohen_kappa(pairs, expected):
    kappa = cohen_kappa(pairs)
    assert kappa == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("set a timer", "set a timer", 0.0),
        ("set a timer", "set the timer", 1 / 3),
        ("set a timer", "set a timer now", 1 / 3),
        ("set a timer", "timer", 2 / 3),
        ("", "", 0.0),
        ("", "hello", 1.0),
        ("Set A Timer", "set a timer", 0.0),
    ],
)
def test_word_error_rate(reference, hypothesis, expected):
    assert word_error_rate(reference, hypothesis) == pytest.approx(expected)


def label_twice(session, keyring, team, queued, first, second):
    queued("alice", second_opinion=True)
    for login, labels in (("rhea", first), ("remy", second)):
        reviewer = session.get(StaffMember, team[login].id)
        submit(session, keyring, reviewer, next_task(session, reviewer, NOW), labels, NOW)


def test_agreement_per_reviewer_and_batch(session, keyring, team, queued):
    label_twice(
        session,
        keyring,
        team,
        queued,
        Labels("set a timer", "SetTimer"),
        Labels("set a timer", "SetTimer"),
    )
    label_twice(
        session,
        keyring,
        team,
        queued,
        Labels("play some jazz", "PlayMusic"),
        Labels("play sam jazz", "PlayMusic"),
    )
    label_twice(
        session,
        keyring,
        team,
        queued,
        Labels("turn it up", "Volume"),
        Labels("turn it up", "SetTimer"),
    )
    reviewers, batches = agreement(session, keyring)
    assert {r.name for r in reviewers} == {team["rhea"].pseudonym, team["remy"].pseudonym}
    assert all(r.pairs == 3 for r in reviewers)
    # intents: (T,T) (P,P) (V,T): observed 2/3, expected (2*1 + 1*1 + 0)/9 = 1/3 -> kappa 0.5
    assert reviewers[0].kappa == pytest.approx(0.5)
    assert reviewers[0].wer == pytest.approx((0 + 1 / 3 + 0) / 3)
    assert len(batches) == 1 and batches[0].pairs == 3


def test_disagreements_are_adjudicated_and_become_gold(session, keyring, team, queued):
    label_twice(
        session,
        keyring,
        team,
        queued,
        Labels("turn it up", "Volume"),
        Labels("turn it up", "SetTimer"),
    )
    waiting = disagreements(session, keyring)
    assert len(waiting) == 1
    assert disagreements(session, keyring, waiting[0].group_id) == waiting
    assert disagreements(session, keyring, "0" * 32) == []
    lena = session.get(StaffMember, team["lena"].id)
    adjudicate(session, keyring, lena, waiting[0].group_id, Labels("turn it up", "Volume"), NOW)
    assert disagreements(session, keyring) == []
    gold = make_gold(session, keyring, lena, waiting[0].group_id, NOW)
    assert gold.kind == "gold" and gold.status == "queued"
    # No one who labelled the clip gets it again; a fresh reviewer does, and is scored on it.
    for login in ("rhea", "remy", "lena"):
        with pytest.raises(QueueClosed, match="empty"):
            next_task(session, session.get(StaffMember, team[login].id), NOW)
    made = add_staff(session, keyring, "newcomer", "a long enough password", {"reviewer"})
    newcomer = session.get(StaffMember, made.id)
    task = next_task(session, newcomer, NOW)
    assert task.id == gold.id
    submit(session, keyring, newcomer, task, Labels("turn it up", "SetTimer"), NOW)
    assert gold_accuracy(session) == {newcomer.id: 0.0}

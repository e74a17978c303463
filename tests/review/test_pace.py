"""How review keeps up, in counts: clips sampled and labelled per day, the queue's depth, each
reviewer's labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from confide.review.pace import daily, labelled_by, queue_depth
from confide.review.tasks import Labels, next_task, submit
from confide.store.tables import ReviewTask, StaffMember

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_days_count_what_entered_and_left_review(session, keyring, team, queued):
    made = [queued("alice")[0].id for _ in range(3)]
    session.execute(
        update(ReviewTask)
        .where(ReviewTask.id == made[0])
        .values(sampled_at=NOW - timedelta(days=2))
    )
    session.execute(update(ReviewTask).where(ReviewTask.id.in_(made[1:])).values(sampled_at=NOW))
    rhea = session.get(StaffMember, team["rhea"].id)
    yesterday = NOW - timedelta(days=1)
    submit(
        session, keyring, rhea, next_task(session, rhea, yesterday), Labels("x", None), yesterday
    )
    session.flush()
    days = daily(session, NOW, 3)
    assert [(d.day.day, d.sampled, d.labelled) for d in days] == [
        (21, 1, 0),
        (22, 0, 1),
        (23, 2, 0),
    ]
    assert queue_depth(session) == 2
    assert labelled_by(session, NOW - timedelta(days=7)) == {rhea.id: 1}
    assert labelled_by(session, NOW) == {}

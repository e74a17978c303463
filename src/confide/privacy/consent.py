"""Consent, one purpose at a time: storing recordings, automated improvement, human review.

Human review is its own consent, off until granted, separate from storage and from automated
improvement (invariant 4). The training dataset needs both automated improvement and human
review (the labels are humans' work); withdrawing either takes the person's data out of it at
once (invariant 10). Every change takes effect in the same transaction and is written to the
audit chain, which is the history the customer sees.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from confide.errors import UnknownChoice
from confide.privacy.audit import Access, append
from confide.privacy.deletion import withdraw_from_dataset, withdraw_tasks
from confide.store.tables import Consent, ReviewTask

PURPOSES = {
    "storage": "Keep my recordings so I can play them back",
    "improvement": "Use my recordings, untouched by humans, to improve the models",
    "human_review": "Let trained reviewers listen to an anonymised sample of my recordings",
    "false_wake_review": "Include recordings that were probably not meant for the assistant",
}
"""Each purpose with the words the privacy centre shows for it."""

DEFAULTS = {
    "storage": True,
    "improvement": False,
    "human_review": False,
    "false_wake_review": False,
}
"""Only storage starts on (a history needs it); nothing that involves humans does."""

DATASET_PURPOSES = ("improvement", "human_review")
"""What a reviewed clip's owner must have granted for it to be in the training dataset."""


def consents(session: Session, person_id: str) -> dict[str, bool]:
    """The person's current choice for every purpose."""
    rows = session.execute(
        select(Consent.purpose, Consent.granted).where(Consent.person_id == person_id)
    )
    chosen = {purpose: granted for purpose, granted in rows}
    return {purpose: chosen.get(purpose, DEFAULTS[purpose]) for purpose in PURPOSES}


def has_consent(session: Session, person_id: str, purpose: str) -> bool:
    return consents(session, person_id)[purpose]


def set_consent(
    session: Session,
    person_id: str,
    purpose: str,
    granted: bool,
    *,
    actor: str,
    role: str = "owner",
) -> None:
    """Record a choice now; the caller's commit makes it effective everywhere at once.

    A revocation of review withdraws the person's open review tasks in the same transaction
    (invariant 4); a revocation the dataset relied on removes the person's dataset items, with
    a receipt naming the exports that held them (invariant 10).
    """
    if purpose not in PURPOSES:
        raise UnknownChoice(f"unknown consent purpose {purpose!r}; one of {', '.join(PURPOSES)}")
    row = session.get(Consent, (person_id, purpose))
    now = datetime.now(UTC)
    if row is None:
        session.add(Consent(person_id=person_id, purpose=purpose, granted=granted, changed_at=now))
    else:
        row.granted, row.changed_at = granted, now
    append(
        session,
        Access(
            actor=actor,
            role=role,
            action="consent_granted" if granted else "consent_revoked",
            subject=f"consent:{purpose}",
            reason=PURPOSES[purpose],
            owner_id=person_id,
        ),
    )
    if not granted:
        withdraw_review(session, person_id, purpose)
    if not granted and purpose in DATASET_PURPOSES:
        withdraw_from_dataset(session, person_id, actor=actor, role=role)
    session.flush()


def withdraw_review(session: Session, person_id: str, purpose: str) -> int:
    """Withdraw the person's unreviewed tasks that relied on `purpose` (`withdraw_tasks`): no one
    hears the clip, anonymised or original, once the consent is gone."""
    if purpose == "false_wake_review":
        only: tuple[ColumnElement[bool], ...] = (ReviewTask.stratum == "false_wake",)
    elif purpose == "human_review":
        only = ()
    else:
        return 0
    return withdraw_tasks(
        session, person_id, *only, why="you withdrew your consent, so no one will review these"
    )

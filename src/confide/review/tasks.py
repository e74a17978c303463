"""The review queue: handing out tasks, what a reviewer may see of one, labels, flags, escalation.

A reviewer holds at most one task at a time and can reach only that one: any other id, or a
task that has moved on, reads as not found. Whenever a task is handed out or opened, its owner's
consent is checked again, so a revocation bites even mid-review (invariant 4). Every opening of
a task's words or audio is an audit event the owner sees, under the reviewer's pseudonym
(invariant 6). The distress flag stops the clip, takes it out of the reviewer's hands and routes
it to the safety role (invariant 8); caps per shift bound what one reviewer is exposed to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from confide.errors import BadLabels, NotFound, UnknownChoice
from confide.privacy.audit import Access, append
from confide.privacy.consent import has_consent, withdraw_review
from confide.privacy.contexts import (
    annotation_context,
    task_audio_context,
    task_material_context,
)
from confide.privacy.keys import KeyRing
from confide.review.false_wakes import record_false_wake
from confide.review.watermark import mark_for
from confide.store.database import as_utc
from confide.store.tables import (
    Annotation,
    Consent,
    Escalation,
    Interaction,
    ReviewTask,
    StaffMember,
)

FLAGS = {
    "critical_data": "Personal data is still audible or readable",
    "false_wake": "Not meant for the assistant",
    "distress": "Distressing: stop, and send to the safety team",
}
"""The flags a reviewer can raise, with the words the workbench shows."""


PLAY_SLACK = 0.3
"""Seconds a play-through may seem short by: the player starts as the first bytes arrive."""


@dataclass(frozen=True)
class Wellness:
    """Limits on what one reviewer meets in one shift."""

    clips_per_shift: int = 150
    """After this many clips the queue gives no more until a new shift."""
    distress_per_shift: int = 2
    """After this many distress flags, clips with a content warning are no longer handed out."""
    shift_hours: int = 8
    """A shift ends this long after it started."""
    break_minutes: int = 15
    """The break the workbench offers after a distress flag."""
    work_minutes: int = 50
    """A break is due this long after the shift began or the last break ended."""


@dataclass(frozen=True)
class ShiftProgress:
    """Where a reviewer stands in their shift, for the workbench to keep in view."""

    done: int
    """Clips handed to them this shift."""
    limit: int
    """The most clips a shift hands out."""
    minutes: int
    """Minutes since the shift began."""
    break_due_in: int
    """Minutes until a break is due; 0 when it is due now."""


@dataclass(frozen=True)
class Labels:
    """What a reviewer (or a lead adjudicating) says about one clip."""

    transcript: str
    """The corrected transcript."""
    intent: str | None
    """The right intent, or None when the clip holds no request."""
    slots: list[dict[str, Any]] = field(default_factory=list)
    """The right slots: name, value, and a catalog link where a name was linked."""
    rating: int | None = None
    """How good the answer was, 1 (wrong) to 5 (perfect)."""
    flags: frozenset[str] = frozenset()
    """Some of FLAGS."""
    span: tuple[float, float] | None = None
    """The stretch of the clip (seconds) the flags are about, where the reviewer marked one."""


class QueueClosed(Exception):
    """No task now, and why: `reason` is "break", "shift_limit" or "empty", for a page to say in
    its own words; the message says it in English."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def start_shift(session: Session, member: StaffMember, now: datetime, wellness: Wellness) -> None:
    """A new shift starts when the last one ended; the counters start again."""
    started = _maybe_utc(member.shift_started_at)
    if started is None or now - started >= timedelta(hours=wellness.shift_hours):
        member.shift_started_at = now
        session.flush()


def take_break(session: Session, member: StaffMember, now: datetime, wellness: Wellness) -> None:
    member.break_until = now + timedelta(minutes=wellness.break_minutes)
    session.flush()


def shift_progress(
    session: Session, member: StaffMember, now: datetime, wellness: Wellness = Wellness()
) -> ShiftProgress:
    started = _maybe_utc(member.shift_started_at) or now
    rested = max(started, min(_maybe_utc(member.break_until) or started, now))
    due = rested + timedelta(minutes=wellness.work_minutes) - now
    return ShiftProgress(
        done=_heard_since(session, member, started),
        limit=wellness.clips_per_shift,
        minutes=int((now - started).total_seconds() // 60),
        break_due_in=max(0, int(due.total_seconds() // 60)),
    )


def next_task(
    session: Session, member: StaffMember, now: datetime, wellness: Wellness = Wellness()
) -> ReviewTask:
    """The task this reviewer holds, or the next one for them; QueueClosed says why not."""
    start_shift(session, member, now, wellness)
    held = session.scalar(
        select(ReviewTask).where(
            ReviewTask.assigned_to == member.id, ReviewTask.status == "assigned"
        )
    )
    if held is not None and _still_consented(session, held):
        return held
    on_break = _maybe_utc(member.break_until)
    if on_break is not None and on_break > now:
        raise QueueClosed("break", f"you are on a break until {on_break:%H:%M} UTC")
    started = _maybe_utc(member.shift_started_at) or now
    if _heard_since(session, member, started) >= wellness.clips_per_shift:
        raise QueueClosed("shift_limit", "you have reached this shift's limit of clips; thank you")
    distress = (
        session.scalar(
            select(func.count()).where(
                Escalation.raised_by == member.id, Escalation.raised_at >= started
            )
        )
        or 0
    )
    query = (
        select(ReviewTask)
        .join(
            Consent,
            and_(Consent.person_id == ReviewTask.owner_id, Consent.purpose == "human_review"),
        )
        .where(ReviewTask.status == "queued", Consent.granted.is_(True))
        .where(~_annotated_by(member.id))
        .order_by(ReviewTask.sampled_at, ReviewTask.id)
    )
    if distress >= wellness.distress_per_shift:
        query = query.where(ReviewTask.content_warning.is_(False))
    for task in session.scalars(query.limit(20)):
        if not _still_consented(session, task):
            continue
        task.status, task.assigned_to, task.assigned_at = "assigned", member.id, now
        session.flush()
        return task
    raise QueueClosed("empty", "the queue is empty")


def _heard_since(session: Session, member: StaffMember, started: datetime) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                ReviewTask.assigned_to == member.id, ReviewTask.assigned_at >= started
            )
        )
        or 0
    )


def held_task(session: Session, member: StaffMember, task_id: str) -> ReviewTask:
    """The task if this reviewer holds it now; NotFound for every other id, whatever it is."""
    task = session.get(ReviewTask, task_id)
    if task is None or task.assigned_to != member.id or task.status != "assigned":
        raise NotFound("no such task")
    if not _still_consented(session, task):
        raise NotFound("no such task")
    return task


def material(
    session: Session,
    keyring: KeyRing,
    member: StaffMember,
    task: ReviewTask,
    role: str = "reviewer",
) -> dict[str, Any]:
    """The task's redacted words as the workbench shows them; an audited access."""
    if task.material_sealed is None:
        raise NotFound("no such task")
    append(
        session,
        Access(
            member.pseudonym,
            role,
            "read_transcript",
            f"interaction:{task.interaction_id}",
            "read the redacted transcript of an anonymised clip to label it",
            task.owner_id,
        ),
    )
    shown: dict[str, Any] = keyring.open_json(
        session,
        task.owner_id,
        task.material_sealed,
        task_material_context(task.id, task.interaction_id),
    )
    return shown


def protected_audio(
    session: Session,
    keyring: KeyRing,
    member: StaffMember,
    task: ReviewTask,
    role: str = "reviewer",
    now: datetime | None = None,
) -> bytes:
    """The bleeped, anonymised clip as WAV bytes, marked for this staff member; an audited
    access. Its holder's first hearing starts the clock `heard_through` reads (`now`)."""
    if task.audio_sealed is None:
        raise NotFound("no such task")
    if now is not None and task.assigned_to == member.id and task.heard_at is None:
        task.heard_at = now
    wav = keyring.open(
        session, task.owner_id, task.audio_sealed, task_audio_context(task.id, task.interaction_id)
    )
    append(
        session,
        Access(
            member.pseudonym,
            role,
            "listen",
            f"interaction:{task.interaction_id}",
            "listened to an anonymised, bleeped clip to label it",
            task.owner_id,
        ),
    )
    return mark_for(wav, keyring.watermark_secret(), member.id)


def heard_through(task: ReviewTask, now: datetime) -> bool:
    """Whether the clip could have been heard to its end by now: its length has passed since
    its holder was first sent it (less PLAY_SLACK, for the player's own timing). A task from
    before clip lengths were kept counts as heard once it was sent."""
    heard = _maybe_utc(task.heard_at)
    if heard is None:
        return False
    return (now - heard).total_seconds() >= (task.seconds or 0.0) - PLAY_SLACK


def submit(
    session: Session,
    keyring: KeyRing,
    member: StaffMember,
    task: ReviewTask,
    labels: Labels,
    now: datetime,
) -> Annotation:
    """Store the labels (words sealed under the owner's key) and close the task."""
    unknown = labels.flags - FLAGS.keys()
    if unknown:
        raise BadLabels(f"unknown flags {sorted(unknown)}; flags are {', '.join(FLAGS)}")
    if labels.rating is not None and not 1 <= labels.rating <= 5:
        raise BadLabels("a rating is 1 to 5")
    if labels.span is not None:
        start, end = labels.span
        if not labels.flags:
            raise BadLabels("a marked stretch says what a flag is about: raise a flag with it")
        if not 0 <= start < end <= (task.seconds or end):
            raise BadLabels("a marked stretch starts before it ends, within the clip")
    annotation = add_annotation(session, keyring, member, task, labels, now, adjudication=False)
    task.status = "submitted"
    if "critical_data" in labels.flags:  # protection missed something: no one else hears it
        task.audio_sealed, task.note = None, "reviewer flagged personal data"
    session.flush()
    return annotation


def _confirm_false_wake(
    session: Session, member: StaffMember, task: ReviewTask, now: datetime, role: str
) -> None:
    """The wake's score tunes the household's detector (`confide.review.false_wakes`)."""
    interaction = session.get(Interaction, task.interaction_id)
    if interaction is None or record_false_wake(session, interaction, "reviewer", now) is None:
        return
    append(
        session,
        Access(
            member.pseudonym,
            role,
            "false_wake",
            f"interaction:{task.interaction_id}",
            "a reviewer found the device woke when no one spoke to it: its wake-word score "
            "(a number, no sound or words) now tunes your household's wake word",
            task.owner_id,
        ),
    )


def flag_distress(session: Session, member: StaffMember, task: ReviewTask, now: datetime) -> str:
    """Stop, take the clip from the reviewer, route it to safety; returns the escalation id."""
    escalation = Escalation(
        id=uuid.uuid4().hex, task_id=task.id, raised_by=member.id, raised_at=now, status="open"
    )
    session.add(escalation)
    task.status, task.assigned_to = "escalated", None
    append(
        session,
        Access(
            member.pseudonym,
            "reviewer",
            "flag_distress",
            f"interaction:{task.interaction_id}",
            "a reviewer found the clip distressing; it went to the trained safety team",
            task.owner_id,
        ),
    )
    session.flush()
    return escalation.id


def open_escalations(session: Session) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation).where(Escalation.status == "open").order_by(Escalation.raised_at)
        )
    )


def escalated_task(session: Session, escalation_id: str) -> tuple[Escalation, ReviewTask]:
    escalation = session.get(Escalation, escalation_id)
    task = session.get(ReviewTask, escalation.task_id) if escalation else None
    if escalation is None or task is None:
        raise NotFound("no such escalation")
    return escalation, task


SAFETY_OUTCOMES = {
    "no_risk": "Reviewed: no one appears to be at risk",
    "support_offered": "Reviewed: support resources offered to the household",
    "emergency_referral": "Reviewed: referred under the emergency procedure",
}
"""How the safety role closes an escalation (docs/distress-procedure.md)."""


def close_escalation(
    session: Session, member: StaffMember, escalation_id: str, outcome: str, now: datetime
) -> None:
    if outcome not in SAFETY_OUTCOMES:
        raise UnknownChoice(f"outcome must be one of {', '.join(SAFETY_OUTCOMES)}")
    escalation, task = escalated_task(session, escalation_id)
    escalation.status, escalation.handled_by = "closed", member.id
    escalation.handled_at, escalation.outcome = now, outcome
    task.audio_sealed = None  # the clip leaves review for good
    append(
        session,
        Access(
            member.pseudonym,
            "safety",
            "close_escalation",
            f"interaction:{task.interaction_id}",
            SAFETY_OUTCOMES[outcome],
            task.owner_id,
        ),
    )
    session.flush()


def add_annotation(
    session: Session,
    keyring: KeyRing,
    member: StaffMember,
    task: ReviewTask,
    labels: Labels,
    now: datetime,
    *,
    adjudication: bool,
) -> Annotation:
    annotation_id = uuid.uuid4().hex
    content: dict[str, Any] = {"transcript": labels.transcript, "slots": labels.slots}
    if labels.span is not None:
        content["span"] = list(labels.span)
    row = Annotation(
        id=annotation_id,
        task_id=task.id,
        reviewer_id=member.id,
        adjudication=adjudication,
        intent=labels.intent,
        rating=labels.rating,
        flags=",".join(sorted(labels.flags)),
        content_sealed=keyring.seal_json(
            session, task.owner_id, content, annotation_context(annotation_id, task.interaction_id)
        ),
        submitted_at=now,
    )
    session.add(row)
    session.flush()
    if "false_wake" in labels.flags:  # a reviewer's, or a lead's settling two reviewers
        _confirm_false_wake(session, member, task, now, "lead" if adjudication else "reviewer")
    return row


def open_annotation(session: Session, keyring: KeyRing, annotation: Annotation) -> dict[str, Any]:
    task = session.get(ReviewTask, annotation.task_id)
    if task is None:
        raise NotFound("no such annotation")
    content: dict[str, Any] = keyring.open_json(
        session,
        task.owner_id,
        annotation.content_sealed,
        annotation_context(annotation.id, task.interaction_id),
    )
    return content


def _annotated_by(staff_id: str) -> Any:
    """Tasks whose clip this reviewer already labelled: a second opinion must be someone else's."""
    sibling = ReviewTask.__table__.alias("sibling")
    return exists(
        select(Annotation.id)
        .join(sibling, sibling.c.id == Annotation.task_id)
        .where(sibling.c.group_id == ReviewTask.group_id, Annotation.reviewer_id == staff_id)
    )


def _still_consented(session: Session, task: ReviewTask) -> bool:
    """Consent checked again now; a task whose owner revoked it is withdrawn on the spot."""
    purposes = ["human_review"] + (["false_wake_review"] if task.stratum == "false_wake" else [])
    for purpose in purposes:
        if not has_consent(session, task.owner_id, purpose):
            withdraw_review(session, task.owner_id, purpose)
            return False
    return True


def _maybe_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)

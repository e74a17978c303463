"""Quality of the labels: blind second opinions, agreement, gold tasks, adjudication.

A share of clips is sampled twice (`SamplingPolicy.second_opinion`); the two tasks go to
different reviewers, neither told of the other. Agreement is Cohen's kappa on intents (chance
corrected, so a queue full of one intent cannot flatter it) and the word error rate between the
two transcripts, per reviewer and per batch (the day a clip was sampled). Where two reviewers
disagree a lead adjudicates; an adjudicated clip can become a gold task, mixed into the queue
unmarked, and each reviewer's accuracy on gold is reported beside their agreement.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import NotFound
from confide.privacy.audit import Access, append
from confide.privacy.contexts import task_audio_context, task_material_context
from confide.privacy.keys import KeyRing
from confide.review.tasks import Labels, add_annotation, open_annotation
from confide.store.tables import Annotation, ReviewTask, StaffMember

NO_INTENT = "(none)"
"""How a clip with no request counts as a label."""


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Agreement between two raters beyond chance; None when it is undefined (no pairs)."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first: dict[str, int] = defaultdict(int)
    second: dict[str, int] = defaultdict(int)
    for a, b in pairs:
        first[a] += 1
        second[b] += 1
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1.0 - expected)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference's length (0 when both are empty)."""
    ref, hyp = reference.lower().split(), hypothesis.lower().split()
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1] / len(ref)


@dataclass(frozen=True)
class Agreement:
    """How well labels agree for one reviewer or one batch."""

    name: str
    """A reviewer's pseudonym, or a batch's date."""
    pairs: int
    """Clips labelled twice, blind, that this row covers."""
    kappa: float | None
    """Cohen's kappa on intents."""
    wer: float | None
    """Mean word error rate between the two transcripts."""
    gold_accuracy: float | None = None
    """Share of gold tasks whose intent matched the gold label (reviewers only)."""


@dataclass(frozen=True)
class Pair:
    """Two blind labels of the same clip."""

    group_id: str
    """The clip's group."""
    batch: str
    """The date it was sampled."""
    reviewers: tuple[str, str]
    """Both reviewers' staff ids."""
    intents: tuple[str, str]
    """Both intents."""
    transcripts: tuple[str, str]
    """Both transcripts."""


def blind_pairs(session: Session, keyring: KeyRing, group_id: str | None = None) -> list[Pair]:
    """Every clip (or the one clip `group_id`) with two reviewers' labels, adjudications and
    gold runs excluded."""
    query = (
        select(Annotation, ReviewTask.group_id, ReviewTask.sampled_at)
        .join(ReviewTask, ReviewTask.id == Annotation.task_id)
        .where(Annotation.adjudication.is_(False), ReviewTask.kind.in_(("review", "second")))
        .order_by(Annotation.submitted_at)
    )
    if group_id is not None:
        query = query.where(ReviewTask.group_id == group_id)
    rows = session.execute(query).all()
    by_group: dict[str, list[tuple[Annotation, datetime]]] = defaultdict(list)
    for annotation, group_id, sampled_at in rows:
        by_group[group_id].append((annotation, sampled_at))
    pairs = []
    for group_id, labelled in by_group.items():
        if len(labelled) < 2:
            continue
        (a, sampled_at), (b, _) = labelled[:2]
        pairs.append(
            Pair(
                group_id,
                sampled_at.date().isoformat(),
                (a.reviewer_id, b.reviewer_id),
                (a.intent or NO_INTENT, b.intent or NO_INTENT),
                (
                    open_annotation(session, keyring, a)["transcript"],
                    open_annotation(session, keyring, b)["transcript"],
                ),
            )
        )
    return pairs


def agreement(session: Session, keyring: KeyRing) -> tuple[list[Agreement], list[Agreement]]:
    """Agreement per reviewer and per batch, from the blind pairs."""
    pairs = blind_pairs(session, keyring)
    names = dict(session.execute(select(StaffMember.id, StaffMember.pseudonym)).all())
    per_reviewer: dict[str, list[Pair]] = defaultdict(list)
    per_batch: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        for reviewer in set(pair.reviewers):
            per_reviewer[reviewer].append(pair)
        per_batch[pair.batch].append(pair)
    gold = gold_accuracy(session)
    reviewers = [
        _row(names.get(reviewer, reviewer), subset, gold.get(reviewer))
        for reviewer, subset in sorted(per_reviewer.items(), key=lambda kv: names.get(kv[0], ""))
    ]
    for reviewer, accuracy in gold.items():
        if reviewer not in per_reviewer:
            reviewers.append(Agreement(names.get(reviewer, reviewer), 0, None, None, accuracy))
    batches = [_row(batch, subset) for batch, subset in sorted(per_batch.items())]
    return reviewers, batches


def disagreements(session: Session, keyring: KeyRing, group_id: str | None = None) -> list[Pair]:
    """Blind pairs (of every clip, or of `group_id`) that differ in intent or transcript and
    have no adjudication yet."""
    adjudicated = (
        select(ReviewTask.group_id)
        .join(Annotation, Annotation.task_id == ReviewTask.id)
        .where(Annotation.adjudication.is_(True))
    )
    if group_id is not None:
        adjudicated = adjudicated.where(ReviewTask.group_id == group_id)
    settled = set(session.scalars(adjudicated))
    return [
        pair
        for pair in blind_pairs(session, keyring, group_id)
        if pair.group_id not in settled
        and (pair.intents[0] != pair.intents[1] or word_error_rate(*pair.transcripts) > 0)
    ]


def adjudicate(
    session: Session,
    keyring: KeyRing,
    lead: StaffMember,
    group_id: str,
    labels: Labels,
    now: datetime,
) -> Annotation:
    """The lead's final labels for a clip two reviewers disagreed on."""
    task = _first_task(session, group_id)
    annotation = add_annotation(session, keyring, lead, task, labels, now, adjudication=True)
    append(
        session,
        Access(
            lead.pseudonym,
            "lead",
            "adjudicate",
            f"interaction:{task.interaction_id}",
            "a lead settled two reviewers' different labels",
            task.owner_id,
        ),
    )
    return annotation


def make_gold(
    session: Session, keyring: KeyRing, lead: StaffMember, group_id: str, now: datetime
) -> ReviewTask:
    """A copy of an adjudicated clip, queued unmarked, whose labels are known."""
    task = _first_task(session, group_id)
    final = session.scalar(
        select(Annotation)
        .join(ReviewTask, ReviewTask.id == Annotation.task_id)
        .where(ReviewTask.group_id == group_id, Annotation.adjudication.is_(True))
        .order_by(Annotation.submitted_at.desc())
    )
    if final is None or task.material_sealed is None or task.audio_sealed is None:
        raise NotFound("only an adjudicated clip still in review can become gold")
    gold = ReviewTask(
        id=uuid.uuid4().hex,
        interaction_id=task.interaction_id,
        owner_id=task.owner_id,
        group_id=group_id,
        kind="gold",
        stratum=task.stratum,
        status="queued",
        pseudonym=task.pseudonym,
        sampled_at=now,
        content_warning=task.content_warning,
        gold_annotation_id=final.id,
        seconds=task.seconds,
    )
    # Sealed again under the gold task's own contexts: a sealed value is bound to its record.
    owner = task.owner_id
    gold.material_sealed = keyring.seal(
        session,
        owner,
        keyring.open(
            session,
            owner,
            task.material_sealed,
            task_material_context(task.id, task.interaction_id),
        ),
        task_material_context(gold.id, gold.interaction_id),
    )
    gold.audio_sealed = keyring.seal(
        session,
        owner,
        keyring.open(
            session, owner, task.audio_sealed, task_audio_context(task.id, task.interaction_id)
        ),
        task_audio_context(gold.id, gold.interaction_id),
    )
    session.add(gold)
    append(
        session,
        Access(
            lead.pseudonym,
            "lead",
            "make_gold",
            f"interaction:{gold.interaction_id}",
            "a lead made an adjudicated clip a check task for reviewers",
            owner,
        ),
    )
    session.flush()
    return gold


def gold_accuracy(session: Session) -> dict[str, float]:
    """Per reviewer, the share of gold tasks whose intent matched the gold label."""
    rows = session.execute(
        select(Annotation.reviewer_id, Annotation.intent, ReviewTask.gold_annotation_id)
        .join(ReviewTask, ReviewTask.id == Annotation.task_id)
        .where(ReviewTask.kind == "gold", Annotation.adjudication.is_(False))
    ).all()
    gold_intents = dict(
        session.execute(
            select(Annotation.id, Annotation.intent).where(
                Annotation.id.in_([r.gold_annotation_id for r in rows])
            )
        ).all()
    )
    scores: dict[str, list[bool]] = defaultdict(list)
    for reviewer, intent, gold_id in rows:
        gold = gold_intents.get(gold_id or "")
        scores[reviewer].append((intent or NO_INTENT) == (gold or NO_INTENT))
    return {reviewer: sum(hits) / len(hits) for reviewer, hits in scores.items()}


def _row(name: str, pairs: list[Pair], gold: float | None = None) -> Agreement:
    kappa = cohen_kappa([p.intents for p in pairs])
    wer = sum(word_error_rate(*p.transcripts) for p in pairs) / len(pairs) if pairs else None
    return Agreement(name, len(pairs), kappa, wer, gold)


def _first_task(session: Session, group_id: str) -> ReviewTask:
    task = session.scalar(
        select(ReviewTask)
        .where(ReviewTask.group_id == group_id, ReviewTask.kind.in_(("review", "second")))
        .order_by(ReviewTask.kind)
    )
    if task is None:
        raise NotFound("no such clip")
    return task

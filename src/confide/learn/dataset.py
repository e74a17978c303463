"""The reviewed dataset: what the review taught, in a form training can use, with its lineage.

An item is one reviewed clip (a review group: the clip and its blind second opinion) whose owner
granted both automated improvement and human review, never a child's (invariant 10). It holds the
protected audio the reviewers heard (anonymised and bleeped, never the original recording), the
reviewers' labels (a lead's adjudication when there is one; otherwise labels made only once the
blind opinions agree), the hypothesis production gave as the reviewer saw it, slices for
evaluation, and lineage: a pseudonymous subject, the annotations, the consents' versions and the
model versions that made the hypothesis. Everything is sealed under the interaction's key, so
deleting the interaction shreds the item; deletion and withdrawal also remove the rows at once
(`confide.privacy.deletion.remove_from_dataset`).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from confide.audio import Audio, read_audio
from confide.learn.slices import slices_of
from confide.privacy.audit import Access, append
from confide.privacy.consent import DATASET_PURPOSES
from confide.privacy.contexts import (
    dataset_audio_context,
    dataset_item_context,
    task_audio_context,
    task_material_context,
)
from confide.privacy.deletion import OPEN_REVIEW_STATUSES, withdraw_from_dataset
from confide.privacy.keys import KeyRing
from confide.review.quality import NO_INTENT
from confide.review.tasks import open_annotation
from confide.store.database import as_utc
from confide.store.tables import Annotation, Consent, Interaction, Person, ReviewTask
from confide.store.tables import DatasetItem as ItemRow
from confide.understand.normalise import asr_text

LABELLED_KINDS = ("review", "second")
"""Tasks whose labels describe the clip; gold runs only test the reviewers."""
SUBJECT_PURPOSE = "dataset-subject"
"""The keyed digest that makes a person's pseudonymous subject: stable, and only this server
can link it to the person."""


@dataclass(frozen=True)
class DatasetItem:
    """One reviewed clip as training and evaluation use it."""

    id: str
    """The item's own id; exports name its audio file after it."""
    interaction_id: str
    """The interaction it came from; deleting that removes the item."""
    subject: str
    """Pseudonymous, stable per person, not the person id: splits keep one person on one side."""
    audio: Audio
    """Anonymised and bleeped (the review task's audio), never the original."""
    text: str
    """The reviewer's transcript (redacted; public names kept)."""
    intent: str | None
    """The reviewed intent; None when the clip holds no request."""
    slots: list[dict[str, Any]]
    """Reviewed slots: {"name", "value", "link": a catalog entry id or None}."""
    hypothesis: dict[str, Any]
    """What production said, as the reviewer saw it: {"text", "intent", "slots"}."""
    slices: dict[str, str]
    """{"intent", "wake_word", "device", "asr_confidence", "week"}."""
    lineage: dict[str, Any]
    """{"subject", "reviews": [annotation ids], "consent": {purpose: when granted},
    "models": {component: version}}."""
    created_at: datetime
    """When the item joined the dataset."""


def refresh(session: Session, keyring: KeyRing, now: datetime) -> int:
    """Add an item for each clip newly reviewed under both consents (or newly adjudicated),
    drop items whose owner no longer consents; how many items were added."""
    for owner in session.scalars(
        select(ItemRow.owner_id).where(ItemRow.owner_id.not_in(consenting_people())).distinct()
    ).all():
        withdraw_from_dataset(session, owner, actor="dataset", role="system")
    made = dict(session.execute(select(ItemRow.group_id, ItemRow.annotation_id)).all())
    groups = _reviewed_groups(session)
    added = 0
    for group_id, tasks in groups.items():
        notes = _annotations(session, [task.id for task in tasks])
        chosen = _labels_to_use(session, keyring, group_id, tasks, notes, made)
        if chosen is None:
            continue
        source = _source_task(tasks, chosen)
        if source is None:
            continue
        if group_id in made:
            session.execute(delete(ItemRow).where(ItemRow.group_id == group_id))
        _add_item(session, keyring, source, chosen, notes, now)
        added += 1
    session.flush()
    return added


def current_items(session: Session, keyring: KeyRing) -> list[DatasetItem]:
    """Every item whose owner consents now, opened, oldest first."""
    rows = session.scalars(
        select(ItemRow)
        .where(ItemRow.owner_id.in_(consenting_people()))
        .order_by(ItemRow.created_at, ItemRow.id)
    )
    return [_open_item(session, keyring, row) for row in rows]


def consenting_people() -> Select[str]:
    """The people whose reviewed clips may be in the dataset: adults, not erased, who granted
    every purpose in DATASET_PURPOSES."""
    granted = (
        select(Consent.person_id)
        .where(Consent.purpose.in_(DATASET_PURPOSES), Consent.granted.is_(True))
        .group_by(Consent.person_id)
        .having(func.count() == len(DATASET_PURPOSES))
    )
    return select(Person.id).where(
        Person.id.in_(granted), Person.is_child.is_(False), Person.erased_at.is_(None)
    )


def subject_of(keyring: KeyRing, person_id: str) -> str:
    """The person's pseudonymous subject."""
    return keyring.keyed_digest(SUBJECT_PURPOSE, person_id.encode())[:32]


def _reviewed_groups(session: Session) -> dict[str, list[ReviewTask]]:
    """The labelled tasks of every review group with a submitted task of a consenting owner
    whose recording is still kept: once the recording is deleted, nothing made from it joins."""
    kept = select(Interaction.id).where(Interaction.audio_key.is_not(None))
    submitted = select(ReviewTask.group_id).where(
        ReviewTask.kind.in_(LABELLED_KINDS),
        ReviewTask.status == "submitted",
        ReviewTask.owner_id.in_(consenting_people()),
        ReviewTask.interaction_id.in_(kept),
    )
    tasks = session.scalars(
        select(ReviewTask)
        .where(ReviewTask.group_id.in_(submitted), ReviewTask.kind.in_(LABELLED_KINDS))
        .order_by(ReviewTask.group_id, ReviewTask.kind, ReviewTask.sampled_at)
    )
    groups: dict[str, list[ReviewTask]] = defaultdict(list)
    for task in tasks:
        groups[task.group_id].append(task)
    return groups


def _annotations(session: Session, task_ids: Sequence[str]) -> list[Annotation]:
    return list(
        session.scalars(
            select(Annotation)
            .where(Annotation.task_id.in_(list(task_ids)))
            .order_by(Annotation.submitted_at, Annotation.id)
        )
    )


def _labels_to_use(
    session: Session,
    keyring: KeyRing,
    group_id: str,
    tasks: Sequence[ReviewTask],
    notes: Sequence[Annotation],
    made: Mapping[str, str],
) -> Annotation | None:
    """The annotation a new item for this group should hold, or None when there is none yet
    (a task still open, blind opinions that disagree with no adjudication, a clip a reviewer
    flagged as still holding personal data) or the group's item already holds it."""
    if any(task.status in OPEN_REVIEW_STATUSES for task in tasks):
        return None
    if any("critical_data" in note.flags.split(",") for note in notes):
        return None
    adjudications = [note for note in notes if note.adjudication]
    if adjudications:
        chosen = adjudications[-1]
        return None if made.get(group_id) == chosen.id else chosen
    blind = [note for note in notes if not note.adjudication]
    if group_id in made or not blind or not _agree(session, keyring, blind):
        return None
    return blind[0]


def _agree(session: Session, keyring: KeyRing, blind: Sequence[Annotation]) -> bool:
    """Blind opinions agree when they have the same intent and the same spoken words."""
    if len({note.intent or NO_INTENT for note in blind}) > 1:
        return False
    heard = {asr_text(open_annotation(session, keyring, note)["transcript"]) for note in blind}
    return len(heard) == 1


@dataclass(frozen=True)
class _Source:
    """The task whose protected clip and material an item is made from."""

    task: ReviewTask
    material_sealed: bytes
    audio_sealed: bytes


def _source_task(tasks: Sequence[ReviewTask], chosen: Annotation) -> _Source | None:
    """A task of the group that still holds the protected clip, the chosen labels' own first."""
    ready = [
        _Source(task, task.material_sealed, task.audio_sealed)
        for task in sorted(tasks, key=lambda task: task.id != chosen.task_id)
        if task.material_sealed is not None and task.audio_sealed is not None
    ]
    return ready[0] if ready else None


def _add_item(
    session: Session,
    keyring: KeyRing,
    source: _Source,
    chosen: Annotation,
    notes: Sequence[Annotation],
    now: datetime,
) -> None:
    task = source.task
    owner, iid = task.owner_id, task.interaction_id
    interaction = session.get_one(Interaction, iid)
    material = keyring.open_json(
        session, owner, source.material_sealed, task_material_context(task.id, iid)
    )
    labels = open_annotation(session, keyring, chosen)
    wav = keyring.open(session, owner, source.audio_sealed, task_audio_context(task.id, iid))
    consented = dict(
        session.execute(
            select(Consent.purpose, Consent.changed_at).where(
                Consent.person_id == owner, Consent.purpose.in_(DATASET_PURPOSES)
            )
        ).all()
    )
    subject = subject_of(keyring, owner)
    content = {
        "text": labels["transcript"],
        "intent": chosen.intent,
        "slots": [_slot(slot) for slot in labels.get("slots", [])],
        "hypothesis": {
            "text": material.get("transcript", ""),
            "intent": material.get("intent"),
            "slots": [_slot(slot) for slot in material.get("slots", [])],
        },
        "slices": slices_of(session, interaction, chosen.intent),
        "lineage": {
            "subject": subject,
            "reviews": [note.id for note in notes],
            "consent": {p: as_utc(at).isoformat() for p, at in sorted(consented.items())},
            "models": json.loads(interaction.model_versions or "{}"),
        },
    }
    item_id = uuid.uuid4().hex
    session.add(
        ItemRow(
            id=item_id,
            interaction_id=iid,
            owner_id=owner,
            group_id=task.group_id,
            annotation_id=chosen.id,
            content_sealed=keyring.seal_json(
                session, owner, content, dataset_item_context(item_id, iid)
            ),
            audio_sealed=keyring.seal(session, owner, wav, dataset_audio_context(item_id, iid)),
            created_at=now,
        )
    )
    append(
        session,
        Access(
            "dataset",
            "system",
            "dataset_add",
            f"interaction:{iid}",
            "a reviewed, anonymised clip joined the training data, as you agreed",
            owner,
        ),
    )


def _open_item(session: Session, keyring: KeyRing, row: ItemRow) -> DatasetItem:
    iid = row.interaction_id
    content = keyring.open_json(
        session, row.owner_id, row.content_sealed, dataset_item_context(row.id, iid)
    )
    wav = keyring.open(session, row.owner_id, row.audio_sealed, dataset_audio_context(row.id, iid))
    return DatasetItem(
        id=row.id,
        interaction_id=iid,
        subject=content["lineage"]["subject"],
        audio=read_audio(wav),
        text=content["text"],
        intent=content["intent"],
        slots=content["slots"],
        hypothesis=content["hypothesis"],
        slices=content["slices"],
        lineage=content["lineage"],
        created_at=as_utc(row.created_at),
    )


def _slot(slot: Mapping[str, Any]) -> dict[str, Any]:
    """A slot as the dataset keeps it: its name, value and the catalog entry it links to."""
    return {
        "name": str(slot.get("name", "")),
        "value": str(slot.get("value", "")),
        "link": _link(slot.get("link")),
    }


def _link(link: Any) -> str | None:
    """A link as reviewers and the NLU write it ('artist:x', {"id": ...}) as an entry id."""
    if isinstance(link, Mapping):
        link = link.get("id")
    return str(link) if link else None

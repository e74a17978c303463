"""Deletion that is real: the keys of what is deleted go, every derived copy goes, a receipt stays.

Deleting interactions destroys each one's key first (crypto-shredding, recorded in the shredding
ledger, so a backup taken before cannot bring it back), then removes their sealed audio blobs and
rows (transcript, understanding and answer are columns of the row), and every row derived from
them, found through the tables' foreign keys: review tasks with their annotations, escalations and
break-glass requests, and the training dataset's items. The erasure is explicit here, not left
to a registry or to ON DELETE CASCADE alone, so the receipt can count it and no forgotten import
can make a deletion miss a copy. Exports of the dataset are files outside the service: the
receipt names the exports that held what was deleted, so they can be found and withdrawn.
Erasing an account destroys the person's data key first, so within the same transaction
everything sealed under it is unreadable, and then removes the ciphertext itself, their skill
items, consents and sign-in sessions, and revokes their devices.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.orm import Session

from confide.privacy.audit import Access, append
from confide.privacy.contexts import recording_key_id
from confide.privacy.keys import BATCH, KeyRing
from confide.store.blobs import BlobStore
from confide.store.database import as_utc
from confide.store.tables import (
    Annotation,
    BreakGlass,
    Consent,
    DatasetExport,
    DatasetExportItem,
    DatasetItem,
    DeletionReceipt,
    Device,
    Escalation,
    Interaction,
    InteractionKey,
    ModelTrainingItem,
    ModelVersion,
    Person,
    ReviewTask,
    ShreddedKey,
    SignInSession,
    SkillItem,
)


@dataclass(frozen=True)
class Receipt:
    """What the customer is told was erased."""

    id: str
    """The receipt's own id."""
    person_id: str
    """Whose data it was."""
    scope: str
    """'interaction', 'range 2026-01-01..2026-02-01', 'today', 'all', 'account', 'retention'."""
    erased: dict[str, int]
    """Counts by kind: interactions, audio, transcripts, answers, data_key, each derived kind."""
    created_at: datetime
    """When."""
    exports: list[str] = field(default_factory=list)
    """The dataset exports, oldest first, that held some of what was erased."""


@dataclass(frozen=True)
class DatasetRemoval:
    """What taking a person's data out of the training dataset did."""

    items: int
    """Dataset items removed."""
    exports: list[str]
    """The exports, oldest first, that had held any of it."""
    models: int
    """Model versions trained on any of it, now marked tainted: never promoted again."""


def delete_interactions(
    session: Session,
    keyring: KeyRing,
    blobs: BlobStore,
    person_id: str,
    interaction_ids: Sequence[str],
    *,
    scope: str,
    actor: str,
    role: str = "owner",
) -> Receipt:
    """Destroy the keys of these interactions of `person_id`, then erase them and everything
    derived from them."""
    rows = session.scalars(
        select(Interaction).where(
            Interaction.owner_id == person_id, Interaction.id.in_(list(interaction_ids))
        )
    ).all()
    ids = [row.id for row in rows]
    derived_answers = _answers_after(session, person_id, rows, ids)
    ids += derived_answers
    erased = {
        "interactions": len(rows),
        "audio": sum(1 for r in rows if r.audio_key),
        "transcripts": sum(1 for r in rows if r.transcript_sealed),
        "understandings": sum(1 for r in rows if r.understanding_sealed),
        "answers": sum(1 for r in rows if r.answer_sealed),
    }
    erased["derived_answers"] = len(derived_answers)
    for kind, count in _erase_review_copies(session, ids).items():
        erased[f"review.{kind}"] = count
    removal = remove_from_dataset(session, person_id, ids)
    erased["dataset.items"], erased["dataset.models"] = removal.items, removal.models
    keyring.shred_interactions(session, person_id, ids + [recording_key_id(i) for i in ids])
    receipt = _receipt(session, person_id, scope, erased, actor, role, removal.exports)
    _remove(session, blobs, ids, [row.audio_key for row in rows if row.audio_key])
    return receipt


def _remove(
    session: Session, blobs: BlobStore, ids: Sequence[str], audio_keys: Sequence[str]
) -> None:
    if ids:
        session.execute(delete(Interaction).where(Interaction.id.in_(list(ids))))
    session.flush()
    for key in audio_keys:  # after the rows: a crash here leaves only unreadable orphans
        blobs.delete(key)


def interactions_between(
    session: Session, person_id: str, start: datetime, end: datetime
) -> list[str]:
    return list(
        session.scalars(
            select(Interaction.id).where(
                Interaction.owner_id == person_id,
                Interaction.created_at >= start,
                Interaction.created_at < end,
            )
        )
    )


def erase_account(
    session: Session,
    keyring: KeyRing,
    blobs: BlobStore,
    person_id: str,
    *,
    actor: str,
    role: str = "owner",
) -> Receipt:
    """Destroy the person's key, then every row and blob that held their data.

    The key's destruction is committed on its own first: from that moment everything sealed
    under it is noise, however long removing the ciphertext then takes.
    """
    shredded = keyring.shred(session, person_id)
    session.commit()
    all_ids = list(session.scalars(select(Interaction.id).where(Interaction.owner_id == person_id)))
    receipt = delete_interactions(
        session, keyring, blobs, person_id, all_ids, scope="account", actor=actor, role=role
    )
    erased = {
        **receipt.erased,
        **_erase_account_rows(session, person_id),
        "data_key": int(shredded.existed),
    }
    stored = session.get_one(DeletionReceipt, receipt.id)
    stored.erased_json = _erased_json(erased, receipt.exports)
    return Receipt(receipt.id, person_id, "account", erased, receipt.created_at, receipt.exports)


def _erase_account_rows(session: Session, person_id: str) -> dict[str, int]:
    """What an account holds beside its interactions: skill items, consents, sessions go, devices
    stop working, the profile keeps no login, secret or name."""
    items = _delete_counted(session, SkillItem, SkillItem.owner_id == person_id)
    consents = _delete_counted(session, Consent, Consent.person_id == person_id)
    signed_in = _delete_counted(
        session,
        SignInSession,
        (SignInSession.principal_kind == "person") & (SignInSession.principal_id == person_id),
    )
    now = datetime.now(UTC)
    devices = revoke_devices(
        session.scalars(select(Device).where(Device.person_id == person_id)).all(), now
    )
    person = session.get(Person, person_id)
    if person is not None:
        person.login = person.password_hash = person.totp_sealed = None
        person.name_sealed = b""
        person.erased_at = now
    return {"skill_items": items, "consents": consents, "sessions": signed_in, "devices": devices}


def remove_shredded(session: Session, blobs: BlobStore) -> dict[str, int]:
    """After a restore has destroyed again the keys the ledger names: what those keys sealed goes
    too, as the deletions did it (interactions with their review copies and audio, the accounts
    of erased people), so the restored service holds no noise where data was. No receipt: each
    deletion left its own."""
    erased_people = list(
        session.scalars(
            select(Person.id).where(
                Person.erased_at.is_(None),
                Person.id.in_(select(ShreddedKey.owner_id)),
            )
        )
    )
    rows = session.scalars(
        select(Interaction).where(
            Interaction.id.in_(
                select(InteractionKey.interaction_id).where(InteractionKey.wrapped_key.is_(None))
            )
            | Interaction.owner_id.in_(select(ShreddedKey.owner_id))
        )
    ).all()
    ids = [row.id for row in rows]
    copies = _erase_review_copies(session, ids)
    _remove(session, blobs, ids, [row.audio_key for row in rows if row.audio_key])
    recordings = _shredded_recordings(session)
    for row in recordings:
        remove_from_dataset(session, row.owner_id, [row.id])
    audio_keys = [row.audio_key for row in recordings if row.audio_key]
    for row in recordings:
        row.audio_key = None
    session.flush()
    for key in audio_keys:
        blobs.delete(key)
    for person_id in erased_people:
        _erase_account_rows(session, person_id)
    session.flush()
    return {
        "interactions": len(ids),
        "recordings": len(recordings),
        "accounts": len(erased_people),
        **copies,
    }


def _shredded_recordings(session: Session) -> list[Interaction]:
    """Interactions kept whose recording's key was destroyed: their audio was deleted alone."""
    suffix = recording_key_id("")
    shredded = session.scalars(
        select(InteractionKey.interaction_id).where(
            InteractionKey.wrapped_key.is_(None), InteractionKey.interaction_id.endswith(suffix)
        )
    )
    ids = [key_id.removesuffix(suffix) for key_id in shredded]
    return [
        row
        for start in range(0, len(ids), BATCH)
        for row in session.scalars(
            select(Interaction).where(
                Interaction.id.in_(ids[start : start + BATCH]), Interaction.audio_key.is_not(None)
            )
        )
    ]


def receipts(session: Session, person_id: str) -> list[Receipt]:
    rows = session.scalars(
        select(DeletionReceipt)
        .where(DeletionReceipt.person_id == person_id)
        .order_by(DeletionReceipt.created_at.desc())
    )
    found = []
    for row in rows:
        erased = json.loads(row.erased_json)
        exports = erased.pop("exports", [])
        found.append(Receipt(row.id, row.person_id, row.scope, erased, row.created_at, exports))
    return found


def _delete_counted(
    session: Session, table: type[SkillItem | Consent | SignInSession], where: ColumnElement[bool]
) -> int:
    """Delete the rows `where` selects, and say how many, for the receipt."""
    count = session.scalar(select(func.count()).select_from(table).where(where)) or 0
    session.execute(delete(table).where(where))
    return count


def revoke_devices(devices: Sequence[Device], now: datetime) -> int:
    """The devices stop working: their token and any pairing code are cleared, not only marked
    revoked, so no hash of a credential outlives them. The rows stay, as the household's history
    of what was paired. Removing one device and erasing an account both come here."""
    for device in devices:
        device.token_hash = device.pairing_code_hash = device.pairing_expires_at = None
        device.revoked_at = device.revoked_at or now
    return len(devices)


def _answers_after(
    session: Session, person_id: str, rows: Sequence[Interaction], ids: Sequence[str]
) -> list[str]:
    """The person's answers kept without their request (a read-back of what was heard, a
    deletion's confirmation), given since the earliest interaction deleted: a read-back quotes
    what it heard, so it is derived from what is deleted and goes with it."""
    if not rows:
        return []
    since = min(as_utc(row.created_at) for row in rows)
    return list(
        session.scalars(
            select(Interaction.id).where(
                Interaction.owner_id == person_id,
                Interaction.created_at >= since,
                Interaction.transcript_sealed.is_(None),
                Interaction.understanding_sealed.is_(None),
                Interaction.answer_sealed.is_not(None),
                Interaction.id.not_in(list(ids)),
            )
        )
    )


def delete_recordings(
    session: Session, keyring: KeyRing, blobs: BlobStore, person_id: str, *, actor: str
) -> Receipt:
    """Erase the audio of every recording the person still keeps, and only the audio: what
    turning "keep my recordings" off offers for what was kept before. The recordings' own keys
    go first, so no backup brings the audio back; the reviewers' anonymised clips go too."""
    rows = session.scalars(
        select(Interaction).where(
            Interaction.owner_id == person_id, Interaction.audio_key.is_not(None)
        )
    ).all()
    keyring.shred_interactions(session, person_id, [recording_key_id(row.id) for row in rows])
    audio_keys = [row.audio_key for row in rows if row.audio_key]
    for row in rows:
        row.audio_key = None
    removal = remove_from_dataset(session, person_id, [row.id for row in rows])
    erased = {
        "audio": len(audio_keys),
        "review_clips": _erase_review_clips(session, person_id),
        "dataset.items": removal.items,
        "dataset.models": removal.models,
    }
    receipt = _receipt(session, person_id, "recordings", erased, actor, "owner", removal.exports)
    for key in audio_keys:  # after the rows: a crash here leaves only unreadable orphans
        blobs.delete(key)
    return receipt


OPEN_REVIEW_STATUSES = ("protecting", "queued", "assigned", "escalated")
"""A review task in one of these has not been reviewed yet, so a revocation still stops it; an
escalated clip too, which the safety role would otherwise go on hearing."""


def withdraw_tasks(session: Session, person_id: str, *only: ColumnElement[bool], why: str) -> int:
    """Withdraw the person's unreviewed tasks (those meeting `only`, if given): their material
    and clip go, and so do the open escalations and the pending or approved break-glass requests
    on them. Audited, with `why` in the customer's words; returns how many."""
    relied = [ReviewTask.owner_id == person_id, ReviewTask.status.in_(OPEN_REVIEW_STATUSES), *only]
    task_ids = select(ReviewTask.id).where(*relied).scalar_subquery()
    session.execute(
        update(Escalation)
        .where(Escalation.task_id.in_(task_ids), Escalation.status == "open")
        .values(status="withdrawn")
    )
    session.execute(
        update(BreakGlass)
        .where(BreakGlass.task_id.in_(task_ids), BreakGlass.status.in_(("pending", "approved")))
        .values(status="withdrawn")
    )
    result = session.execute(
        update(ReviewTask)
        .where(*relied)
        .values(status="withdrawn", material_sealed=None, audio_sealed=None)
    )
    count: int = getattr(result, "rowcount", 0) or 0
    if count:
        append(
            session,
            Access("sampler", "system", "withdraw_from_review", f"tasks:{count}", why, person_id),
        )
    session.flush()
    return count


def _erase_review_clips(session: Session, person_id: str) -> int:
    """The reviewers' copies of the person's voice (anonymised and bleeped, but their voice) go
    with the recordings: a task not yet reviewed is withdrawn, since no one can label a clip
    they cannot hear; a reviewed one keeps its labels (text, as the transcripts stay) and loses
    its clip. Returns how many clips went."""
    with_clip = (ReviewTask.owner_id == person_id, ReviewTask.audio_sealed.is_not(None))
    clips = session.scalar(select(func.count()).select_from(ReviewTask).where(*with_clip)) or 0
    why = "you deleted your recordings, so no one will review these"
    withdraw_tasks(session, person_id, why=why)
    session.execute(update(ReviewTask).where(*with_clip).values(audio_sealed=None))
    return clips


def _erase_review_copies(session: Session, interaction_ids: Sequence[str]) -> dict[str, int]:
    """Tasks, annotations, escalations and break-glass requests go with the clip they came from."""
    task_ids = list(
        session.scalars(select(ReviewTask.id).where(ReviewTask.interaction_id.in_(interaction_ids)))
    )
    if not task_ids:
        return {"review_tasks": 0, "annotations": 0}
    annotations = session.scalar(select(func.count()).where(Annotation.task_id.in_(task_ids))) or 0
    for table in (Annotation, Escalation, BreakGlass):
        session.execute(delete(table).where(table.task_id.in_(task_ids)))
    session.execute(delete(ReviewTask).where(ReviewTask.id.in_(task_ids)))
    return {"review_tasks": len(task_ids), "annotations": annotations}


def remove_from_dataset(
    session: Session, person_id: str, interaction_ids: Sequence[str] | None = None
) -> DatasetRemoval:
    """Remove the person's training dataset items (those of `interaction_ids`, or all of them)
    at once, and name the exports that held any of that data."""
    removed = tainted = 0
    export_ids: set[str] = set()
    now = datetime.now(UTC)
    batches = (
        [None]
        if interaction_ids is None
        else [
            interaction_ids[start : start + BATCH]
            for start in range(0, len(interaction_ids), BATCH)
        ]
    )
    for batch in batches:
        items = DatasetItem.owner_id == person_id
        exported = DatasetExportItem.owner_id == person_id
        trained = ModelTrainingItem.owner_id == person_id
        if batch is not None:
            items &= DatasetItem.interaction_id.in_(list(batch))
            exported &= DatasetExportItem.interaction_id.in_(list(batch))
            trained &= ModelTrainingItem.interaction_id.in_(list(batch))
        removed += session.scalar(select(func.count()).select_from(DatasetItem).where(items)) or 0
        session.execute(delete(DatasetItem).where(items))
        export_ids.update(session.scalars(select(DatasetExportItem.export_id).where(exported)))
        tainted += _taint(session, select(ModelTrainingItem.version_id).where(trained), now)
    exports = session.scalars(
        select(DatasetExport.id)
        .where(DatasetExport.id.in_(export_ids))
        .order_by(DatasetExport.created_at, DatasetExport.id)
    )
    return DatasetRemoval(removed, list(exports), tainted)


def _taint(session: Session, versions: Select[str], now: datetime) -> int:
    """Mark these model versions as trained on data that is gone; how many were not yet."""
    result = session.execute(
        update(ModelVersion)
        .where(ModelVersion.id.in_(versions), ModelVersion.tainted_at.is_(None))
        .values(tainted_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def withdraw_from_dataset(
    session: Session, person_id: str, *, actor: str, role: str = "owner"
) -> Receipt | None:
    """Take all the person's data out of the training dataset, as withdrawing a consent it
    relied on does; a receipt when there was any."""
    removal = remove_from_dataset(session, person_id)
    if not removal.items and not removal.models:
        return None
    erased = {"dataset.items": removal.items, "dataset.models": removal.models}
    return _receipt(session, person_id, "dataset", erased, actor, role, removal.exports)


def _erased_json(erased: dict[str, int], exports: Sequence[str]) -> str:
    return json.dumps({**erased, "exports": list(exports)} if exports else erased)


def _receipt(
    session: Session,
    person_id: str,
    scope: str,
    erased: dict[str, int],
    actor: str,
    role: str,
    exports: Sequence[str] = (),
) -> Receipt:
    receipt = Receipt(uuid.uuid4().hex, person_id, scope, erased, datetime.now(UTC), list(exports))
    session.add(
        DeletionReceipt(
            id=receipt.id,
            person_id=person_id,
            created_at=receipt.created_at,
            scope=scope,
            erased_json=_erased_json(erased, exports),
        )
    )
    append(
        session,
        Access(actor, role, "delete", f"receipt:{receipt.id}", f"deleted ({scope})", person_id),
    )
    session.flush()
    return receipt

"""A person's own data, unsealed for them alone: the history they browse, the zip they download.

Only the owner's key opens any of it, and every query here is bounded to one owner, so another
person's interaction can neither be listed nor exported by mistake. The export is built in
memory and handed over, never stored: a stored export would be one more copy to delete.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from confide.errors import NotFound
from confide.privacy.audit import events
from confide.privacy.consent import PURPOSES, consents
from confide.privacy.contexts import (
    InteractionContext,
    answer_context,
    audio_context,
    transcript_context,
    understanding_context,
)
from confide.privacy.deletion import receipts
from confide.privacy.keys import KeyRing
from confide.store.blobs import BlobStore
from confide.store.database import as_utc
from confide.store.tables import Device, Interaction


@dataclass(frozen=True)
class OwnInteraction:
    """One interaction as its owner sees it, unsealed."""

    id: str
    """The interaction's id."""
    created_at: datetime
    """When the device sent it (UTC)."""
    device: str
    """The name of the device that heard it."""
    status: str
    """received, processing, answered or failed."""
    transcript: dict[str, Any] | None
    """{"text", "words", "engine"}; None until recognised, or when it was not kept."""
    understanding: dict[str, Any] | None
    """{"intent", "confidence", "slots"}; None until understood, or when it was not kept."""
    answer: dict[str, Any] | None
    """{"text", "skill", "action", "offline"} once answered."""
    has_audio: bool
    """Whether the recording is still kept."""

    @property
    def heard(self) -> str | None:
        return str(self.transcript["text"]) if self.transcript else None


def own_interactions(
    session: Session,
    keyring: KeyRing,
    person_id: str,
    *,
    limit: int | None = None,
    offset: int = 0,
    conditions: Sequence[ColumnElement[bool]] = (),
) -> list[OwnInteraction]:
    """The person's interactions that meet `conditions` (on Interaction), newest first."""
    rows = session.execute(
        select(Interaction, Device.name)
        .join(Device, Device.id == Interaction.device_id)
        .where(Interaction.owner_id == person_id, *conditions)
        .order_by(Interaction.created_at.desc(), Interaction.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        OwnInteraction(
            id=row.id,
            created_at=as_utc(row.created_at),
            device=device,
            status=row.status,
            transcript=_open(session, keyring, row, row.transcript_sealed, transcript_context),
            understanding=_open(
                session, keyring, row, row.understanding_sealed, understanding_context
            ),
            answer=_open(session, keyring, row, row.answer_sealed, answer_context),
            has_audio=row.audio_key is not None,
        )
        for row, device in rows
    ]


def own_audio(session: Session, keyring: KeyRing, blobs: BlobStore, row: Interaction) -> bytes:
    """The recording as WAV; the caller has checked that the asker owns `row`."""
    if row.audio_key is None:
        raise NotFound(f"the audio of {row.id} is not kept")
    sealed = blobs.get(row.audio_key)
    return keyring.open(session, row.owner_id, sealed, audio_context(row.id))


def export_zip(session: Session, keyring: KeyRing, blobs: BlobStore, person_id: str) -> bytes:
    """All that is kept about the person: interactions, recordings, consents, accesses, receipts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        listed = []
        for item in own_interactions(session, keyring, person_id):
            audio_file = f"audio/{item.id}.wav" if item.has_audio else None
            if audio_file:
                row = session.get_one(Interaction, item.id)
                archive.writestr(audio_file, own_audio(session, keyring, blobs, row))
            listed.append(
                {
                    "id": item.id,
                    "time": item.created_at.isoformat(),
                    "device": item.device,
                    "status": item.status,
                    "transcript": item.transcript,
                    "understanding": item.understanding,
                    "answer": item.answer,
                    "audio": audio_file,
                }
            )
        chosen = consents(session, person_id)
        access_log = [
            {
                "sequence": e.sequence,
                "at": e.at,
                "actor": e.actor,
                "role": e.role,
                "action": e.action,
                "subject": e.subject,
                "reason": e.reason,
            }
            for e in events(session, owner_id=person_id)
        ]
        kept = [
            {
                "id": r.id,
                "time": as_utc(r.created_at).isoformat(),
                "scope": r.scope,
                "erased": r.erased,
            }
            for r in receipts(session, person_id)
        ]
        _write_json(archive, "interactions.json", listed)
        _write_json(
            archive,
            "consents.json",
            {p: {"granted": chosen[p], "meaning": PURPOSES[p]} for p in PURPOSES},
        )
        _write_json(archive, "access_log.json", access_log)
        _write_json(archive, "receipts.json", kept)
    return buffer.getvalue()


def _open(
    session: Session,
    keyring: KeyRing,
    row: Interaction,
    sealed: bytes | None,
    context: Callable[[str], InteractionContext],
) -> dict[str, Any] | None:
    if sealed is None:
        return None
    value: dict[str, Any] = keyring.open_json(session, row.owner_id, sealed, context(row.id))
    return value


def _write_json(archive: zipfile.ZipFile, name: str, value: Any) -> None:
    archive.writestr(name, json.dumps(value, indent=2, ensure_ascii=False))

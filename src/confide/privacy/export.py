"""A person's own data, unsealed for them alone: the history they browse, the zip they download.

Only the owner's key opens any of it, and every query here is bounded to one owner, so another
person's interaction can neither be listed nor exported by mistake. The export is built in
memory and handed over, never stored: a stored export would be one more copy to delete.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from confide.errors import NotFound
from confide.privacy.access_words import in_words
from confide.privacy.audit import events
from confide.privacy.consent import PURPOSES, consents
from confide.privacy.contexts import (
    InteractionContext,
    answer_context,
    audio_context,
    person_name_context,
    transcript_context,
    understanding_context,
)
from confide.privacy.deletion import receipts
from confide.privacy.keys import KeyRing
from confide.privacy.receipt_words import erased_counts, scope_words
from confide.privacy.retention import describe
from confide.store.blobs import BlobStore
from confide.store.database import as_utc
from confide.store.tables import Device, Household, Interaction, Person

AUDIO_NAME_WORDS = 6
"""Words of what was said in a recording's file name: enough to know it again."""
_PAGES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)
_PAGES.filters.update(scope=scope_words, counted=erased_counts)
_INDEX = _PAGES.get_template("export_index.html")
"""The export's page for people, beside its JSON for programs."""


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
    """All that is kept about the person: interactions and recordings, settings, devices,
    consents, accesses and receipts, as JSON for programs and as `index.html` for them to read
    (it plays the recordings, which are named by their date and first words)."""
    buffer = io.BytesIO()
    person = session.get_one(Person, person_id)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        interactions = own_interactions(session, keyring, person_id)
        named = _audio_names(interactions)
        listed = []
        for item in interactions:
            audio_file = named.get(item.id)
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
        chain = list(events(session, owner_id=person_id))
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
            for e in chain
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
        consent_list = {p: {"granted": chosen[p], "meaning": PURPOSES[p]} for p in PURPOSES}
        settings = _settings(session, keyring, person)
        devices = _devices(session, person_id)
        _write_json(archive, "interactions.json", listed)
        _write_json(archive, "settings.json", settings)
        _write_json(archive, "devices.json", devices)
        _write_json(archive, "consents.json", consent_list)
        _write_json(archive, "access_log.json", access_log)
        _write_json(archive, "receipts.json", kept)
        index = _INDEX.render(
            settings=settings,
            devices=devices,
            interactions=listed,
            consents=consent_list,
            accesses=in_words(session, keyring, person_id, reversed(chain)),
            receipts=kept,
            made=datetime.now(UTC),
        )
        archive.writestr("index.html", index)
    return buffer.getvalue()


def _settings(session: Session, keyring: KeyRing, person: Person) -> dict[str, Any]:
    """Every choice kept about the person and their household."""
    home = session.get_one(Household, person.household_id)
    name = keyring.open(session, person.id, person.name_sealed, person_name_context(person.id))
    return {
        "name": name.decode(),
        "login": person.login,
        "child_profile": person.is_child,
        "account_made": as_utc(person.created_at).isoformat(),
        "keep_recordings": {
            "days": person.retention_days,
            "meaning": describe(person.retention_days),
        },
        "household": {"time_zone": home.time_zone, "quiet_hours": home.quiet_hours},
    }


def _devices(session: Session, person_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Device).where(Device.person_id == person_id).order_by(Device.name)
    )
    return [
        {
            "name": device.name,
            "paired": as_utc(device.paired_at).isoformat() if device.paired_at else None,
            "removed": as_utc(device.revoked_at).isoformat() if device.revoked_at else None,
            "private": device.private,
        }
        for device in rows
    ]


def _audio_names(interactions: Sequence[OwnInteraction]) -> dict[str, str]:
    """A file name for each kept recording that says when it was and what was said, e.g.
    `audio/2026-05-03_1402_set-a-timer-for-ten-minutes.wav`; the same name twice gets a number."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for item in sorted(interactions, key=lambda i: (i.created_at, i.id)):
        if not item.has_audio:
            continue
        words = re.findall(r"[a-z0-9]+", _ascii(item.heard or "").lower())[:AUDIO_NAME_WORDS]
        stem = f"audio/{item.created_at:%Y-%m-%d_%H%M}_{'-'.join(words) or 'recording'}"
        name, n = f"{stem}.wav", 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}.wav"
        taken.add(name)
        names[item.id] = name
    return names


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


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

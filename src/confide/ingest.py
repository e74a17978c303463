"""Ingest: an authenticated device upload becomes a sealed interaction record, or nothing at all.

The audio is validated before anything is written (invariant 9: a corrupt upload is rejected
whole), sealed under the owner's key, and the record is created in one transaction. A device
that retries an upload with the same client id gets the same interaction back (idempotent); the
same client id with other audio is refused. Retries that race each other (sent in parallel, or
to two servers) all get the one interaction the database kept: the unique (device, client id)
decides, and each loser deletes the blob it wrote.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from confide.audio import Audio, read_audio
from confide.errors import AccessDenied, KeyReused, Malformed, OutOfRange
from confide.privacy.contexts import audio_context
from confide.privacy.keys import KeyRing
from confide.store.blobs import BlobStore
from confide.store.tables import Device, Interaction

MAX_UTTERANCE_SECONDS = 30.0
MAX_CLIENT_ID = 64
"""The longest Idempotency-Key a device may send."""
WAKE_WORD = re.compile(r"[A-Za-z0-9_' -]{1,32}")
"""What a device may say woke it: a model name such as `okay_nabu` or a short custom keyphrase.
With the wake's score, it is all a device sends that is stored unsealed, so it is bounded."""


def token_hash(token: str) -> str:
    """Device tokens are stored hashed, so a database leak does not leak working tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate_device(session: Session, token: str) -> Device:
    device = session.scalar(select(Device).where(Device.token_hash == token_hash(token)))
    if device is None or device.revoked_at is not None or device.paired_at is None:
        raise AccessDenied("unknown or revoked device token")
    return device


def ingest(
    session: Session,
    keyring: KeyRing,
    blobs: BlobStore,
    device: Device,
    client_id: str,
    data: bytes,
    *,
    wake_word: str | None = None,
    wake_score: float | None = None,
    max_seconds: float = MAX_UTTERANCE_SECONDS,
) -> Interaction:
    """Validate, seal and record one utterance; the same `client_id` twice gives one record.

    `wake_score` is the detector's peak score for the wake word (0 to 1), which tunes the
    household's detector once false wakes are confirmed (`confide.learn.wake`).
    A retry must resend what was first sent: the same `client_id` with other bytes is KeyReused.
    A blob store with no room raises StorageFull (StorageUnavailable when it cannot be reached)
    and nothing is kept. Losing a race to a parallel retry rolls `session` back, so call it in a
    session of its own.
    """
    if wake_word is not None and not WAKE_WORD.fullmatch(wake_word):
        raise Malformed("a wake word is a name or short phrase of 1 to 32 letters and digits")
    if wake_score is not None and (wake_word is None or not 0.0 <= wake_score <= 1.0):  # NaN too
        raise OutOfRange("a wake score is a number from 0 to 1, sent with the wake word")
    digest = keyring.keyed_digest("upload", data)
    existing = _sent_before(session, device, client_id, digest)
    if existing is not None:
        return existing
    if not client_id or len(client_id) > MAX_CLIENT_ID:
        raise OutOfRange(f"client_id must be 1 to {MAX_CLIENT_ID} characters")
    audio: Audio = read_audio(data, max_seconds=max_seconds)  # BadAudio: nothing is written
    keyring.ensure_key(session, device.person_id)
    interaction_id = uuid.uuid4().hex
    audio_key = f"audio/{device.person_id}/{interaction_id}"
    sealed = keyring.seal(
        session, device.person_id, audio.to_wav_bytes(), audio_context(interaction_id)
    )
    blobs.put(audio_key, sealed)  # StorageFull: nothing written, the session rolls back
    interaction = Interaction(
        id=interaction_id,
        owner_id=device.person_id,
        device_id=device.id,
        client_id=client_id,
        created_at=datetime.now(UTC),
        status="received",
        attempts=0,
        audio_key=audio_key,
        audio_seconds=round(audio.seconds, 3),
        wake_word=wake_word,
        wake_score=None if wake_score is None else round(wake_score, 4),
        upload_digest=digest,
    )
    session.add(interaction)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        blobs.delete(audio_key)
        winner = _sent_before(session, device, client_id, digest)
        if winner is None:  # another constraint: not a race this function can settle
            raise
        return winner
    except BaseException:
        blobs.delete(audio_key)
        raise
    return interaction


def _sent_before(
    session: Session, device: Device, client_id: str, digest: str
) -> Interaction | None:
    """The interaction this device already sent under `client_id`, if any; KeyReused when it
    was sent with other audio."""
    existing = session.scalar(
        select(Interaction).where(
            Interaction.device_id == device.id, Interaction.client_id == client_id
        )
    )
    if existing is not None and existing.upload_digest not in (None, digest):
        raise KeyReused("this Idempotency-Key was used for other audio; use a new key")
    return existing

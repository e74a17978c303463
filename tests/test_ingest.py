"""Ingest: validated whole or not at all, sealed, idempotent (invariants 2 and 9)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from confide import ingest as ingest_module
from confide.audio import Audio, read_audio
from confide.errors import AccessDenied, BadAudio, KeyReused
from confide.ingest import authenticate_device, ingest
from confide.privacy.contexts import audio_context
from confide.privacy.keys import KeyRing
from confide.service.accounts import revoke_device
from confide.store.blobs import LocalBlobStore
from confide.store.database import sessions
from confide.store.tables import Interaction, InteractionKey
from confide_testing import DemoHousehold, wav


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Interaction)) or 0


def test_upload_is_sealed_and_recorded(
    session, keyring: KeyRing, blobs: LocalBlobStore, household: DemoHousehold
) -> None:
    device = household.devices["alice"]
    data = wav()
    interaction = ingest(session, keyring, blobs, device, "clip-1", data, wake_word="okay_nabu")
    session.commit()
    sealed = blobs.get(interaction.audio_key or "")
    assert b"RIFF" not in sealed and b"WAVE" not in sealed
    opened = keyring.open(session, device.person_id, sealed, audio_context(interaction.id))
    assert opened.startswith(b"RIFF")
    assert (interaction.status, interaction.owner_id) == ("received", device.person_id)


def test_retries_are_idempotent(session, keyring, blobs, household: DemoHousehold) -> None:
    device = household.devices["bob"]
    first = ingest(session, keyring, blobs, device, "retry-me", wav())
    second = ingest(session, keyring, blobs, device, "retry-me", wav())
    session.commit()
    assert first.id == second.id
    assert count(session) == 1
    assert len(list(blobs.keys())) == 1


@pytest.mark.parametrize(
    "data",
    [b"", b"RIFF" + bytes(60), b"not audio" * 40, wav(31.0), wav(1.0)[: len(wav(1.0)) // 2]],
    ids=["empty", "corrupt", "text", "too-long", "truncated"],
)
def test_bad_uploads_change_nothing(
    session, keyring, blobs, household: DemoHousehold, data: bytes
) -> None:
    with pytest.raises(BadAudio):
        ingest(session, keyring, blobs, household.devices["alice"], "bad", data)
    session.rollback()
    assert count(session) == 0
    assert list(blobs.keys()) == []


def test_tokens_are_checked(session, household: DemoHousehold) -> None:
    with pytest.raises(AccessDenied):
        authenticate_device(session, "not-a-token")
    revoke_device(session, household.devices["alice"].id)
    session.commit()
    assert household.devices["alice"].revoked_at is not None


RACERS = 8


@pytest.mark.parametrize(
    ("bodies", "outcome"),
    [([wav()] * RACERS, "one"), ([wav(), wav(1.5)] * (RACERS // 2), "one or refused")],
    ids=["the same audio", "other audio under the same key"],
)
def test_parallel_retries_race_to_one_interaction(
    engine, keyring, blobs, household: DemoHousehold, monkeypatch, bodies, outcome
) -> None:
    """Retries sent at once all pass the check for an earlier upload before any is written (a
    barrier holds them there); the unique (device, client id) lets one write, and every other
    gets that one, deleting the blob it wrote, or KeyReused if it carried other audio."""
    arrived = threading.Barrier(RACERS, timeout=30)

    def read_together(data: bytes, **limits: float) -> Audio:
        arrived.wait()
        return read_audio(data, **limits)

    monkeypatch.setattr(ingest_module, "read_audio", read_together)
    device = household.devices["alice"]

    def upload(data: bytes) -> str:
        with sessions(engine)() as session:
            try:
                made = ingest(session, keyring, blobs, device, "raced", data)
            except KeyReused:
                return "refused"
            session.commit()
            return made.id

    with ThreadPoolExecutor(RACERS) as pool:
        answers = list(pool.map(upload, bodies))
    with sessions(engine)() as session:
        kept = session.scalars(select(Interaction)).all()
        keys = session.scalars(select(InteractionKey.interaction_id)).all()
    assert len(kept) == 1
    winner = kept[0]
    assert set(answers) - {"refused"} == {winner.id}
    assert answers.count("refused") == (0 if outcome == "one" else RACERS // 2)
    assert list(blobs.keys()) == [winner.audio_key]
    assert keys == [f"{winner.id}/recording"]

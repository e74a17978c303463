"""Fault tests of the blob path (issue 12): a full disk while an upload's audio is written, a
corrupt recording read back, and one upload retried in parallel. Each ends with every
interaction kept once or not at all, nothing half-written and nothing in plaintext."""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from confide.ingest import ingest
from confide.pipeline import Engines
from confide.service.app import create_app
from confide.service.limits import DeviceLimits
from confide.service.runtime import Runtime
from confide.service.server import background_server
from confide.settings import Settings
from confide.store.blobs import LocalBlobStore
from confide.store.tables import Device, Interaction, InteractionKey
from confide_testing import DemoHousehold, ScriptedRecognizer, understand_timer, wav

RACERS = 8


@pytest.fixture
def runtime_for(settings: Settings) -> Iterator[Callable[..., Runtime]]:
    """`runtime_for(blobs=None, **options)`: the app's runtime on the test database, scripted
    engines unless `options` name others, jobs run inline; `blobs` replaces the store the
    settings name (a seam for faults)."""
    made: list[Runtime] = []

    def build(blobs: LocalBlobStore | None = None, **options: Any) -> Runtime:
        options.setdefault(
            "engines_factory", lambda _settings: Engines(ScriptedRecognizer(), understand_timer)
        )
        runtime = Runtime(settings, immediate_jobs=True, **options)
        if blobs is not None:
            runtime.blobs = blobs
        made.append(runtime)
        return runtime

    yield build
    for runtime in made:
        runtime.close()


def bearer(token: str, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


def kept(runtime: Runtime) -> tuple[list[Interaction], list[str]]:
    """The interactions in the database, and the ids of the interaction keys."""
    with runtime.sessions() as session:
        rows = list(session.scalars(select(Interaction)))
        keys = sorted(session.scalars(select(InteractionKey.interaction_id)))
        session.expunge_all()
    return rows, keys


def files(root: Path) -> list[str]:
    """Every file under the blob store's root, partial ones included."""
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


class FullDisk(LocalBlobStore):
    """A local store on a disk that is full until `full` is cleared: a write fails as the
    kernel fails it, part of the blob already in the temporary file."""

    full = True

    def _write(self, file: BinaryIO, data: bytes) -> None:
        if not self.full:
            return super()._write(file, data)
        file.write(data[: len(data) // 2])
        file.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_refuses_the_upload_until_there_is_room(
    runtime_for, settings: Settings, household: DemoHousehold
) -> None:
    """507 with Retry-After and nothing kept (no interaction, no key, no partial file); once
    there is room, the device's retry under the same Idempotency-Key makes one interaction."""
    disk = FullDisk(settings.blob_dir)
    runtime = runtime_for(blobs=disk)
    client = TestClient(create_app(runtime))
    headers = bearer(household.tokens["alice"], "full-disk")
    refused = client.post("/api/utterances", content=wav(), headers=headers)
    assert refused.status_code == 507, refused.text
    assert refused.headers["Retry-After"] == "60"
    assert refused.json() == {"detail": "no room to keep this now; try again later"}
    assert kept(runtime) == ([], [])
    assert files(settings.blob_dir) == []

    disk.full = False
    retried = client.post("/api/utterances", content=wav(), headers=headers)
    assert retried.status_code == 202, retried.text
    polled = client.get(f"/api/utterances/{retried.json()['id']}?wait=5", headers=headers)
    assert polled.json()["status"] == "answered"
    interactions, _ = kept(runtime)
    assert [row.id for row in interactions] == [retried.json()["id"]]
    assert files(settings.blob_dir) == [interactions[0].audio_key]


def flip_a_byte(stored: Path) -> None:
    sealed = bytearray(stored.read_bytes())
    sealed[len(sealed) // 2] ^= 0x01
    stored.write_bytes(bytes(sealed))


def truncate(stored: Path) -> None:
    stored.write_bytes(stored.read_bytes()[: stored.stat().st_size // 2])


def unknown_format(stored: Path) -> None:
    stored.write_bytes(b"\x09" + stored.read_bytes()[1:])


DAMAGE = {
    "a byte flipped": (flip_a_byte, "failed its integrity check"),
    "truncated": (truncate, "failed its integrity check"),
    "an unknown format": (unknown_format, "failed its integrity check"),
    "gone": (Path.unlink, "missing from the blob store"),
}
"""What happened to the stored recording → what the failed interaction says of it."""


@pytest.mark.parametrize(("damage", "named"), DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_recording_is_never_answered(
    runtime_for, settings: Settings, household: DemoHousehold, caplog, damage, named
) -> None:
    """Processing a damaged sealed recording fails on its integrity check (or on its absence)
    at the first try, since no retry brings it back: it ends failed saying why, and hands
    nothing out: no transcript, no answer, no plaintext in the logs, and the recogniser never
    hears it."""
    heard: list[object] = []

    class Ears(ScriptedRecognizer):
        def transcribe(self, audio, hints=()):  # type: ignore[no-untyped-def]
            heard.append(audio)
            return super().transcribe(audio, hints)

    runtime = runtime_for(engines_factory=lambda _settings: Engines(Ears(), understand_timer))
    with runtime.sessions() as session:
        device = session.get_one(Device, household.devices["alice"].id)
        interaction = ingest(session, runtime.keyring, runtime.blobs, device, "damaged", wav())
        session.commit()
        interaction_id, audio_key = interaction.id, interaction.audio_key or ""
    damage(settings.blob_dir / audio_key)

    caplog.set_level(logging.DEBUG)
    assert runtime.pipeline.process(interaction_id) == "failed"
    assert heard == []
    interactions, _ = kept(runtime)
    [row] = interactions
    assert (row.status, row.transcript_sealed, row.answer_sealed) == ("failed", None, None)
    assert row.error is not None and named in row.error
    client = TestClient(create_app(runtime))
    polled = client.get(
        f"/api/utterances/{interaction_id}", headers=bearer(household.tokens["alice"], "x")
    )
    assert (polled.json()["status"], polled.json()["answer"]) == ("failed", None)
    logged = caplog.text
    assert "RIFF" not in logged and "account number" not in logged


def test_parallel_retries_through_the_server_make_one_interaction(
    runtime_for, settings: Settings, household: DemoHousehold
) -> None:
    """Eight sends of one upload under one Idempotency-Key, at once, to the real server: each
    is answered 202 naming the same interaction, which is kept once and answered once, with
    one blob (each loser of the race deleted its own)."""
    runtime = runtime_for(device_limits=DeviceLimits(uploads=RACERS))
    data, headers = wav(), bearer(household.tokens["alice"], "raced")
    start = threading.Barrier(RACERS, timeout=30)

    with background_server(runtime) as url:

        def send(_: int) -> httpx.Response:
            with httpx.Client(base_url=url, timeout=60) as client:
                start.wait()
                return client.post("/api/utterances", content=data, headers=headers)

        with ThreadPoolExecutor(RACERS) as pool:
            responses = list(pool.map(send, range(RACERS)))
        with httpx.Client(base_url=url, timeout=60) as client:
            named = {response.json()["id"] for response in responses}
            polled = client.get(f"/api/utterances/{min(named)}?wait=10", headers=headers)

    assert [response.status_code for response in responses] == [202] * RACERS
    interactions, keys = kept(runtime)
    assert [row.id for row in interactions] == sorted(named)
    assert polled.json()["status"] == "answered"
    assert interactions[0].attempts == 1
    assert all(key.startswith(interactions[0].id) for key in keys)
    assert files(settings.blob_dir) == [interactions[0].audio_key]

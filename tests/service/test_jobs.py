"""The job queue, for real: SQLite storage by default, Redis for workers on several machines."""

from __future__ import annotations

import base64
import secrets
import threading
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from confide.service.jobs import build_queue
from confide.settings import Settings, load_settings

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The queue needs no database, so these tests run once, not once per database."""
    return load_settings(
        tmp_path, env={"CONFIDE_KEK": base64.b64encode(secrets.token_bytes(32)).decode()}
    )


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_worker_processes_what_was_enqueued(settings: Settings, backend: str) -> None:
    if backend == "redis":
        if not redis_reachable():
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        settings = replace(settings, redis_url=REDIS_URL)
    done: list[str] = []
    finished = threading.Event()
    expected = [uuid.uuid4().hex for _ in range(5)]

    def process(interaction_id: str) -> str:
        done.append(interaction_id)
        if len(done) == len(expected):
            finished.set()
        return "answered"

    queue = build_queue(settings, process)
    queue.huey.flush()
    for interaction_id in expected:
        queue.enqueue(interaction_id)
    consumer = queue.huey.create_consumer(workers=2, worker_type="thread")
    consumer.start()
    try:
        assert finished.wait(30)
    finally:
        consumer.stop(graceful=True)
    assert sorted(done) == sorted(expected)


def test_failures_are_retried(settings: Settings) -> None:
    attempts: list[int] = []
    finished = threading.Event()

    def flaky(interaction_id: str) -> str:
        attempts.append(1)
        if len(attempts) < 2:
            raise RuntimeError("worker crashed")
        finished.set()
        return "answered"

    queue = build_queue(settings, flaky)
    queue.huey.flush()
    queue.enqueue("x")
    consumer = queue.huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        assert finished.wait(30)
    finally:
        consumer.stop(graceful=True)
    assert len(attempts) == 2

"""Notices: word that an interaction's status changed, from the worker that changed it to the
server holding the device's long-poll, so the answer goes out as soon as it is written.

Why: a device waiting for its answer cost a database query every 0.2 s; at 1,000 devices those
looks were most of the server's CPU and of the database's commits (`benchmarks/load.py`). Now a
waiter looks, then sleeps until a notice comes or LOOK_AGAIN_SECONDS pass. A notice is sent at
most once (Redis pub/sub keeps nothing for a subscriber that was away), so the database stays the
truth, and the slower look finds whatever a lost notice would have said.

In one process (the embedded default) a notice goes from the worker thread to the waiting request
directly. With CONFIDE_REDIS_URL it goes through a Redis channel, to which each server process
subscribes on its first wait (workers only publish).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import redis

log = logging.getLogger(__name__)

CHANNEL = "confide:status"
"""The Redis channel; a message is an interaction id."""
LOOK_AGAIN_SECONDS = 2.0
"""How long a waiter sleeps without a notice before it looks at the database again."""
REDIS_TIMEOUT_SECONDS = 5.0
RECONNECT_SECONDS = 1.0


@dataclass(frozen=True, eq=False)
class _Waiter:
    loop: asyncio.AbstractEventLoop
    event: asyncio.Event


class Notices:
    """Notices within this process: a waiting request is woken from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, set[_Waiter]] = {}

    def announce(self, interaction_id: str) -> None:
        """Say that the interaction's status changed; safe from any thread."""
        self._wake(interaction_id)

    @contextmanager
    def listening(self, interaction_id: str) -> Iterator[asyncio.Event]:
        """An event, on the running loop, set whenever the interaction's status may have changed.
        Clear it before each look, so a change between the look and the wait is not missed."""
        waiter = _Waiter(asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiting.setdefault(interaction_id, set()).add(waiter)
        try:
            yield waiter.event
        finally:
            with self._lock:
                waiters = self._waiting[interaction_id]
                waiters.discard(waiter)
                if not waiters:
                    del self._waiting[interaction_id]

    def waiting(self) -> int:
        """How many requests wait for a notice now."""
        with self._lock:
            return sum(len(waiters) for waiters in self._waiting.values())

    def close(self) -> None:
        """Nothing to let go of in one process."""

    def _wake(self, interaction_id: str) -> None:
        with self._lock:
            waiters = list(self._waiting.get(interaction_id, ()))
        for waiter in waiters:
            with suppress(RuntimeError):  # its loop has closed: no one waits there any more
                waiter.loop.call_soon_threadsafe(waiter.event.set)


class RedisNotices(Notices):
    """Notices between the processes of a cluster, through one Redis channel."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._closing = threading.Event()
        self._subscriber: threading.Thread | None = None

    def announce(self, interaction_id: str) -> None:
        self._wake(interaction_id)  # a waiter in this process needs no round trip
        try:
            self._client.publish(CHANNEL, interaction_id)
        except redis.RedisError as exc:
            log.warning(
                "notice for %s not sent; its waiter's next look finds it (%s)", interaction_id, exc
            )

    @contextmanager
    def listening(self, interaction_id: str) -> Iterator[asyncio.Event]:
        self._subscribe()
        with super().listening(interaction_id) as event:
            yield event

    def close(self) -> None:
        self._closing.set()
        if self._subscriber is not None:
            self._subscriber.join(timeout=REDIS_TIMEOUT_SECONDS + RECONNECT_SECONDS)
        self._client.close()

    def _subscribe(self) -> None:
        """Start the subscriber thread once; it connects (and reconnects) on its own, so a
        request never waits on Redis."""
        with self._lock:
            if self._subscriber is None:
                self._subscriber = threading.Thread(
                    target=self._listen, name="confide-notices", daemon=True
                )
                self._subscriber.start()

    def _listen(self) -> None:
        while not self._closing.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]  # unannotated in redis-py
            try:
                pubsub.subscribe(CHANNEL)
                while not self._closing.is_set():
                    message = pubsub.get_message(timeout=RECONNECT_SECONDS)
                    if message is not None:
                        self._wake(message["data"].decode())
            except redis.RedisError as exc:
                log.warning(
                    "notices: Redis unreachable, waiters look every %g s (%s)",
                    LOOK_AGAIN_SECONDS,
                    exc,
                )
                self._closing.wait(RECONNECT_SECONDS)
            finally:
                pubsub.close()


async def until_changed(event: asyncio.Event, seconds: float) -> None:
    """Sleep until `event` is set or `seconds` pass, whichever is first."""
    with suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), max(seconds, 0.0))

"""Notices wake the request waiting on an interaction, within a process and through Redis, and
a lost one costs only a later look."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest

from confide.service.notices import Notices, RedisNotices, until_changed
from confide_cluster import PrivateRedis, free_port

WOKEN_WITHIN_SECONDS = 30.0
"""Far past what a notice takes (milliseconds): only one that never comes fails."""


@pytest.fixture(params=["in one process", "through Redis"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[Notices, Notices]]:
    """(where the request waits, where the worker announces)."""
    if request.param == "in one process":
        notices = Notices()
        yield notices, notices
        notices.close()
        return
    url = request.getfixturevalue("redis_server").url
    waiting, announcing = RedisNotices(url), RedisNotices(url)
    yield waiting, announcing
    waiting.close()
    announcing.close()


async def woken(waiting: Notices, interaction_id: str, announce: Callable[[], None]) -> bool:
    """Whether a waiter on `interaction_id` is woken when `announce` runs on another thread
    (repeated until then: a subscriber connects a moment after the first wait)."""
    with waiting.listening(interaction_id) as changed:
        stop = threading.Event()

        def keep_announcing() -> None:
            while not stop.wait(0.1):
                announce()

        thread = threading.Thread(target=keep_announcing)
        thread.start()
        try:
            await until_changed(changed, WOKEN_WITHIN_SECONDS)
            return changed.is_set()
        finally:
            stop.set()
            thread.join()


def test_a_notice_wakes_the_waiter_of_its_interaction(pair: tuple[Notices, Notices]) -> None:
    waiting, announcing = pair
    assert asyncio.run(woken(waiting, "i-1", lambda: announcing.announce("i-1")))
    assert waiting.waiting() == 0, "a waiter that has gone leaves nothing behind"


def test_a_notice_for_another_interaction_wakes_no_one(pair: tuple[Notices, Notices]) -> None:
    waiting, announcing = pair

    async def scenario() -> bool:
        with waiting.listening("mine") as changed:
            for _ in range(5):
                announcing.announce("someone-else")
            await until_changed(changed, 0.5)
            return changed.is_set()

    assert not asyncio.run(scenario())


def test_notices_flow_again_after_the_broker_restarts(redis_server: PrivateRedis) -> None:
    """The subscriber reconnects on its own; while Redis is down, announcing raises nothing."""
    waiting, announcing = RedisNotices(redis_server.url), RedisNotices(redis_server.url)
    try:
        assert asyncio.run(woken(waiting, "before", lambda: announcing.announce("before")))
        redis_server.stop()
        announcing.announce("while down")  # logged, not raised
        redis_server.start()
        assert asyncio.run(woken(waiting, "after", lambda: announcing.announce("after")))
    finally:
        waiting.close()
        announcing.close()


def test_with_redis_unreachable_announcing_raises_nothing_and_wakes_this_process() -> None:
    notices = RedisNotices(f"redis://127.0.0.1:{free_port()}/0")

    async def scenario() -> bool:
        with notices.listening("i-1") as changed:
            notices.announce("i-1")  # publishing fails, and is logged
            await until_changed(changed, WOKEN_WITHIN_SECONDS)
            return changed.is_set()

    try:
        assert asyncio.run(scenario())
    finally:
        notices.close()

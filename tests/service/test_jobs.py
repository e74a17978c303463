"""The job engine, for real: Dramatiq in this process (the embedded default), and on a private
redis-server, where a worker is killed mid-job and the broker restarted with messages queued.

The work here is fakes that count what ran, so "exactly once" is counted, not inferred."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest

from confide.service import jobs
from confide.service.jobs import MIN_BACKOFF_MS, Work, build_queue
from confide.service.sweep import Due
from confide.settings import Settings
from confide_cluster import PrivateRedis, stop

CHILD = Path(__file__).with_name("job_worker_child.py")
WAIT_SECONDS = 30.0
REQUEUE_BOUND_SECONDS = 90.0
"""Far past what a requeue takes (about 10 to 12 s): only a requeue that never comes fails."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The queue needs no database, so these tests run once, not once per database."""
    return Settings(data_dir=tmp_path, database_url="sqlite://", blob_dir=tmp_path / "blobs")


class Record:
    """What the fake work did, counted, with a wait for what a test expects."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.changed = threading.Condition()

    def __call__(self, kind: str, what: str = "") -> None:
        with self.changed:
            self.calls[kind, what] += 1
            self.changed.notify_all()

    def of(self, kind: str) -> Counter[str]:
        with self.changed:
            return Counter({what: n for (k, what), n in self.calls.items() if k == kind})

    def wait_for(self, done: Callable[[Record], bool], seconds: float = WAIT_SECONDS) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: done(self), timeout=seconds), dict(self.calls)


def recording_work(record: Record, **overrides: Callable[..., object]) -> Work:
    def answer(interaction_id: str) -> str:
        record("answer", interaction_id)
        return "answered"

    work = Work(
        answer=answer,
        protect=lambda interaction_id: record("protect", interaction_id),
        upkeep=lambda: record("upkeep"),
        sweep=Due,
        heartbeat=lambda: record("heartbeat"),
    )
    return replace(work, **overrides)


def once_then_nothing(due: Due) -> Callable[[], Due]:
    """A sweep that finds `due` the first time and nothing after."""
    rounds = iter([due])
    return lambda: next(rounds, Due())


def test_each_enqueued_interaction_is_answered_once(settings: Settings) -> None:
    record = Record()
    queue = build_queue(settings, recording_work(record))
    ids = [f"interaction-{n}" for n in range(20)]
    with queue.consuming(threads=4):
        for interaction_id in ids:
            queue.enqueue(interaction_id)
        record.wait_for(lambda r: set(r.of("answer")) == set(ids))
    assert record.of("answer") == Counter(ids)


def test_a_failing_answer_is_retried_with_back_off(settings: Settings) -> None:
    record = Record()
    attempts: list[float] = []

    def flaky(interaction_id: str) -> str:
        attempts.append(time.monotonic())
        if len(attempts) <= 2:
            raise RuntimeError("the recogniser crashed")
        record("answer", interaction_id)
        return "answered"

    queue = build_queue(settings, recording_work(record, answer=flaky))
    with queue.consuming():
        queue.enqueue("flaky")
        record.wait_for(lambda r: r.of("answer") == Counter(["flaky"]))
    assert len(attempts) == 3
    gaps = [later - earlier for earlier, later in pairwise(attempts)]
    assert all(gap >= MIN_BACKOFF_MS / 1000 for gap in gaps), gaps


@pytest.mark.parametrize(
    ("due", "answered", "protected"),
    [
        (Due(answer=["a", "b"]), {"a", "b"}, set()),
        (Due(protect=["c"]), set(), {"c"}),
        (Due(answer=["a"], protect=["a", "d"]), {"a"}, {"a", "d"}),
    ],
)
def test_what_the_sweep_finds_due_is_sent(
    settings: Settings, due: Due, answered: set[str], protected: set[str]
) -> None:
    record = Record()
    queue = build_queue(settings, recording_work(record, sweep=once_then_nothing(due)))
    with queue.consuming():
        record.wait_for(
            lambda r: set(r.of("answer")) | set(r.of("protect")) >= answered | protected
        )
    assert record.of("answer") == Counter(answered)
    assert record.of("protect") == Counter(protected)


def test_a_blocking_protect_does_not_hold_up_answers(settings: Settings) -> None:
    record = Record()
    release = threading.Event()

    def slow_protect(interaction_id: str) -> None:
        record("protect started", interaction_id)
        release.wait(WAIT_SECONDS)

    queue = build_queue(settings, recording_work(record, protect=slow_protect))
    with queue.consuming(threads=1):
        queue.enqueue_protect("long")
        record.wait_for(lambda r: bool(r.of("protect started")))
        for n in range(3):
            queue.enqueue(f"quick-{n}")
        record.wait_for(lambda r: len(r.of("answer")) == 3)
        assert not release.is_set(), "the answers came while the protect still held its thread"
        release.set()
    assert record.of("protect started") == Counter(["long"])


def test_the_timers_outlive_their_errors(settings: Settings) -> None:
    """The database down at one tick: each timer logs it and tries again at the next."""
    record = Record()
    failures = {"heartbeat": 1, "sweep": 1}

    def failing_once(name: str, then: Callable[[], object]) -> Callable[[], object]:
        def tick() -> object:
            record(f"{name} tick")
            if failures[name]:
                failures[name] -= 1
                raise ConnectionError("the database is down")
            return then()

        return tick

    sweep = once_then_nothing(Due(answer=["late"]))
    work = recording_work(
        record,
        heartbeat=failing_once("heartbeat", lambda: None),
        sweep=failing_once("sweep", sweep),
    )
    with build_queue(settings, work).consuming():
        record.wait_for(lambda r: r.of("answer") == Counter(["late"]))
        record.wait_for(lambda r: r.of("heartbeat tick")[""] >= 2)


def test_the_upkeep_is_sent_to_the_batch_queue_at_the_turn_of_the_hour(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "seconds_to_next_hour", lambda: 0.2)
    record = Record()
    queue = build_queue(settings, recording_work(record))
    with queue.consuming():
        record.wait_for(lambda r: bool(r.of("upkeep")))


@pytest.mark.parametrize(
    ("now", "seconds"),
    [(0.0, 3600.0), (1.0, 3599.0), (3599.5, 0.5), (7200.0 + 1800.0, 1800.0)],
)
def test_seconds_to_the_next_hour(now: float, seconds: float) -> None:
    assert jobs.seconds_to_next_hour(now) == pytest.approx(seconds)


@pytest.mark.parametrize(("send", "kind"), [("enqueue", "answer"), ("enqueue_protect", "protect")])
def test_immediate_mode_runs_the_job_inline(settings: Settings, send: str, kind: str) -> None:
    record = Record()
    queue = build_queue(settings, recording_work(record), immediate=True)
    getattr(queue, send)("now")
    assert record.of(kind) == Counter(["now"])


def start_worker(redis_url: str, record: Path, mode: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(CHILD), redis_url, str(record), mode])


def lines(record: Path) -> list[str]:
    return record.read_text().splitlines() if record.exists() else []


def wait_until(done: Callable[[], bool], seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"not within {seconds:g} s"
        time.sleep(0.1)


def test_a_killed_workers_job_is_taken_up_by_another_worker(
    settings: Settings, redis_server: PrivateRedis, tmp_path: Path
) -> None:
    record = tmp_path / "jobs.log"
    first = start_worker(redis_server.url, record, "hang")
    try:
        with closing(
            build_queue(replace(settings, redis_url=redis_server.url), recording_work(Record()))
        ) as queue:
            queue.enqueue("job-1")
        wait_until(lambda: f"started job-1 {first.pid}" in lines(record))
    finally:
        stop(first, hard=True)
    killed = time.monotonic()
    second = start_worker(redis_server.url, record, "answer")
    try:
        wait_until(lambda: f"answered job-1 {second.pid}" in lines(record), REQUEUE_BOUND_SECONDS)
        print(f"a killed worker's job was answered by another {time.monotonic() - killed:.1f} s on")
    finally:
        stop(second)
    assert second.returncode == 0, "SIGTERM stops a worker cleanly"
    assert lines(record) == [
        f"started job-1 {first.pid}",
        f"started job-1 {second.pid}",
        f"answered job-1 {second.pid}",
    ]


def test_after_a_broker_restart_the_sweep_sends_again(
    settings: Settings, redis_server: PrivateRedis
) -> None:
    """Redis here keeps nothing: what was queued when it stopped is gone, and the database (here a
    set of ids not yet answered) is what the sweep sends again, once the queue has reconnected."""
    record = Record()
    waiting = {"queued-1", "queued-2", "queued-3"}

    def sweep() -> Due:
        return Due(answer=sorted(waiting - set(record.of("answer"))))

    work = recording_work(record, sweep=sweep)
    with closing(build_queue(replace(settings, redis_url=redis_server.url), work)) as queue:
        for interaction_id in sorted(waiting):
            queue.enqueue(interaction_id)
        redis_server.stop()
        redis_server.start()
        with queue.consuming(threads=2):
            record.wait_for(lambda r: set(r.of("answer")) == waiting)
            redis_server.stop()
            waiting.add("while-down")
            queue.enqueue("while-down")  # not sent: logged, and left to the sweep
            redis_server.start()
            record.wait_for(lambda r: set(r.of("answer")) == waiting)
            queue.enqueue("sent")  # the sweep would not send this yet: it was just queued
            record.wait_for(lambda r: "sent" in r.of("answer"))
    assert record.of("answer") == Counter(waiting | {"sent"})

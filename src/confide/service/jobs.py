"""The job engine: Dramatiq carries two queues, `answers` (one interaction through recognise,
understand and answer) and `batch` (protecting sampled clips, the hourly upkeep). Each queue has a
broker and worker threads of its own, so batch work never holds a thread an answer waits for.

With CONFIDE_REDIS_URL the brokers are Redis, shared by every process of the cluster: a message is
acknowledged after its work, so one on a worker killed mid-job stays unacknowledged, and Redis
gives it to another worker once the dead one's heartbeat is old (`redis_broker`). Without it the
brokers live in this process (the embedded default, consumed by threads of `confide serve`).

Either way the database, not the broker, is the source of truth: every worker process runs the
sweep every few seconds, which re-sends what a lost message, a killed worker or a restarted broker
left behind, and the work itself is idempotent, so a message delivered twice changes nothing the
second time.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from types import FrameType
from urllib.parse import urlsplit

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Retries, TimeLimit

from confide.service.sweep import Due
from confide.settings import Settings

log = logging.getLogger(__name__)

ANSWERS = "answers"
BATCH = "batch"

HEARTBEAT_SECONDS = 2.0
"""How often each worker process says it is alive (`Work.heartbeat`)."""
SWEEP_SECONDS = 5.0
"""How often each worker process asks the database what needs a job (`Work.sweep`)."""
UPKEEP_SECONDS = 3600.0
"""The upkeep is sent at the turn of each hour (UTC)."""

MAX_RETRIES = 3
MIN_BACKOFF_MS = 1_000
MAX_BACKOFF_MS = 30_000
ANSWER_TIME_LIMIT_MS = 120_000
"""An answer past this is interrupted (and retried), so a hung job does not hold a thread."""
BATCH_TIME_LIMIT_MS = 3_600_000
STOP_TIMEOUT_MS = 30_000
"""On stop, how long the jobs in progress get to finish. One that does not is given to another
worker later (Redis), or re-driven by the sweep (in-process)."""

IN_PROCESS_POLL_MS = 100
"""How long an idle consumer or worker thread waits before looking again (and at whether to stop).
In this process a wait costs nothing, so it is short, and stopping is quick."""
REDIS_POLL_MS = 250
"""Dramatiq's Redis broker has no blocking fetch: idle consumers poll, backing off to this. It is
how long a new message can wait with every worker idle, so it is short (Dramatiq's default is
1 s, a visible share of an answer's time); each poll is one small command."""

REDIS_HEARTBEAT_TIMEOUT_MS = 10_000
"""A worker process whose broker sent Redis no command for this long is dead (Dramatiq: 60 s)."""
REDIS_MAINTENANCE_CHANCE = 1_000_000
"""Every command (of a million) also checks for dead workers (Dramatiq: one in a thousand)."""
REDIS_NAMESPACE = "confide"
REDIS_SOCKET_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Work:
    """What the jobs run; the runtime provides it."""

    answer: Callable[[str], str]
    """Answers queue: one interaction; returns its status."""
    protect: Callable[[str], object]
    """Batch queue: protect the interaction's sampled clips."""
    upkeep: Callable[[], object]
    """Batch queue, once an hour (the callable makes sure one worker of the cluster does it)."""
    sweep: Callable[[], Due]
    """Called every SWEEP_SECONDS by each worker process."""
    heartbeat: Callable[[], object]
    """Called every HEARTBEAT_SECONDS by each worker process."""


def redis_broker(url: str, time_limit_ms: int) -> RedisBroker:
    """A Redis broker that gives a dead worker's messages to a live one within seconds.

    Each broker stamps its heartbeat (a sorted set of broker ids) with every command it sends,
    and a worker's consumers send one at least every REDIS_POLL_MS while idle (they poll), so a
    live worker is never 10 s quiet (REDIS_HEARTBEAT_TIMEOUT_MS). The requeue happens in
    "maintenance": dispatch.lua, when a command draws it, moves the unacknowledged messages that
    dead brokers fetched from that command's queue back onto it. Dramatiq draws it for one
    command in a thousand, so with a few idle workers the requeue could wait many minutes; here
    every command does it (REDIS_MAINTENANCE_CHANCE), which costs two range reads of small
    sorted sets while no broker is dead (and, once one is, a KEYS over its acknowledgement sets
    until they are moved: Redis holds little else here). A killed worker's message is back on
    its queue within a poll or two of the timeout, and taken by the next: about 10 to 12 s.

    A worker busy, not dead, keeps its heartbeat: when its threads are all taken, its consumer of
    the retry (delay) queue still polls. If a stalled one lost it, its message would run twice,
    which the database's claim makes harmless.
    """
    client = redis.Redis.from_url(
        url,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
    )
    return RedisBroker(  # type: ignore[no-untyped-call]  # its __init__ has no annotations
        client=client,
        middleware=middleware(time_limit_ms),
        namespace=REDIS_NAMESPACE,
        heartbeat_timeout=REDIS_HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=REDIS_MAINTENANCE_CHANCE,
    )


def middleware(time_limit_ms: int) -> list[dramatiq.Middleware]:
    """A time limit per job, and retries with exponential back-off (then the dead-letter queue;
    the database's own attempt count decides when an interaction has failed)."""
    return [
        TimeLimit(time_limit=time_limit_ms),
        Retries(max_retries=MAX_RETRIES, min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS),
    ]


def broker_name(settings: Settings) -> str:
    """Where the queues live, for the log, without any password in the URL."""
    if not settings.redis_url:
        return "this process (no CONFIDE_REDIS_URL)"
    url = urlsplit(settings.redis_url)
    return f"Redis at {url.hostname}:{url.port or 6379}{url.path}"


class Queue:
    """Sends jobs, and consumes them on threads of this process."""

    def __init__(
        self,
        work: Work,
        answers: dramatiq.Broker,
        batch: dramatiq.Broker,
        *,
        immediate: bool = False,
        where: str = "",
        poll_ms: int = IN_PROCESS_POLL_MS,
    ) -> None:
        self.work = work
        self.immediate = immediate
        self.where = where
        self.poll_ms = poll_ms
        self.brokers = {ANSWERS: answers, BATCH: batch}
        self._answer = _actor(self._run_answer, answers, "answer", ANSWERS)
        self._protect = _actor(self._run_protect, batch, "protect", BATCH)
        self._upkeep = _actor(self._run_upkeep, batch, "upkeep", BATCH)
        self._booted = False

    def _run_answer(self, interaction_id: str) -> None:
        status = self.work.answer(interaction_id)
        log.debug("interaction %s: %s", interaction_id, status)

    def _run_protect(self, interaction_id: str) -> None:
        self.work.protect(interaction_id)

    def _run_upkeep(self) -> None:
        self.work.upkeep()

    def enqueue(self, interaction_id: str) -> None:
        """Answer this interaction (the answers queue). Should the broker be unreachable, the
        interaction waits in the database, and the sweep sends it once the broker is back."""
        if self.immediate:
            self.work.answer(interaction_id)
            return
        try:
            self._answer.send(interaction_id)
        except redis.RedisError as exc:
            log.warning("not sent, the sweep will: answer %s (%s)", interaction_id, exc)

    def enqueue_protect(self, interaction_id: str) -> None:
        """Protect this interaction's sampled clips (the batch queue); as `enqueue`, the sweep
        sends it should the broker be unreachable."""
        if self.immediate:
            self.work.protect(interaction_id)
            return
        try:
            self._protect.send(interaction_id)
        except redis.RedisError as exc:
            log.warning("not sent, the sweep will: protect %s (%s)", interaction_id, exc)

    def send_due(self) -> None:
        """One sweep: send what the database says needs a job. A broker error stops this round;
        the next sweep sends the rest."""
        due = self.work.sweep()
        for interaction_id in due.answer:
            self._answer.send(interaction_id)
        for interaction_id in due.protect:
            self._protect.send(interaction_id)

    def send_upkeep(self) -> None:
        self._upkeep.send()

    @contextmanager
    def consuming(self, *, threads: int = 1) -> Iterator[None]:
        """Consume both queues on threads of this process (`threads` for answers, one for
        batch), with the heartbeat, the sweep and the hourly upkeep on timers of their own.
        On exit the timers stop, the jobs in progress get STOP_TIMEOUT_MS to finish, and the
        messages fetched but not started go back to their queue."""
        if not self._booted:
            for broker in self.brokers.values():
                broker.emit_after("process_boot")  # starts the time limits' watcher
            self._booted = True
        log.info(
            "consuming %s (%d thread(s)) and %s (1 thread) in %s",
            ANSWERS,
            threads,
            BATCH,
            self.where,
        )
        with ExitStack() as stack:
            # Entered in this order, left in reverse: the heartbeat goes on while the jobs in
            # progress finish, and nothing is sent once the workers stop.
            stack.enter_context(
                _every("heartbeat", self.work.heartbeat, _interval(HEARTBEAT_SECONDS))
            )
            stack.enter_context(
                _workers(
                    (self.brokers[ANSWERS], ANSWERS, threads),
                    (self.brokers[BATCH], BATCH, 1),
                    poll_ms=self.poll_ms,
                )
            )
            stack.enter_context(_every("sweep", self.send_due, _interval(SWEEP_SECONDS)))
            stack.enter_context(
                _every("upkeep", self.send_upkeep, seconds_to_next_hour, at_start=False)
            )
            yield

    def close(self) -> None:
        """Let go of the connections to Redis."""
        for broker in self.brokers.values():
            broker.close()
            if isinstance(broker, RedisBroker):
                broker.client.close()

    def run_worker(self, *, threads: int) -> None:
        """`confide worker`: consume until SIGTERM or SIGINT."""
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            log.info("stopping on %s", signal.Signals(signum).name)
            stop.set()

        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            with self.consuming(threads=threads):
                while not stop.wait(1.0):
                    pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _actor(
    run: Callable[..., None], broker: dramatiq.Broker, name: str, queue: str
) -> dramatiq.Actor[..., None]:
    """`run` as the Dramatiq actor `name` on `queue` of `broker`."""
    return dramatiq.Actor(
        run, broker=broker, actor_name=name, queue_name=queue, priority=0, options={}
    )


@contextmanager
def _workers(*lanes: tuple[dramatiq.Broker, str, int], poll_ms: int) -> Iterator[None]:
    """A Dramatiq worker per queue, each with its own threads; stopped side by side."""
    workers = [
        dramatiq.Worker(broker, queues={queue_name}, worker_threads=threads, worker_timeout=poll_ms)
        for broker, queue_name, threads in lanes
    ]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        stopping = [
            threading.Thread(target=worker.stop, kwargs={"timeout": STOP_TIMEOUT_MS})
            for worker in workers
        ]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()


def _interval(seconds: float) -> Callable[[], float]:
    return lambda: seconds


def seconds_to_next_hour(now: float | None = None) -> float:
    """Seconds from `now` (epoch seconds, default the present) to the next turn of an hour."""
    now = time.time() if now is None else now
    return UPKEEP_SECONDS - now % UPKEEP_SECONDS


def _every(
    name: str,
    action: Callable[[], object],
    wait: Callable[[], float],
    *,
    at_start: bool = True,
) -> AbstractContextManager[None]:
    """Run `action` on a thread of its own (at start, then after each `wait()`), until exit.
    An error (the database down, the broker unreachable) is logged and the timer goes on: the
    next tick tries again."""
    stop = threading.Event()

    def run() -> None:
        if not at_start and stop.wait(wait()):
            return
        while True:
            try:
                action()
            except Exception as exc:  # a timer must outlive any one failure
                log.warning(
                    "%s failed, trying again at the next tick: %s: %s",
                    name,
                    type(exc).__name__,
                    exc,
                )
            if stop.wait(wait()):
                return

    @contextmanager
    def running() -> Iterator[None]:
        thread = threading.Thread(target=run, name=f"confide-{name}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    return running()


def build_queue(settings: Settings, work: Work, *, immediate: bool = False) -> Queue:
    """The queues on Redis (CONFIDE_REDIS_URL) or in this process. `immediate` runs
    `enqueue` and `enqueue_protect` inline (tests, the demo's set-up)."""
    limits = {ANSWERS: ANSWER_TIME_LIMIT_MS, BATCH: BATCH_TIME_LIMIT_MS}
    brokers: dict[str, dramatiq.Broker] = {
        name: redis_broker(settings.redis_url, limit)
        if settings.redis_url
        else StubBroker(middleware=middleware(limit))
        for name, limit in limits.items()
    }
    return Queue(
        work,
        brokers[ANSWERS],
        brokers[BATCH],
        immediate=immediate,
        where=broker_name(settings),
        poll_ms=REDIS_POLL_MS if settings.redis_url else IN_PROCESS_POLL_MS,
    )

"""The composition root: settings in, the connected pieces out, built once per process.

The server, the workers and every CLI command that touches stored data build their pieces here,
so the database, the key ring and the blob store are the ones the settings name, everywhere.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from confide.errors import ConfideError
from confide.pipeline import Engines, Pipeline
from confide.privacy.audit import Checkpoint, checkpoint, with_chain_key
from confide.privacy.deletion import Receipt
from confide.privacy.keys import KeyRing
from confide.privacy.retention import enforce_retention
from confide.sample import SamplingPolicy
from confide.service.jobs import Queue, Work, build_queue
from confide.service.limits import DeviceLimits, InFlight
from confide.service.notices import Notices, RedisNotices
from confide.service.sweep import Due, claim_slot, due, heartbeat
from confide.settings import Settings, load_settings
from confide.store.blobs import BlobStore, open_blob_store
from confide.store.database import connect, sessions

if TYPE_CHECKING:
    from confide.learn.registry import Actor
    from confide.learn.run import Component, Outcome, Progress
    from confide.recognize import Recognizer

log = logging.getLogger(__name__)

REGISTRY_POLL_SECONDS = 60.0
"""A worker asks the registry for newly promoted versions at most this often."""
NIGHTLY_GAP = timedelta(hours=20)
"""A learn run started this recently (by any worker) makes the nightly one unnecessary."""
UPKEEP = "hourly"
"""The hourly upkeep's name in `schedule_claims`."""


def promoted_folders(where: Settings | Path) -> dict[str, tuple[str, Path]]:
    """{component: (version, its unpacked files)} of what a data dir's registry has in
    production. A version whose files cannot be had is left out, so its shipped default runs.

    Given a data dir rather than settings (`understand` and `transcribe` with --data-dir), a
    data dir with no database has no registry: nothing is created there. Reading models needs
    no key, so a demo's data dir, whose KEK is a dev one kept in it, is read as the dev data
    dir it is."""
    from confide.learn.registry import production, unpack

    if isinstance(where, Path):
        if not os.environ.get("CONFIDE_DATABASE_URL") and not (where / "confide.db").exists():
            return {}
        where = load_settings(where, dev_mode=True if (where / "dev-kek").exists() else None)
    engine = connect(where.database_url)
    try:
        with sessions(engine)() as session:
            promoted = production(session)
            session.expunge_all()
    finally:
        engine.dispose()
    blobs = open_blob_store(where)
    folders = {}
    for component, row in promoted.items():
        try:
            folders[component] = (row.version, unpack(blobs, row))
        except (ConfideError, OSError) as exc:
            log.warning("cannot load %s (%s): running the shipped default", row.version, exc)
    return folders


def default_engines(settings: Settings) -> Engines:
    """The models as promoted in the data dir's registry: the NLU version, and the recogniser's
    vocabulary around Whisper tiny.en; a component with none runs its shipped default (the NLU
    model with the data dir's catalog)."""
    from confide.learn.components import adapted_recognizer, nlu_model
    from confide.recognize import load_recognizer

    promoted = promoted_folders(settings)
    recognizer: Recognizer = load_recognizer()
    if "asr" in promoted:
        recognizer = adapted_recognizer(promoted["asr"][1], recognizer)
    model = nlu_model(promoted["nlu"][1] if "nlu" in promoted else None, settings.data_dir)
    return Engines(
        recognizer=recognizer,
        understand=lambda text: model.understand(text).to_json(),
        versions={c: promoted[c][0] if c in promoted else "default" for c in ("asr", "nlu")},
    )


def default_components(session: Session, settings: Settings) -> Sequence[Component]:
    """What a learn run retrains: the NLU model, with the catalog entries reviewers added, and
    the recogniser's vocabulary, with their names."""
    from confide.learn.components import AsrComponent, NluComponent
    from confide.recognize import load_recognizer
    from confide.review.catalog import added_entries

    added = added_entries(session)
    return [
        NluComponent(added, settings.data_dir),
        AsrComponent(cache(load_recognizer), names=[entry.name for entry in added]),
    ]


def spawn_learn_run(settings: Settings) -> None:
    """Start `confide learn run --nightly` in a process of its own, at low priority, and leave
    it: training never shares a worker's threads with the answers."""
    command = [sys.executable, "-m", "confide", "learn", "run", "--nightly"]
    command += ["--data-dir", str(settings.data_dir)]
    if nice := shutil.which("nice"):
        command = [nice, "-n", "10", *command]
    env = {**os.environ, "CONFIDE_DATABASE_URL": settings.database_url}
    if settings.dev_mode:  # the demo's worker: its dev KEK is found the same way
        env["CONFIDE_DEV"] = "1"
    subprocess.Popen(  # noqa: S603 - our own command, no shell
        command, start_new_session=True, stdout=subprocess.DEVNULL, env=env
    )


@dataclass
class Runtime:
    """Everything a server or worker process shares."""

    settings: Settings
    engines_factory: Callable[[Settings], Engines] = default_engines
    components_factory: Callable[[Session, Settings], Sequence[Component]] = default_components
    """What `learn` retrains (tests give small fakes)."""
    learn_launcher: Callable[[Settings], None] = spawn_learn_run
    """How the nightly learn run is started."""
    immediate_jobs: bool = False
    """Run jobs inline instead of through the queue (tests, the demo's set-up)."""
    device_limits: DeviceLimits = field(default_factory=DeviceLimits)
    engine: Engine = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)
    in_flight: InFlight = field(init=False)
    """The device requests this process is serving, held to `device_limits`."""
    worker_id: str = field(default_factory=lambda: uuid.uuid4().hex, init=False)
    """This process among the cluster's workers: its heartbeat and its claims on work."""

    _engines_checked: float = field(default=0.0, init=False)
    _engines_loading: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.engine = connect(self.settings.database_url)
        self.sessions = sessions(self.engine)
        with_chain_key(self.sessions, self.keyring)
        self.in_flight = InFlight(self.device_limits)
        self._engines_checked = time.monotonic()

    @cached_property
    def keyring(self) -> KeyRing:
        return KeyRing(self.settings)

    @cached_property
    def blobs(self) -> BlobStore:
        return open_blob_store(self.settings)

    @cached_property
    def engines(self) -> Engines:
        return self.engines_factory(self.settings)

    @cached_property
    def pipeline(self) -> Pipeline:
        policy = SamplingPolicy(
            rate=self.settings.review_rate,
            per_person_month=self.settings.review_cap_month,
            per_person_life=self.settings.review_cap_total,
        )
        return Pipeline(
            self.sessions, self.keyring, self.blobs, self.engines, policy, worker_id=self.worker_id
        )

    @cached_property
    def notices(self) -> Notices:
        """Word of status changes, for the device's wait: between processes through Redis where
        the cluster has it, else within this one (where the worker threads are)."""
        return RedisNotices(self.settings.redis_url) if self.settings.redis_url else Notices()

    @cached_property
    def queue(self) -> Queue:
        work = Work(
            answer=self.answer,
            protect=self.protect,
            upkeep=self.hourly,
            sweep=self.sweep,
            heartbeat=self.heartbeat,
        )
        return build_queue(self.settings, work, immediate=self.immediate_jobs)

    def answer(self, interaction_id: str) -> str:
        """One interaction answered with the models in production now; its sampled clips, if
        any wait, are sent on to be protected (the batch queue). Returns its status."""
        self.refresh_engines()
        status = self.pipeline.answer(interaction_id)
        self.notices.announce(interaction_id)
        if status == "answered" and self.pipeline.protection_waits(interaction_id):
            self.queue.enqueue_protect(interaction_id)
        return status

    def protect(self, interaction_id: str) -> bool:
        """Protect an answered interaction's sampled clips; False when none wait or another
        worker holds it."""
        self.refresh_engines()
        return self.pipeline.protect(interaction_id)

    def sweep(self) -> Due:
        """Claim what the database says needs sending again (the caller sends it)."""
        with self.sessions() as session:
            found = due(session, datetime.now(UTC))
            session.commit()
        return found

    def heartbeat(self) -> None:
        """Tell the cluster this process is alive, so its claims on work hold."""
        with self.sessions() as session:
            heartbeat(session, self.worker_id, datetime.now(UTC))
            session.commit()

    def refresh_engines(self, *, now: float | None = None) -> bool:
        """Load the newly promoted versions, if any: the registry is asked at most once a
        minute, and one thread loads while the others go on with the models they have."""
        now = time.monotonic() if now is None else now
        if now - self._engines_checked < REGISTRY_POLL_SECONDS or "engines" not in self.__dict__:
            return False
        if not self._engines_loading.acquire(blocking=False):
            return False
        try:
            self._engines_checked = now
            from confide.learn.registry import COMPONENTS, production_versions

            with self.sessions() as session:
                promoted = production_versions(session)
            running = self.engines.versions
            if all(running.get(c, "default") == promoted.get(c, "default") for c in COMPONENTS):
                return False
            engines = self.engines_factory(self.settings)
            log.info("models now in use: %s", engines.versions)
            self.__dict__["engines"] = engines
            self.__dict__.pop("pipeline", None)
            return True
        finally:
            self._engines_loading.release()

    def hourly(self, now: datetime | None = None) -> bool:
        """The cluster's hourly upkeep: retention, then a checkpoint over what it wrote, then, at
        the learn hour, the nightly learn run. Every worker asks each hour; the one that claims
        the hour does it, the others nothing. Whether this one did."""
        now = now or datetime.now(UTC)
        with self.sessions() as session:
            claimed = claim_slot(session, UPKEEP, now.replace(minute=0, second=0, microsecond=0))
            session.commit()
        if not claimed:
            return False
        self.enforce_retention()
        self.checkpoint_audit()
        self.nightly_learn(now)
        return True

    def nightly_learn(self, now: datetime) -> bool:
        """At CONFIDE_LEARN_HOUR (UTC), start the night's learn run in a process of its own,
        unless one started recently (another worker's, or an operator's)."""
        from confide.learn.run import last_run

        if now.hour != self.settings.learn_hour:
            return False
        with self.sessions() as session:
            started = last_run(session)
        if started is not None and now - started < NIGHTLY_GAP:
            return False
        self.learn_launcher(self.settings)
        return True

    def learn(
        self,
        *,
        progress: Progress = lambda message: None,
        actor: Actor | None = None,
        once_since: datetime | None = None,
    ) -> Outcome:
        """One learn run over the data dir's reviewed dataset (`confide learn run`)."""
        from confide.learn.registry import SYSTEM
        from confide.learn.run import learn

        with self.sessions() as session:
            return learn(
                session,
                self.keyring,
                self.blobs,
                self.components_factory(session, self.settings),
                now=datetime.now(UTC),
                progress=progress,
                actor=actor or SYSTEM,
                once_since=once_since,
            )

    def checkpoint_audit(self) -> Checkpoint | None:
        """Sign the audit chain's head into the blob store, once the chain verified."""
        with self.sessions() as session:
            return checkpoint(session, self.blobs)

    def enforce_retention(self) -> list[Receipt]:
        """Each person's auto-delete period, applied now; one receipt per person it reached."""
        with self.sessions() as session:
            receipts = enforce_retention(session, self.keyring, self.blobs, datetime.now(UTC))
            session.commit()
        return receipts

    def close(self) -> None:
        if "queue" in self.__dict__:  # built: its broker connections go too
            self.queue.close()
        if "notices" in self.__dict__:
            self.notices.close()
        self.engine.dispose()


@contextmanager
def opened(settings: Settings) -> Iterator[Runtime]:
    """A runtime for one command's work, closed when the work is done."""
    runtime = Runtime(settings)
    try:
        yield runtime
    finally:
        runtime.close()

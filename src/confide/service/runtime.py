"""The composition root: settings in, the connected pieces out, built once per process.

The server, the workers and every CLI command that touches stored data build their pieces here,
so the database, the key ring and the blob store are the ones the settings name, everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from confide.pipeline import Engines, Pipeline
from confide.privacy.audit import Checkpoint, checkpoint, with_chain_key
from confide.privacy.deletion import Receipt
from confide.privacy.keys import KeyRing
from confide.privacy.retention import enforce_retention
from confide.sample import SamplingPolicy
from confide.service.jobs import Queue, build_queue
from confide.service.limits import DeviceLimits, InFlight
from confide.settings import Settings
from confide.store.blobs import BlobStore, open_blob_store
from confide.store.database import connect, sessions


def default_engines(settings: Settings) -> Engines:
    """Whisper tiny.en and the shipped NLU model, with the catalog as grown in the data dir."""
    from confide.recognize import load_recognizer
    from confide.understand.catalog import load_catalog
    from confide.understand.default import default_model

    model = default_model(load_catalog(settings.data_dir))
    return Engines(
        recognizer=load_recognizer(), understand=lambda text: model.understand(text).to_json()
    )


@dataclass
class Runtime:
    """Everything a server or worker process shares."""

    settings: Settings
    engines_factory: Callable[[Settings], Engines] = default_engines
    immediate_jobs: bool = False
    """Run jobs inline instead of through the queue (tests, the demo's set-up)."""
    device_limits: DeviceLimits = field(default_factory=DeviceLimits)
    engine: Engine = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)
    in_flight: InFlight = field(init=False)
    """The device requests this process is serving, held to `device_limits`."""

    def __post_init__(self) -> None:
        self.engine = connect(self.settings.database_url)
        self.sessions = sessions(self.engine)
        with_chain_key(self.sessions, self.keyring)
        self.in_flight = InFlight(self.device_limits)

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
        return Pipeline(self.sessions, self.keyring, self.blobs, self.engines, policy)

    @cached_property
    def queue(self) -> Queue:
        return build_queue(
            self.settings,
            lambda interaction_id: self.pipeline.process(interaction_id),
            hourly=self.hourly,
            immediate=self.immediate_jobs,
        )

    def hourly(self) -> None:
        """The worker's hourly upkeep: retention, then a checkpoint over what it wrote."""
        self.enforce_retention()
        self.checkpoint_audit()

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
        self.engine.dispose()


@contextmanager
def opened(settings: Settings) -> Iterator[Runtime]:
    """A runtime for one command's work, closed when the work is done."""
    runtime = Runtime(settings)
    try:
        yield runtime
    finally:
        runtime.close()

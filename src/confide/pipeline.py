"""One interaction through the stages: ingest → recognize → understand → respond → sample
(→ protect, for the few that are sampled).

The jobs carry `Pipeline.answer(interaction_id)` and, for a sampled one, `Pipeline.protect`. The
database, not the job, says who works on an interaction: a worker claims it with one conditional
update (a lease: its worker, a fresh token, an end), and a job that finds a live claim of someone
else's does nothing. Work is done outside any transaction and written in one that begins by
checking the claim is still ours, so a worker presumed dead whose job was taken over writes
nothing: a crash anywhere leaves the interaction 'processing' with nothing half-written, and
running it again finishes it exactly once (invariant 9). The sampling decision is part of that same
write; protecting a sampled clip comes after it, under a claim of its own, and a task whose
protection crashed stays 'protecting' until the next run picks it up.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from confide.audio import read_audio
from confide.errors import BadAudio, BlobMissing, KeyDestroyed, TamperedData
from confide.privacy.audit import with_chain_key
from confide.privacy.consent import has_consent
from confide.privacy.contexts import (
    answer_context,
    audio_context,
    recording_key_id,
    transcript_context,
    understanding_context,
)
from confide.privacy.keys import KeyRing
from confide.protect.preparation import Protector, prepare_pending
from confide.recognize import Recognizer
from confide.respond import Answer, Request, Slot, respond
from confide.respond.household import DatabaseHousehold
from confide.sample import SamplingPolicy, sample
from confide.store.blobs import BlobStore
from confide.store.tables import Interaction, ReviewTask, Worker

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""After this many claims an interaction is marked failed instead of retried forever."""
LEASE_SECONDS = 60
"""How long a claim to answer holds even while its worker heartbeats. An answer takes seconds
(one utterance recognised and understood), so only a job that hangs loses its claim, and another
worker takes the interaction over; the hung one's write is then refused. A dead worker's claim
dies sooner, with its heartbeat (WORKER_DEAD_SECONDS): this bounds the wait only for a claim a
live worker could not release, its database gone mid-job."""
PROTECT_LEASE_SECONDS = 600
"""The same for protecting sampled clips, which loads the protector and hears each clip again."""
WORKER_DEAD_SECONDS = 10
"""A worker not heard from (`workers.seen_at`) for this long is dead, and its claims with it."""
WAITING = ("received", "processing")
"""The statuses of an interaction still to be answered."""

EPHEMERAL_INTENTS = frozenset({"DeleteLastUtterance", "DeleteToday", "WhatDidYouHear"})
"""Asking to delete, or what was heard, is itself not kept: only the answer survives, for the
device to fetch. With no transcript kept, such an interaction is never sampled for review, so a
read-back, which quotes other interactions, never reaches a reviewer."""
FALSE_WAKE_CONFIDENCE = 0.35
"""Below this intent confidence (or with no words at all) a wake-up is a suspected false wake."""

Understander = Callable[[str], dict[str, Any]]
"""Text to `{"intent", "confidence", "slots": [{"name", "value", ...}]}` (`confide understand`)."""


@dataclass(frozen=True)
class Engines:
    """The models the pipeline runs; loaded once per worker."""

    recognizer: Recognizer
    """Speech to text."""
    understand: Understander
    """Text to intent and slots."""
    protect: Protector | None = None
    """Protection of sampled clips; None builds the default one from `recognizer` when needed."""
    versions: dict[str, str] = field(default_factory=dict)
    """{component: version} of the models above as the registry names them ('default' for a
    shipped one), written with every interaction they handle (invariant 11)."""


def lease_dead(now: datetime) -> ColumnElement[bool]:
    """SQL: no one holds the interaction's claim at `now`: there is none, it ran out, or its
    worker stopped heartbeating. A worker with no heartbeat row (a one-off command) is trusted
    until the claim runs out."""
    quiet = (
        select(Worker.id)
        .where(
            Worker.id == Interaction.lease_worker,
            Worker.seen_at < now - timedelta(seconds=WORKER_DEAD_SECONDS),
        )
        .exists()
    )
    return or_(Interaction.leased_until.is_(None), Interaction.leased_until < now, quiet)


_NO_LEASE: dict[str, Any] = {"lease_worker": None, "lease_token": None, "leased_until": None}


class Pipeline:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        keyring: KeyRing,
        blobs: BlobStore,
        engines: Engines,
        policy: SamplingPolicy = SamplingPolicy(),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        worker_id: str | None = None,
    ) -> None:
        self._sessions = with_chain_key(sessions, keyring)  # its audit events are MACed
        self._keyring = keyring
        self._blobs = blobs
        self._engines = engines
        self._policy = policy
        self._clock = clock
        self._protect = engines.protect
        self.worker_id = worker_id or uuid.uuid4().hex
        """Whose claims this pipeline's are: the worker process's id in `workers`."""

    def process(self, interaction_id: str) -> str:
        """Answer the interaction, then protect its sampled clips, inline; returns its status."""
        status = self.answer(interaction_id)
        if status == "answered":
            self.protect(interaction_id)
        return status

    def answer(self, interaction_id: str) -> str:
        """Claim the interaction, answer it and write the answer if the claim still holds.

        Returns 'answered', 'failed', 'missing', or 'busy' while someone else's claim holds it;
        an interaction answered already is left as it is."""
        token = uuid.uuid4().hex
        with self._sessions() as session:
            now = self._clock()
            claimed = session.scalar(
                update(Interaction)
                .where(
                    Interaction.id == interaction_id,
                    Interaction.status.in_(WAITING),
                    Interaction.attempts < MAX_ATTEMPTS,
                    lease_dead(now),
                )
                .values(
                    status="processing",
                    attempts=Interaction.attempts + 1,
                    lease_worker=self.worker_id,
                    lease_token=token,
                    leased_until=now + timedelta(seconds=LEASE_SECONDS),
                )
                .returning(Interaction.id)
            )
            if claimed is None:
                status = self._give_up(session, interaction_id, now)
                session.commit()
                return status
            session.commit()
        try:
            return self._answer(interaction_id, token)
        except BaseException:
            self._release(interaction_id, token)
            raise

    def _answer(self, interaction_id: str, token: str) -> str:
        with self._sessions() as session:
            interaction = session.get_one(Interaction, interaction_id)
            owner, audio_key = interaction.owner_id, interaction.audio_key
            try:
                sealed_audio = self._blobs.get(audio_key or "")
                audio = read_audio(
                    self._keyring.open(session, owner, sealed_audio, audio_context(interaction_id))
                )
            except UNREADABLE as exc:  # no retry brings it back: failed now, saying why
                return self._fail(session, interaction_id, token, _unreadable(exc))
        transcript = self._engines.recognizer.transcribe(audio)
        understood = self._engines.understand(transcript.text)
        with self._sessions() as session:
            # First the claim, which locks the row (the database, in SQLite): from here on no
            # one else can take it over, and if someone did already, nothing is written.
            if not self._still_ours(session, interaction_id, token, LEASE_SECONDS):
                session.rollback()
                return self._status(session, interaction_id)
            household = DatabaseHousehold(
                session, self._keyring, self._blobs, owner, interaction_id
            )
            answer = respond(_request(understood, transcript.text, self._clock()), household)
            interaction = session.get_one(Interaction, interaction_id)
            ephemeral = understood.get("intent") in EPHEMERAL_INTENTS
            if not ephemeral:
                interaction.transcript_sealed = self._keyring.seal_json(
                    session,
                    owner,
                    {
                        "text": transcript.text,
                        "words": [asdict(w) for w in transcript.words],
                        "engine": transcript.engine,
                    },
                    transcript_context(interaction_id),
                )
                interaction.understanding_sealed = self._keyring.seal_json(
                    session, owner, understood, understanding_context(interaction_id)
                )
            interaction.answer_sealed = self._keyring.seal_json(
                session, owner, _answer_json(answer), answer_context(interaction_id)
            )
            confidences = [w.confidence for w in transcript.words if w.confidence is not None]
            interaction.asr_confidence = (
                sum(confidences) / len(confidences) if confidences else None
            )
            interaction.nlu_confidence = understood.get("confidence")
            interaction.false_wake = (
                not transcript.words
                or (understood.get("confidence") or 0.0) < FALSE_WAKE_CONFIDENCE
            )
            drop_audio = ephemeral or not has_consent(session, owner, "storage")
            if drop_audio:  # its key first, so no backup of the meantime brings it back
                self._keyring.shred_interactions(session, owner, [recording_key_id(interaction_id)])
                interaction.audio_key = None
            interaction.model_versions = json.dumps(self._engines.versions, sort_keys=True)
            interaction.status, interaction.error = "answered", None
            for column, value in _NO_LEASE.items():
                setattr(interaction, column, value)
            if sample(session, interaction, self._policy).sampled:
                interaction.queued_at = self._clock()  # its protection is sent now
            session.commit()
        if drop_audio and audio_key:
            self._blobs.delete(audio_key)
        return "answered"

    def protection_waits(self, interaction_id: str) -> bool:
        """Whether sampled clips of the interaction wait for protection."""
        with self._sessions() as session:
            return session.scalar(_waiting(interaction_id).limit(1)) is not None

    def protect(self, interaction_id: str) -> bool:
        """Claim an answered interaction whose sampled clips wait, and protect them (the
        protector loads lazily); False when none wait or someone else's claim holds it."""
        token = uuid.uuid4().hex
        with self._sessions() as session:
            now = self._clock()
            claimed = session.scalar(
                update(Interaction)
                .where(
                    Interaction.id == interaction_id,
                    Interaction.status == "answered",
                    _waiting(interaction_id).exists(),
                    lease_dead(now),
                )
                .values(
                    lease_worker=self.worker_id,
                    lease_token=token,
                    leased_until=now + timedelta(seconds=PROTECT_LEASE_SECONDS),
                )
                .returning(Interaction.id)
            )
            session.commit()
        if claimed is None:
            return False
        try:
            return self._prepare_sampled(interaction_id, token)
        except BaseException:
            self._release(interaction_id, token)
            raise

    def _prepare_sampled(self, interaction_id: str, token: str) -> bool:
        if self._protect is None:
            from confide.protect.protector import default_protector

            self._protect = default_protector(self._engines.recognizer)
        with self._sessions() as session:
            prepare_pending(session, self._keyring, self._blobs, interaction_id, self._protect)
            # Written only while the claim is ours: the row's lock, taken here, is held until
            # the commit, so a claim taken over meanwhile rolls all of this back.
            released = session.scalar(
                update(Interaction)
                .where(Interaction.id == interaction_id, Interaction.lease_token == token)
                .values(_NO_LEASE)
                .returning(Interaction.id)
            )
            if released is None:
                session.rollback()
                return False
            session.commit()
        return True

    def _still_ours(
        self, session: Session, interaction_id: str, token: str, seconds: float
    ) -> bool:
        """Renew our claim, if it is still ours, and lock the row for the write."""
        renewed = session.scalar(
            update(Interaction)
            .where(
                Interaction.id == interaction_id,
                Interaction.status == "processing",
                Interaction.lease_token == token,
            )
            .values(leased_until=self._clock() + timedelta(seconds=seconds))
            .returning(Interaction.id)
        )
        return renewed is not None

    def _give_up(self, session: Session, interaction_id: str, now: datetime) -> str:
        """An interaction we could not claim: failed if it has had its attempts and no one
        holds it, otherwise its status ('busy' while someone else's claim holds it)."""
        failed = session.scalar(
            update(Interaction)
            .where(
                Interaction.id == interaction_id,
                Interaction.status.in_(WAITING),
                Interaction.attempts >= MAX_ATTEMPTS,
                lease_dead(now),
            )
            .values(status="failed", error="gave up after repeated errors", **_NO_LEASE)
            .returning(Interaction.id)
        )
        return "failed" if failed is not None else self._status(session, interaction_id)

    def _fail(self, session: Session, interaction_id: str, token: str, error: str) -> str:
        """Mark the interaction failed with `error` if our claim still holds; its status."""
        session.rollback()
        failed = session.scalar(
            update(Interaction)
            .where(Interaction.id == interaction_id, Interaction.lease_token == token)
            .values(status="failed", error=error, **_NO_LEASE)
            .returning(Interaction.id)
        )
        session.commit()
        if failed is None:
            return self._status(session, interaction_id)
        log.warning("interaction %s failed: %s", interaction_id, error)
        return "failed"

    @staticmethod
    def _status(session: Session, interaction_id: str) -> str:
        status = session.scalar(select(Interaction.status).where(Interaction.id == interaction_id))
        if status is None:
            return "missing"
        return status if status in ("answered", "failed") else "busy"

    def _release(self, interaction_id: str, token: str) -> None:
        """Let go of a claim whose work failed, so the next job can take it at once; if the
        database cannot be reached, the claim runs out instead."""
        try:
            with self._sessions() as session:
                session.execute(
                    update(Interaction)
                    .where(Interaction.id == interaction_id, Interaction.lease_token == token)
                    .values(_NO_LEASE)
                )
                session.commit()
        except Exception:
            log.warning("could not release the claim on %s: it runs out", interaction_id)


UNREADABLE = (BlobMissing, TamperedData, KeyDestroyed, BadAudio)
"""A recording that is gone, altered, shredded or not audio: retrying cannot answer it."""


def _unreadable(error: Exception) -> str:
    """Why the recording cannot be read, in words for the failed-jobs page (no content)."""
    if isinstance(error, BlobMissing):
        return "the recording is missing from the blob store"
    if isinstance(error, TamperedData):
        return "the recording failed its integrity check (altered or truncated)"
    if isinstance(error, KeyDestroyed):
        return "the recording's key was destroyed"
    return "the recording is not readable audio"


def retry_failed(session: Session, interaction_id: str) -> str | None:
    """Put a failed interaction (the dead letters) back to be answered afresh, with all its
    attempts; its owner's id, or None when it is not failed (retried already, or deleted). The
    caller audits, commits, then sends it."""
    owner: str | None = session.scalar(
        update(Interaction)
        .where(Interaction.id == interaction_id, Interaction.status == "failed")
        .values(status="received", attempts=0, error=None, queued_at=None, **_NO_LEASE)
        .returning(Interaction.owner_id)
    )
    return owner


def _waiting(interaction_id: str) -> Select[str]:
    """The interaction's sampled tasks still waiting for protection."""
    return select(ReviewTask.id).where(
        ReviewTask.interaction_id == interaction_id, ReviewTask.status == "protecting"
    )


def _request(understood: dict[str, Any], text: str, now: datetime) -> Request:
    slots = tuple(
        Slot(
            name=slot["name"],
            value=slot["value"],
            normalized=slot.get("normalized"),
            link=(slot.get("link") or {}).get("id"),
        )
        for slot in understood.get("slots", ())
    )
    return Request(intent=understood.get("intent"), slots=slots, text=text, now=now)


def _answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "text": answer.text,
        "skill": answer.skill,
        "action": answer.action,
        "offline": answer.offline,
    }


def read_answer(
    session: Session, keyring: KeyRing, interaction: Interaction
) -> dict[str, Any] | None:
    """The answer as the device receives it, once there is one."""
    if interaction.answer_sealed is None:
        return None
    answer: dict[str, Any] = keyring.open_json(
        session, interaction.owner_id, interaction.answer_sealed, answer_context(interaction.id)
    )
    return answer

"""One interaction through the stages: ingest → recognize → understand → respond → sample
(→ protect, for the few that are sampled).

The job queue carries only `Pipeline.process(interaction_id)`. Work is done outside any
transaction and written in one: a crash anywhere leaves the interaction 'processing' with
nothing half-written, and running it again finishes it (invariant 9). The sampling decision is
part of that same write; protecting a sampled clip comes after it, and a task whose protection
crashed stays 'protecting' until the next run of the same interaction picks it up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from confide.audio import read_audio
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
from confide.store.tables import Interaction, ReviewTask

MAX_ATTEMPTS = 3
"""After this many tries an interaction is marked failed instead of retried forever."""

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


class Pipeline:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        keyring: KeyRing,
        blobs: BlobStore,
        engines: Engines,
        policy: SamplingPolicy = SamplingPolicy(),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = with_chain_key(sessions, keyring)  # its audit events are MACed
        self._keyring = keyring
        self._blobs = blobs
        self._engines = engines
        self._policy = policy
        self._clock = clock
        self._protect = engines.protect

    def process(self, interaction_id: str) -> str:
        """Take the interaction as far as it goes; returns its status afterwards."""
        with self._sessions() as session:
            interaction = session.get(Interaction, interaction_id)
            if interaction is None or interaction.status == "failed":
                return interaction.status if interaction else "missing"
            if interaction.status == "answered":
                self._prepare_sampled(session, interaction_id)
                return "answered"
            if interaction.attempts >= MAX_ATTEMPTS:
                interaction.status, interaction.error = "failed", "gave up after repeated errors"
                session.commit()
                return "failed"
            interaction.attempts += 1
            interaction.status = "processing"
            session.commit()
            owner, audio_key = interaction.owner_id, interaction.audio_key
            sealed_audio = self._blobs.get(audio_key or "")
            audio = read_audio(
                self._keyring.open(session, owner, sealed_audio, audio_context(interaction_id))
            )
        transcript = self._engines.recognizer.transcribe(audio)
        understood = self._engines.understand(transcript.text)
        with self._sessions() as session:
            household = DatabaseHousehold(
                session, self._keyring, self._blobs, owner, interaction_id
            )
            answer = respond(_request(understood, transcript.text, self._clock()), household)
            interaction = session.get(Interaction, interaction_id)
            if interaction is None:  # deleted by its owner while we worked
                session.rollback()
                return "missing"
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
            sampled = sample(session, interaction, self._policy).sampled
            session.commit()
        if drop_audio and audio_key:
            self._blobs.delete(audio_key)
        if sampled:
            with self._sessions() as session:
                self._prepare_sampled(session, interaction_id)
        return "answered"

    def _prepare_sampled(self, session: Session, interaction_id: str) -> None:
        """Protect the interaction's sampled clips, if any wait (the protector loads lazily)."""
        waiting = select(ReviewTask.id).where(
            ReviewTask.interaction_id == interaction_id, ReviewTask.status == "protecting"
        )
        if session.scalar(waiting) is None:
            return
        if self._protect is None:
            from confide.protect.protector import default_protector

            self._protect = default_protector(self._engines.recognizer)
        prepare_pending(session, self._keyring, self._blobs, interaction_id, self._protect)
        session.commit()


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

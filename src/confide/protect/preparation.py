"""Turning a sampled interaction into what a reviewer may get, or into nothing (fail closed).

The owner's audio and words are opened by the server, never by a person, and handed to a
`Protector`: it redacts the text, bleeps the audio under each redacted span, re-transcribes the
bleeped audio to check nothing personal survives, and anonymises the voice towards a target
drawn for this task. What comes out is sealed under the owner's key again, so erasing the owner
shreds it like the original. A clip the protector cannot clear is rejected and never queued.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.audio import Audio, read_audio
from confide.privacy.audit import Access, append
from confide.privacy.contexts import (
    InteractionContext,
    answer_context,
    audio_context,
    task_audio_context,
    task_material_context,
    transcript_context,
    understanding_context,
)
from confide.privacy.keys import KeyRing
from confide.protect.distress import suspect_distress
from confide.protect.household_names import household_names
from confide.protect.known_names import KnownNames
from confide.recognize.base import Transcript, Word
from confide.store.blobs import BlobStore
from confide.store.tables import Interaction, ReviewTask

WAVEFORM_BINS = 160
"""Bars in the workbench's waveform: one per pixel or two of a phone's width."""


@dataclass(frozen=True)
class Protected:
    """A clip as a reviewer may have it, or the reason it may not be reviewed at all."""

    audio: Audio | None
    """Bleeped and anonymised; None when rejected."""
    transcript: str
    """The ASR hypothesis with each piece of personal data replaced by a typed placeholder."""
    slots: list[dict[str, Any]]
    """The NLU slots, each value redacted where it held personal data."""
    answer: str
    """The answer that was given, redacted the same way."""
    redacted_types: list[str]
    """The placeholder types removed, in order, so the reviewer knows what was there."""
    rejection: str | None = None
    """Why the clip failed protection; None when it passed."""
    bleeps: tuple[tuple[float, float], ...] = ()
    """The (start, end) seconds bleeped, for the workbench to show where they are."""
    doubts: tuple[tuple[int, int], ...] = ()
    """(start, end) offsets into `transcript` of the words the recogniser was least sure of,
    in order: where a reviewer's correction most likely goes."""


class Protector(Protocol):
    """Protection of one clip; `seed` picks the task's voice target, `known` holds the names
    the clip's household uses, to be hidden wherever they are heard."""

    def __call__(
        self,
        audio: Audio,
        transcript: Transcript,
        understood: dict[str, Any],
        answer: str,
        seed: bytes,
        known: KnownNames,
    ) -> Protected: ...


def prepare(
    session: Session, keyring: KeyRing, blobs: BlobStore, task: ReviewTask, protect: Protector
) -> str:
    """Protect one sampled task's clip; its status becomes 'queued' or 'rejected'."""
    interaction = session.get(Interaction, task.interaction_id)
    if interaction is None or interaction.audio_key is None or task.status != "protecting":
        return task.status
    owner, iid = interaction.owner_id, interaction.id
    audio = read_audio(
        keyring.open(session, owner, blobs.get(interaction.audio_key), audio_context(iid))
    )
    transcript = _transcript(_open(session, keyring, interaction, "transcript"))
    understood = _open(session, keyring, interaction, "understanding") or {}
    answer = (_open(session, keyring, interaction, "answer") or {}).get("text", "")
    known = household_names(session, keyring, owner)
    protected = protect(audio, transcript, understood, answer, task.id.encode(), known)
    if protected.audio is None:
        task.status, task.note = "rejected", protected.rejection or "failed protection"
        append(
            session,
            Access(
                "protector",
                "system",
                "reject_for_review",
                f"interaction:{iid}",
                "personal data could not be removed reliably, so no one will hear it",
                owner,
            ),
        )
        session.flush()
        return task.status
    material = {
        "transcript": protected.transcript,
        "intent": understood.get("intent"),
        "confidence": understood.get("confidence"),
        "slots": protected.slots,
        "answer": protected.answer,
        "redacted": protected.redacted_types,
        "stratum": task.stratum,
        "peaks": protected.audio.peaks(WAVEFORM_BINS),
        "bleeps": [[round(start, 2), round(end, 2)] for start, end in protected.bleeps],
        "doubts": [list(doubt) for doubt in protected.doubts],
    }
    task.material_sealed = keyring.seal_json(
        session, owner, material, task_material_context(task.id, iid)
    )
    task.audio_sealed = keyring.seal(
        session, owner, protected.audio.to_wav_bytes(), task_audio_context(task.id, iid)
    )
    task.content_warning = suspect_distress(transcript.text)
    task.seconds = protected.audio.seconds
    task.status = "queued"
    session.flush()
    return task.status


def prepare_pending(
    session: Session, keyring: KeyRing, blobs: BlobStore, interaction_id: str, protect: Protector
) -> list[str]:
    """Prepare every task of one interaction still waiting for protection."""
    tasks = session.scalars(
        select(ReviewTask).where(
            ReviewTask.interaction_id == interaction_id, ReviewTask.status == "protecting"
        )
    ).all()
    return [prepare(session, keyring, blobs, task, protect) for task in tasks]


_CONTEXTS: dict[str, Callable[[str], InteractionContext]] = {
    "transcript": transcript_context,
    "understanding": understanding_context,
    "answer": answer_context,
}


def _open(
    session: Session, keyring: KeyRing, interaction: Interaction, part: str
) -> dict[str, Any] | None:
    sealed = getattr(interaction, f"{part}_sealed")
    if sealed is None:
        return None
    value: dict[str, Any] = keyring.open_json(
        session, interaction.owner_id, sealed, _CONTEXTS[part](interaction.id)
    )
    return value


def _transcript(stored: dict[str, Any] | None) -> Transcript:
    stored = stored or {"text": "", "words": [], "engine": "none"}
    words = [Word(**w) for w in stored.get("words", [])]
    end = words[-1].end if words else 0.0
    return Transcript(stored["text"], words, stored.get("engine", ""), end, 0.0)

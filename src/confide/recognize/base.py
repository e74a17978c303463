"""What every speech recogniser returns, and the protocol it implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from confide.audio import Audio


@dataclass(frozen=True)
class Word:
    """One recognised word; later stages bleep personal data out of audio by these times."""

    word: str
    """The word as the engine wrote it (punctuation kept where the engine adds it)."""
    start: float
    """Seconds from the start of the audio."""
    end: float
    """Seconds from the start of the audio."""
    confidence: float | None
    """The engine's probability that the word is right, 0 to 1; None where it gives none."""


@dataclass(frozen=True)
class Transcript:
    """One audio clip's recognition result."""

    text: str
    """The whole hypothesis, as one string."""
    words: list[Word]
    """Every word with its timing, in order."""
    engine: str
    """Which engine produced it, as named by `confide transcribe --engine`."""
    audio_seconds: float
    """Length of the audio recognised."""
    processing_seconds: float
    """Wall time spent recognising, model loading excluded."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Engine-specific detail (e.g. the decoder's language probability)."""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return data


class Recognizer(Protocol):
    """A speech-to-text engine: load once, then recognise many clips."""

    name: str
    """The engine's name on the command line."""

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        """Recognise `audio`; `hints` are words to favour (catalog names, contacts)."""
        ...


def words_after(transcript: Transcript, offset: float) -> Transcript:
    """The transcript without words that end by `offset` seconds: the wake word's tail."""
    kept = [w for w in transcript.words if w.end > offset]
    return Transcript(
        text=" ".join(w.word for w in kept),
        words=kept,
        engine=transcript.engine,
        audio_seconds=transcript.audio_seconds,
        processing_seconds=transcript.processing_seconds,
        extra=transcript.extra,
    )

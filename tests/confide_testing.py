"""Test doubles and builders shared across the suite (not fixtures: those live in conftest)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import soundfile as sf

from confide.audio import Audio
from confide.recognize.base import Transcript, Word
from confide.service.accounts import NewPerson
from confide.store.tables import Device


@dataclass(frozen=True)
class DemoHousehold:
    """Two adults and a child, each with a paired device."""

    id: str
    people: dict[str, NewPerson]
    devices: dict[str, Device]
    tokens: dict[str, str]
    passwords: dict[str, str]


def wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    t = np.arange(int(seconds * 16000)) / 16000
    sf.write(buffer, 0.3 * np.sin(2 * np.pi * 220 * t), 16000, format="WAV")
    return buffer.getvalue()


SAID = "set a timer for ten minutes my account number is four nine two one"


class ScriptedRecognizer:
    """Hears `SAID`; fails the first `failures` times, as a crashing worker would."""

    name = "scripted"

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("worker died mid-recognition")
        words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.9) for i, w in enumerate(SAID.split())]
        return Transcript(SAID, words, self.name, audio.seconds, 0.01)


def understand_timer(text: str) -> dict:
    return {"text": text, "intent": "SetTimer", "confidence": 0.97,
            "slots": [{"name": "duration", "value": "ten minutes", "start": 16, "end": 27,
                       "normalized": "PT10M"}]}  # fmt: skip

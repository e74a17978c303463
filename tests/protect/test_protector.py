"""The default protector end to end: real redaction, bleeping checked by Whisper, anonymisation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from confide.audio import Audio
from confide.protect.protector import default_protector
from confide.recognize import load_recognizer
from confide.recognize.base import Transcript, Word


@pytest.fixture(scope="module")
def whisper():
    return load_recognizer("whisper")


class AlwaysHears:
    """Hears the same words whatever is played: as if the bleep hid nothing."""

    name = "always"

    def __init__(self, text: str) -> None:
        self.text = text

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.9) for i, w in enumerate(self.text.split())]
        return Transcript(self.text, words, self.name, audio.seconds, 0.01)


@pytest.mark.parametrize("voice", ["joe", "heart"])
def test_a_clip_with_a_phone_number_is_protected_or_refused(speech, whisper, voice):
    audio = speech("call me on five five five one two three four please", voice)
    heard = whisper.transcribe(audio)
    understood = {"intent": None, "confidence": 0.2, "slots": []}
    protect = default_protector(whisper)
    result = protect(audio, heard, understood, "Sorry, I can't call anyone.", b"task-1")
    assert "PHONE" in result.redacted_types
    assert not any(digit in result.transcript for digit in "0123456789")
    if result.rejection is None:
        assert result.audio is not None and len(result.audio.samples) == len(audio.samples)
        assert not np.array_equal(result.audio.samples, audio.samples)
        again = whisper.transcribe(result.audio).text.lower()
        assert "five five five" not in again and "555" not in again
    else:
        assert result.audio is None


def test_fails_closed_when_the_data_is_still_heard(speech):
    said = "call me on five five five one two three four"
    hears = AlwaysHears(said)
    protect = default_protector(hears)
    result = protect(speech(said, "joe"), hears.transcribe(speech(said, "joe")), {}, "", b"t")
    assert result.audio is None and result.rejection and "PHONE" in result.rejection


@pytest.mark.parametrize(
    ("slot", "shown"),
    [
        (
            {"name": "item", "value": "five five five one two three four", "start": 11, "end": 44},
            "[PHONE]",
        ),
        ({"name": "item", "value": "milk", "start": 45, "end": 49}, "milk"),
    ],
)
def test_slots_and_answers_are_redacted_too(speech, slot, shown):
    said = "call me on five five five one two three four milk"
    hears = AlwaysHears("call me on [bleep] milk")
    protect = default_protector(hears)
    heard = AlwaysHears(said).transcribe(speech("call me on", "joe"))
    result = protect(speech("call me on", "joe"), heard, {"slots": [slot]}, "", b"t")
    assert result.slots[0]["value"] == shown

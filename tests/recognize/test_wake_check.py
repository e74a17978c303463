"""Whisper's look at a wake window: the word itself passes, words that only sound alike do not."""

from __future__ import annotations

import numpy as np
import pytest

from confide.audio import SAMPLE_RATE, Audio
from confide.capture.cascade import checked_micro
from confide.demo.recordings import SPOKEN_WAKE_WORDS, Speaker
from confide.errors import UnknownChoice
from confide.recognize.wake_check import CHECK_THRESHOLDS, WhisperWakeCheck

PAD = np.zeros(SAMPLE_RATE // 2, dtype=np.int16)


@pytest.fixture(scope="module")
def check() -> WhisperWakeCheck:
    return WhisperWakeCheck()


def window(audio: Audio, seconds: float = 1.75) -> Audio:
    """The start of a clip, as the cascade hands it over: the word and a little after."""
    return Audio(np.concatenate([PAD, audio.samples])[: round(seconds * SAMPLE_RATE)])


@pytest.mark.parametrize(
    ("wake_word", "said", "voice", "passes"),
    [
        ("okay_nabu", SPOKEN_WAKE_WORDS["okay_nabu"] + " close the garage.", "joe", True),
        ("okay_nabu", SPOKEN_WAKE_WORDS["okay_nabu"] + " close the garage.", "heart", True),
        ("hey_jarvis", SPOKEN_WAKE_WORDS["hey_jarvis"] + " dim the lamp.", "joe", True),
        ("hey_mycroft", SPOKEN_WAKE_WORDS["hey_mycroft"] + " dim the lamp.", "heart", True),
        ("okay_nabu", "Okay, now book a table for two.", "joe", False),
        ("okay_nabu", "Open the blinds in the study.", "heart", False),
        ("hey_jarvis", "Hey, can you turn it down a bit?", "joe", False),
        ("hey_mycroft", "My craft project is due on Friday.", "joe", False),
    ],
)
def test_the_word_passes_and_its_look_alikes_do_not(
    check: WhisperWakeCheck, speech: Speaker, wake_word: str, said: str, voice: str, passes: bool
) -> None:
    heard = window(speech(said, voice, 1.0))
    score = check.score(wake_word, heard)
    assert 0.0 <= score <= 1.0
    assert check.confirms(wake_word, heard) is passes, score
    assert (score >= CHECK_THRESHOLDS[wake_word]) is passes


def test_a_word_without_a_written_form_is_refused(check: WhisperWakeCheck) -> None:
    with pytest.raises(UnknownChoice, match="hey_computer"):
        check.score("hey_computer", Audio(np.zeros(SAMPLE_RATE, np.int16)))


@pytest.mark.parametrize(
    ("said", "detected"),
    [
        (SPOKEN_WAKE_WORDS["okay_nabu"] + " start the vacuum cleaner.", True),
        ("Okay, now book a table for two.", False),
    ],
    ids=["the-word", "a-look-alike"],
)
def test_the_cascade_wakes_on_the_word_only(
    check: WhisperWakeCheck, speech: Speaker, said: str, detected: bool
) -> None:
    """microWakeWord at its first-stage cutoff fires on both; the check keeps the word only."""
    detector = checked_micro(["okay_nabu"], check)
    samples = np.concatenate([PAD, speech(said, "joe", 1.0).samples, PAD, PAD])
    found = []
    for offset in range(0, len(samples), 160):
        found += detector.process(samples[offset : offset + 160])
    assert bool(found) is detected
    assert found or detector.rejected, "the first stage fired either way"

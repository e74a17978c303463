"""Voice activity: speech is speech, silence and steady noise are not, and the gate saves work."""

from __future__ import annotations

import numpy as np

from confide.audio import SAMPLE_RATE
from confide.capture.vad import VadSettings, VoiceActivity
from confide.demo.recordings import Speaker, pink_noise


def speech_share(samples: np.ndarray) -> tuple[float, VoiceActivity]:
    vad = VoiceActivity()
    probabilities = vad.process(samples)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    return sum(p >= VadSettings().threshold for p in probabilities) / len(probabilities), vad


def test_speech_is_mostly_speech(speech: Speaker) -> None:
    share, _ = speech_share(
        speech("What's the weather like in Paris tomorrow?", "heart", 1.0).samples
    )
    assert share > 0.6


def test_silence_never_reaches_silero() -> None:
    share, vad = speech_share(np.zeros(5 * SAMPLE_RATE, np.int16))
    assert share == 0.0
    assert vad.silero_blocks == 0


def test_quiet_noise_is_not_speech() -> None:
    noise = pink_noise(5 * SAMPLE_RATE, np.random.default_rng(1)) * 300
    share, _ = speech_share(noise.astype(np.int16))
    assert share < 0.05

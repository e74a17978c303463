"""Generated recordings of a home: people talking, sometimes to the assistant, over noise.

The demo plays one through the device agent, and the tests and benchmarks use the same builder
so every claim about the front end is checked against audio whose truth is known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from confide.audio import SAMPLE_RATE, Audio
from confide.demo.voices import say


@dataclass(frozen=True)
class Line:
    """One thing said in the room."""

    text: str
    """What is said, the wake word included when it is addressed to the assistant."""
    voice: str = "joe"
    """A voice from `confide.demo.voices.VOICES`."""
    wake_word: str | None = None
    """The wake word that opens `text`, if it is meant for the assistant."""
    command: str | None = None
    """The part after the wake word: what the assistant should hear."""
    pause: float = 1.5
    """Silence after the line, in seconds."""
    speed: float = 1.0
    """Speaking rate."""


@dataclass(frozen=True)
class SpokenLine:
    """A line as placed in the recording."""

    line: Line
    start: float
    end: float


@dataclass(frozen=True)
class HomeRecording:
    audio: Audio
    lines: list[SpokenLine]


Speaker = Callable[[str, str, float], Audio]
"""(text, voice, speed) -> Audio; `confide.demo.voices.say`, or a cached version of it."""


def build(lines: Sequence[Line], *, lead_in: float = 1.0, speak: Speaker = say) -> HomeRecording:
    """Say each line in turn, with its pause after it."""
    parts = [np.zeros(round(lead_in * SAMPLE_RATE), np.int16)]
    placed = []
    cursor = lead_in
    for line in lines:
        speech = speak(line.text, line.voice, line.speed).samples
        placed.append(
            SpokenLine(line, round(cursor, 3), round(cursor + len(speech) / SAMPLE_RATE, 3))
        )
        parts += [speech, np.zeros(round(line.pause * SAMPLE_RATE), np.int16)]
        cursor += (len(speech) + round(line.pause * SAMPLE_RATE)) / SAMPLE_RATE
    return HomeRecording(Audio(np.concatenate(parts)), placed)


def pink_noise(samples: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise, the spectrum of most household hum and rumble."""
    spectrum = np.fft.rfft(rng.standard_normal(samples))
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
    noise = np.fft.irfft(spectrum, n=samples)
    return np.asarray(noise / (np.std(noise) + 1e-12))


def mix_at_snr(speech: Audio, noise: np.ndarray, snr_db: float) -> Audio:
    """`speech` plus `noise` scaled to the given signal-to-noise ratio over the speech's power."""
    clean = speech.samples.astype(np.float64)
    active = clean[np.abs(clean) > 0.01 * (np.abs(clean).max() + 1e-9)]
    power = np.mean(active**2) if active.size else 0.0
    noise = np.resize(noise.astype(np.float64), clean.shape)
    noise *= np.sqrt(power / (np.mean(noise**2) + 1e-12) / 10 ** (snr_db / 10))
    return Audio(np.clip(clean + noise, -32768, 32767).astype(np.int16))


SPOKEN_WAKE_WORDS = {
    "okay_nabu": "Okay Nah-boo,",
    "hey_jarvis": "Hey Jarvis,",
    "alexa": "Alexa,",
    "hey_mycroft": "Hey Mycroft,",
}
"""How to write each wake word so both voices pronounce it as its users do ("Nabu" is nah-boo)."""

"""Synthetic speech for the demo, the tests and the benchmarks (the 'tts' extra).

Two unrelated voices, so results do not hinge on one speaker: piper's "joe" (American male)
and hibari's "heart" (American female). Both ship their weights inside their packages.

The same text always gives the same audio: piper's sampling noise is off and hibari's seed is
fixed. With piper's noise on, each machine's test cache held a different draw of the same
sentence, and a model-dependent test could pass on one machine and fail on the next.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from confide.audio import SAMPLE_RATE, Audio, from_float, read_audio, write_wav
from confide.errors import EngineUnavailable, OutOfRange, UnknownChoice
from confide.respond.voice import piper_voice

VOICES = ("joe", "heart")
SYNTHESIS = "noiseless"
"""Part of every cache key: audio cached before synthesis became repeatable is never reused."""


@cache
def _hibari() -> Any:
    try:
        from hibari import Hibari
    except ImportError as exc:
        raise EngineUnavailable(
            "synthesis needs the 'tts' extra: pip install 'confide[tts]'"
        ) from exc
    return Hibari(voice="heart")


def say(text: str, voice: str = "joe", speed: float = 1.0) -> Audio:
    """`text` spoken by `voice` at `speed` (1.0 normal, 1.2 faster), as 16 kHz Audio."""
    if speed <= 0:
        raise OutOfRange("speed must be positive")
    if voice == "joe":
        from piper import SynthesisConfig

        piper = piper_voice()
        config = SynthesisConfig(length_scale=1.0 / speed, noise_scale=0.0, noise_w_scale=0.0)
        chunks = piper.synthesize(text, config)
        samples = np.concatenate([c.audio_float_array for c in chunks])
        return from_float(samples, piper.config.sample_rate)
    if voice == "heart":
        hibari = _hibari()
        samples = hibari(text, speed=speed, seed=0)
        return from_float(samples, hibari.sample_rate)
    raise UnknownChoice(f"unknown voice {voice!r}; choose one of {', '.join(VOICES)}")


def silence(seconds: float) -> Audio:
    return Audio(np.zeros(round(seconds * SAMPLE_RATE), dtype=np.int16))


def cached_speaker(folder: Path) -> Callable[[str, str, float], Audio]:
    """`say`, but each (text, voice, speed) is synthesised once and kept as WAV in `folder`."""

    def speak(text: str, voice: str = "joe", speed: float = 1.0) -> Audio:
        key = hashlib.sha256(f"{SYNTHESIS}|{voice}|{speed}|{text}".encode()).hexdigest()[:20]
        path = folder / f"{key}.wav"
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial.wav")
            write_wav(partial, say(text, voice, speed))
            partial.replace(path)
        return read_audio(path, max_seconds=600)

    return speak

"""Shared fixtures: synthesised speech, cached between runs under ~/.cache/confide-tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from confide.audio import Audio, read_audio, write_wav
from confide.homerecording import Speaker

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CACHE = Path(os.environ.get("CONFIDE_TEST_CACHE", Path.home() / ".cache" / "confide-tests"))


def cached_say(text: str, voice: str = "joe", speed: float = 1.0) -> Audio:
    """`confide.synth.say`, synthesising each (text, voice, speed) once per machine."""
    path = CACHE / f"{hashlib.sha256(f'{voice}|{speed}|{text}'.encode()).hexdigest()[:20]}.wav"
    if not path.exists():
        from confide.synth import say

        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.wav")
        write_wav(partial, say(text, voice, speed))
        partial.replace(path)
    return read_audio(path, max_seconds=600)


@pytest.fixture(scope="session")
def speech() -> Speaker:
    """Synthesised speech: `speech(text, voice, speed)`."""
    return cached_say

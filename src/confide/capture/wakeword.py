"""Wake-word detection: engines behind one streaming `WakeDetector` protocol.

Each engine turns audio into a score per wake word per step; the shared `_Trigger` turns scores
into detections with one meaning of sensitivity and one refractory period for every engine.

The default engine is also `Tunable`: a household's server may raise a word's threshold above the
model's own (`confide.learn.wake`, from the false wakes its people confirmed), and the detector
reports each wake's peak score, the one number about a wake that the device sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from confide.audio import SAMPLE_RATE
from confide.errors import EngineUnavailable, OutOfRange, UnknownChoice

WAKE_WORDS = ("okay_nabu", "hey_jarvis", "alexa", "hey_mycroft")
"""The wake words whose models ship with both neural engines."""

DEFAULT_WAKE_WORD = "okay_nabu"
DEFAULT_SENSITIVITY = 0.5
"""0 hears almost nothing, 1 fires on almost anything; 0.5 is each model's published threshold."""
DEFAULT_REFRACTORY_SECONDS = 2.0
"""After a detection the same word cannot fire again for this long (one utterance, one wake)."""

ENGINES = ("micro", "open", "sphinx")

MODEL_THRESHOLDS = {"okay_nabu": 0.85, "hey_jarvis": 0.97, "alexa": 0.9, "hey_mycroft": 0.95}
"""Each microWakeWord model's published probability cutoff (its `probability_cutoff`): the default
threshold, and the floor below which no served threshold takes a detector."""
WAKE_PHRASES = {
    "okay_nabu": ("Okay Nabu", "OK Nabu", "Okay Naboo", "Ok Naboo"),
    "hey_jarvis": ("Hey Jarvis",),
    "alexa": ("Alexa",),
    "hey_mycroft": ("Hey Mycroft",),
}
"""How each wake word is written, for a recogniser that checks a detection: "Nabu" has no one
spelling in English, so a recogniser hearing it writes one of several."""
MAX_THRESHOLD = 0.99
"""The highest threshold a server may set: microWakeWord's scores stop at 255/256 (0.996), so a
threshold above this would leave a word that can no longer wake the device at all."""


@dataclass(frozen=True)
class Detection:
    """A wake word heard in the stream."""

    wake_word: str
    """Model name (okay_nabu, ...) or custom phrase id."""
    time: float
    """Seconds from the start of the stream to the moment it fired (the word's end)."""
    score: float
    """The engine's score at that moment, 0 to 1."""


class WakeDetector(Protocol):
    """Streams 16 kHz int16 audio in frames of any size and reports wake words as they end."""

    wake_words: tuple[str, ...]

    def process(self, frame: np.ndarray) -> list[Detection]:
        """Consume the next frame; return what fired within it."""
        ...


@runtime_checkable
class Tunable(Protocol):
    """A detector whose thresholds are on its models' probability scale, so a server can tune it."""

    def set_thresholds(self, thresholds: Mapping[str, float]) -> None:
        """Raise these words' thresholds (never below the detector's own; others back to it)."""
        ...

    def peak_score(self, wake_word: str) -> float | None:
        """The highest score of the word's latest wake so far, None before any."""
        ...

    def thresholds(self) -> dict[str, float]:
        """The threshold each word is held to now."""
        ...


def threshold_for(default_threshold: float, sensitivity: float) -> float:
    """Map a 0..1 sensitivity onto a model's probability scale, 0.5 giving its own default."""
    if not 0.0 <= sensitivity <= 1.0:
        raise OutOfRange(f"sensitivity must be between 0 and 1, not {sensitivity}")
    return float(default_threshold ** (2.0 * sensitivity)) if sensitivity < 1.0 else 0.0


class _Trigger:
    """Threshold and refractory period for one wake word, and the peak score of its last wake.

    A detection fires on the first score over the threshold, which says little about the wake:
    the peak over its refractory period is what tells a false wake from a true one."""

    def __init__(self, name: str, threshold: float, refractory: float) -> None:
        self.name = name
        self.default = threshold
        self.threshold = threshold
        self.refractory = refractory
        self.peak: float | None = None
        self._last = -np.inf

    def tune(self, threshold: float | None) -> None:
        """Use `threshold` where it is above the default (at most MAX_THRESHOLD); None resets."""
        wanted = self.default if threshold is None else min(threshold, MAX_THRESHOLD)
        self.threshold = max(self.default, wanted)

    def rearm(self) -> None:
        """Forget the last wake: a second stage turned it down, so the word may fire again now."""
        self._last = -np.inf
        self.peak = None

    def check(self, score: float, time: float) -> Detection | None:
        if time - self._last < self.refractory:
            self.peak = max(self.peak or 0.0, round(float(score), 4))
            return None
        if score <= self.threshold:
            return None
        self._last = time
        self.peak = round(float(score), 4)
        return Detection(self.name, round(time, 3), self.peak)


def _check_names(wake_words: Sequence[str]) -> tuple[str, ...]:
    unknown = [w for w in wake_words if w not in WAKE_WORDS]
    if unknown or not wake_words:
        raise UnknownChoice(
            f"unknown wake word {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(WAKE_WORDS)}"
        )
    return tuple(dict.fromkeys(wake_words))


class MicroWakeWordDetector:
    """microWakeWord (`pymicro-wakeword`): tiny streaming TFLite models, the default engine."""

    def __init__(
        self,
        wake_words: Sequence[str] = (DEFAULT_WAKE_WORD,),
        sensitivity: float = DEFAULT_SENSITIVITY,
        refractory: float = DEFAULT_REFRACTORY_SECONDS,
        cutoffs: Mapping[str, float] | None = None,
    ) -> None:
        """`cutoffs`: the threshold each word's sensitivity 0.5 stands for, where not the model's
        published one (a first stage in front of a check fires on less sure scores)."""
        from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model

        self.wake_words = _check_names(wake_words)
        self._features = MicroWakeWordFeatures()
        self._models = [MicroWakeWord.from_builtin(Model(name)) for name in self.wake_words]
        cutoffs = cutoffs or {}
        self._triggers = [
            _Trigger(
                name,
                threshold_for(cutoffs.get(name, model.probability_cutoff), sensitivity),
                refractory,
            )
            for name, model in zip(self.wake_words, self._models, strict=True)
        ]
        self._samples = 0

    def set_thresholds(self, thresholds: Mapping[str, float]) -> None:
        for trigger in self._triggers:
            trigger.tune(thresholds.get(trigger.name))

    def peak_score(self, wake_word: str) -> float | None:
        return next((t.peak for t in self._triggers if t.name == wake_word), None)

    def rearm(self, wake_word: str) -> None:
        """Let a word whose detection was turned down fire again before its refractory ends."""
        for trigger in self._triggers:
            if trigger.name == wake_word:
                trigger.rearm()

    def thresholds(self) -> dict[str, float]:
        return {t.name: t.threshold for t in self._triggers}

    def process(self, frame: np.ndarray) -> list[Detection]:
        detections = []
        self._samples += len(frame)
        now = self._samples / SAMPLE_RATE
        for features in self._features.process_streaming(frame.tobytes()):
            for model, trigger in zip(self._models, self._triggers, strict=True):
                score = model.process_streaming_prob(features)
                if score is not None and (found := trigger.check(score, now)):
                    detections.append(found)
        return detections


class OpenWakeWordDetector:
    """openWakeWord (`pyopen-wakeword`), optional: its pretrained models are non-commercial."""

    CHUNK_SAMPLES = 1280
    DEFAULT_THRESHOLD = 0.5

    def __init__(
        self,
        wake_words: Sequence[str] = (DEFAULT_WAKE_WORD,),
        sensitivity: float = DEFAULT_SENSITIVITY,
        refractory: float = DEFAULT_REFRACTORY_SECONDS,
    ) -> None:
        try:
            from pyopen_wakeword import Model, OpenWakeWord, OpenWakeWordFeatures
        except ImportError as exc:
            raise EngineUnavailable(
                "the openWakeWord engine needs the 'openwakeword' extra "
                "(its pretrained models carry a non-commercial licence)"
            ) from exc
        self.wake_words = _check_names(wake_words)
        self._features = OpenWakeWordFeatures.from_builtin()
        self._models = [OpenWakeWord.from_builtin(Model(name)) for name in self.wake_words]
        threshold = threshold_for(self.DEFAULT_THRESHOLD, sensitivity)
        self._triggers = [_Trigger(name, threshold, refractory) for name in self.wake_words]
        self._pending = np.zeros(0, dtype=np.int16)
        self._samples = 0

    def process(self, frame: np.ndarray) -> list[Detection]:
        detections = []
        self._pending = np.concatenate([self._pending, frame])
        while len(self._pending) >= self.CHUNK_SAMPLES:
            chunk, self._pending = (
                self._pending[: self.CHUNK_SAMPLES],
                self._pending[self.CHUNK_SAMPLES :],
            )
            self._samples += self.CHUNK_SAMPLES
            now = self._samples / SAMPLE_RATE
            for embeddings in self._features.process_streaming(chunk.tobytes()):
                for model, trigger in zip(self._models, self._triggers, strict=True):
                    for score in model.process_streaming(embeddings):
                        if found := trigger.check(score, now):
                            detections.append(found)
        return detections


def load_detector(
    engine: str = "micro",
    wake_words: Sequence[str] = (DEFAULT_WAKE_WORD,),
    sensitivity: float = DEFAULT_SENSITIVITY,
    refractory: float = DEFAULT_REFRACTORY_SECONDS,
) -> WakeDetector:
    """The named engine listening for `wake_words` (free phrases for `sphinx`)."""
    if engine == "micro":
        return MicroWakeWordDetector(wake_words, sensitivity, refractory)
    if engine == "open":
        return OpenWakeWordDetector(wake_words, sensitivity, refractory)
    if engine == "sphinx":
        from confide.capture.keyphrase import KeyphraseDetector

        return KeyphraseDetector(wake_words, sensitivity, refractory)
    raise UnknownChoice(f"unknown wake-word engine {engine!r}; choose one of {', '.join(ENGINES)}")

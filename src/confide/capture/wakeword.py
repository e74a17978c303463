"""Wake-word detection: engines behind one streaming `WakeDetector` protocol.

Each engine turns audio into a score per wake word per step; the shared `_Trigger` turns scores
into detections with one meaning of sensitivity and one refractory period for every engine.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from confide.audio import SAMPLE_RATE
from confide.errors import EngineUnavailable

WAKE_WORDS = ("okay_nabu", "hey_jarvis", "alexa", "hey_mycroft")
"""The wake words whose models ship with both neural engines."""

DEFAULT_WAKE_WORD = "okay_nabu"
DEFAULT_SENSITIVITY = 0.5
"""0 hears almost nothing, 1 fires on almost anything; 0.5 is each model's published threshold."""
DEFAULT_REFRACTORY_SECONDS = 2.0
"""After a detection the same word cannot fire again for this long (one utterance, one wake)."""

ENGINES = ("micro", "open", "sphinx")


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


def threshold_for(default_threshold: float, sensitivity: float) -> float:
    """Map a 0..1 sensitivity onto a model's probability scale, 0.5 giving its own default."""
    if not 0.0 <= sensitivity <= 1.0:
        raise ValueError(f"sensitivity must be between 0 and 1, not {sensitivity}")
    return float(default_threshold ** (2.0 * sensitivity)) if sensitivity < 1.0 else 0.0


class _Trigger:
    """Threshold and refractory period for one wake word."""

    def __init__(self, name: str, threshold: float, refractory: float) -> None:
        self.name = name
        self.threshold = threshold
        self.refractory = refractory
        self._last = -np.inf

    def check(self, score: float, time: float) -> Detection | None:
        if score <= self.threshold or time - self._last < self.refractory:
            return None
        self._last = time
        return Detection(self.name, round(time, 3), round(float(score), 4))


def _check_names(wake_words: Sequence[str]) -> tuple[str, ...]:
    unknown = [w for w in wake_words if w not in WAKE_WORDS]
    if unknown or not wake_words:
        raise ValueError(
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
    ) -> None:
        from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures, Model

        self.wake_words = _check_names(wake_words)
        self._features = MicroWakeWordFeatures()
        self._models = [MicroWakeWord.from_builtin(Model(name)) for name in self.wake_words]
        self._triggers = [
            _Trigger(name, threshold_for(model.probability_cutoff, sensitivity), refractory)
            for name, model in zip(self.wake_words, self._models, strict=True)
        ]
        self._samples = 0

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


# Pronunciations the en-us dictionary lacks, for the shipped wake words.
_EXTRA_PRONUNCIATIONS = {"nabu": "N AA B UW", "mycroft": "M AY K R AO F T"}


class KeyphraseDetector:
    """PocketSphinx keyphrase spotting: any phrase, no training, and the accuracy baseline.

    One threshold serves every phrase, whatever its length; short phrases ("alexa") therefore
    fire more easily than long ones (see benchmarks/RESULTS.md).
    """

    def __init__(
        self,
        phrases: Sequence[str] = (DEFAULT_WAKE_WORD,),
        sensitivity: float = DEFAULT_SENSITIVITY,
        refractory: float = DEFAULT_REFRACTORY_SECONDS,
    ) -> None:
        from confide.recognize.sphinx import new_decoder

        if not phrases:
            raise ValueError("give at least one keyphrase")
        self.wake_words = tuple(dict.fromkeys(phrases))
        self._decoder = new_decoder()
        spoken = {name: name.replace("_", " ").lower() for name in self.wake_words}
        for words in spoken.values():
            self._ensure_words(words.split())
        # Sensitivity spans the keyword-spotting threshold's useful range, 1e-40 to 1e-0.
        exponent = -40.0 * sensitivity
        self._by_phrase = {words: name for name, words in spoken.items()}
        with tempfile.TemporaryDirectory() as folder:
            kws = Path(folder) / "phrases.kws"
            kws.write_text("".join(f"{w} /1e{exponent:.0f}/\n" for w in spoken.values()))
            self._decoder.add_kws("wake", str(kws))
        self._decoder.activate_search("wake")
        self._decoder.start_utt()
        self._refractory = refractory
        self._last: dict[str, float] = {}
        self._samples = 0

    def _ensure_words(self, words: Iterable[str]) -> None:
        for word in words:
            if self._decoder.lookup_word(word) is not None:
                continue
            if word not in _EXTRA_PRONUNCIATIONS:
                raise ValueError(f"the pocketsphinx dictionary has no pronunciation for {word!r}")
            self._decoder.add_word(word, _EXTRA_PRONUNCIATIONS[word], True)

    def process(self, frame: np.ndarray) -> list[Detection]:
        self._samples += len(frame)
        self._decoder.process_raw(frame.tobytes(), False, False)
        hypothesis: Any = self._decoder.hyp()
        if hypothesis is None:
            return []
        self._decoder.end_utt()
        self._decoder.start_utt()
        now = self._samples / SAMPLE_RATE
        name = self._by_phrase.get(hypothesis.hypstr.strip(), hypothesis.hypstr.strip())
        if now - self._last.get(name, -np.inf) < self._refractory:
            return []
        self._last[name] = now
        return [Detection(name, round(now, 3), 1.0)]


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
        return KeyphraseDetector(wake_words, sensitivity, refractory)
    raise ValueError(f"unknown wake-word engine {engine!r}; choose one of {', '.join(ENGINES)}")

"""The device's second look at a wake word: Whisper tiny.en asked whether the word is in the window.

The wake-word model hears a second and a half of sound; Whisper knows English, so "okay, now
book a table" is not "okay nabu" to it however alike they sound. The check forces each way of
writing the word (`WAKE_PHRASES`) through Whisper's decoder over the window and takes the best
phrase's probability (`WhisperRecognizer.phrase_probability`): about 0.03 s a look on one core,
and only when the first stage fires. It runs on the device, in front of the agent
(`confide.capture.cascade`), so nothing it turns down ever leaves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from confide.audio import Audio
from confide.capture.cascade import FIRST_STAGE_CUTOFFS, checked_micro
from confide.capture.wakeword import (
    DEFAULT_REFRACTORY_SECONDS,
    DEFAULT_SENSITIVITY,
    WAKE_PHRASES,
    WakeDetector,
    load_detector,
)
from confide.errors import UnknownChoice
from confide.recognize.whisper import WhisperRecognizer

CHECK_THRESHOLDS = {"okay_nabu": 0.0157, "hey_jarvis": 0.0097, "alexa": 0.4355, "hey_mycroft": 0.03}
"""The phrase probability each word needs: twice the highest that any negative reached in
`benchmarks/wake_calibration.py` ("a Lexus" is Whisper's 0.22 "Alexa"). The device checks only
the words in `confide.capture.cascade.FIRST_STAGE_CUTOFFS`."""
CHECK_WINDOW_SECONDS = 4.0
"""The encoder's window for a look: the wake window and its margin, and no more."""


class WhisperWakeCheck:
    """`WakeCheck` by Whisper tiny.en's forced phrase probability."""

    def __init__(
        self,
        recognizer: WhisperRecognizer | None = None,
        thresholds: Mapping[str, float] = CHECK_THRESHOLDS,
    ) -> None:
        self._recognizer = recognizer or WhisperRecognizer(min_window_seconds=CHECK_WINDOW_SECONDS)
        self._thresholds = dict(thresholds)
        self.looks = 0
        """How often a detection was checked: each costs a look by the recogniser."""

    def score(self, wake_word: str, audio: Audio) -> float:
        """How sure the recogniser is that `audio` says `wake_word`, 0 to 1."""
        if wake_word not in WAKE_PHRASES:
            raise UnknownChoice(f"no written form known for the wake word {wake_word!r}")
        self.looks += 1
        return self._recognizer.phrase_probability(audio, WAKE_PHRASES[wake_word])

    def confirms(self, wake_word: str, audio: Audio) -> bool:
        return self.score(wake_word, audio) >= self._thresholds[wake_word]


def device_detector(
    wake_words: Sequence[str],
    checked: bool = True,
    sensitivity: float = DEFAULT_SENSITIVITY,
    refractory: float = DEFAULT_REFRACTORY_SECONDS,
    engine: str = "micro",
    on_load: Callable[[str], None] = lambda message: None,
) -> WakeDetector:
    """The device agent's detector, wherever it listens (a speaker, Home Assistant over
    Wyoming): the engine's, and for microWakeWord with the second stage when `checked`."""
    if not checked or engine != "micro" or not set(wake_words) & set(FIRST_STAGE_CUTOFFS):
        # nothing to check: no recogniser loaded for words that wake unchecked
        return load_detector(engine, list(wake_words), sensitivity, refractory)
    on_load("loading the local recogniser that checks each wake")
    return checked_micro(wake_words, WhisperWakeCheck(), sensitivity, refractory)

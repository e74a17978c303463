"""Keyphrase spotting with PocketSphinx: any phrase as a wake word, with no training.

It runs on the device, so it builds its own decoder on the en-us model that pocketsphinx ships
rather than borrowing the server's recogniser.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from confide.audio import SAMPLE_RATE
from confide.capture.wakeword import (
    DEFAULT_REFRACTORY_SECONDS,
    DEFAULT_SENSITIVITY,
    DEFAULT_WAKE_WORD,
    Detection,
)
from confide.errors import UnknownChoice


def _new_decoder() -> Any:
    """A decoder on the bundled en-us model, quiet on stderr."""
    import pocketsphinx

    return pocketsphinx.Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")


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
        if not phrases:
            raise UnknownChoice("give at least one keyphrase")
        self.wake_words = tuple(dict.fromkeys(phrases))
        self._decoder = _new_decoder()
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
                raise UnknownChoice(
                    f"the pocketsphinx dictionary has no pronunciation for {word!r}"
                )
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

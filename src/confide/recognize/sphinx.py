"""PocketSphinx with the en-us model it ships: small, streaming, and the word aligner."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

from confide.audio import SAMPLE_RATE, Audio
from confide.recognize.base import Transcript, Word

FRAMES_PER_SECOND = 100
"""PocketSphinx reports times in 10 ms frames."""

HINT_WEIGHT = 8.0
"""How strongly a hinted word's unigram is boosted, relative to its trained probability."""

_FILLER = re.compile(r"^(<s>|</s>|<sil>|\[.*\]|\+\+.*\+\+)$")
_ALTERNATE = re.compile(r"\(\d+\)$")


def new_decoder(**config: Any) -> Any:
    """A decoder on the bundled en-us model, quiet on stderr."""
    import pocketsphinx

    return pocketsphinx.Decoder(samprate=SAMPLE_RATE, loglevel="FATAL", **config)


def words_from_segments(decoder: Any, *, posteriors: bool = True) -> list[Word]:
    """Word timings, and lattice posteriors as confidences, from the decoder's last utterance."""
    if posteriors:
        decoder.get_prob()  # fills each segment's prob with its posterior
    words = []
    for segment in decoder.seg():
        if _FILLER.match(segment.word):
            continue
        words.append(
            Word(
                word=_ALTERNATE.sub("", segment.word),
                start=round(segment.start_frame / FRAMES_PER_SECOND, 3),
                end=round((segment.end_frame + 1) / FRAMES_PER_SECOND, 3),
                confidence=round(min(1.0, float(segment.prob)), 3) if posteriors else None,
            )
        )
    return words


def decode(decoder: Any, pcm: bytes) -> None:
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()


class SphinxRecognizer:
    """The fallback recogniser: far less accurate than Whisper, but tiny and streaming."""

    name = "pocketsphinx"

    def __init__(self) -> None:
        self._decoder = new_decoder()
        self._trained_lm = self._decoder.current_search()

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        started = time.perf_counter()
        boosted = self._boost(hints)
        try:
            decode(self._decoder, audio.samples.tobytes())
            words = words_from_segments(self._decoder)
        finally:
            if boosted:
                self._decoder.reinit()
        return Transcript(
            text=" ".join(w.word for w in words),
            words=words,
            engine=self.name,
            audio_seconds=audio.seconds,
            processing_seconds=time.perf_counter() - started,
        )

    def _boost(self, hints: Iterable[str]) -> bool:
        """Raise the language-model weight of hinted words the dictionary knows."""
        known = [
            token
            for hint in hints
            for token in hint.lower().split()
            if self._decoder.lookup_word(token) is not None
        ]
        if not known:
            return False
        lm = self._decoder.get_lm(self._trained_lm)
        for token in known:
            lm.add_word(token, HINT_WEIGHT)
        self._decoder.add_lm(self._trained_lm, lm)
        self._decoder.activate_search(self._trained_lm)
        return True

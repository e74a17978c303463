"""Moonshine (base, English, shipped in `moonshine-cpp`), optional; timed by PocketSphinx alignment.

Moonshine returns text only, so word times come from forcing PocketSphinx to align that text
to the audio. Moonshine reports no per-word confidence, and this engine does not invent one.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from confide.audio import Audio, write_wav
from confide.errors import EngineUnavailable
from confide.recognize.base import Transcript, Word
from confide.recognize.sphinx import decode, new_decoder, words_from_segments

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*")

# Rough letter-to-phone table, used only to let the aligner place words its dictionary lacks.
_LETTER_PHONES = {
    "a": "AE",
    "b": "B",
    "c": "K",
    "d": "D",
    "e": "EH",
    "f": "F",
    "g": "G",
    "h": "HH",
    "i": "IH",
    "j": "JH",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "o": "AA",
    "p": "P",
    "q": "K",
    "r": "R",
    "s": "S",
    "t": "T",
    "u": "AH",
    "v": "V",
    "w": "W",
    "x": "K S",
    "y": "Y",
    "z": "Z",
}


class MoonshineRecognizer:
    """Moonshine base-en through its C++ runtime."""

    name = "moonshine"
    supports_hints = False

    def __init__(self) -> None:
        try:
            import moonshine_cpp
        except ImportError as exc:
            raise EngineUnavailable(
                "the moonshine engine needs the 'moonshine' extra: pip install 'confide[moonshine]'"
            ) from exc
        if (trouble := _runtime_trouble()) is not None:
            raise EngineUnavailable(f"the moonshine engine cannot run here: {trouble}")
        self._model = moonshine_cpp.MoonshineModel(suppress_copyright_notice=True)
        self._aligner = new_decoder()

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "clip.wav"
            write_wav(path, audio)
            text = self._model.transcribe_wav(str(path)).strip()
        words = self._align(audio, text)
        return Transcript(
            text=text,
            words=words,
            engine=self.name,
            audio_seconds=audio.seconds,
            processing_seconds=time.perf_counter() - started,
        )

    def _align(self, audio: Audio, text: str) -> list[Word]:
        spoken = text.split()
        tokens = [_TOKEN.findall(w.lower()) for w in spoken]
        plain = [" ".join(t) for t in tokens]
        sequence = [token for group in tokens for token in group]
        if not sequence:
            return []
        for token in sequence:
            if self._aligner.lookup_word(token) is None:
                phones = " ".join(_LETTER_PHONES[c] for c in token if c in _LETTER_PHONES)
                self._aligner.add_word(token, phones or "AH", True)
        self._aligner.set_align_text(" ".join(sequence))
        decode(self._aligner, audio.samples.tobytes())
        aligned = iter(words_from_segments(self._aligner, posteriors=False))
        words = []
        for original, group in zip(spoken, plain, strict=True):
            if not group:
                continue
            parts = [next(aligned) for _ in group.split()]
            words.append(Word(original, parts[0].start, parts[-1].end, None))
        return words


@cache
def _runtime_trouble() -> str | None:
    """Why moonshine-cpp's runtime cannot load on this machine, or None when it can. Its wheels
    use CPU instructions that not every x86-64 machine has, and an illegal instruction kills
    the whole process instead of raising, so the model is first loaded in a child process."""
    probe = "import moonshine_cpp; moonshine_cpp.MoonshineModel(suppress_copyright_notice=True)"
    child = subprocess.run(  # noqa: S603 - this interpreter, a fixed argument, no shell
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        lacking = " (an instruction this CPU lacks)" if name == "SIGILL" else ""
        return f"its runtime was killed by {name}{lacking}"
    if child.returncode != 0:
        lines = child.stderr.strip().splitlines()
        return f"its runtime failed to load: {lines[-1] if lines else child.returncode}"
    return None

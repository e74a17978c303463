"""Speech recognition: engines behind one `Recognizer` protocol, chosen by name."""

from __future__ import annotations

from confide.errors import UnknownChoice
from confide.recognize.base import Recognizer, Transcript, Word, words_after

ENGINES = ("whisper", "pocketsphinx", "moonshine")
DEFAULT_ENGINE = "whisper"


def load_recognizer(name: str = DEFAULT_ENGINE, *, threads: int = 1) -> Recognizer:
    """Load an engine by name; heavy imports happen here, not at package import."""
    if name == "whisper":
        from confide.recognize.whisper import WhisperRecognizer

        return WhisperRecognizer(threads=threads)
    if name == "pocketsphinx":
        from confide.recognize.sphinx import SphinxRecognizer

        return SphinxRecognizer()
    if name == "moonshine":
        from confide.recognize.moonshine import MoonshineRecognizer

        return MoonshineRecognizer()
    raise UnknownChoice(f"unknown ASR engine {name!r}; choose one of {', '.join(ENGINES)}")


__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "Recognizer",
    "Transcript",
    "Word",
    "load_recognizer",
    "words_after",
]

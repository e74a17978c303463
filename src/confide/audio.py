"""Audio in: any WAV, FLAC or raw PCM becomes 16 kHz mono int16, or a clear refusal.

Every stage downstream (wake word, VAD, ASR) works on one format, so conversion happens once,
here, at the edge; and a refusal is whole, so a bad file never half-enters the pipeline.
"""

from __future__ import annotations

import io
import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from confide.errors import (
    AudioTooLong,
    CorruptAudio,
    EmptyAudio,
    NotAudio,
    OutOfRange,
    UnknownChoice,
)

SAMPLE_RATE = 16_000
"""The one rate every stage works at."""

DEFAULT_MAX_SECONDS = 30.0
"""Longest utterance accepted unless a caller says otherwise."""

MIN_SECONDS = 0.01
"""Shorter than one 10 ms frame holds nothing a detector or recogniser can use."""

_KNOWN_MAGIC = (b"RIFF", b"RIFX", b"RF64", b"fLaC", b"OggS", b"FORM")
_RAW_SUFFIXES = (".raw", ".pcm")


@dataclass(frozen=True)
class RawFormat:
    """How to read headerless PCM, which carries no description of itself."""

    sample_rate: int = SAMPLE_RATE
    """Samples per second per channel."""
    channels: int = 1
    """Interleaved channel count."""
    subtype: str = "PCM_16"
    """libsndfile subtype: PCM_16, PCM_24, PCM_32, FLOAT."""


@dataclass(frozen=True)
class Audio:
    """Mono 16 kHz signed 16-bit samples: what every stage consumes."""

    samples: np.ndarray
    """int16 samples at SAMPLE_RATE."""

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def as_float(self) -> np.ndarray:
        """float32 in [-1, 1), as neural models expect."""
        return self.samples.astype(np.float32) / 32768.0

    def to_wav_bytes(self) -> bytes:
        buffer = io.BytesIO()
        sf.write(buffer, self.samples, SAMPLE_RATE, format="WAV", subtype="PCM_16")
        return buffer.getvalue()


def from_float(samples: np.ndarray, sample_rate: int) -> Audio:
    """Audio from float samples in [-1, 1] at any rate, mono or (frames, channels)."""
    data = np.asarray(samples, dtype=np.float64)
    if data.ndim == 2:
        data = data.mean(axis=1)
    if sample_rate != SAMPLE_RATE:
        divisor = math.gcd(SAMPLE_RATE, sample_rate)
        data = resample_poly(data, SAMPLE_RATE // divisor, sample_rate // divisor)
    return Audio(np.round(np.clip(data, -1.0, 32767 / 32768) * 32768).astype(np.int16))


def read_audio(
    source: Path | bytes,
    *,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    raw: RawFormat | None = None,
) -> Audio:
    """Decode a file or bytes to Audio, refusing corrupt, empty, overlong or non-audio input.

    Files named *.raw or *.pcm are read as 16 kHz mono 16-bit PCM unless `raw` says otherwise.
    """
    name = str(source) if isinstance(source, Path) else "<bytes>"
    if isinstance(source, Path):
        if not source.is_file():
            raise NotAudio(f"{name}: no such file")
        if raw is None and source.suffix.lower() in _RAW_SUFFIXES:
            raw = RawFormat()
        data = source.read_bytes()
    else:
        data = source
    if not data:
        raise EmptyAudio(f"{name}: the input is empty (0 bytes)")
    if raw is not None:
        samples, rate = _decode_raw(data, raw, name)
    else:
        samples, rate = _decode_container(data, name, max_seconds)
    seconds = len(samples) / rate
    if seconds < MIN_SECONDS:
        raise EmptyAudio(f"{name}: holds {len(samples)} samples, too few to contain speech")
    if seconds > max_seconds:
        raise AudioTooLong(f"{name}: {seconds:.1f} s is longer than the {max_seconds:g} s limit")
    if not np.all(np.isfinite(samples)):
        raise CorruptAudio(f"{name}: contains samples that are not finite numbers")
    return from_float(samples, rate)


def _decode_container(data: bytes, name: str, max_seconds: float) -> tuple[np.ndarray, int]:
    try:
        info = sf.info(io.BytesIO(data))
    except sf.LibsndfileError as exc:
        if data[:4] in _KNOWN_MAGIC:
            raise CorruptAudio(f"{name}: the header is damaged ({_reason(exc)})") from exc
        raise NotAudio(f"{name}: not WAV, FLAC or another audio format Confide reads") from exc
    if info.samplerate <= 0 or info.channels <= 0:
        raise CorruptAudio(f"{name}: the header declares {info.samplerate} Hz, {info.channels} ch")
    if info.frames > 0 and info.frames / info.samplerate > max_seconds:
        raise AudioTooLong(
            f"{name}: {info.frames / info.samplerate:.1f} s is longer than "
            f"the {max_seconds:g} s limit"
        )
    if missing := _wav_data_shortfall(data):
        raise CorruptAudio(f"{name}: truncated, {missing} bytes of audio data are missing")
    try:
        samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise CorruptAudio(f"{name}: the audio data does not decode ({_reason(exc)})") from exc
    return samples, int(rate)


def _decode_raw(data: bytes, raw: RawFormat, name: str) -> tuple[np.ndarray, int]:
    width = {"PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4}.get(raw.subtype)
    if width is None:
        raise UnknownChoice(f"unsupported raw subtype {raw.subtype!r}")
    if raw.sample_rate <= 0 or raw.channels <= 0:
        raise OutOfRange("raw sample rate and channel count must be positive")
    if len(data) % (width * raw.channels):
        raise CorruptAudio(
            f"{name}: {len(data)} bytes is not a whole number of {raw.channels}-channel "
            f"{raw.subtype} frames"
        )
    samples, rate = sf.read(
        io.BytesIO(data),
        dtype="float32",
        always_2d=True,
        format="RAW",
        subtype=raw.subtype,
        samplerate=raw.sample_rate,
        channels=raw.channels,
    )
    return samples, int(rate)


def _reason(exc: Exception) -> str:
    text = re.sub(r"Error opening .*?: |Error : ", "", str(exc).splitlines()[-1]).strip()
    return text or type(exc).__name__


def _wav_data_shortfall(data: bytes) -> int:
    """Bytes a RIFF WAV's data chunk promises beyond those present (0 if whole or streamed)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return 0
    offset = 12
    while offset + 8 <= len(data):
        chunk = data[offset : offset + 4]
        size: int = struct.unpack_from("<I", data, offset + 4)[0]
        if chunk == b"data":
            if size in (0, 0xFFFFFFFF):  # written while streaming: length unknown
                return 0
            return max(0, offset + 8 + size - len(data))
        offset += 8 + size + (size & 1)
    return 0


def write_wav(path: Path, audio: Audio) -> None:
    sf.write(path, audio.samples, SAMPLE_RATE, subtype="PCM_16")

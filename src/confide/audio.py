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
    UnsupportedAudio,
)

SAMPLE_RATE = 16_000
"""The one rate every stage works at."""

DEFAULT_MAX_SECONDS = 30.0
"""Longest utterance accepted unless a caller says otherwise."""

MIN_SECONDS = 0.01
"""Shorter than one 10 ms frame holds nothing a detector or recogniser can use."""

MAX_SAMPLE_RATE = 192_000
"""The highest rate studio recorders use; a header declaring more is a bomb, not speech."""

MAX_CHANNELS = 8
"""7.1 surround; more channels hold no more speech, only more to decode."""

_BLOCK_FRAMES = 65_536
"""Frames decoded at a time: at most 2 MB of float32 in flight on MAX_CHANNELS."""

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

    def peaks(self, bins: int) -> list[float]:
        """The loudest sample of each of `bins` equal stretches, 0 to 1, two decimals: enough
        to draw a waveform, too little to hear anything by."""
        if bins <= 0 or not len(self.samples):
            return []
        stretches = np.array_split(np.abs(self.samples.astype(np.int32)), bins)
        return [round(int(part.max(initial=0)) / 32768.0, 2) for part in stretches]

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
    What the header declares is bounded before a sample is decoded, and decoding goes a block at
    a time, so a few kilobytes that declare hours of many channels cost no more than the limit.
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
    file = _open_raw(data, raw, name) if raw is not None else _open_container(data, name)
    with file:
        _check_declared(file, name, max_seconds)
        if raw is None and (missing := _wav_data_shortfall(data)):
            raise CorruptAudio(f"{name}: truncated, {missing} bytes of audio data are missing")
        samples = _decode_mono(file, name)
        rate = file.samplerate
    if len(samples) / rate < MIN_SECONDS:
        raise EmptyAudio(f"{name}: holds {len(samples)} samples, too few to contain speech")
    if not np.all(np.isfinite(samples)):
        raise CorruptAudio(f"{name}: contains samples that are not finite numbers")
    return from_float(samples, rate)


def _open_container(data: bytes, name: str) -> sf.SoundFile:
    try:
        return sf.SoundFile(io.BytesIO(data))
    except sf.LibsndfileError as exc:
        if data[:4] in _KNOWN_MAGIC:
            raise CorruptAudio(f"{name}: the header is damaged ({_reason(exc)})") from exc
        raise NotAudio(f"{name}: not WAV, FLAC or another audio format Confide reads") from exc


def _open_raw(data: bytes, raw: RawFormat, name: str) -> sf.SoundFile:
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
    return sf.SoundFile(
        io.BytesIO(data),
        format="RAW",
        subtype=raw.subtype,
        samplerate=raw.sample_rate,
        channels=raw.channels,
    )


def _check_declared(file: sf.SoundFile, name: str, max_seconds: float) -> None:
    """Refuse what the header declares before decoding any of it.

    Bounding the rate, the channels and the seconds bounds frames x channels to what
    `max_seconds` at MAX_SAMPLE_RATE on MAX_CHANNELS allows, whatever the file's size.
    """
    rate, channels, frames = file.samplerate, file.channels, file.frames
    if rate <= 0 or channels <= 0:
        raise CorruptAudio(f"{name}: the header declares {rate} Hz, {channels} ch")
    if rate > MAX_SAMPLE_RATE or channels > MAX_CHANNELS:
        raise UnsupportedAudio(
            f"{name}: {rate} Hz on {channels} channel(s) is beyond the {MAX_SAMPLE_RATE} Hz "
            f"and {MAX_CHANNELS} channels accepted"
        )
    if frames / rate > max_seconds:
        raise AudioTooLong(
            f"{name}: {frames / rate:.1f} s is longer than the {max_seconds:g} s limit"
        )


def _decode_mono(file: sf.SoundFile, name: str) -> np.ndarray:
    """float32 mono, down-mixed block by block: memory is one block of every channel plus the
    mono result, never the whole file in all its channels."""
    mono = np.empty(file.frames, dtype=np.float32)
    block = np.empty((min(_BLOCK_FRAMES, file.frames), file.channels), dtype=np.float32)
    done = 0
    while done < file.frames:
        try:
            got = file.read(dtype="float32", always_2d=True, out=block[: file.frames - done])
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise CorruptAudio(f"{name}: the audio data does not decode ({_reason(exc)})") from exc
        if not len(got):
            break
        # The mean in float64 cannot overflow float32's range, so no finite input becomes inf.
        mono[done : done + len(got)] = got.mean(axis=1, dtype=np.float64)
        done += len(got)
    return mono[:done]


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

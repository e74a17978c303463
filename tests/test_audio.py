"""Audio input: every accepted format becomes 16 kHz mono int16; every bad input is refused."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from confide.audio import DEFAULT_MAX_SECONDS, SAMPLE_RATE, Audio, RawFormat, read_audio
from confide.errors import (
    AudioTooLong,
    BadAudio,
    CorruptAudio,
    EmptyAudio,
    NotAudio,
    UnsupportedAudio,
)


def tone(seconds: float, rate: int, channels: int) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    mono = 0.5 * np.sin(2 * np.pi * 440 * t)
    return np.stack([mono] * channels, axis=1) if channels > 1 else mono


def encode(samples: np.ndarray, rate: int, fmt: str, subtype: str) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("rate", "channels", "fmt", "subtype"),
    [
        (16_000, 1, "WAV", "PCM_16"),
        (44_100, 2, "WAV", "PCM_16"),
        (48_000, 1, "WAV", "FLOAT"),
        (8_000, 1, "WAV", "PCM_U8"),
        (22_050, 2, "FLAC", "PCM_24"),
        (96_000, 6, "FLAC", "PCM_16"),
    ],
)
def test_containers_become_16k_mono(rate: int, channels: int, fmt: str, subtype: str) -> None:
    audio = read_audio(encode(tone(1.5, rate, channels), rate, fmt, subtype))
    assert audio.samples.dtype == np.int16
    assert audio.samples.ndim == 1
    assert audio.seconds == pytest.approx(1.5, abs=0.01)
    spectrum = np.abs(np.fft.rfft(audio.samples.astype(float)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(audio.samples)
    assert peak_hz == pytest.approx(440, abs=3)


@pytest.mark.parametrize(
    ("raw", "dtype"),
    [
        (RawFormat(16_000, 1, "PCM_16"), np.int16),
        (RawFormat(48_000, 2, "PCM_16"), np.int16),
        (RawFormat(8_000, 1, "FLOAT"), np.float32),
    ],
)
def test_raw_pcm(raw: RawFormat, dtype: type) -> None:
    samples = tone(2.0, raw.sample_rate, raw.channels)
    data = (samples * 32767).astype(np.int16) if dtype is np.int16 else samples.astype(np.float32)
    audio = read_audio(data.tobytes(), raw=raw)
    assert audio.seconds == pytest.approx(2.0, abs=0.01)
    assert np.abs(audio.samples).max() > 10_000


def test_raw_file_by_suffix(tmp_path: Path) -> None:
    path = tmp_path / "clip.raw"
    path.write_bytes((tone(1.0, 16_000, 1) * 32767).astype(np.int16).tobytes())
    assert read_audio(path).seconds == pytest.approx(1.0)


WAV = encode(tone(1.0, 16_000, 1), 16_000, "WAV", "PCM_16")
FLAC = encode(tone(1.0, 16_000, 1), 16_000, "FLAC", "PCM_16")


@pytest.mark.parametrize(
    ("data", "error", "says"),
    [
        (b"", EmptyAudio, "empty"),
        (encode(np.zeros(0), 16_000, "WAV", "PCM_16"), EmptyAudio, "too few"),
        (encode(np.zeros(50), 16_000, "WAV", "PCM_16"), EmptyAudio, "too few"),
        (b"hello, this is a text file\n" * 20, NotAudio, "not WAV"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, NotAudio, "not WAV"),
        (WAV[:30], CorruptAudio, "damaged"),
        (b"RIFF" + bytes(400), CorruptAudio, "damaged"),
        (FLAC[:200], CorruptAudio, "damaged|does not decode"),
        (encode(tone(31.0, 16_000, 1), 16_000, "WAV", "PCM_16"), AudioTooLong, "30 s limit"),
        (encode(tone(31.0, 8_000, 2), 8_000, "FLAC", "PCM_16"), AudioTooLong, "30 s limit"),
    ],
    ids=[
        "zero-bytes",
        "no-frames",
        "3ms",
        "text",
        "pdf",
        "cut-header",
        "riff-zeros",
        "cut-flac",
        "31s-wav",
        "31s-flac",
    ],
)
def test_bad_input_is_refused(data: bytes, error: type[Exception], says: str) -> None:
    with pytest.raises(error, match=says):
        read_audio(data)


def test_truncated_wav_is_corrupt() -> None:
    long = encode(tone(2.0, 16_000, 1), 16_000, "WAV", "PCM_16")
    with pytest.raises(CorruptAudio, match="truncated, 32000 bytes"):
        read_audio(long[: len(long) - 32000])


def test_raw_with_partial_frame_is_corrupt() -> None:
    with pytest.raises(CorruptAudio, match="whole number"):
        read_audio(bytes(3001), raw=RawFormat(16_000, 1, "PCM_16"))


def test_limit_is_configurable() -> None:
    data = encode(tone(3.0, 16_000, 1), 16_000, "WAV", "PCM_16")
    assert read_audio(data, max_seconds=5).seconds == pytest.approx(3.0)
    with pytest.raises(AudioTooLong):
        read_audio(data, max_seconds=2)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAudio, match="no such file"):
        read_audio(tmp_path / "absent.wav")


def flac_declaring(rate: int, channels: int, seconds: float) -> bytes:
    """A real FLAC written at 96 kHz, its STREAMINFO then patched to declare `rate`: FLAC
    encoders refuse absurd rates, but a hostile upload need not come from an encoder."""
    data = bytearray(
        encode(np.zeros((round(seconds * 96_000), channels)), 96_000, "FLAC", "PCM_16")
    )
    data[18], data[19] = rate >> 12 & 0xFF, rate >> 4 & 0xFF  # 20 bits from byte 18
    data[20] = (rate & 0xF) << 4 | data[20] & 0x0F
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (flac_declaring(1_000_000, 8, 0.2), "1000000 Hz on 8 channel"),
        (encode(np.zeros((1600, 16)), 16_000, "WAV", "PCM_16"), "16000 Hz on 16 channel"),
    ],
    ids=["flac-8ch-1MHz", "wav-16ch"],
)
def test_a_decompression_bomb_is_refused_before_decoding(
    data: bytes, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 12: 16 kB of FLAC declaring 8 channels at 1 MHz cost 3 GB; its header now refuses it."""
    assert sf.info(io.BytesIO(data)).frames > 0  # a valid file, which libsndfile would decode

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded before the header was bounded")

    monkeypatch.setattr(sf.SoundFile, "read", no_decoding)
    monkeypatch.setattr(sf, "read", no_decoding)
    with pytest.raises(UnsupportedAudio, match=says):
        read_audio(data)


def peak_bytes_reading(data: bytes) -> int:
    tracemalloc.start()
    try:
        read_audio(data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_follows_the_output_not_the_declared_channels() -> None:
    """Decoding goes block by block, down-mixing as it goes: eight channels cost what one does,
    where decoding whole held every channel at once (124 MB against 18 MB here)."""
    one, eight = (
        encode(tone(25.0, 48_000, channels), 48_000, "FLAC", "PCM_16") for channels in (1, 8)
    )
    assert peak_bytes_reading(eight) < 1.5 * peak_bytes_reading(one)


SEEDS = [
    encode(tone(0.1, 16_000, 1), 16_000, "WAV", "PCM_16"),
    encode(tone(0.1, 8_000, 2), 8_000, "WAV", "FLOAT"),
    encode(tone(0.1, 22_050, 2), 22_050, "FLAC", "PCM_16"),
]


@st.composite
def mutated_headers(draw: st.DrawFn) -> bytes:
    """A real WAV or FLAC with a few bytes of its header (rate, channels, sizes) overwritten."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        data[draw(st.integers(0, 47))] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=2_000), mutated_headers()))
def test_fuzzed_input_is_audio_within_limits_or_a_refusal(data: bytes) -> None:
    """Whatever arrives, the decoder answers Audio within its limits or a BadAudio leaf."""
    try:
        audio = read_audio(data)
    except BadAudio as exc:
        assert type(exc) is not BadAudio  # a leaf, which says what was wrong
        return
    assert audio.samples.dtype == np.int16 and audio.samples.ndim == 1
    assert audio.seconds <= DEFAULT_MAX_SECONDS + 1 / SAMPLE_RATE


@pytest.mark.parametrize(
    ("samples", "bins", "expected"),
    [
        ([0, 16384, -32768, 8192], 2, [0.5, 1.0]),
        ([0, 0, 0], 3, [0.0, 0.0, 0.0]),
        ([100], 0, []),
        ([], 4, []),
    ],
)
def test_peaks_draw_a_waveform(samples: list[int], bins: int, expected: list[float]) -> None:
    assert Audio(np.array(samples, dtype=np.int16)).peaks(bins) == expected

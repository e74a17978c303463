"""Leak watermarks: inaudible by the SNR bound, a leaked copy names its reviewer after the leaks
the design promises to survive, and nobody is named for a clip their key did not mark."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from confide.audio import SAMPLE_RATE, Audio, from_float, read_audio
from confide.demo.recordings import Speaker
from confide.review.watermark import (
    KEY_BYTES,
    TARGET_SNR_DB,
    embed,
    identification_threshold,
    identify,
    scores,
    watermark_key,
)

SECRET = b"test watermark secret, 32 bytes!"
CANDIDATES = {name: watermark_key(SECRET, name) for name in ("ana", "ben", "chloe")}
COMMANDS = {
    "joe": "Remind me to book a table for four at the Italian place on Friday",
    "heart": "What is the weather going to be like in Seattle tomorrow morning",
}


def snr_db(original: Audio, marked: Audio) -> float:
    clean = original.samples.astype(np.float64)
    mark = marked.samples.astype(np.float64) - clean
    return float(10 * math.log10(np.sum(clean**2) / np.sum(mark**2)))


def lossy(format: str, subtype: str, level: float, mode: str | None) -> Callable[[Audio], Audio]:
    """Written by libsndfile as a lossy file, read back as the CLI reads a leak."""

    def attack(audio: Audio) -> Audio:
        buffer = io.BytesIO()
        sf.write(
            buffer,
            audio.as_float(),
            SAMPLE_RATE,
            format=format,
            subtype=subtype,
            compression_level=level,
            bitrate_mode=mode,
        )
        return read_audio(buffer.getvalue())

    return attack


def gain(db: float) -> Callable[[Audio], Audio]:
    return lambda audio: from_float(audio.as_float() * 10 ** (db / 20), SAMPLE_RATE)


def stored_at(rate: int) -> Callable[[Audio], Audio]:
    def attack(audio: Audio) -> Audio:
        divisor = math.gcd(rate, SAMPLE_RATE)
        samples = resample_poly(audio.as_float(), rate // divisor, SAMPLE_RATE // divisor)
        buffer = io.BytesIO()
        sf.write(buffer, np.clip(samples, -1, 1), rate, format="WAV", subtype="PCM_16")
        return read_audio(buffer.getvalue())

    return attack


def shifted(seconds: float) -> Callable[[Audio], Audio]:
    count = round(abs(seconds) * SAMPLE_RATE)
    if seconds >= 0:
        return lambda audio: Audio(np.concatenate([np.zeros(count, np.int16), audio.samples]))
    return lambda audio: Audio(audio.samples[count:])


MP3_24K = lossy("MP3", "MPEG_LAYER_III", 0.9, "CONSTANT")
LEAKS: dict[str, tuple[Callable[[Audio], Audio], float]] = {
    # name: (the leak, where the marked clip then starts in seconds; MP3 adds its coder delay)
    "as served": (lambda audio: audio, 0.0),
    "MP3 24 kbit/s": (MP3_24K, 1105 / SAMPLE_RATE),
    "Vorbis lowest quality": (lossy("OGG", "VORBIS", 1.0, None), 0.0),
    "12 dB quieter": (gain(-12), 0.0),
    "6 dB louder, clipped": (gain(6), 0.0),
    "stored at 8 kHz": (stored_at(8000), 0.0),
    "stored at 44.1 kHz": (stored_at(44100), 0.0),
    "0.3 s of silence first": (shifted(0.3), 0.3),
    "first 0.2 s cut": (shifted(-0.2), -0.2),
    "padded, quieter, MP3": (lambda audio: MP3_24K(gain(-6)(shifted(0.25)(audio))), 0.319),
}


@pytest.fixture(scope="module", params=sorted(COMMANDS))
def clip(request: pytest.FixtureRequest, speech: Speaker) -> Audio:
    voice = request.param
    return speech(COMMANDS[voice], voice, 1.0)


def test_keys_are_distinct_per_reviewer_and_recomputable() -> None:
    keys = [watermark_key(SECRET, name) for name in ("ana", "ben", "chloe", "ana ")]
    assert len(set(keys)) == 4
    assert all(len(key) == KEY_BYTES for key in keys)
    assert watermark_key(SECRET, "ana") == keys[0]
    assert len({key[:32] for key in keys}) == 1  # the sign pattern is shared under one secret
    assert watermark_key(b"another secret of enough bytes", "ana")[:32] != keys[0][:32]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: watermark_key(b"short", "ana"), "at least 16 bytes"),
        (lambda: watermark_key(SECRET, ""), "must not be empty"),
        (lambda: embed(Audio(np.ones(16_000, np.int16)), b"too short"), "64 bytes"),
        (lambda: identify(Audio(np.ones(16_000, np.int16)), {"x": b"x" * 10}), "64 bytes"),
        (lambda: identification_threshold(0), "at least one candidate"),
        (lambda: identification_threshold(3, max_offset_seconds=-1), "negative"),
        (lambda: identification_threshold(3, false_identification=0), "strictly between"),
    ],
)
def test_bad_arguments_are_refused(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_mark_is_inaudible_by_the_snr_bound(clip: Audio) -> None:
    marked = embed(clip, CANDIDATES["ben"])
    assert marked.samples.dtype == np.int16
    assert len(marked.samples) == len(clip.samples)
    assert not np.array_equal(marked.samples, clip.samples)
    assert TARGET_SNR_DB <= snr_db(clip, marked) < TARGET_SNR_DB + 1


@pytest.mark.parametrize("leak", LEAKS)
def test_leaked_copy_names_its_reviewer(clip: Audio, leak: str) -> None:
    attack, start = LEAKS[leak]
    found = identify(attack(embed(clip, CANDIDATES["ben"])), CANDIDATES)
    assert found is not None
    assert found.reviewer_id == "ben"
    assert found.score >= found.threshold
    assert found.offset_seconds == pytest.approx(start, abs=0.002)


@pytest.mark.parametrize("leak", ["as served", "MP3 24 kbit/s"])
def test_unmarked_or_foreign_marked_clip_names_nobody(clip: Audio, leak: str) -> None:
    attack, _ = LEAKS[leak]
    stranger = embed(clip, watermark_key(SECRET, "not a candidate"))
    other_secret = embed(clip, watermark_key(b"some other server's secret", "ben"))
    threshold = identification_threshold(len(CANDIDATES))
    for audio in (clip, stranger, other_secret):
        leaked = attack(audio)
        assert identify(leaked, CANDIDATES) is None
        assert max(match.score for match in scores(leaked, CANDIDATES).values()) < threshold


def test_candidates_under_several_secrets_are_all_searched(clip: Audio) -> None:
    elsewhere = watermark_key(b"a second server's watermark secret", "dan")
    found = identify(MP3_24K(embed(clip, elsewhere)), {**CANDIDATES, "dan": elsewhere})
    assert found is not None
    assert found.reviewer_id == "dan"


def test_silence_is_left_alone_and_nobody_is_named_without_evidence(clip: Audio) -> None:
    silence = Audio(np.zeros(SAMPLE_RATE, np.int16))
    assert np.array_equal(embed(silence, CANDIDATES["ana"]).samples, silence.samples)
    assert identify(silence, CANDIDATES) is None
    assert identify(embed(clip, CANDIDATES["ana"]), {}) is None


@pytest.mark.parametrize(("candidates", "expected"), [(1, 6.86), (6, 7.11), (1000, 7.80)])
def test_threshold_bounds_false_identification(candidates: int, expected: float) -> None:
    threshold = identification_threshold(candidates)
    assert threshold == pytest.approx(expected, abs=0.01)
    tries = candidates * (2 * round(0.5 * SAMPLE_RATE) + 1)  # every offset within ±0.5 s
    assert tries * math.exp(-(threshold**2) / 2) == pytest.approx(1e-6)

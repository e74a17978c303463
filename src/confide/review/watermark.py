"""Leak watermarks: each reviewer hears a copy of a clip marked with their own key, so a clip that
leaks names who leaked it (invariant 7).

The mark must be inaudible (at least 35 dB under the clip) yet survive what a leak does to audio:
a lossy re-encode (MP3, Ogg Vorbis), a volume change, resampling, a few hundred milliseconds cut
or added at the start. Clips are short voice commands, so there is little audio to hide it in.

How. The clip is cut into MDCT frames (32 ms, hop 16 ms); coefficients from 150 to 3400 Hz (what
an 8 kHz resample and a low-bitrate codec keep) are grouped into cells of 2 frames by 16 bins.
Each cell's projection on a secret sign pattern is quantised onto a lattice whose offset comes
from the reviewer's key (dither modulation, distortion-compensated): the speech itself is not
noise to this detector, which a plain spread-spectrum mark at 35 dB cannot avoid on short clips.
The mark's loudness follows the speech: at most 20 dB under the local (48 ms, 470 Hz) level and
never ahead of it (no pre-echo); loud regions are capped so the whole stays 35 dB under the clip.
Everything is relative to the clip's own level, so a volume change moves nothing.

Identification tries every alignment within `MAX_OFFSET_SECONDS` for every candidate key and
scores how close the cells lie to that key's lattice. For a key that did not mark the clip, the
offsets are independent uniform draws, so each score is sub-Gaussian with unit variance and the
chance that any of n tries reaches t is at most n·exp(-t²/2): the threshold follows from the
number of candidates and offsets, for a `FALSE_IDENTIFICATION` probability per call.

Keys: `watermark_key(secret, reviewer_id)` derives them (HMAC) from one server secret, so nothing
per reviewer needs storing. A key's first half (the sign pattern) is shared by every reviewer of a
secret, which lets identification do its expensive part once for all candidates; its second half
(the lattice offsets) is the reviewer's own. Keys stay on the server: anyone holding one can find
the pattern and scramble marks, and reviewers who pool their copies of one clip could too.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view
from scipy.ndimage import uniform_filter1d

from confide.audio import SAMPLE_RATE, Audio

Array = npt.NDArray[np.float64]

KEY_BYTES = 64
"""A key: 32 bytes of sign-pattern seed shared under one secret, then 32 of the reviewer's own."""

TARGET_SNR_DB = 35.0
"""The mark is at least this far under the clip: 10·log10(clip power / mark power)."""

MAX_OFFSET_SECONDS = 0.5
"""How far a leaked copy may be shifted (cut or padded at the start, codec delay) and still be
searched; each extra second of search costs a little threshold and time."""

FALSE_IDENTIFICATION = 1e-6
"""Bound on the chance that one `identify` call names a reviewer whose key did not mark the clip
(or names anyone for an unmarked clip)."""

_HOP = 256
"""MDCT hop (16 ms); frames are twice as long."""
_BAND_HZ = (150.0, 3400.0)
_CELL_FRAMES = 2
_CELL_BINS = 16
_ALPHA = 0.6
"""Distortion compensation: each cell moves this share of the way to its lattice point."""
_STEP = math.sqrt(12) / _ALPHA
"""Lattice step in units of the cell's mark amplitude, so that the mark's power is as allotted."""
_LOCAL_CAP = 10 ** (-20 / 10)
"""Mark power at most this share of the local speech power."""
_AIM_SNR_DB = 35.3
"""Allocation aims a little above the target; a final scaling guarantees the target."""
_ENV_BINS = 15
_ENV_FRAMES = 3
_ITERATIONS = 4
_MIN_CELL_SHARE = 1e-3
"""Cells carrying less of the mark than this share of the strongest cell are not scored."""


@dataclass(frozen=True)
class Identification:
    """Whose key marks a clip."""

    reviewer_id: str
    """The candidate whose key scored highest, above the threshold."""
    score: float
    """Detection score: standard deviations above what an unmarked clip gives."""
    threshold: float
    """The score this call required, from the number of candidates and offsets tried."""
    offset_seconds: float
    """Where the marked clip starts in the audio given (negative: its start was cut)."""


def watermark_key(secret: bytes, reviewer_id: str) -> bytes:
    """The reviewer's key under the server's watermark secret: recomputable, never stored."""
    if len(secret) < 16:
        raise ValueError("the watermark secret must be at least 16 bytes")
    if not reviewer_id:
        raise ValueError("reviewer_id must not be empty")
    pattern = hmac.new(secret, b"confide/watermark/pattern", hashlib.sha256).digest()
    own = hmac.new(
        secret, b"confide/watermark/reviewer/" + reviewer_id.encode(), hashlib.sha256
    ).digest()
    return pattern + own


def embed(audio: Audio, key: bytes) -> Audio:
    """A copy of `audio` carrying `key`'s mark, same length, at least `TARGET_SNR_DB` under it.

    Silence (or audio too short to hold a single cell) comes back unchanged: there is nothing to
    hide a mark in, and nothing of a voice to leak.
    """
    pattern, own = _split(key)
    x = audio.as_float().astype(np.float64)
    power = float(np.sum(x**2))
    if power == 0.0:
        return audio
    padded = np.concatenate([np.zeros(_HOP), x, np.zeros(3 * _HOP - len(x) % _HOP)])
    frames = len(padded) // _HOP - 1
    cells = frames // _CELL_FRAMES
    if cells == 0:
        return audio
    signs = _signs(pattern, cells * _CELL_FRAMES)
    offsets = _uniform(own, cells * _BANDS).reshape(cells, _BANDS)
    budget = power / 10 ** (_AIM_SNR_DB / 10)
    current = padded.copy()
    target: Array | None = None
    for _ in range(_ITERATIONS):
        spectrum = _mclt(_frames(current)[: cells * _CELL_FRAMES])
        cell = _analyse(spectrum, budget, signs)
        if target is None:
            nearest = _STEP * (np.round(cell.value / _STEP - offsets) + offsets)
            target = cell.value + _ALPHA * (nearest - cell.value)
        move = np.where(cell.usable, np.clip(target - cell.value, -_STEP, _STEP), 0.0)
        change = np.zeros((frames, _HOP))
        per_coefficient = np.repeat(np.repeat(move, _CELL_FRAMES, 0), _CELL_BINS, 1)
        change[: cells * _CELL_FRAMES, _LOW:_HIGH] = per_coefficient * cell.gain * signs
        current += _imdct(change, len(current))
    mark = current[_HOP : _HOP + len(x)] - x
    return _within_target(x, mark)


def identify(
    audio: Audio,
    keys: Mapping[str, bytes],
    *,
    max_offset_seconds: float = MAX_OFFSET_SECONDS,
    false_identification: float = FALSE_IDENTIFICATION,
) -> Identification | None:
    """The candidate whose key marks `audio`, or None when none does beyond doubt.

    `audio` is the leaked copy as read by `confide.audio.read_audio` (any format or rate, now
    16 kHz). The threshold grows with the number of candidates and offsets tried, so that the
    chance of naming a reviewer who did not leak it stays under `false_identification`.
    """
    if max_offset_seconds < 0:
        raise ValueError("max_offset_seconds must not be negative")
    if not 0 < false_identification < 1:
        raise ValueError("false_identification must lie strictly between 0 and 1")
    if not keys:
        return None
    groups: dict[bytes, list[tuple[str, bytes]]] = {}
    for reviewer_id, key in keys.items():
        pattern, own = _split(key)
        groups.setdefault(pattern, []).append((reviewer_id, own))
    max_lag = round(max_offset_seconds * SAMPLE_RATE)
    trials = (2 * max_lag + 1) * len(keys)
    threshold = math.sqrt(2 * math.log(trials / false_identification))
    x = audio.as_float().astype(np.float64)
    if not np.any(x):
        return None
    best: tuple[float, str, int] | None = None
    for pattern, members in groups.items():
        scores, lags = _scan(x, pattern, [own for _, own in members], max_lag)
        for (reviewer_id, _), score, lag in zip(members, scores, lags, strict=True):
            if best is None or score > best[0]:
                best = (float(score), reviewer_id, int(lag))
    if best is None or best[0] < threshold:
        return None
    score, reviewer_id, lag = best
    return Identification(reviewer_id, score, threshold, lag / SAMPLE_RATE)


def _split(key: bytes) -> tuple[bytes, bytes]:
    if len(key) != KEY_BYTES:
        raise ValueError(f"a watermark key is {KEY_BYTES} bytes, not {len(key)}")
    return key[:32], key[32:]


# --- the transform: MCLT (MDCT plus MDST) with a sine window; the MDCT is orthogonal -----------

_WINDOW = np.sin(np.pi * (np.arange(2 * _HOP) + 0.5) / (2 * _HOP))
_PRE = _WINDOW * np.exp(-1j * np.pi * np.arange(2 * _HOP) / (2 * _HOP))
_POST = np.exp(-1j * np.pi * (0.5 + _HOP / 2) * (np.arange(_HOP) + 0.5) / _HOP) * math.sqrt(
    2 / _HOP
)
_BIN_HZ = SAMPLE_RATE / 2 / _HOP
_LOW = math.ceil(_BAND_HZ[0] / _BIN_HZ - 0.5)
_BANDS = (math.floor(_BAND_HZ[1] / _BIN_HZ - 0.5) - _LOW) // _CELL_BINS
_HIGH = _LOW + _BANDS * _CELL_BINS


def _frames(signal: Array) -> Array:
    """Frames of 2·hop samples every hop, from the first sample."""
    count = len(signal) // _HOP - 1
    view = sliding_window_view(signal, 2 * _HOP)[:: _HOP]
    return np.asarray(view[:count])


def _mclt(frames: Array) -> npt.NDArray[np.complex128]:
    """Complex lapped transform: the real part is the MDCT, minus the imaginary part the MDST."""
    spectrum = np.fft.fft(frames * _PRE, axis=-1)[..., :_HOP]
    return np.asarray(spectrum * _POST)


def _imdct(coefficients: Array, length: int) -> Array:
    """Overlap-added inverse MDCT of (frames, hop) coefficients; exact for _mclt's real part."""
    twisted = np.zeros((len(coefficients), 2 * _HOP), dtype=np.complex128)
    twisted[:, :_HOP] = coefficients * np.conj(_POST)
    blocks = np.real(np.fft.ifft(twisted, axis=-1) * 2 * _HOP * np.conj(_PRE))
    out = np.zeros(length)
    for index, block in enumerate(blocks):
        out[index * _HOP : index * _HOP + 2 * _HOP] += block
    return out


# --- the perceptual allocation and the cell projections, shared by embed and identify ----------


@dataclass(frozen=True)
class _Cells:
    """One alignment's cells: projections and what the embedder needs to move them."""

    value: Array
    """(cell frames, bands) projection on the sign pattern, in units of the mark's amplitude."""
    usable: npt.NDArray[np.bool_]
    """Cells with enough mark to score (others are near-silent)."""
    gain: Array
    """(frames, band bins) mark amplitude allotted to each coefficient."""


def _allotment(power: Array, budget: float) -> tuple[Array, Array]:
    """(mark amplitude, detection weight) per band coefficient from the local power.

    `power` is (frames, hop) MCLT power. The mark may reach `_LOCAL_CAP` of the power smoothed
    over 470 Hz and 48 ms but not above that of its own or the previous frame (no pre-echo); the
    loudest regions are then clipped at one level chosen so the total meets the budget. Weights
    divide by the local power, where codec noise scales.
    """
    smooth = np.maximum(uniform_filter1d(power, _ENV_BINS, axis=1, mode="nearest"), 0.0)
    band = smooth[:, _LOW:_HIGH]
    around = np.maximum(uniform_filter1d(band, _ENV_FRAMES, axis=0, mode="nearest"), 0.0) + 1e-30
    previous = np.vstack([np.zeros((1, band.shape[1])), band[:-1]])
    local = np.minimum(around, np.maximum(band, previous)) + 1e-30
    ceiling = _clip_level(local, budget / _LOCAL_CAP)
    gain = np.sqrt(_LOCAL_CAP * np.minimum(local, ceiling))
    return gain, gain / around


def _clip_level(power: Array, total: float) -> float:
    """The level L at which the sum of min(power, L) equals `total` (all of it if it falls short)."""
    ordered = np.sort(power, axis=None)
    below = np.concatenate([[0.0], np.cumsum(ordered)[:-1]])
    above = len(ordered) - np.arange(len(ordered))
    sums = below + ordered * above
    index = int(np.searchsorted(sums, total))
    if index >= len(ordered):
        return float(ordered[-1])
    return float((total - below[index]) / above[index])


def _analyse(spectrum: npt.NDArray[np.complex128], budget: float, signs: Array) -> _Cells:
    power = np.abs(spectrum) ** 2 / 2
    gain, weight = _allotment(power, budget)
    coefficients = np.real(spectrum[:, _LOW:_HIGH])
    shape = (len(gain) // _CELL_FRAMES, _CELL_FRAMES, _BANDS, _CELL_BINS)
    scale = (weight * gain).reshape(shape).sum(axis=(1, 3))
    value = (weight * signs * coefficients).reshape(shape).sum(axis=(1, 3)) / (scale + 1e-30)
    mark = (gain**2).reshape(shape).sum(axis=(1, 3))
    usable = mark > _MIN_CELL_SHARE * mark.max()
    return _Cells(value, usable, gain)


def _within_target(x: Array, mark: Array) -> Audio:
    """x + mark as int16, the mark scaled down if rounding or the allocation left it too loud."""
    original = np.round(x * 32768)
    for _ in range(8):
        marked = np.clip(np.round((x + mark) * 32768), -32768, 32767)
        noise = float(np.sum((marked - original) ** 2))
        if noise == 0.0:
            break
        snr = 10 * math.log10(float(np.sum(original**2)) / noise)
        if snr >= TARGET_SNR_DB + 0.01:
            break
        mark = mark * 10 ** ((snr - TARGET_SNR_DB - 0.02) / 20)
    return Audio(marked.astype(np.int16))


# --- keyed randomness: SHAKE-256 streams, stable across library versions ----------------------


def _signs(pattern: bytes, frames: int) -> Array:
    """±1 per (frame, band bin) from the shared pattern seed; a prefix of one fixed stream."""
    count = frames * _BANDS * _CELL_BINS
    bits = np.unpackbits(
        np.frombuffer(hashlib.shake_256(b"signs" + pattern).digest((count + 7) // 8), np.uint8)
    )[:count]
    return (2.0 * bits - 1.0).reshape(frames, _BANDS * _CELL_BINS)


def _uniform(own: bytes, count: int) -> Array:
    """Lattice offsets in [0, 1) per cell from the reviewer's own seed."""
    raw = np.frombuffer(hashlib.shake_256(b"offsets" + own).digest(2 * count), np.dtype("<u2"))
    return raw.astype(np.float64) / 65536.0


# --- the search over alignments ---------------------------------------------------------------


def _scan(x: Array, pattern: bytes, owns: list[bytes], max_lag: int) -> tuple[Array, Array]:
    """Per candidate: the best score over every lag in ±max_lag, and that lag in samples.

    A lag is hop·k + d with 0 <= d < hop: the transform is computed once per d, and the frame
    shift k only changes which received frame each of the marked clip's frames meets.
    """
    shifts = np.arange(math.floor(-max_lag / _HOP), math.floor(max_lag / _HOP) + 1)
    padded = np.concatenate([np.zeros(_HOP), x, np.zeros(3 * _HOP)])
    received = len(padded) // _HOP - 1
    cells = (received - shifts[0]) // _CELL_FRAMES + 1
    frames = cells * _CELL_FRAMES
    signs = _signs(pattern, frames).reshape(frames, _BANDS, _CELL_BINS, 1)
    offsets = np.stack([_uniform(own, cells * _BANDS) for own in owns])
    phasors = np.exp(-2j * np.pi * offsets)
    # marked frame j meets received frame j + k: pad so that row j + k - k_min always exists
    before = -int(shifts[0])
    rows = frames + len(shifts) - 1
    budget = float(np.sum(x**2)) / 10 ** (_AIM_SNR_DB / 10)
    best = np.full(len(owns), -np.inf)
    best_lag = np.zeros(len(owns), dtype=np.int64)
    for sub in range(_HOP):
        parts = _projections(_mclt(_frames(padded[sub:])), budget)
        terms, scale, mark = (
            sliding_window_view(
                np.pad(part, ((before, rows - before - len(part)), (0, 0))), len(shifts), 0
            )
            for part in parts
        )
        scores = _scores(terms, scale, mark, signs, phasors)
        lags = shifts * _HOP + sub
        scores[:, np.abs(lags) > max_lag] = -np.inf
        top = np.argmax(scores, axis=1)
        value = scores[np.arange(len(owns)), top]
        better = value > best
        best = np.where(better, value, best)
        best_lag = np.where(better, lags[top], best_lag)
    return best, best_lag


def _projections(
    spectrum: npt.NDArray[np.complex128], budget: float
) -> tuple[Array, Array, Array]:
    """Per received frame: weighted coefficients (to meet the signs), and per band the mark's
    scale and power."""
    gain, weight = _allotment(np.abs(spectrum) ** 2 / 2, budget)
    terms = weight * np.real(spectrum[:, _LOW:_HIGH])
    scale = (weight * gain).reshape(len(gain), _BANDS, _CELL_BINS).sum(axis=2)
    mark = (gain**2).reshape(len(gain), _BANDS, _CELL_BINS).sum(axis=2)
    return terms, scale, mark


def _scores(
    terms: Array, scale: Array, mark: Array, signs: Array, phasors: npt.NDArray[np.complex128]
) -> Array:
    """(candidates, shifts) scores, given the received frame each marked frame meets per shift.

    terms is (marked frames, band bins, shifts); scale and mark (marked frames, bands, shifts).
    """
    frames, shifts = len(terms), terms.shape[-1]
    cells = frames // _CELL_FRAMES
    met = (terms.reshape(frames, _BANDS, _CELL_BINS, shifts) * signs).sum(axis=2)
    value = met.reshape(cells, _CELL_FRAMES, _BANDS, shifts).sum(axis=1)
    mass = scale.reshape(cells, _CELL_FRAMES, _BANDS, shifts).sum(axis=1)
    power = mark.reshape(cells, _CELL_FRAMES, _BANDS, shifts).sum(axis=1)
    usable = power > _MIN_CELL_SHARE * power.max(axis=(0, 1), keepdims=True)
    value = np.where(usable, value / np.where(usable, mass, 1.0), 0.0)
    observed = (usable * np.exp(2j * np.pi * value / _STEP)).reshape(cells * _BANDS, shifts)
    sums = np.real(phasors @ observed)
    count = np.maximum(np.count_nonzero(usable, axis=(0, 1)), 1)
    return np.asarray(sums / np.sqrt(count / 2))

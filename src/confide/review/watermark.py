"""Leak watermarks: each reviewer hears a copy of a clip marked with their own key, so a clip that
leaks names who leaked it (invariant 7).

The mark must be inaudible (at least 35 dB under the clip) yet survive what a leak does to audio:
a lossy re-encode, a volume change, resampling, a few hundred milliseconds cut or added at the
start. Clips are short voice commands, so there is little audio to hide it in.

How. The clip is cut into MDCT frames (32 ms, hop 16 ms); the coefficients from 150 to 3400 Hz
(what an 8 kHz resample and a low-bitrate codec keep) are grouped into cells of 2 frames by
16 bins (32 ms by 500 Hz). Each cell's projection on a secret sign pattern is moved towards a
lattice whose offset comes from the reviewer's key (distortion-compensated dither modulation).
Unlike an additive spread-spectrum mark, which at 35 dB drowns in the speech it hides under, the
lattice makes the speech itself no noise to the detector; only what the leak adds is. The mark's
loudness follows the speech: at least 20 dB under its local level (470 Hz, 48 ms) and never
louder than the frame it sits in allows (no pre-echo); where the speech is loudest it is held at
one level, chosen so that the whole is `TARGET_SNR_DB` under the clip.

Measured on held-out commands (benchmarks/results/watermark.md): every copy is found after a
volume change, a resample, an offset, MP3 at 32 kbit/s or Vorbis at 40; most after MP3 at
24 kbit/s or Vorbis at its lowest quality (the misses: commands under 1.8 s); only about half
after MP3 at 16 kbit/s, whose own noise is as loud as the mark, or louder, over most of the band.

Identification tries every alignment within ±`MAX_OFFSET_SECONDS` for every candidate key and
scores how near the cells lie to that key's lattice. For a key that did not mark the clip (or an
unmarked clip) the key's offsets are independent uniform draws whatever the audio, so each
score, a sum of cosines of uniform phases scaled to unit variance, exceeds t with probability at
most exp(-t²/2) (their moment generating function is a Bessel I0 <= exp(λ²/4)). The threshold
is where the union over every candidate and offset tried reaches `FALSE_IDENTIFICATION`.

Keys: `watermark_key(secret, reviewer_id)` derives them (HMAC) from one server secret, so nothing
per reviewer is stored and a key can always be recomputed for an old leak. A key's first half
(the sign pattern) is shared under one secret, which lets identification do its expensive part
once for all candidates; the second half (the lattice offsets) is the reviewer's own. Keys must
stay on the server: whoever holds one knows the pattern and could scramble marks, and so could
reviewers who pool their copies of one clip.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from scipy.ndimage import uniform_filter1d

from confide.audio import SAMPLE_RATE, Audio, read_audio
from confide.errors import Malformed, OutOfRange

Array = npt.NDArray[np.float64]
Complex = npt.NDArray[np.complex128]

KEY_BYTES = 64
"""A key: the 32-byte sign-pattern seed shared under one secret, then the reviewer's own 32."""

TARGET_SNR_DB = 35.0
"""Every marked clip is at least this far above its mark: 10·log10(clip power / mark power)."""

MAX_OFFSET_SECONDS = 0.5
"""How far a leaked copy may be shifted (its start cut or padded, a codec's delay) and still be
found; a wider search costs a little threshold and proportionally more time."""

FALSE_IDENTIFICATION = 1e-6
"""Bound on the chance that one `identify` call names a candidate whose key did not mark the
clip, including naming anyone for an unmarked clip."""

_HOP = 256
"""MDCT hop in samples (16 ms); frames are twice as long."""
_BAND_HZ = (150.0, 3400.0)
_CELL_FRAMES = 2
_CELL_BINS = 16
_ALPHA = 0.6
"""Distortion compensation: each cell moves this share of the way to its lattice point, which
trades a little self-noise for a coarser lattice (better than 1.0 at this mark-to-noise ratio)."""
_STEP = math.sqrt(12) / _ALPHA
"""Lattice step, in units of the mark amplitude allotted to the cell: moving a uniform share of
_ALPHA of a step then costs exactly the allotted mark power on average."""
_LOCAL_CAP = 10 ** (-20 / 10)
"""The mark's power is at most this share of the speech's local power."""
_AIM_SNR_DB = 35.3
"""What the allocation aims for; the output is then scaled, if need be, to meet TARGET_SNR_DB."""
_SPREAD_BINS = 15
_SPREAD_FRAMES = 3
_ITERATIONS = 4
"""Embedding passes: each re-analyses the marked audio and corrects what the last pass's changes
did to neighbouring cells and to the allocation itself."""
_SCAN_SECONDS = 12.0
"""Seconds scored after the earliest offset: a long file's scan stays short."""
_BLOCK = 32
"""Marked frames whose products with the received frames are computed together when scanning."""
_MIN_CELL_SHARE = 1e-3
"""Cells allotted less mark than this share of the most marked cell (near silence, where int16
rounding alone would scatter them) are neither marked nor scored."""


@dataclass(frozen=True)
class Match:
    """How strongly one candidate's key shows in a clip."""

    score: float
    """Best score over the offsets tried: in standard deviations of a key that did not mark it."""
    offset_seconds: float
    """Where the marked clip starts in the audio given (negative: its start was cut)."""


@dataclass(frozen=True)
class Identification:
    """Whose key marks a clip."""

    reviewer_id: str
    """The candidate whose key scored highest, at or above the threshold."""
    score: float
    """That key's score (see `Match.score`)."""
    threshold: float
    """The score this call required, from the number of candidates and offsets tried."""
    offset_seconds: float
    """Where the marked clip starts in the audio given (negative: its start was cut)."""


def watermark_key(secret: bytes, reviewer_id: str) -> bytes:
    """The reviewer's `KEY_BYTES`-byte key under the server's watermark secret."""
    if len(secret) < 16:
        raise OutOfRange("the watermark secret must be at least 16 bytes")
    if not reviewer_id:
        raise OutOfRange("reviewer_id must not be empty")
    pattern = hmac.new(secret, b"confide/watermark/pattern", hashlib.sha256).digest()
    label = b"confide/watermark/reviewer/" + reviewer_id.encode()
    return pattern + hmac.new(secret, label, hashlib.sha256).digest()


def embed(audio: Audio, key: bytes) -> Audio:
    """A copy of `audio` carrying `key`'s mark: same length, `TARGET_SNR_DB` or more under it.

    Silence comes back unchanged: there is nothing to hide a mark in, and no voice to leak.
    """
    pattern, own = _split(key)
    x = audio.as_float().astype(np.float64)
    power = float(np.sum(x**2))
    if power == 0.0:
        return audio
    padded = _padded(x)
    cells = (len(padded) // _HOP - 1) // _CELL_FRAMES
    frames = cells * _CELL_FRAMES
    signs = _signs(pattern, frames)
    offsets = _uniform(own, cells * _BANDS).reshape(cells, _BANDS)
    budget = power / 10 ** (_AIM_SNR_DB / 10)
    marked = padded.copy()
    target: Array | None = None
    for _ in range(_ITERATIONS):
        frame = _analyse(_mclt(_frames(marked)[:frames]), budget)
        value = _cell_sum(frame.terms * signs) / np.maximum(_cell_sum(frame.scale), 1e-300)
        usable = _usable(_cell_sum(frame.mark))
        if target is None:
            nearest = _STEP * (np.round(value / _STEP - offsets) + offsets)
            target = value + _ALPHA * (nearest - value)
        move = np.where(usable, np.clip(target - value, -_STEP, _STEP), 0.0)
        change = np.zeros((len(padded) // _HOP - 1, _HOP))
        spread = np.repeat(np.repeat(move, _CELL_FRAMES, axis=0), _CELL_BINS, axis=1)
        change[:frames, _LOW:_HIGH] = spread * frame.gain * signs
        marked += _imdct(change)
    return _at_target(x, marked[_HOP : _HOP + len(x)] - x)


def mark_for(audio_wav: bytes, secret: bytes, staff_id: str) -> bytes:
    """A clip (WAV bytes) as a staff member may hear it: marked with their own key under the
    server's secret, so the workbench streams only what review has marked."""
    return embed(read_audio(audio_wav), watermark_key(secret, staff_id)).to_wav_bytes()


def identify(
    audio: Audio,
    keys: Mapping[str, bytes],
    *,
    max_offset_seconds: float = MAX_OFFSET_SECONDS,
    false_identification: float = FALSE_IDENTIFICATION,
) -> Identification | None:
    """The candidate whose key marks `audio`, or None when none does beyond doubt.

    `audio` is the leaked copy as `confide.audio.read_audio` reads it (any format or rate, now
    16 kHz). The threshold grows with the candidates and offsets tried, so that the chance of
    naming anyone whose key did not mark the clip stays under `false_identification`.
    """
    if not keys:
        return None
    threshold = identification_threshold(
        len(keys), max_offset_seconds=max_offset_seconds, false_identification=false_identification
    )
    found = scores(audio, keys, max_offset_seconds=max_offset_seconds)
    if not found:
        return None
    reviewer_id, match = max(found.items(), key=lambda item: item[1].score)
    if match.score < threshold:
        return None
    return Identification(reviewer_id, match.score, threshold, match.offset_seconds)


def identification_threshold(
    candidates: int,
    *,
    max_offset_seconds: float = MAX_OFFSET_SECONDS,
    false_identification: float = FALSE_IDENTIFICATION,
) -> float:
    """The score at which `identify` names a candidate: t with (tries)·exp(-t²/2) equal to
    `false_identification`, a try being one candidate at one offset (one sample apart)."""
    if candidates < 1:
        raise OutOfRange("there must be at least one candidate")
    if max_offset_seconds < 0:
        raise OutOfRange("max_offset_seconds must not be negative")
    if not 0 < false_identification < 1:
        raise OutOfRange("false_identification must lie strictly between 0 and 1")
    tries = (2 * round(max_offset_seconds * SAMPLE_RATE) + 1) * candidates
    return math.sqrt(2 * math.log(tries / false_identification))


def scores(
    audio: Audio, keys: Mapping[str, bytes], *, max_offset_seconds: float = MAX_OFFSET_SECONDS
) -> dict[str, Match]:
    """Every candidate's best score over offsets within ±max_offset_seconds, deciding nothing:
    for calibration and for showing the runners-up. Empty for silence.

    Only the first max_offset_seconds + 12 s are scored: a voice command's whole mark, or more
    than enough of a longer clip's."""
    if max_offset_seconds < 0:
        raise OutOfRange("max_offset_seconds must not be negative")
    groups: dict[bytes, list[tuple[str, bytes]]] = {}
    for reviewer_id, key in keys.items():
        pattern, own = _split(key)
        groups.setdefault(pattern, []).append((reviewer_id, own))
    max_lag = round(max_offset_seconds * SAMPLE_RATE)
    x = audio.as_float().astype(np.float64)[: max_lag + round(_SCAN_SECONDS * SAMPLE_RATE)]
    if not np.any(x):
        return {}
    found = {}
    for pattern, members in groups.items():
        best, lags = _scan(x, pattern, [own for _, own in members], max_lag)
        for (reviewer_id, _), score, lag in zip(members, best, lags, strict=True):
            found[reviewer_id] = Match(float(score), float(lag) / SAMPLE_RATE)
    return found


def _split(key: bytes) -> tuple[bytes, bytes]:
    if len(key) != KEY_BYTES:
        raise Malformed(f"a watermark key is {KEY_BYTES} bytes, not {len(key)}")
    return key[:32], key[32:]


# --- the transform: MCLT (MDCT plus MDST), sine window; the MDCT part is orthogonal ---------

_WINDOW = np.sin(np.pi * (np.arange(2 * _HOP) + 0.5) / (2 * _HOP))
_PRE = _WINDOW * np.exp(-1j * np.pi * np.arange(2 * _HOP) / (2 * _HOP))
_POST = np.sqrt(2 / _HOP) * np.exp(-1j * np.pi * (0.5 + _HOP / 2) * (np.arange(_HOP) + 0.5) / _HOP)
_BIN_HZ = SAMPLE_RATE / 2 / _HOP
_LOW = math.ceil(_BAND_HZ[0] / _BIN_HZ - 0.5)
_BANDS = (math.floor(_BAND_HZ[1] / _BIN_HZ - 0.5) - _LOW) // _CELL_BINS
_HIGH = _LOW + _BANDS * _CELL_BINS


def _padded(x: Array) -> Array:
    """One hop of silence first, so the first frame's second half holds the first samples, and
    enough after for the last frame to be whole."""
    return np.concatenate([np.zeros(_HOP), x, np.zeros(3 * _HOP - len(x) % _HOP)])


def _frames(signal: Array) -> Array:
    """Frames of two hops every hop, from the first sample."""
    count = max(len(signal) // _HOP - 1, 0)
    if count == 0:
        return np.zeros((0, 2 * _HOP))
    return np.asarray(sliding_window_view(signal, 2 * _HOP)[::_HOP][:count])


def _mclt(frames: Array) -> Complex:
    """Per frame and bin, MDCT minus i·MDST."""
    return np.asarray(np.fft.fft(frames * _PRE, axis=-1)[..., :_HOP] * _POST)


def _imdct(coefficients: Array) -> Array:
    """Overlap-added inverse MDCT of (frames, hop) coefficients: exact for `_mclt`'s real part."""
    twisted = np.zeros((len(coefficients), 2 * _HOP), dtype=np.complex128)
    twisted[:, :_HOP] = coefficients * np.conj(_POST)
    blocks = np.real(np.fft.ifft(twisted, axis=-1) * (2 * _HOP) * np.conj(_PRE))
    out = np.zeros((len(coefficients) + 1) * _HOP)
    for index, block in enumerate(blocks):
        out[index * _HOP : index * _HOP + 2 * _HOP] += block
    return out


# --- the allocation and the projections, which embed and identify compute alike ---------------


@dataclass(frozen=True)
class _Analysis:
    """Per frame of one alignment: what the cells are made of."""

    gain: Array
    """(frames, band bins) mark amplitude allotted to each coefficient."""
    terms: Array
    """(frames, band bins) MDCT coefficients weighted for the projections."""
    scale: Array
    """(frames, bands) sum of weight times gain: a cell's projection per unit of mark."""
    mark: Array
    """(frames, bands) mark power allotted."""


def _analyse(spectrum: Complex, budget: float) -> _Analysis:
    """The mark allotted to each coefficient, and the detection weights, from the local power.

    The mark may reach `_LOCAL_CAP` of the power smoothed over 470 Hz and 48 ms, but not of more
    than its own or the previous frame holds (no pre-echo); the loudest regions are clipped at
    one level so that the total meets `budget`. Codec noise grows with the local power, so the
    weights divide the mark's amplitude by it.
    """
    power = np.abs(spectrum) ** 2 / 2
    smooth = uniform_filter1d(power, _SPREAD_BINS, axis=1, mode="nearest")[:, _LOW:_HIGH]
    smooth = np.maximum(smooth, 0.0)
    around = np.maximum(uniform_filter1d(smooth, _SPREAD_FRAMES, axis=0, mode="nearest"), 0.0)
    around += 1e-30
    previous = np.vstack([np.zeros((1, smooth.shape[1])), smooth[:-1]])
    local = np.minimum(around, np.maximum(smooth, previous))
    gain = np.sqrt(_LOCAL_CAP * np.minimum(local, _clip_level(local, budget / _LOCAL_CAP)))
    weight = gain / around
    by_band = (len(gain), _BANDS, _CELL_BINS)
    return _Analysis(
        gain=gain,
        terms=weight * np.real(spectrum[:, _LOW:_HIGH]),
        scale=(weight * gain).reshape(by_band).sum(axis=2),
        mark=(gain**2).reshape(by_band).sum(axis=2),
    )


def _clip_level(power: Array, total: float) -> float:
    """The level L at which the sum of min(power, L) is `total`; the top if the sum falls short."""
    ordered = np.sort(power, axis=None)
    below = np.concatenate([[0.0], np.cumsum(ordered)[:-1]])
    above = len(ordered) - np.arange(len(ordered))
    index = int(np.searchsorted(below + ordered * above, total))
    if index >= len(ordered):
        return float(ordered[-1])
    return float((total - below[index]) / above[index])


def _cell_sum(per_frame: Array) -> Array:
    """(frames, bands or band bins) summed into (cells, bands)."""
    frames = len(per_frame)
    by_cell = per_frame.reshape(frames // _CELL_FRAMES, _CELL_FRAMES, _BANDS, -1)
    return np.asarray(by_cell.sum(axis=(1, 3)))


def _usable(mark: Array) -> npt.NDArray[np.bool_]:
    """Cells with enough mark, along the first two axes (cells, bands)."""
    return np.asarray(mark > _MIN_CELL_SHARE * mark.max(axis=(0, 1), keepdims=True))


def _at_target(x: Array, mark: Array) -> Audio:
    """x + mark as int16, the mark scaled down if rounding or the allocation left it too loud."""
    original = np.round(x * 32768)
    marked = original
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
    """±1 per (frame, band bin); the first `frames` of one fixed stream."""
    count = frames * _BANDS * _CELL_BINS
    stream = hashlib.shake_256(b"signs" + pattern).digest((count + 7) // 8)
    bits = np.unpackbits(np.frombuffer(stream, np.uint8))[:count]
    return (2.0 * bits - 1.0).astype(np.float64).reshape(frames, _BANDS * _CELL_BINS)


def _uniform(own: bytes, count: int) -> Array:
    """Lattice offsets in [0, 1) per cell, in units of the step."""
    stream = hashlib.shake_256(b"offsets" + own).digest(2 * count)
    return np.frombuffer(stream, np.dtype("<u2")).astype(np.float64) / 65536.0


# --- the search over alignments ---------------------------------------------------------------


def _scan(
    x: Array, pattern: bytes, owns: list[bytes], max_lag: int
) -> tuple[Array, npt.NDArray[np.int64]]:
    """Per candidate: the best score over every lag in ±max_lag samples, and that lag.

    A lag is hop·k + d with 0 <= d < hop: the transform is computed once per d, and the frame
    shift k only changes which received frame each of the marked clip's frames meets.
    """
    shifts = np.arange(math.floor(-max_lag / _HOP), math.floor(max_lag / _HOP) + 1)
    padded = _padded(x)
    frames = _BLOCK * ((len(padded) // _HOP - 1 - shifts[0]) // _BLOCK + 1)
    cells = frames // _CELL_FRAMES
    signs = _signs(pattern, frames)
    phasors = np.exp(-2j * np.pi * np.stack([_uniform(own, cells * _BANDS) for own in owns]))
    before = -int(shifts[0])  # marked frame j meets received row j + k, padded by `before`
    rows = frames + len(shifts) - 1
    budget = float(np.sum(x**2)) / 10 ** (_AIM_SNR_DB / 10)
    best = np.full(len(owns), -np.inf)
    best_lag = np.zeros(len(owns), dtype=np.int64)
    for sub in range(_HOP):
        frame = _analyse(_mclt(_frames(padded[sub:])), budget)
        terms, scale, mark = (
            np.pad(part, ((before, rows - before - len(part)), (0, 0)))
            for part in (frame.terms, frame.scale, frame.mark)
        )
        score = _scores(terms, scale, mark, signs, phasors, len(shifts))
        lags = shifts * _HOP + sub
        score[:, np.abs(lags) > max_lag] = -np.inf
        top = np.argmax(score, axis=1)
        value = score[np.arange(len(owns)), top]
        better = value > best
        best = np.where(better, value, best)
        best_lag = np.where(better, lags[top], best_lag)
    return np.asarray(best, dtype=np.float64), best_lag


def _scores(
    terms: Array, scale: Array, mark: Array, signs: Array, phasors: Complex, shifts: int
) -> Array:
    """(candidates, shifts): scores when marked frame j meets row j + s of the received arrays.

    terms is (rows, band bins), scale and mark (rows, bands), signs (marked frames, band bins).
    """
    frames, rows = len(signs), len(terms)
    cells, blocks = frames // _CELL_FRAMES, frames // _BLOCK
    # per block of marked frames, every (marked frame, row) product the block's shifts can meet
    pattern = signs.reshape(blocks, _BLOCK, _BANDS, _CELL_BINS).transpose(0, 2, 1, 3)
    received = terms.reshape(rows, _BANDS, _CELL_BINS).transpose(1, 2, 0)
    reach = sliding_window_view(received, _BLOCK + shifts - 1, axis=2)[:, :, ::_BLOCK][
        :, :, :blocks
    ]
    every = np.ascontiguousarray(pattern @ reach.transpose(2, 0, 1, 3))
    block, band, frame, row = every.strides
    met = as_strided(
        every, (blocks, _BANDS, _BLOCK, shifts), (block, band, frame + row, row), writeable=False
    )
    value = met.reshape(blocks, _BANDS, _BLOCK // _CELL_FRAMES, _CELL_FRAMES, shifts).sum(axis=3)
    value = value.transpose(0, 2, 1, 3).reshape(cells, _BANDS, shifts)
    mass, power = (
        sliding_window_view(part, shifts, axis=0)[:frames]
        .reshape(cells, _CELL_FRAMES, _BANDS, shifts)
        .sum(axis=1)
        for part in (scale, mark)
    )
    usable = _usable(power)
    value = np.where(usable, value / np.where(usable, mass, 1.0), 0.0)
    observed = (usable * np.exp(2j * np.pi * value / _STEP)).reshape(cells * _BANDS, shifts)
    count = np.maximum(np.count_nonzero(usable, axis=(0, 1)), 1)
    return np.asarray(np.real(phasors @ observed) / np.sqrt(count / 2))

"""Voice anonymisation: a reviewer hears each task in its own pseudo-speaker's voice (invariant 5).

Each review task draws an `AnonymizationTarget` from its seed, so replaying a task sounds the same
and two tasks sound like two people: an attacker who anonymises enrolment audio with this very
system gets other pseudo-speakers, not the person's. Transforming the speaker relative to
themselves (a fixed pitch shift, McAdams' pole warping) keeps the gaps between people; here the
voice is moved *to* absolute targets instead, so what identifies the speaker is normalised away
before the target's own traits are put on.

With the WORLD vocoder (F0, spectral envelope, aperiodicity every 5 ms):

1. pitch: F0 moved to the target's median, its excursions scaled down (flatter intonation);
2. vocal-tract length: the speaker's formant scale is estimated (F1-F3 from an LPC fit of the
   envelope, against 500/1500/2500 Hz) and the envelope warped so that the formants land at the
   target's scale, which goes mostly with the target's pitch, as in people;
3. timbre: the speaker's long-term spectral shape (the mean log envelope beyond its tilt) is
   removed and the target's random colouring put on, gently below 3 kHz, strongly above it, where
   voice quality lives and intelligibility does not; the frame-by-frame envelope detail is
   shrunk by the target's contrast;
4. resynthesis at the input's length and loudness.

`mcadams` is the VoicePrivacy Challenge's signal-processing baseline, kept to compare against.
"""

from __future__ import annotations

import hashlib
import secrets
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.fft import dct, idct
from scipy.linalg import solve_toeplitz
from scipy.signal import lfilter
from scipy.special import ndtri

from confide.audio import SAMPLE_RATE, Audio, from_float
from confide.errors import Malformed, OutOfRange

with warnings.catch_warnings():
    # pyworld 0.3.x imports pkg_resources, which warns on every import: not ours to fix, and a
    # command must print one line on failure, not a deprecation notice.
    warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
    import pyworld

Floats = npt.NDArray[np.float64]

F0_RANGE_HZ = (90.0, 250.0)
"""Target median pitch, drawn log-uniformly: from a low adult voice to a high one."""

F0_SPREAD_RANGE = (0.25, 0.4)
"""Share of the speaker's log-pitch excursions kept; flatter intonation carries less identity."""

FORMANT_SCALE_RANGE = (0.92, 1.18)
"""Range of the target formant scale (over 500/1500/2500 Hz), on a log axis. Wider ranges
raised the lazy-informed attacker's EER a little more but cost Whisper tiny.en more than 5 WER
points (see benchmarks/anonymization.py)."""

PITCH_COUPLING = 0.7
"""How much of the target's formant scale follows its pitch (the rest is drawn on its own). In
people a low voice comes with a long vocal tract; a 90 Hz voice with a child's formants is one
nobody has, and Whisper hears it worse. A development run of benchmarks/anonymization.py, 0.7
against none: WER cost 3.1 -> 2.6 points on synthetic voices and 3.8 -> 2.8 on real speech,
lazy-informed EER 24.5% -> 20.9% (the target is 30%, the held-out real speakers' was 36%)."""

CONTRAST_RANGE = (0.75, 0.85)
"""Share of frame-by-frame envelope detail kept beyond the tilt."""

COLOUR_DB = 3.0
"""Standard deviation of the target's full-band colouring, dB."""

AIR_DB = 8.0
"""Standard deviation of the target's colouring above `AIR_FROM_HZ`, dB."""

AIR_FROM_HZ = 3000.0
"""Where the strong recolouring starts: above most of F1-F3, which carry the words."""

WARP_LIMITS = (0.75, 1.33)
"""The envelope is never warped further than this, whatever the estimate of the speaker says."""

REFERENCE_FORMANTS_HZ = (500.0, 1500.0, 2500.0)
"""F1-F3 of the neutral vowel of a 17.5 cm vocal tract: formant scale 1."""

_COLOUR_TERMS = 6
_AIR_TERMS = 4
_FRAME_MS = 5.0
_FFT_SIZE = 1024
_NYQUIST = SAMPLE_RATE / 2
_FREQS = np.linspace(0.0, _NYQUIST, _FFT_SIZE // 2 + 1)
_DB_TO_LOG_POWER = np.log(10.0) / 10.0
_WARP_KNEE = 0.8
_LPC_ORDER = 14
_MAX_FORMANT_FRAMES = 200
_MIN_VOICED_FRAMES = 10
_PEAK = 0.99


@dataclass(frozen=True)
class AnonymizationTarget:
    """The pseudo-speaker one review task hears; `target_for(seed)` draws one."""

    f0_hz: float
    """Median pitch of the output voice, Hz."""
    f0_spread: float
    """Share of the speaker's pitch excursions kept, in log F0 around the median (0 monotone)."""
    formant_scale: float
    """Output formant frequencies over 500/1500/2500 Hz: the pseudo-speaker's vocal tract."""
    contrast: float
    """Share of the spectral envelope's frame-by-frame detail kept beyond its tilt (1 all)."""
    colour: tuple[float, ...]
    """Weights of the cosines (on a mel axis, whole band) that make the output's spectral shape."""
    air: tuple[float, ...]
    """Weights of the cosines that recolour the band above 3 kHz."""

    def __post_init__(self) -> None:
        if not 20.0 <= self.f0_hz <= 1000.0:
            raise OutOfRange(f"f0_hz must be between 20 and 1000 Hz, not {self.f0_hz}")
        if not 0.0 <= self.f0_spread <= 2.0:
            raise OutOfRange(f"f0_spread must be between 0 and 2, not {self.f0_spread}")
        if not 0.5 <= self.formant_scale <= 2.0:
            raise OutOfRange(f"formant_scale must be between 0.5 and 2, not {self.formant_scale}")
        if not 0.0 <= self.contrast <= 1.5:
            raise OutOfRange(f"contrast must be between 0 and 1.5, not {self.contrast}")


def target_for(seed: bytes | int) -> AnonymizationTarget:
    """The pseudo-speaker for `seed`: the same on every machine and numpy version (SHAKE-256)."""
    if isinstance(seed, bool) or not isinstance(seed, bytes | int):
        raise Malformed("a seed is bytes or an int")
    material = b"bytes:" + seed if isinstance(seed, bytes) else b"int:" + str(seed).encode()
    digest = hashlib.shake_256(b"confide.anonymize.v1|" + material).digest(8 * 16)
    raw = np.frombuffer(digest, dtype="<u8")
    uniform = ((raw >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)
    normal = ndtri(uniform[6:])
    return AnonymizationTarget(
        f0_hz=_log_uniform(uniform[0], F0_RANGE_HZ),
        f0_spread=_uniform(uniform[1], F0_SPREAD_RANGE),
        formant_scale=_log_uniform(
            PITCH_COUPLING * uniform[0] + (1 - PITCH_COUPLING) * uniform[2], FORMANT_SCALE_RANGE
        ),
        contrast=_uniform(uniform[3], CONTRAST_RANGE),
        colour=tuple(float(v) for v in normal[:_COLOUR_TERMS]),
        air=tuple(float(v) for v in normal[_COLOUR_TERMS : _COLOUR_TERMS + _AIR_TERMS]),
    )


def random_target() -> AnonymizationTarget:
    """A pseudo-speaker nobody can reproduce: for one-off use, where no task fixes the voice."""
    return target_for(secrets.token_bytes(16))


def anonymize(audio: Audio, target: AnonymizationTarget) -> Audio:
    """`audio` spoken by `target`'s pseudo-speaker: same words, length and loudness."""
    x = audio.samples.astype(np.float64) / 32768.0
    if not np.any(x):
        return Audio(np.zeros_like(audio.samples))
    f0, times = pyworld.dio(x, SAMPLE_RATE, frame_period=_FRAME_MS, f0_floor=60.0, f0_ceil=500.0)
    f0 = pyworld.stonemask(x, f0, times, SAMPLE_RATE)
    envelope = pyworld.cheaptrick(x, f0, times, SAMPLE_RATE, fft_size=_FFT_SIZE)
    aperiodicity = pyworld.d4c(x, f0, times, SAMPLE_RATE, fft_size=_FFT_SIZE)
    voiced = f0 > 0

    speaker_scale = formant_scale(envelope, voiced)
    warp = float(np.clip(target.formant_scale / speaker_scale, *WARP_LIMITS))
    source = _warp_source_bins(warp)
    log_envelope = _recolour(_resample_bins(np.log(envelope), source), voiced, target)
    aperiodicity = np.clip(_resample_bins(aperiodicity, source), 0.0, 1.0)

    y = pyworld.synthesize(
        np.ascontiguousarray(_move_pitch(f0, target)),
        np.ascontiguousarray(np.exp(log_envelope)),
        np.ascontiguousarray(aperiodicity),
        SAMPLE_RATE,
        frame_period=_FRAME_MS,
    )
    return from_float(_fit(y, x), SAMPLE_RATE)


def formant_scale(envelope: Floats, voiced: npt.NDArray[np.bool_]) -> float:
    """The speaker's formant frequencies over the reference's (geometric mean of F1-F3 ratios,
    medians over voiced frames); 1.0 when too little is voiced to tell."""
    frames = np.flatnonzero(voiced)
    if len(frames) < _MIN_VOICED_FRAMES:
        return 1.0
    frames = frames[:: max(1, len(frames) // _MAX_FORMANT_FRAMES)]
    autocorrelation = np.fft.irfft(envelope[frames], axis=1)[:, : _LPC_ORDER + 1]
    found = []
    for r in autocorrelation:
        if r[0] <= 0:
            continue
        a = np.concatenate([[1.0], -solve_toeplitz(r[:_LPC_ORDER], r[1 : _LPC_ORDER + 1])])
        roots = np.roots(a)
        roots = roots[roots.imag > 0]
        hz = np.angle(roots) / np.pi * _NYQUIST
        bandwidth = -np.log(np.abs(roots)) / np.pi * SAMPLE_RATE
        formants = np.sort(hz[(hz > 200) & (hz < 4000) & (bandwidth < 500)])
        if len(formants) >= 3:
            found.append(formants[:3])
    if len(found) < _MIN_VOICED_FRAMES // 2:
        return 1.0
    ratios = np.median(np.array(found), axis=0) / np.array(REFERENCE_FORMANTS_HZ)
    return float(np.exp(np.mean(np.log(ratios))))


def mcadams(audio: Audio, alpha: float = 0.8) -> Audio:
    """The VoicePrivacy baseline: each 20 ms frame's LPC pole angles raised to `alpha`, the
    residual kept. It moves formants relative to the speaker's own, so the gaps between people
    survive; an attacker who enrols with McAdams audio recognises them."""
    if not 0.0 < alpha <= 2.0:
        raise OutOfRange(f"alpha must be in (0, 2], not {alpha}")
    x = audio.samples.astype(np.float64) / 32768.0
    size = SAMPLE_RATE // 50
    hop = size // 2
    order = 20
    window = np.hanning(size + 1)[:-1]
    padded = np.concatenate([np.zeros(size), x, np.zeros(size)])
    out = np.zeros_like(padded)
    for start in range(0, len(padded) - size + 1, hop):
        frame = padded[start : start + size] * window
        r = np.correlate(frame, frame, "full")[size - 1 : size + order]
        if r[0] <= 1e-10:
            continue
        a = np.concatenate([[1.0], -solve_toeplitz(r[:order], r[1 : order + 1])])
        residual = lfilter(a, [1.0], frame)
        poles = np.roots(a)
        angles = np.angle(poles)
        complex_ = np.abs(poles.imag) > 1e-8
        angles[complex_] = np.sign(angles[complex_]) * np.abs(angles[complex_]) ** alpha
        warped = np.real(np.poly(np.abs(poles) * np.exp(1j * angles)))
        out[start : start + size] += lfilter([1.0], warped, residual) * window
    return from_float(_fit(out[size : size + len(x)], x), SAMPLE_RATE)


def _move_pitch(f0: Floats, target: AnonymizationTarget) -> Floats:
    voiced = f0 > 0
    moved = f0.copy()
    if voiced.any():
        log_f0 = np.log(f0[voiced])
        deviation = (log_f0 - np.median(log_f0)) * target.f0_spread
        moved[voiced] = np.exp(np.log(target.f0_hz) + deviation)
    return moved


def _warp_source_bins(warp: float) -> Floats:
    """For each output bin, the (fractional) input bin it takes its value from: formants scaled
    by `warp` up to a knee, then a straight line to Nyquist so no band is lost or repeated."""
    knee_out = _WARP_KNEE * _NYQUIST * min(1.0, warp)
    knee_in = knee_out / warp
    source_hz = np.interp(_FREQS, [0.0, knee_out, _NYQUIST], [0.0, knee_in, _NYQUIST])
    return np.asarray(source_hz / _NYQUIST * (len(_FREQS) - 1), dtype=np.float64)


def _resample_bins(values: Floats, source: Floats) -> Floats:
    low = np.clip(np.floor(source).astype(int), 0, values.shape[1] - 1)
    high = np.clip(low + 1, 0, values.shape[1] - 1)
    share = source - low
    return np.asarray(values[:, low] * (1 - share) + values[:, high] * share, dtype=np.float64)


def _recolour(
    log_envelope: Floats, voiced: npt.NDArray[np.bool_], target: AnonymizationTarget
) -> Floats:
    cepstrum = dct(log_envelope, type=2, norm="ortho", axis=1)
    mean = cepstrum[voiced].mean(axis=0) if voiced.any() else cepstrum.mean(axis=0)
    cepstrum[:, 2:] = (cepstrum[:, 2:] - mean[2:]) * target.contrast
    shaped = idct(cepstrum, type=2, norm="ortho", axis=1)
    return np.asarray(shaped + _colouring(target)[None, :], dtype=np.float64)


def _colouring(target: AnonymizationTarget) -> Floats:
    """The target's long-term spectral shape, in log power."""
    mel = np.log1p(_FREQS / 700.0)
    mel /= mel[-1]
    whole = _cosines(target.colour, mel)
    band = (_FREQS - AIR_FROM_HZ) / (_NYQUIST - AIR_FROM_HZ)
    inside = band > 0
    air = np.zeros_like(_FREQS)
    air[inside] = _cosines(target.air, band[inside]) * np.minimum(1.0, band[inside] * 5.0)
    return np.asarray((whole * COLOUR_DB + air * AIR_DB) * _DB_TO_LOG_POWER, dtype=np.float64)


def _cosines(weights: tuple[float, ...], axis: Floats) -> Floats:
    """A smooth curve of unit standard deviation: weighted cosines, higher ones weaker."""
    curve = np.zeros_like(axis)
    for order, weight in enumerate(weights, 1):
        curve += weight * np.cos(np.pi * order * axis) / np.sqrt(order)
    spread = float(np.std(curve))
    return curve / spread if spread > 0 else curve


def _fit(y: Floats, x: Floats) -> Floats:
    """`y` cut or padded to `x`'s length, at `x`'s loudness, without clipping."""
    y = y[: len(x)] if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))
    level = float(np.sqrt(np.mean(y**2)))
    if level == 0:
        return y
    y = y * float(np.sqrt(np.mean(x**2))) / level
    peak = float(np.max(np.abs(y)))
    return y * _PEAK / peak if peak > _PEAK else y


def _uniform(u: float, bounds: tuple[float, float]) -> float:
    return float(bounds[0] + u * (bounds[1] - bounds[0]))


def _log_uniform(u: float, bounds: tuple[float, float]) -> float:
    return float(np.exp(np.log(bounds[0]) + u * (np.log(bounds[1]) - np.log(bounds[0]))))

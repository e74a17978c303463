"""Leak watermark benchmark: is the reviewer named after a leak, never wrongly, and inaudibly?

Why: invariant 7 promises that a clip leaked by a reviewer names that reviewer. That holds only if
the mark survives what a leak does (a lossy re-encode, a volume change, resampling, a cut or
padded start) on short voice commands, at 35 dB or more under the speech, and only if a clip that
a candidate did not mark never names them.

How: voice commands (1.5-6 s) synthesised in both of `confide.demo.voices`'s voices, none of them
used while the watermark was designed. Each clip is marked for two of six reviewers (keys derived
from one secret), then attacked through real files: each leaked copy is written (MP3, Ogg Vorbis or
WAV at another rate, through libsndfile) and read back with `confide.audio.read_audio`, as the
CLI will. `watermark.scores` gives every candidate's best score over offsets of ±0.5 s; the
marking reviewer is identified when theirs is the highest and reaches `identification_threshold`
for six candidates (false identification at most 1e-6 per call). The other five scores of every
copy, and all six for every unmarked clip, measure false identification. SNR is
10·log10(clip power / mark power) on the int16 output.

    .venv/bin/python benchmarks/watermark.py [--quick]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from _support import cpu_model, write
from confide.audio import SAMPLE_RATE, Audio, from_float, read_audio
from confide.demo.voices import VOICES, cached_speaker
from confide.review import watermark

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache" / "speech"
QUICK_RESULTS = HERE / "cache" / "quick-results"
SECRET = b"benchmark watermark secret, not a real one"
REVIEWERS = [f"reviewer-{index}" for index in range(1, 7)]
MARKS_PER_CLIP = 2
TARGETS = {"identified_reencoded": 0.99, "snr_db": 35.0}
SHORTEST = 1.5
"""Voice commands are taken to last 1.5-6 s; shorter clips are reported apart too."""
COMMANDS = [
    "Turn up the volume",
    "Call mom on her mobile",
    "Who won the basketball game last night",
    "How many teaspoons are in a tablespoon",
    "Lock the front door and close the garage",
    "Start a ten minute timer for the pasta",
    "Read me the top headlines from this morning",
    "What's on my calendar for Friday afternoon",
    "Play some relaxing rain sounds for thirty minutes",
    "Set an alarm for six forty five tomorrow morning",
    "Translate good morning, how are you into Spanish",
    "What's the fastest route to the airport avoiding the highway",
    "Play the new album by Taylor Swift in the living room",
    "Add paper towels, dish soap and two lemons to the shopping list",
    "Remind me to water the plants every Sunday at nine in the morning",
    "Turn off all the lights downstairs except the one in the hallway",
    "What will the weather be like in Chicago this weekend, and will it snow",
    "Order more coffee filters from the usual store and have them delivered on Tuesday",
    "Send a message to Daniel saying I'm running about fifteen minutes late for dinner tonight",
    "Turn on do not disturb until my meeting ends at half past four this afternoon",
    "Set the bedroom to nineteen degrees at ten o'clock tonight and turn on the ceiling fan",
]


def encoded(audio: Audio, format: str, subtype: str, level: float, mode: str | None) -> Audio:
    """`audio` written as a lossy file by libsndfile and read back as the CLI reads a leak."""
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


def mp3(kbps: int) -> Callable[[Audio], Audio]:
    """Constant-bitrate MP3 at 16 kHz (libsndfile's compression level picks the bitrate)."""
    level = {32: 0.85, 24: 0.9, 16: 0.95, 8: 0.97}[kbps]
    return lambda audio: encoded(audio, "MP3", "MPEG_LAYER_III", level, "CONSTANT")


def vorbis(level: float) -> Callable[[Audio], Audio]:
    return lambda audio: encoded(audio, "OGG", "VORBIS", level, None)


def gain(db: float) -> Callable[[Audio], Audio]:
    """Louder or quieter, clipped to int16 as any file would be."""
    return lambda audio: from_float(audio.as_float() * 10 ** (db / 20), SAMPLE_RATE)


def resampled(rate: int) -> Callable[[Audio], Audio]:
    """Stored at another rate (a WAV at `rate`), read back at 16 kHz."""

    def attack(audio: Audio) -> Audio:
        divisor = math.gcd(rate, SAMPLE_RATE)
        samples = resample_poly(audio.as_float(), rate // divisor, SAMPLE_RATE // divisor)
        buffer = io.BytesIO()
        sf.write(buffer, np.clip(samples, -1, 1), rate, format="WAV", subtype="PCM_16")
        return read_audio(buffer.getvalue())

    return attack


def shifted(seconds: float) -> Callable[[Audio], Audio]:
    """Silence added at the start (seconds > 0) or the start cut off (seconds < 0)."""
    count = round(abs(seconds) * SAMPLE_RATE)
    if seconds >= 0:
        return lambda audio: Audio(np.concatenate([np.zeros(count, np.int16), audio.samples]))
    return lambda audio: Audio(audio.samples[count:])


def chained(*attacks: Callable[[Audio], Audio]) -> Callable[[Audio], Audio]:
    def attack(audio: Audio) -> Audio:
        for step in attacks:
            audio = step(audio)
        return audio

    return attack


ATTACKS: dict[str, tuple[bool, Callable[[Audio], Audio]]] = {
    # name: (a lossy re-encode, counted against the 99% target; the attack)
    "none": (False, lambda audio: audio),
    "MP3 32 kbit/s": (True, mp3(32)),
    "MP3 24 kbit/s": (True, mp3(24)),
    "MP3 16 kbit/s": (True, mp3(16)),
    "MP3 8 kbit/s": (True, mp3(8)),
    "Vorbis ~40 kbit/s": (True, vorbis(0.8)),
    "Vorbis lowest quality (~32 kbit/s)": (True, vorbis(1.0)),
    "volume -12 dB": (False, gain(-12)),
    "volume +6 dB (clips)": (False, gain(6)),
    "resampled to 8 kHz and back": (False, resampled(8000)),
    "resampled to 44.1 kHz and back": (False, resampled(44100)),
    "0.3 s of silence added at the start": (False, shifted(0.3)),
    "first 0.2 s cut": (False, shifted(-0.2)),
    "+0.25 s, -6 dB, then MP3 24 kbit/s": (True, chained(shifted(0.25), gain(-6), mp3(24))),
}


def keys() -> dict[str, bytes]:
    return {reviewer: watermark.watermark_key(SECRET, reviewer) for reviewer in REVIEWERS}


def snr_db(original: Audio, marked: Audio) -> float:
    clean = original.samples.astype(np.float64)
    mark = marked.samples.astype(np.float64) - clean
    return float(10 * math.log10(np.sum(clean**2) / np.sum(mark**2)))


def run_clip(job: tuple[int, str, str]) -> dict[str, Any]:
    """Mark one clip for its reviewers, attack each copy, score every candidate."""
    index, text, voice = job
    clip = cached_speaker(CACHE)(text, voice, 1.0)
    candidates = keys()
    markers = [REVIEWERS[(index + step) % len(REVIEWERS)] for step in range(MARKS_PER_CLIP)]
    unmarked = watermark.scores(clip, candidates)
    copies = []
    for reviewer in markers:
        started = time.perf_counter()
        marked = watermark.embed(clip, candidates[reviewer])
        embed_seconds = time.perf_counter() - started
        results = {}
        for name, (_, attack) in ATTACKS.items():
            started = time.perf_counter()
            found = watermark.scores(attack(marked), candidates)
            results[name] = {
                "scores": {who: match.score for who, match in found.items()},
                "offset": found[reviewer].offset_seconds,
                "seconds": time.perf_counter() - started,
            }
        copies.append(
            {
                "reviewer": reviewer,
                "snr_db": snr_db(clip, marked),
                "embed_seconds": embed_seconds,
                "attacks": results,
            }
        )
    return {
        "text": text,
        "voice": voice,
        "seconds": clip.seconds,
        "unmarked": {who: match.score for who, match in unmarked.items()},
        "copies": copies,
    }


def verdict(scores: dict[str, float], owner: str, threshold: float) -> str:
    """'right', 'wrong' (another candidate named) or 'missed'."""
    best = max(scores, key=lambda who: scores[who])
    if scores[best] < threshold:
        return "missed"
    return "right" if best == owner else "wrong"


def rate(verdicts: list[str]) -> str:
    right = verdicts.count("right")
    return f"{right}/{len(verdicts)} ({100 * right / len(verdicts):.1f}%)"


def summarise(
    clips: list[dict[str, Any]], threshold: float
) -> tuple[list[list[Any]], dict[str, Any]]:
    rows, per_attack = [], {}
    for name, (reencoded, _) in ATTACKS.items():
        copies = [(clip, copy) for clip in clips for copy in clip["copies"]]
        verdicts = [
            verdict(copy["attacks"][name]["scores"], copy["reviewer"], threshold)
            for _, copy in copies
        ]
        longer = [
            outcome
            for outcome, (clip, _) in zip(verdicts, copies, strict=True)
            if clip["seconds"] >= SHORTEST
        ]
        own = [copy["attacks"][name]["scores"][copy["reviewer"]] for _, copy in copies]
        per_attack[name] = {
            "reencoded": reencoded,
            "copies": len(verdicts),
            "identified": verdicts.count("right"),
            "wrong_reviewer": verdicts.count("wrong"),
            "copies_of_longer_clips": len(longer),
            "identified_longer_clips": longer.count("right"),
            "median_score": statistics.median(own),
            "p5_score": float(np.percentile(own, 5)),
            "min_score": min(own),
        }
        rows.append(
            [
                name,
                rate(verdicts),
                rate(longer),
                verdicts.count("wrong"),
                f"{statistics.median(own):.1f}",
                f"{np.percentile(own, 5):.1f}",
            ]
        )
    return rows, per_attack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="four clips, results to the cache")
    args = parser.parse_args()
    commands = COMMANDS[::6] if args.quick else COMMANDS
    jobs = [
        (index, text, voice)
        for index, (text, voice) in enumerate((t, v) for t in commands for v in VOICES)
    ]
    for _, text, voice in jobs:  # synthesise once, before the workers share the cache
        cached_speaker(CACHE)(text, voice, 1.0)
    started = time.perf_counter()
    # two single-threaded workers on two cores: BLAS threads only fight each other here
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        clips = list(pool.map(run_clip, jobs))
    elapsed = time.perf_counter() - started
    threshold = watermark.identification_threshold(len(REVIEWERS))
    rows, per_attack = summarise(clips, threshold)

    foreign = [
        score
        for clip in clips
        for copy in clip["copies"]
        for outcome in copy["attacks"].values()
        for who, score in outcome["scores"].items()
        if who != copy["reviewer"]
    ]
    unmarked = [score for clip in clips for score in clip["unmarked"].values()]
    unmarked_named = sum(max(clip["unmarked"].values()) >= threshold for clip in clips)
    snrs = [copy["snr_db"] for clip in clips for copy in clip["copies"]]
    lengths = [clip["seconds"] for clip in clips]
    reencoded = [stats for stats in per_attack.values() if stats["reencoded"]]
    reencoded_rate = sum(s["identified"] for s in reencoded) / sum(s["copies"] for s in reencoded)
    usual = [  # what most leaks would be: MP3 from 24 kbit/s up and Vorbis
        stats
        for name, stats in per_attack.items()
        if stats["reencoded"] and "16 kbit/s" not in name and "8 kbit/s" not in name
    ]
    usual_rate = sum(s["identified"] for s in usual) / sum(s["copies"] for s in usual)
    scan_seconds = [
        outcome["seconds"]
        for clip in clips
        for copy in clip["copies"]
        for outcome in copy["attacks"].values()
    ]
    rows = [["target, lossy re-encodes", "≥ 99%", "≥ 99%", 0, "", ""], *rows]
    rows += [
        [
            "unmarked clips (false identification)",
            f"{unmarked_named}/{len(clips)} named",
            "",
            unmarked_named,
            f"{statistics.median(unmarked):.1f}",
            f"max {max(unmarked):.1f}",
        ],
        [
            "keys that did not mark the copy (false identification)",
            f"{sum(s >= threshold for s in foreign)}/{len(foreign)} above threshold",
            "",
            "",
            f"{statistics.median(foreign):.1f}",
            f"max {max(foreign):.1f}",
        ],
    ]
    notes = (
        f"{len(clips)} clips ({min(lengths):.1f}-{max(lengths):.1f} s, median "
        f"{statistics.median(lengths):.1f} s; {sum(n < SHORTEST for n in lengths)} under "
        f"{SHORTEST} s), {MARKS_PER_CLIP} marked copies each, {len(REVIEWERS)} candidates per "
        f"identification; threshold {threshold:.2f} (false identification <= 1e-6 per call over "
        "±0.5 s of offsets). Identified: the marking reviewer scored highest and reached the "
        "threshold. Scores are the marking key's, in standard deviations of a key that did not "
        "mark the copy; the last two rows give the median and the maximum of the scores that must "
        "stay under the threshold.\n\n"
        f"SNR of the marked clips: min {min(snrs):.2f} dB, median {statistics.median(snrs):.2f} dB "
        f"(target >= 35). Lossy re-encodes identified: {100 * usual_rate:.1f}% at MP3 from "
        f"24 kbit/s and Vorbis, {100 * reencoded_rate:.1f}% counting MP3 at 16 and 8 kbit/s "
        f"(target >= 99%). Scoring one copy against {len(REVIEWERS)} keys: median "
        f"{statistics.median(scan_seconds):.1f} s on one core of a shared machine."
    )
    data = {
        "targets": TARGETS,
        "threshold": threshold,
        "candidates": len(REVIEWERS),
        "clips": len(clips),
        "clip_seconds": {"min": min(lengths), "median": statistics.median(lengths)},
        "snr_db": {"min": min(snrs), "median": statistics.median(snrs), "max": max(snrs)},
        "attacks": per_attack,
        "reencoded_identified_rate": reencoded_rate,
        "false_identification": {
            "unmarked_clips_named": unmarked_named,
            "unmarked_max_score": max(unmarked),
            "foreign_scores": len(foreign),
            "foreign_above_threshold": sum(s >= threshold for s in foreign),
            "foreign_max_score": max(foreign),
        },
        "usual_reencodes_identified_rate": usual_rate,
        "scan_seconds_median": statistics.median(scan_seconds),
        "elapsed_seconds": elapsed,
        "load_average": os.getloadavg(),
        "per_clip": [
            {
                "text": clip["text"],
                "voice": clip["voice"],
                "seconds": round(clip["seconds"], 3),
                "copies": [
                    {
                        "reviewer": copy["reviewer"],
                        "snr_db": round(copy["snr_db"], 3),
                        "own_score": {
                            name: round(outcome["scores"][copy["reviewer"]], 2)
                            for name, outcome in copy["attacks"].items()
                        },
                    }
                    for copy in clip["copies"]
                ],
            }
            for clip in clips
        ],
    }
    header = [
        "leak",
        "identified",
        f"clips ≥ {SHORTEST} s",
        "wrong reviewer",
        "median score",
        "5th pct score",
    ]
    title = "Leak watermark: reviewer identified after each leak (35 dB under the speech)"
    if args.quick:
        QUICK_RESULTS.mkdir(parents=True, exist_ok=True)
        (QUICK_RESULTS / "watermark.json").write_text(
            json.dumps({"machine": cpu_model(), **data}, indent=2) + "\n"
        )
        print("\n".join(" | ".join(str(cell) for cell in row) for row in rows))
        print(notes)
        return
    write("watermark", title, header, rows, notes, data)


if __name__ == "__main__":
    main()

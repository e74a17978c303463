"""Wake-word calibration: the first stage's cutoff and the check's threshold, per wake word.

Why: the cascade (`confide.capture.cascade`) needs two numbers per word, and whether to check
the word at all. The first stage must miss
little in noise, so its cutoff sits far below the model's published one; the check must then turn
down what that lets through. Both are set here, on audio of their own, and written into
`FIRST_STAGE_CUTOFFS` and `CHECK_THRESHOLDS` by hand; `benchmarks/wakeword.py` then measures the
cascade on its held-out set (other sentences, other look-alikes, other noise, Snips negatives).

Calibration audio, synthesised once into benchmarks/cache/wake_calibration/ (git-ignored):
- voices: piper `joe` and hibari `heart` at two speeds, and Debian flite's awb, kal, rms and slt
  (`make apt-voices`; skipped when missing);
- positives: each wake word and one of `COMMANDS`, in pink noise or two-talker babble at 10 and
  5 dB SNR (noise only: clean wakes are not where the cutoffs differ);
- negatives: `NEGATIVES` (everyday requests and chat, with look-alikes of every wake word), clean
  and in pink noise at 10 dB.

Rules: the cutoff is the highest on `GRID` whose first stage misses at most `MOST_MISSED` of the
noisy positives. The check's threshold is `MARGIN` times the highest score a negative got: false
wakes cost more than misses (the targets allow 5% missed but half a false wake an hour), and the
margin keeps the threshold off the calibration's own last negative. A word is checked at all only
where its two stages keep more of the noisy positives than the model alone at its published
threshold.

Usage: .venv/bin/python benchmarks/wake_calibration.py [--wake-words ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from confide.audio import SAMPLE_RATE, Audio, read_audio, write_wav
from confide.capture.cascade import CheckedDetector
from confide.capture.wakeword import MODEL_THRESHOLDS, WAKE_WORDS, MicroWakeWordDetector
from confide.demo.recordings import SPOKEN_WAKE_WORDS, mix_at_snr, pink_noise
from confide.demo.voices import say
from confide.recognize.wake_check import WhisperWakeCheck

HERE = Path(__file__).resolve().parent
CACHE = HERE / "cache" / "wake_calibration"
RESULTS = HERE / "results"
SEED = 1855

COMMANDS = (
    "close the garage door.",
    "how warm is it outside?",
    "dim the bedroom lamp.",
    "start the vacuum cleaner.",
    "is the front door locked?",
    "remind me to water the plants.",
)
NEGATIVES = (
    "open the blinds in the study.",
    "what's on my calendar today?",
    "okay, now book a table for two.",
    "okay, no, but you said it was fine.",
    "I know a boo who plays guitar.",
    "a nice cup of tea would be great.",
    "hey, can you turn it down a bit?",
    "hey Marvin, come over here.",
    "the jars in the cupboard are empty.",
    "he gave the car keys to Jarvis yesterday.",
    "hey, the service was great.",
    "a Lexus was parked in the driveway.",
    "Alec said he would bring the salad.",
    "my craft project is due on Friday.",
    "hey, mike, grab the other chair.",
    "my crew starts at six tomorrow.",
    "let's talk about the microphone.",
    "okay, let's go to the park now.",
    "put the kettle on and sit down.",
    "the weather has been awful all week.",
)
SPEEDS = {"joe": (0.9, 1.1), "heart": (0.9, 1.1)}
FLITE_VOICES = ("awb", "kal", "rms", "slt")
POSITIVE_CONDITIONS = (("pink", 10), ("pink", 5), ("babble", 10), ("babble", 5))
NEGATIVE_CONDITIONS = ((None, None), ("pink", 10))
GRID = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85)
MOST_MISSED = 0.02
MARGIN = 2.0


@dataclass(frozen=True)
class Speaker:
    voice: str
    speed: float


def speakers() -> list[Speaker]:
    found = [Speaker(voice, speed) for voice, speeds in SPEEDS.items() for speed in speeds]
    if shutil.which("flite"):
        found += [Speaker(voice, 1.0) for voice in FLITE_VOICES]
    else:
        print("flite is not installed: calibrating on joe and heart only")
    return found


def synthesised(text: str, speaker: Speaker) -> np.ndarray:
    """The speaker saying `text`, cached as WAV."""
    key = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]
    name = f"{speaker.voice}-{speaker.speed:g}-{key}.wav"
    path = CACHE / "clips" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        if speaker.voice in FLITE_VOICES:
            with tempfile.TemporaryDirectory() as folder:
                wav = Path(folder) / "out.wav"
                subprocess.run(
                    ["flite", "-voice", speaker.voice, "-t", text, "-o", str(wav)],  # noqa: S607
                    check=True,
                    capture_output=True,
                )
                write_wav(path, read_audio(wav))
        else:
            write_wav(path, say(text, speaker.voice, speaker.speed))
    return read_audio(path).samples


def babble(voices: Sequence[Speaker]) -> np.ndarray:
    """Two talkers reading the negatives at once, unit power: speech that is not the wake word."""
    talkers = []
    for offset in (0, 1):
        parts = [synthesised(NEGATIVES[i], voices[(i + offset) % len(voices)]) for i in range(12)]
        talker = np.concatenate(parts).astype(np.float64)
        talkers.append(talker / (np.std(talker) + 1e-12))
    length = min(map(len, talkers))
    mix = talkers[0][:length] + talkers[1][:length]
    return mix / np.std(mix)


def in_noise(
    samples: np.ndarray,
    noise: str | None,
    snr: int | None,
    talk: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    padded = np.concatenate(
        [np.zeros(SAMPLE_RATE, np.int16), samples, np.zeros(SAMPLE_RATE // 2, np.int16)]
    )
    if noise is None or snr is None:
        return padded
    background = (
        pink_noise(len(padded), rng) if noise == "pink" else np.roll(talk, -rng.integers(len(talk)))
    )
    return mix_at_snr(Audio(padded), background, snr).samples


def peak(wake_word: str, samples: np.ndarray) -> float:
    """The first stage's highest score on a clip."""
    detector = MicroWakeWordDetector([wake_word], refractory=1e9, cutoffs={wake_word: 1e-6})
    for start in range(0, len(samples), 160):
        detector.process(samples[start : start + 160])
    return detector.peak_score(wake_word) or 0.0


class Scores:
    """A `WakeCheck` that confirms everything and keeps each look's score."""

    def __init__(self, check: WhisperWakeCheck) -> None:
        self.check = check
        self.seen: list[float] = []

    def confirms(self, wake_word: str, audio: Audio) -> bool:
        self.seen.append(self.check.score(wake_word, audio))
        return True


def check_scores(
    wake_word: str, cutoff: float, clips: Sequence[np.ndarray], check: WhisperWakeCheck
) -> list[float]:
    """For each clip, the check's best score over what the first stage let through (0 if none)."""
    best = []
    for samples in clips:
        scores = Scores(check)
        detector = CheckedDetector(
            MicroWakeWordDetector([wake_word], cutoffs={wake_word: cutoff}), scores
        )
        for start in range(0, len(samples), 160):
            detector.process(samples[start : start + 160])
        best.append(max(scores.seen, default=0.0))
    return best


def calibrate(
    wake_word: str, voices: Sequence[Speaker], talk: np.ndarray, check: WhisperWakeCheck
) -> dict:
    rng = np.random.default_rng([SEED, WAKE_WORDS.index(wake_word)])
    spoken = [
        synthesised(f"{SPOKEN_WAKE_WORDS[wake_word]} {command}", speaker)
        for speaker in voices
        for command in COMMANDS
    ]
    positives = [
        in_noise(s, noise, snr, talk, rng) for s in spoken for noise, snr in POSITIVE_CONDITIONS
    ]
    negatives = [
        in_noise(synthesised(text, speaker), noise, snr, talk, rng)
        for speaker in voices
        for text in NEGATIVES
        for noise, snr in NEGATIVE_CONDITIONS
    ]
    peaks = np.array([peak(wake_word, s) for s in positives])
    missed = {t: float(np.mean(peaks <= t)) for t in GRID}
    cutoff = max((t for t in GRID if missed[t] <= MOST_MISSED), default=GRID[0])
    positive_scores = np.array(check_scores(wake_word, cutoff, positives, check))
    negative_scores = np.array(check_scores(wake_word, cutoff, negatives, check))
    highest_negative = float(negative_scores.max(initial=0.0))
    threshold = MARGIN * highest_negative
    alone = float(np.mean(peaks > MODEL_THRESHOLDS[wake_word]))
    both = float(np.mean(positive_scores >= threshold))
    return {
        "wake_word": wake_word,
        "positives": len(positives),
        "negatives": len(negatives),
        "missed_by_cutoff": missed,
        "cutoff": cutoff,
        "first_stage_negatives_fired": int(np.sum(negative_scores > 0)),
        "highest_negative_score": round(highest_negative, 4),
        "check_threshold": round(threshold, 4),
        "positives_passing_check": round(both, 4),
        "positives_kept_by_the_model_alone": round(alone, 4),
        "checked": both > alone,
        "positives_passing_by_voice": {
            f"{speaker.voice}@{speaker.speed:g}": round(float(np.mean(kept)), 3)
            for speaker, kept in zip(
                voices, np.split(positive_scores >= threshold, len(voices)), strict=True
            )
        },
        "negatives_passing_check": int(np.sum(negative_scores >= threshold)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wake-words", nargs="+", default=list(WAKE_WORDS), choices=WAKE_WORDS)
    args = parser.parse_args()
    started = time.perf_counter()
    voices = speakers()
    talk = babble(voices)
    check = WhisperWakeCheck()
    rows = []
    for wake_word in args.wake_words:
        print(f"{wake_word}: calibrating on {len(voices)} voices", flush=True)
        rows.append(calibrate(wake_word, voices, talk, check))
    header = ("wake word", "cutoff", "missed (noisy)", "negatives fired", "highest negative")
    header += ("check threshold", "kept by both stages", "kept by the model alone", "checked")
    lines = ["| " + " | ".join(header) + " |", "|---" * len(header) + "|"]
    for row in rows:
        cells = (
            row["wake_word"],
            row["cutoff"],
            f"{row['missed_by_cutoff'][row['cutoff']]:.1%}",
            f"{row['first_stage_negatives_fired']} of {row['negatives']}",
            row["highest_negative_score"],
            row["check_threshold"],
            f"{row['positives_passing_check']:.1%}",
            f"{row['positives_kept_by_the_model_alone']:.1%}",
            "yes" if row["checked"] else "no",
        )
        lines.append("| " + " | ".join(map(str, cells)) + " |")
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "voices": [f"{s.voice}@{s.speed:g}" for s in voices],
        "seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
    }
    (RESULTS / "wake_calibration.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "wake_calibration.md").write_text(
        f"# Wake-word calibration\n\nRun {report['when']}, {report['seconds'] / 60:.1f} min, by "
        "`benchmarks/wake_calibration.py`: the numbers written into `FIRST_STAGE_CUTOFFS` and "
        f"`CHECK_THRESHOLDS`. Voices: {', '.join(report['voices'])}. Positives: each wake word "
        f"and {len(COMMANDS)} commands of its own, in pink noise or two-talker babble at 10 and "
        f"5 dB; negatives: {len(NEGATIVES)} sentences (look-alikes of every word among them), "
        "clean and in pink noise at 10 dB. Cutoff: the highest that misses at most "
        f"{MOST_MISSED:.0%} of noisy positives (else the lowest tried); check threshold: "
        f"{MARGIN:g} x the highest score a negative got. Kept: the noisy positives that both "
        "stages let through, and that the model alone passes at its published threshold; a "
        f"word is checked where both stages keep more.\n\n{table}\n"
    )


if __name__ == "__main__":
    main()

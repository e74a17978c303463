"""Endpointing: how long the device waits after the last word, and whether it ever cuts one off.

The commands are an independent held-out set: Home Assistant's English intent sentences
(`home-assistant-intents`, Apache-2.0, expanded by its own `hassil` sampler), which no one on
Confide wrote and which Confide's completeness model was never counted from. Each is spoken by
piper (joe) and hibari (heart), once fluently and once with a hesitation of 0.4 or 0.6 s at a
random word boundary, in quiet pink noise (30 dB under the speech), and played through the device
agent from a button press:

- anchor: the fixed trailing silence (0.7 s), as before;
- Confide: the early end (`--early-end`): Whisper tiny.en on the device and `RequestEnd` put a
  chance on the words so far being a whole request; at least 0.6 ends the utterance after 0.25 s
  of sure silence, at least 0.3 after 0.45 s, anything less after the full 0.7 s.

Each stream is played in real time, as a microphone delivers it, and the check runs as it would on
a device with this machine's cores. Delay: from the end of the last word (the clean clip's last
sound) to the moment the agent hands the utterance to its uploader, by the wall clock. Cut short:
the utterance ended before the last word did. Needs the `heldout` extra.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from _support import percentile, write
from confide.audio import SAMPLE_RATE, Audio
from confide.capture.agent import CompletionCheck, DeviceAgent, EndpointSettings
from confide.capture.sources import file_frames
from confide.capture.uploaders import CollectingUploader
from confide.demo.recordings import pink_noise
from confide.demo.voices import cached_speaker
from confide.understand.completeness import SpokenRequestEnd

CACHE = Path(__file__).parent / "cache" / "speech"
AREAS = ["kitchen", "living room", "bedroom", "garage", "office"]
NAMES = ["ceiling fan", "front door", "desk lamp", "porch light", "thermostat"]
FLOORS = ["upstairs", "downstairs", "ground floor"]
PAUSES = (0.4, 0.6)
"""Hesitations, all shorter than the anchor's 0.7 s, so the anchor itself never cuts one off."""
NOISE_DB = 30.0
SILENCE_FLOOR_DB = 35.0
"""A 10 ms frame is sound when within this many dB of the clip's loudest."""


def commands(count: int, seed: int) -> list[str]:
    """`count` sentences of Home Assistant's English intents, drawn across all of them."""
    from hassil.intents import Intents, TextSlotList
    from hassil.sample import sample_intents
    from home_assistant_intents import get_intents

    lists = {
        "area": TextSlotList.from_strings(AREAS),
        "name": TextSlotList.from_strings(NAMES),
        "floor": TextSlotList.from_strings(FLOORS),
    }
    intents = Intents.from_dict(get_intents("en"))
    sampled = sample_intents(intents, slot_lists=lists, max_sentences_per_intent=200, language="en")
    sentences = sorted(
        {text for _, text in sampled if 3 <= len(text.split()) <= 12 and "{" not in text}
    )
    return random.Random(seed).sample(sentences, count)


def sound_frames(samples: np.ndarray) -> np.ndarray:
    """Indices of the clip's 10 ms frames of sound."""
    frames = samples[: len(samples) // 160 * 160].astype(np.float64).reshape(-1, 160)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-9)
    return np.flatnonzero(level > level.max() - SILENCE_FLOOR_DB)


def last_sound(samples: np.ndarray) -> float:
    """Seconds to the end of the clip's last 10 ms frame of sound."""
    return float(sound_frames(samples)[-1] + 1) * 160 / SAMPLE_RATE


def trimmed(samples: np.ndarray) -> np.ndarray:
    """The clip from its first sound to its last."""
    loud = sound_frames(samples)
    return samples[loud[0] * 160 : (loud[-1] + 1) * 160]


def spoken(
    text: str, voice: str, pause: float | None, rng: random.Random
) -> tuple[str, np.ndarray]:
    """The command as said (with "..." where it pauses): whole, or in two parts with a
    hesitation between them."""
    speak = cached_speaker(CACHE)
    if pause is None:
        return text, trimmed(speak(text, voice, 1.0).samples)
    words = text.split()
    cut = rng.randrange(1, len(words))
    first, rest = " ".join(words[:cut]), " ".join(words[cut:])
    silence = np.zeros(round(pause * SAMPLE_RATE), np.int16)
    parts = [trimmed(speak(part, voice, 1.0).samples) for part in (first, rest)]
    return f"{first} ... {rest}", np.concatenate([parts[0], silence, parts[1]])


class TimedCheck:
    """A completion check that remembers how long each answer took."""

    def __init__(self, check: CompletionCheck) -> None:
        self._check = check
        self.seconds: list[float] = []

    def completeness(self, audio: Audio) -> float:
        started = time.perf_counter()
        chance = self._check.completeness(audio)
        self.seconds.append(time.perf_counter() - started)
        return chance


class NoWake:
    """The button opens every utterance here; the wake word is the wake benchmark's job."""

    wake_words = ()

    def process(self, frame: np.ndarray) -> list[Any]:
        return []


def endpoint(speech: np.ndarray, check: TimedCheck | None, seed: int) -> dict[str, float]:
    """Play one command in real time from a button press; when it was sent against when the
    words ended."""
    lead, tail = round(0.5 * SAMPLE_RATE), round(2.0 * SAMPLE_RATE)
    signal = np.concatenate([np.zeros(lead), speech, np.zeros(tail)])
    rms = float(np.sqrt(np.mean(speech.astype(np.float64) ** 2)))
    noise = pink_noise(len(signal), np.random.default_rng(seed))
    noise *= rms / 10 ** (NOISE_DB / 20) / float(np.sqrt(np.mean(noise**2)))
    stream = np.clip(signal + noise, -32768, 32767).astype(np.int16)
    sent_at: list[float] = []
    uploads = CollectingUploader(lambda _: sent_at.append(time.perf_counter()))
    agent = DeviceAgent(NoWake(), uploads, EndpointSettings(), completion=check)
    agent.press_button()
    checks_before = len(check.seconds) if check else 0
    started = time.perf_counter()
    for frame in file_frames(Audio(stream), realtime=True):
        agent.feed(frame)
        if uploads.utterances:
            break
    agent.flush()
    [utterance] = uploads.utterances
    words_end = lead / SAMPLE_RATE + last_sound(speech)
    early = bool(check) and utterance.end - words_end < EndpointSettings().trailing_silence
    return {
        "delay": sent_at[0] - started - words_end,
        "cut": float(utterance.end < words_end),
        "early": float(early),
        "checks": float(len(check.seconds) - checks_before if check else 0),
    }


def summary(results: list[dict[str, float]], check: TimedCheck | None) -> dict[str, Any]:
    delays = [r["delay"] for r in results]
    return {
        "utterances": len(results),
        "delay_median": statistics.median(delays),
        "delay_p90": percentile(delays, 0.9),
        "cut_short": int(sum(r["cut"] for r in results)),
        "ended_early": sum(r["early"] for r in results) / len(results),
        "checks_per_utterance": sum(r["checks"] for r in results) / len(results),
        "check_seconds_p50": statistics.median(check.seconds) if check and check.seconds else None,
    }


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    started = time.perf_counter()
    texts = commands(args.commands, args.seed)
    rng = random.Random(args.seed)
    said = []
    for index, text in enumerate(texts):
        voice = ("joe", "heart")[index % 2]
        said.append(("fluent", *spoken(text, voice, None, rng)))
        pause = PAUSES[index % len(PAUSES)]
        said.append(("with a pause", *spoken(text, voice, pause, rng)))
    timed = TimedCheck(SpokenRequestEnd.default())
    rows, data = [], {"commands": texts, "systems": {}}
    for system, check in (("anchor: fixed 0.7 s silence", None), ("Confide: early end", timed)):
        per_condition: dict[str, list[dict[str, float]]] = {"fluent": [], "with a pause": []}
        cut_short = []
        for index, (condition, as_said, speech) in enumerate(said):
            found = endpoint(speech, check, args.seed + index)
            per_condition[condition].append(found)
            if found["cut"]:
                cut_short.append(as_said)
        everything = per_condition["fluent"] + per_condition["with a pause"]
        data["systems"][system] = {
            condition: summary(results, check)
            for condition, results in [*per_condition.items(), ("all", everything)]
        }
        data["cut_short"] = {**data.get("cut_short", {}), system: cut_short}
        for condition, found in data["systems"][system].items():  # type: ignore[attr-defined]
            rows.append(
                [
                    system,
                    condition,
                    found["utterances"],
                    f"{found['delay_median']:.2f} s",
                    f"{found['delay_p90']:.2f} s",
                    found["cut_short"],
                    f"{found['ended_early']:.0%}",
                    f"{found['checks_per_utterance']:.1f}",
                    _seconds(found["check_seconds_p50"]),
                ]
            )
    rows.insert(0, ["target", "all", "", "≤ 0.40 s", "", 0, "", "", ""])
    confide = data["systems"]["Confide: early end"]["all"]
    answer = json.loads((Path(__file__).parent / "results" / "answer_latency.json").read_text())
    upload_to_answer = answer["sqlite/1"]["p50"]
    data["end_of_speech_to_answer_p50"] = confide["delay_median"] + upload_to_answer
    data["seconds"] = time.perf_counter() - started
    notes = (
        f"{len(texts)} commands from Home Assistant's English intents (home-assistant-intents, "
        "Apache-2.0, expanded by hassil; seed "
        f"{args.seed}), each spoken by piper joe or hibari heart, fluently and with a hesitation "
        f"of {' or '.join(f'{p} s' for p in PAUSES)} at a random word boundary, in pink noise "
        f"{NOISE_DB:.0f} dB under the speech, played in real time. Delay: from the last word's "
        "end to the agent handing the utterance to its uploader, by the wall clock. Cut short: "
        "ended before the last word did. Checks: Whisper tiny.en and `RequestEnd` on the device, "
        "started after 0.1 s of sure silence: a chance of 0.6 ends at 0.25 s, 0.3 at 0.45 s.\n\n"
        f"End of speech to answer, p50: {confide['delay_median']:.2f} s (this median) + "
        f"{upload_to_answer:.2f} s (upload to answer, one device on SQLite, "
        f"`answer_latency.json`, measured on {answer['machine']}) = "
        f"**{data['end_of_speech_to_answer_p50']:.2f} s**; target ≤ 1.0 s, anchor Alexa about "
        f"1 s. Whole run {data['seconds']:.0f} s."
    )
    write(
        "endpointing",
        "Endpointing: delay after the last word, and utterances cut short",
        [
            "system",
            "speech",
            "utterances",
            "delay p50",
            "delay p90",
            "cut short",
            "ended early",
            "checks per utterance",
            "check time p50",
        ],
        rows,
        notes,
        data,
    )


if __name__ == "__main__":
    main()

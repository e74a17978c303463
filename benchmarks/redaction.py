"""Redaction benchmark: token recall and precision on transcripts as recognisers write them.

Why: a reviewer must never read a card number, an account, a phone number or a name (invariant
5), and a recogniser writes them as words ("four one one one double one ..."), which written-form
detectors miss. The anchor is Presidio's default setup (AnalyzerEngine, its default recognisers,
the same small spaCy model, no Confide recognisers), run on the same sentences in the same run.

How: `_redaction_corpus` fills carrier sentences with random fake values (cards passing Luhn,
IBANs with valid checksums, phones, SSNs, e-mails, addresses, names), 70% rendered as a
recogniser writes speech and 30% as Whisper writes it, plus Snips 2017 queries without personal
data. A token counts as redacted when any span touches it. Recall: share of personal-data tokens
redacted; precision: share of redacted tokens that are personal data (over the template and
Snips sentences). Two template sets: tuning (looked at while writing the recognisers) and
held-out (not looked at until the final run), reported apart. Latency per sentence is measured
with the process pinned to one core.

    .venv/bin/python benchmarks/redaction.py [--tuning-only] [--show-misses N]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from _redaction_corpus import TYPES, Sentence, corpus
from _support import percentile, write
from confide.protect.redact import PRESIDIO_TYPES, Redactor, presidio_analyzer

SETS = {"tuning": (2024, False, 500, 200), "held-out": (4242, True, 300, 150)}
"""Set name: (seed, held-out templates?, template sentences, Snips sentences)."""
WHISPER_SHARE = 0.3
TARGETS = {"recall": 0.90, "precision": 0.70}
MISSES = (
    "What the held-out set showed (read after its only run, not tuned on): names with no cue "
    "before them ('did vikram reply', 'send a reminder to daria', 'note that thandiwe lives "
    "at'), a ZIP code on its own ('a pharmacy near 18381'), a house number said with 'thousand', "
    "and a seven-digit phone said in pairs with no phone word near it; false alarms are mostly "
    "spaCy taking title-case words of film, book and place names for people."
)
Span = tuple[int, int, str]
Finder = Callable[[str], list[Span]]


@dataclass
class Score:
    """Token counts for one system on one set."""

    gold: Counter[str] = field(default_factory=Counter)
    hit: Counter[str] = field(default_factory=Counter)
    typed: int = 0
    predicted: int = 0
    correct: int = 0
    snips: int = 0
    snips_flagged: int = 0
    artists: int = 0
    artists_flagged: int = 0

    def recall(self, key: str = "all") -> float:
        return self.hit[key] / self.gold[key] if self.gold[key] else float("nan")

    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else float("nan")


def score(system: Finder, sentences: Sequence[Sentence], misses: list[str] | None = None) -> Score:
    result = Score()
    for sentence in sentences:
        spans = system(sentence.text)
        flagged = [
            next((kind for start, end, kind in spans if start < t.end and end > t.start), None)
            for t in sentence.tokens
        ]
        if sentence.kind == "artist":
            result.artists += 1
            result.artists_flagged += any(flagged)
            continue
        if sentence.kind == "snips":
            result.snips += 1
            result.snips_flagged += any(flagged)
        for token, kind in zip(sentence.tokens, flagged, strict=True):
            if token.label:
                for key in ("all", token.label, f"style:{sentence.style}"):
                    result.gold[key] += 1
                    result.hit[key] += kind is not None
                result.typed += kind == token.label
            if kind is not None:
                result.predicted += 1
                result.correct += token.label is not None
        wrong = any(
            (t.label is None) != (k is None) for t, k in zip(sentence.tokens, flagged, strict=True)
        )
        if misses is not None and wrong:
            marks = [
                f"{t.text}{'+' if k and t.label else '!' if k else '?' if t.label else ''}"
                for t, k in zip(sentence.tokens, flagged, strict=True)
            ]
            misses.append(" ".join(marks))
    return result


def confide_finder(redactor: Redactor, latencies: list[float]) -> Finder:
    def find(text: str) -> list[Span]:
        started = time.perf_counter()
        spans = redactor.find(text)
        latencies.append(time.perf_counter() - started)
        return [(s.start, s.end, s.type) for s in spans]

    return find


def presidio_finder(analyzer: Any, only_confide_types: bool) -> Finder:
    def find(text: str) -> list[Span]:
        results = analyzer.analyze(text, language="en")
        return [
            (r.start, r.end, PRESIDIO_TYPES.get(r.entity_type, r.entity_type))
            for r in results
            if not only_confide_types or r.entity_type in PRESIDIO_TYPES
        ]

    return find


def percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuning-only", action="store_true", help="skip the held-out set")
    parser.add_argument("--show-misses", type=int, default=0, help="print N wrong sentences")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    started = time.perf_counter()
    redactor = Redactor()
    load_seconds = time.perf_counter() - started
    anchor = presidio_analyzer(stock_ner=True)
    latencies: list[float] = []
    systems: dict[str, Finder] = {
        "Confide": confide_finder(redactor, latencies),
        "Presidio default": presidio_finder(anchor, only_confide_types=False),
        "Presidio default, 8 types": presidio_finder(anchor, only_confide_types=True),
    }
    rows, per_type_rows, data = [], [], {}
    for set_name, (seed, held_out, pii, snips) in SETS.items():
        if held_out and args.tuning_only:
            continue
        sentences = corpus(seed, held_out, pii, snips, WHISPER_SHARE)
        for system_name, system in systems.items():
            misses: list[str] | None = [] if system_name == "Confide" else None
            result = score(system, sentences, misses)
            if misses and args.show_misses:
                print(f"--- {set_name}: wrong sentences (+ hit, ! false alarm, ? missed)")
                print("\n".join(misses[: args.show_misses]))
            rows.append(
                [
                    set_name,
                    system_name,
                    percent(result.recall()),
                    percent(result.precision()),
                    percent(result.recall("style:asr")),
                    percent(result.recall("style:whisper")),
                    f"{result.snips_flagged} of {result.snips}",
                    f"{result.artists_flagged} of {result.artists}",
                ]
            )
            per_type_rows.append(
                f"| {set_name} | {system_name} | "
                + " | ".join(percent(result.recall(kind)) for kind in TYPES)
                + " |"
            )
            data[f"{set_name}/{system_name}"] = {
                "sentences": len(sentences),
                "gold_tokens": result.gold["all"],
                "recall": result.recall(),
                "precision": result.precision(),
                "recall_asr_style": result.recall("style:asr"),
                "recall_whisper_style": result.recall("style:whisper"),
                "recall_per_type": {kind: result.recall(kind) for kind in TYPES},
                "type_agreement": result.typed / max(1, result.hit["all"]),
                "snips_sentences_flagged": [result.snips_flagged, result.snips],
                "artist_sentences_flagged": [result.artists_flagged, result.artists],
            }
    latency_ms = [1000 * value for value in latencies]
    timing = {
        "load_seconds": load_seconds,
        "latency_ms_p50": percentile(latency_ms, 0.5),
        "latency_ms_p95": percentile(latency_ms, 0.95),
        "latency_ms_mean": sum(latency_ms) / len(latency_ms),
    }
    type_table = "\n".join(
        [
            "| set | system | " + " | ".join(TYPES) + " |",
            "|" + "---|" * (len(TYPES) + 2),
            *per_type_rows,
        ]
    )
    notes = (
        f"Recall per type (share of that type's tokens redacted, whatever the placeholder):\n\n"
        f"{type_table}\n\n"
        f"Targets: token recall ≥ {TARGETS['recall']:.2f}, precision ≥ {TARGETS['precision']:.2f}"
        " (on each set). 'Snips flagged': Snips 2017 queries without personal data in which "
        "anything was redacted; 'artist queries flagged': Snips queries naming a singer or band, "
        "kept out of recall and precision. 'Presidio default' redacts every entity it returns "
        "(dates, places, organisations too, as its anonymizer would); '8 types' keeps those "
        "Confide redacts.\n\n"
        f"{MISSES}\n\n"
        f"Confide Redactor: load {timing['load_seconds']:.1f} s (spaCy and Presidio); per "
        f"sentence p50 {timing['latency_ms_p50']:.1f} ms, p95 {timing['latency_ms_p95']:.1f} ms, "
        f"one core. Whole run {time.perf_counter() - started:.0f} s."
    )
    header = [
        "set",
        "system",
        "token recall",
        "precision",
        "recall, ASR-style",
        "recall, Whisper-style",
        "Snips flagged",
        "artist queries flagged",
    ]
    if args.tuning_only:
        print("\n".join(" | ".join(map(str, row)) for row in rows))
        print(type_table)
        print(timing)
        return
    write(
        "redaction",
        "Redaction of personal data in transcripts (token level)",
        header,
        rows,
        notes,
        {"targets": TARGETS, "whisper_share": WHISPER_SHARE, "timing": timing, "results": data},
    )


if __name__ == "__main__":
    main()

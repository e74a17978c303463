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
held-out (not looked at until the final run), reported apart. A third, independent set is made
by presidio-research's generator with names-dataset's names (`_heldout_corpus`, the `heldout`
extra), which no recogniser was written from; it is reported per type, recall and precision.
Latency per sentence is measured with the process pinned to one core. 'Confide, public names
kept' is the transcript as reviewers get it since issue 11: each sentence understood by the shipped
NLU model, and the names in its intent's catalog slots (an artist, a city) left visible; its recall
must not fall below Confide's alone, or a private name would be shown for a public one.

    .venv/bin/python benchmarks/redaction.py [--tuning-only | --independent-only] [--show-misses N]
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from _redaction_corpus import TYPES, Sentence, corpus
from _support import percentile, write
from confide.protect.protector import redact_understood
from confide.protect.redact import PRESIDIO_TYPES, Redactor, presidio_analyzer
from confide.understand.default import default_model
from confide.understand.model import NluModel

SETS = {"tuning": (2024, False, 500, 200), "held-out": (4242, True, 300, 150)}
"""Set name: (seed, held-out templates?, template sentences, Snips sentences)."""
INDEPENDENT = ("independent", 1010, 1000)
"""The set from presidio-research's generator and names-dataset (`_heldout_corpus`, the
`heldout` extra): name, seed, sentences."""
ALL_TYPES = (*TYPES, "IP_ADDRESS", "AGE", "DRIVER_LICENSE")
"""Every gold type of every set; the independent set adds the last three."""
WHISPER_SHARE = 0.3
TARGETS = {"recall": 0.90, "precision": 0.70}
MISSES = (
    "What the held-out set showed (read after its only run, not tuned on): names with no cue "
    "before them ('did vikram reply', 'send a reminder to daria', 'note that thandiwe lives "
    "at'), a ZIP code on its own ('a pharmacy near 18381'), a house number said with 'thousand', "
    "and a seven-digit phone said in pairs with no phone word near it; false alarms are mostly "
    "spaCy taking title-case words of film, book and place names for people."
)
INDEPENDENT_BEFORE = (
    "Before the recognisers for IP addresses, ages, more street types and names with no cue "
    "(issue 10.1), the same independent set gave Confide token recall 56.3% at precision 88.3%: "
    "PERSON 57.8% / 80.3%, ADDRESS 26.2% / 99.0%, IP_ADDRESS 0%, AGE 0%, PHONE 95.5% / 95.2%, "
    "cards, IBANs, SSNs and e-mails 100%. Those recognisers were written looking only at a "
    "development draw of the generator (another seed), never at this set's sentences. What is "
    "still missed: the city, state or country after a unit with no ZIP code, intersections, "
    "military addresses (PSC, FPO), driver's licences, and lone first names with no cue; false "
    "alarms are mostly company, film and place names of two rare words taken for people."
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
    flagged_as: Counter[str] = field(default_factory=Counter)
    flagged_right: Counter[str] = field(default_factory=Counter)
    snips: int = 0
    snips_flagged: int = 0
    artists: int = 0
    artists_flagged: int = 0

    def recall(self, key: str = "all") -> float:
        return self.hit[key] / self.gold[key] if self.gold[key] else float("nan")

    def precision(self, kind: str | None = None) -> float:
        """Share of redacted tokens that are personal data; of those redacted as `kind` if
        given."""
        if kind is not None:
            return (
                self.flagged_right[kind] / self.flagged_as[kind]
                if self.flagged_as[kind]
                else float("nan")
            )
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
                result.flagged_as[kind] += 1
                result.flagged_right[kind] += token.label is not None
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


def policy_finder(redactor: Redactor, model: NluModel) -> Finder:
    """Confide as the reviewer's transcript is redacted: understood, public names kept."""

    def find(text: str) -> list[Span]:
        understood = model.understand(text).to_json()
        redaction = redact_understood(redactor, text, understood)
        return [(s.start, s.end, s.type) for s in redaction.spans]

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
    return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"


def sets(tuning_only: bool, independent_only: bool) -> list[tuple[str, list[Sentence]]]:
    """The sets to score, by name, each a list of sentences."""
    chosen = []
    if not independent_only:
        for set_name, (seed, held_out, pii, snips) in SETS.items():
            if not (held_out and tuning_only):
                chosen.append((set_name, corpus(seed, held_out, pii, snips, WHISPER_SHARE)))
    if not tuning_only:
        from _heldout_corpus import heldout_corpus

        name, seed, count = INDEPENDENT
        chosen.append((name, heldout_corpus(seed, count, WHISPER_SHARE)))
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuning-only", action="store_true", help="skip the held-out set")
    parser.add_argument("--show-misses", type=int, default=0, help="print N wrong sentences")
    parser.add_argument(
        "--independent-only", action="store_true", help="only the presidio-research set"
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    started = time.perf_counter()
    redactor = Redactor()
    load_seconds = time.perf_counter() - started
    anchor = presidio_analyzer(stock_ner=True)
    latencies: list[float] = []
    systems: dict[str, Finder] = {
        "Confide": confide_finder(redactor, latencies),
        "Confide, public names kept": policy_finder(redactor, default_model()),
        "Presidio default": presidio_finder(anchor, only_confide_types=False),
        "Presidio default, 8 types": presidio_finder(anchor, only_confide_types=True),
    }
    rows, per_type_rows, independent_rows, data = [], [], [], {}
    for set_name, sentences in sets(args.tuning_only, args.independent_only):
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
                + " | ".join(percent(result.recall(kind)) for kind in ALL_TYPES)
                + " |"
            )
            if set_name == INDEPENDENT[0]:
                independent_rows.append(
                    f"| {system_name} | "
                    + " | ".join(
                        f"{percent(result.recall(kind))} / {percent(result.precision(kind))}"
                        for kind in ALL_TYPES
                    )
                    + " |"
                )
            data[f"{set_name}/{system_name}"] = {
                "sentences": len(sentences),
                "gold_tokens": result.gold["all"],
                "recall": result.recall(),
                "precision": result.precision(),
                "recall_asr_style": result.recall("style:asr"),
                "recall_whisper_style": result.recall("style:whisper"),
                "recall_per_type": {kind: result.recall(kind) for kind in ALL_TYPES},
                "precision_per_type": {kind: result.precision(kind) for kind in ALL_TYPES},
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
            "| set | system | " + " | ".join(ALL_TYPES) + " |",
            "|" + "---|" * (len(ALL_TYPES) + 2),
            *per_type_rows,
        ]
    )
    independent_table = "\n".join(
        [
            "| system | " + " | ".join(ALL_TYPES) + " |",
            "|" + "---|" * (len(ALL_TYPES) + 1),
            *independent_rows,
        ]
    )
    notes = (
        f"Recall per type (share of that type's tokens redacted, whatever the placeholder):\n\n"
        f"{type_table}\n\n"
        "The independent set (presidio-research's sentence faker and templates, names of 104 "
        "countries from names-dataset, spoken forms written by `_heldout_corpus`; Confide's "
        "recognisers were not written from either), recall / precision per type; precision "
        "counts the tokens redacted under that placeholder that are personal data of any type "
        "('n/a': no such tokens):\n\n"
        f"{independent_table}\n\n"
        f"{INDEPENDENT_BEFORE}\n\n"
        f"Targets: token recall ≥ {TARGETS['recall']:.2f}, precision ≥ {TARGETS['precision']:.2f}"
        " (on each set). 'Snips flagged': Snips 2017 queries without personal data in which "
        "anything was redacted; 'artist queries flagged': Snips queries naming a singer or band, "
        "kept out of recall and precision. 'Presidio default' redacts every entity it returns "
        "(dates, places, organisations too, as its anonymizer would); '8 types' keeps those "
        "Confide redacts. 'Confide, public names kept': the same redactor as the reviewer's "
        "transcript applies it since issue 11, the sentence understood by the shipped NLU model "
        "(trained on the Snips training files, so its Snips sentences are not held out here) "
        "and the names in its intent's catalog slots left visible "
        "(`benchmarks/public_names.py` measures those on held-out queries).\n\n"
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
    if args.tuning_only or args.independent_only:
        print("\n".join(" | ".join(map(str, row)) for row in rows))
        print(type_table)
        print(independent_table)
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

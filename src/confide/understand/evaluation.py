"""The Snips 2017 benchmark, as Confide runs it: splits, training draws, slot F1, intent accuracy.

The published benchmark scored on validation files that are not public; here a fixed random 20%
of each `train_<Intent>_full.json` is held out as the test set instead, and no query whose text
(as spoken) is in it is ever trained on. Slot F1 is per slot name, on exact (slot name, value)
matches, averaged over the intent's slots and over the draws, as the published table is. One model
is trained over all seven intents at once (as the product does), not one per intent as published;
its slots come from the intent it predicted, not from the true one.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from confide.understand.data import Query, read_snips
from confide.understand.model import NluModel
from confide.understand.normalise import asr_query, asr_text

INTENTS = (
    "AddToPlaylist",
    "BookRestaurant",
    "GetWeather",
    "PlayMusic",
    "RateBook",
    "SearchCreativeWork",
    "SearchScreeningEvent",
)
TEST_SHARE = 0.2
"""Share of each `_full` file held out as the test set."""
SMALL = 70
"""Training queries per intent in the benchmark's small setting."""
DRAWS = (0, 1, 2)
"""Seeds of the small setting's random draws."""
PUBLISHED = {
    "Amazon Alexa": (0.667, 0.426, 0.555, 0.432, 0.798, 0.383, 0.560, 0.546),
    "Microsoft Luis": (0.617, 0.417, 0.346, 0.347, 0.884, 0.849, 0.826, 0.612),
    "Wit.ai": (0.522, 0.498, 0.475, 0.334, 0.933, 0.591, 0.789, 0.592),
    "api.ai (Dialogflow)": (0.766, 0.586, 0.516, 0.342, 0.835, 0.797, 0.800, 0.663),
    "Snips NLU": (0.785, 0.709, 0.728, 0.470, 0.957, 0.885, 0.847, 0.768),
    "Snips NLU, ~2,000 queries": (0.904, 0.901, 0.949, 0.773, 0.973, 0.945, 0.965, 0.916),
}
"""Slot F1 per intent and the mean, as published (70 queries per intent unless named)."""


def snips_folder() -> Path:
    """The Snips 2017 training files shipped with Confide (see resources/README.md)."""
    return Path(str(resources.files("confide.understand") / "resources" / "snips2017"))


@dataclass(frozen=True)
class Split:
    """The benchmark's data, cut once."""

    test: dict[str, list[Query]]
    """Intent -> its held-out queries."""
    full: dict[str, list[Query]]
    """Intent -> the rest of its `_full` file, less any query that reads like a test query."""
    pool: dict[str, list[Query]]
    """Intent -> the queries of `train_<Intent>.json` that small draws may take."""

    def small(self, seed: int, size: int = SMALL) -> list[Query]:
        """`size` queries per intent, drawn at random from the pool."""
        return [
            query
            for intent in sorted(self.pool)
            # A reproducible draw of training data, not a secret.
            for query in random.Random(f"{seed}-{intent}").sample(self.pool[intent], size)  # noqa: S311
        ]

    def full_training(self) -> list[Query]:
        return [query for intent in sorted(self.full) for query in self.full[intent]]


def split(
    folder: Path, intents: Sequence[str] = INTENTS, share: float = TEST_SHARE, seed: int = 0
) -> Split:
    """Hold out `share` of each intent's `_full` file, and keep every test text out of training."""
    test, full, pool = {}, {}, {}
    for intent in intents:
        queries = read_snips(folder / f"train_{intent}_full.json")
        order = list(range(len(queries)))
        random.Random(f"{seed}-{intent}").shuffle(order)  # noqa: S311 - a reproducible split
        held = round(len(queries) * share)
        test[intent] = [queries[i] for i in order[:held]]
        seen = {asr_text(query.text) for query in test[intent]}
        full[intent] = [queries[i] for i in order[held:] if asr_text(queries[i].text) not in seen]
        small = read_snips(folder / f"train_{intent}.json")
        pool[intent] = [query for query in small if asr_text(query.text) not in seen]
    return Split(test, full, pool)


@dataclass
class Tally:
    """Exact-match counts for one slot name."""

    hits: int = 0
    """Predicted (name, value) pairs that are in the reference."""
    predicted: int = 0
    """Predicted pairs with this name."""
    expected: int = 0
    """Reference pairs with this name."""

    @property
    def f1(self) -> float:
        return 2 * self.hits / (self.predicted + self.expected) if self.hits else 0.0


@dataclass
class Scores:
    """One trained model's results on one form of the test set."""

    slots: dict[str, dict[str, Tally]] = field(default_factory=dict)
    """Intent -> slot name -> counts."""
    correct: int = 0
    """Test queries whose intent was right."""
    total: int = 0
    """Test queries."""
    latencies: list[float] = field(default_factory=list)
    """Seconds per query, one each."""

    def slot_f1(self, intent: str) -> float:
        """Mean F1 over the slots the intent's test queries have."""
        tallies = self.slots.get(intent, {})
        return statistics.fmean(t.f1 for t in tallies.values()) if tallies else 0.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def score(model: NluModel, queries: dict[str, list[Query]], spoken: bool = False) -> Scores:
    """Run every test query through `model`; `spoken` turns them into recogniser-style text."""
    result = Scores()
    for intent, items in queries.items():
        tallies = result.slots.setdefault(intent, {})
        for item in items:
            query = asr_query(item) if spoken else item
            started = time.perf_counter()
            understood = model.understand(query.text)
            result.latencies.append(time.perf_counter() - started)
            result.total += 1
            result.correct += understood.intent == intent
            expected = Counter((slot.name, query.value(slot)) for slot in query.slots)
            predicted = Counter((slot.name, slot.value) for slot in understood.slots)
            for name, _ in expected:
                tallies.setdefault(name, Tally())
            for (name, value), count in predicted.items():
                if name in tallies:
                    tallies[name].predicted += count
                    tallies[name].hits += min(count, expected[(name, value)])
            for (name, _), count in expected.items():
                tallies[name].expected += count
    return result


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    setting: str
    """What was trained on and what was read, e.g. "70 queries/intent, typed text"."""
    slot_f1: dict[str, float]
    """Intent -> slot F1, mean over draws."""
    accuracy: float
    """Seven-way intent accuracy, mean over draws."""
    latency_p50: float
    """Median seconds per query, model loaded."""
    latency_p95: float
    """95th percentile of seconds per query."""

    @property
    def mean(self) -> float:
        return statistics.fmean(self.slot_f1.values())


def evaluate(
    data: Path,
    *,
    draws: Sequence[int] = DRAWS,
    size: int = SMALL,
    full: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> list[Row]:
    """Confide's rows: `size` queries per intent in each draw, and the full training data, each
    read as typed and as recogniser-style text."""
    cut = split(data)
    settings: list[tuple[str, list[list[Query]]]] = []
    if draws:
        settings.append((f"{size} queries/intent", [cut.small(seed, size) for seed in draws]))
    if full:
        settings.append(("full training data", [cut.full_training()]))
    rows = []
    for label, trainings in settings:
        runs: dict[bool, list[Scores]] = {False: [], True: []}
        for number, training in enumerate(trainings, 1):
            progress(f"{label}: training on {len(training)} queries ({number}/{len(trainings)})")
            model = NluModel.train(training)
            for spoken in (False, True):
                runs[spoken].append(score(model, cut.test, spoken))
        for spoken, scores in runs.items():
            latencies = statistics.quantiles([t for s in scores for t in s.latencies], n=20)
            rows.append(
                Row(
                    f"{label}, {'recogniser-style' if spoken else 'typed'} text",
                    {i: statistics.fmean(s.slot_f1(i) for s in scores) for i in cut.test},
                    statistics.fmean(s.accuracy for s in scores),
                    latency_p50=latencies[9],
                    latency_p95=latencies[18],
                )
            )
    return rows


COLUMNS = ("system", *INTENTS, "mean", "intent acc.")


def table_rows(rows: Sequence[Row]) -> list[tuple[str, ...]]:
    """Published rows first, then Confide's; F1 to three places as published."""
    lines = [(name, *(f"{v:.3f}" for v in values), "") for name, values in PUBLISHED.items()]
    for row in rows:
        f1 = [f"{row.slot_f1.get(intent, 0.0):.3f}" for intent in INTENTS]
        lines.append((f"Confide, {row.setting}", *f1, f"{row.mean:.3f}", f"{row.accuracy:.1%}"))
    return lines


def text_table(rows: Sequence[Row]) -> str:
    lines = [COLUMNS, *table_rows(rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    text = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    text.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in text)


def markdown_table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|" + "--:|" * (len(COLUMNS) - 1)]
    lines += ["| " + " | ".join(line) + " |" for line in table_rows(rows)]
    return "\n".join(lines)

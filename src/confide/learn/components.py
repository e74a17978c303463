"""The components a learn run retrains, each behind one seam: train a version folder from
dataset items, load a folder (or the shipped default) as a model that scores held-out items and
runs the component's fixed regression set.

- 'nlu': intents, slots and catalog links, warm-started from production, with the catalog
  entries reviewers added. An item's score is the mean of intent right (0 or 1), slot F1 and
  entity-link accuracy on the reviewed transcript; its regression set is Snips intent accuracy.
- 'asr': the recogniser's vocabulary (hotwords passed as hints, corrections of recurring
  errors) around the default recogniser. An item's score is 1 - its WER on the protected audio
  (floored at 0); its regression set is WER on real speech.

Each is a `confide.learn.run.Component`. The same loaders serve the runtime and the CLI, so
what the gate measured is what runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import util
from pathlib import Path

from confide.audio import Audio, read_audio
from confide.learn.asr import train_vocabulary
from confide.learn.dataset import DatasetItem
from confide.learn.nlu import load_nlu, query_from_labels, train_nlu
from confide.learn.scoring import link_counts, slot_counts, word_errors
from confide.recognize import Recognizer
from confide.recognize.vocabulary import AdaptedRecognizer, Vocabulary
from confide.understand.catalog import Entry, load_catalog
from confide.understand.data import Query
from confide.understand.default import default_model
from confide.understand.evaluation import snips_folder, split
from confide.understand.model import NluModel

VOCABULARY_FILE = "vocabulary.json"
"""An ASR version's folder holds its vocabulary under this name."""
SNIPS_PER_INTENT = 100
"""Held-out Snips queries per intent in the NLU regression set (700 in all: one point is 7)."""


def nlu_model(folder: Path | None, data_dir: Path | None) -> NluModel:
    """A promoted NLU version, or the shipped default with the data dir's catalog."""
    if folder is not None:
        return load_nlu(folder)
    return default_model(load_catalog(data_dir))


def adapted_recognizer(folder: Path, recognizer: Recognizer) -> Recognizer:
    """A promoted ASR version: its vocabulary around the default recogniser."""
    return AdaptedRecognizer(recognizer, Vocabulary.load(folder / VOCABULARY_FILE))


@dataclass
class NluComponent:
    added: Sequence[Entry]
    """The catalog entries reviewers added (`confide.review.catalog.added_entries`)."""
    data_dir: Path | None = None
    """Whose catalog the shipped default links against."""
    shipped: Sequence[Query] | None = None
    """What production was built from, replayed while refining (default: the shipped files)."""
    name: str = "nlu"

    def trainable(self, item: DatasetItem) -> bool:
        return item.intent is not None

    def train(self, items: Sequence[DatasetItem], base: Path | None, out: Path) -> None:
        examples = [
            query
            for item in items
            if item.intent is not None
            and (query := query_from_labels(item.text, item.intent, item.slots)) is not None
        ]
        train_nlu(examples, self.added, base, out, shipped=self.shipped)

    def load(self, folder: Path | None) -> NluScorer:
        return NluScorer(nlu_model(folder, self.data_dir))


@dataclass
class NluScorer:
    model: NluModel

    def score(self, item: DatasetItem) -> float:
        said = self.model.understand(item.text).to_json()
        intent = float(said["intent"] == item.intent)
        hits, extra, missed = slot_counts(item.slots, said["slots"])
        slots = 2 * hits / (2 * hits + extra + missed) if hits + extra + missed else 1.0
        right, linked = link_counts(item.slots, said["slots"])
        links = right / linked if linked else 1.0
        return (intent + slots + links) / 3

    def regression(self) -> dict[str, float | None]:
        queries = snips_regression_set()
        right = sum(self.model.understand(query.text).intent == query.intent for query in queries)
        return {"snips_intent_accuracy": right / len(queries)}


@cache
def snips_regression_set() -> tuple[Query, ...]:
    """The first `SNIPS_PER_INTENT` of each intent's held-out Snips queries: a fixed set."""
    test = split(snips_folder()).test
    return tuple(query for intent in sorted(test) for query in test[intent][:SNIPS_PER_INTENT])


@dataclass
class AsrComponent:
    recognizer: Callable[[], Recognizer]
    """The default recogniser, loaded on first use."""
    names: Sequence[str] = ()
    """Public names reviewers added to the catalog, to favour."""
    name: str = "asr"

    def trainable(self, item: DatasetItem) -> bool:
        return bool(item.text.strip())

    def train(self, items: Sequence[DatasetItem], base: Path | None, out: Path) -> None:
        pairs = [(str(item.hypothesis.get("text") or ""), item.text) for item in items]
        linked = [str(slot["value"]) for item in items for slot in item.slots if slot.get("link")]
        previous = Vocabulary.load(base / VOCABULARY_FILE) if base is not None else None
        out.mkdir(parents=True, exist_ok=True)
        train_vocabulary(pairs, [*linked, *self.names], previous).save(out / VOCABULARY_FILE)

    def load(self, folder: Path | None) -> AsrScorer:
        default = self.recognizer()
        return AsrScorer(adapted_recognizer(folder, default) if folder is not None else default)


@dataclass
class AsrScorer:
    recognizer: Recognizer

    def score(self, item: DatasetItem) -> float:
        edits, words = word_errors(item.text, self.recognizer.transcribe(item.audio).text)
        return max(0.0, 1.0 - edits / max(words, 1))

    def regression(self) -> dict[str, float | None]:
        clips = real_speech()
        if not clips:
            return {"real_speech_wer": None}
        edits = words = 0
        for audio, reference in clips:
            made, said = word_errors(reference, self.recognizer.transcribe(audio).text)
            edits, words = edits + made, words + said
        return {"real_speech_wer": edits / words}


REAL_SPEECH = (
    (
        "moonshine_cpp",
        "test-data/beckett.wav",
        "Ever tried. Ever failed. No matter. Try again. Fail again. Fail better.",
    ),
)
"""Recordings of real people speaking that installed packages ship, with their transcripts:
(package, file in it, what is said). Moonshine's test clip (10 s, the 'moonshine' extra)."""


def real_speech() -> list[tuple[Audio, str]]:
    """The real speech this installation has; nothing is fetched."""
    clips = []
    for package, name, transcript in REAL_SPEECH:
        spec = util.find_spec(package)
        if spec is None or spec.origin is None:
            continue
        path = Path(spec.origin).parent / name
        if path.exists():
            clips.append((read_audio(path), transcript))
    return clips

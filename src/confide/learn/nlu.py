"""The NLU trainer: production's model refined with reviewed examples, not rebuilt.

A full build fits the slot tagger's CRF on fifteen thousand queries, twice over (as written and
as a recogniser writes them), and the intent classifier on the same: a minute and a half of two
cores. Refining starts from production's weights instead:

- the intent classifier is refit on the shipped queries plus the reviewed ones (these counted
  `REVIEWED_WEIGHT` times), starting from production's weights, so it converges in few steps to
  what a full refit would reach;
- the slot tagger takes a few passes of the averaged passive-aggressive update (PA-I, a
  structured perceptron whose step is just large enough to score the reviewed labelling above
  the tagger's own, capped) over the reviewed queries mixed with a sample of the shipped ones,
  so that it learns the new without forgetting the old; averaging the weights over the passes
  keeps it close to where it started;
- catalog entries reviewers added join the catalog saved in the version's folder, so linking and
  the known-name features know them, and reviewed slot values join the known values.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from confide.understand.catalog import ADDED_FILE, Catalog, Entry, load_catalog
from confide.understand.data import Query, SlotSpan, read_all
from confide.understand.default import default_model, training_files
from confide.understand.gazetteer import Gazetteer
from confide.understand.intents import IntentClassifier
from confide.understand.model import (
    NluModel,
    catalog_names,
    fold_gazetteers,
    tagger_sequences,
    value_names,
)
from confide.understand.normalise import asr_text, tokens
from confide.understand.slots import OUTSIDE, SlotTagger, viterbi

REVIEWED_WEIGHT = 3.0
"""How many shipped queries one reviewed query counts as: it is real traffic, and rare."""
REPLAYED = 1500
"""Shipped queries replayed beside the reviewed ones while the tagger is refined."""
PASSES = 4
"""Passes over the reviewed and replayed queries."""
REVIEWED_REPEATS = 2
"""Times each reviewed query is met in a pass."""
MARGIN = 1.0
"""By how much the reviewed labelling must outscore each wrong label of a word: the update
looks for the best labelling with this added to every wrong label (cost-augmented decoding)."""
STEP_CAP = 1.0
"""PA-I's aggressiveness C: the largest step one query may take."""

Sequences = list[tuple[list[list[str]], list[str]]]


def query_from_labels(text: str, intent: str, slots: Sequence[Mapping[str, Any]]) -> Query | None:
    """A training query from a reviewed transcript, its intent, and its slots' names and values
    (in order); each value is found in the text as spoken words ("Beyoncé" in "play beyonce",
    "10" in "ten minutes"), after the previous slot where it can be. None when a value is not
    in the text, or two slots would overlap: a query labelled wrongly trains a worse model."""
    found = tokens(text)
    spans: list[SlotSpan] = []
    after = 0
    for slot in slots:
        name, value = str(slot.get("name") or ""), str(slot.get("value") or "")
        wanted = asr_text(value).split()
        if not name or not wanted:
            return None
        places = [
            (found[first].start, found[last].end)
            for first, last in _runs(found, wanted)
            if not any(s.start < found[last].end and found[first].start < s.end for s in spans)
        ]
        if not places:
            return None
        start, end = next((p for p in places if p[0] >= after), places[0])
        spans.append(SlotSpan(name, start, end))
        after = end
    return Query(text, intent, tuple(sorted(spans, key=lambda span: span.start)))


def train_nlu(
    examples: Sequence[Query],
    added: Sequence[Entry],
    base: Path | None,
    out: Path,
    *,
    shipped: Sequence[Query] | None = None,
) -> None:
    """Write a version folder to `out`: `base`'s model (a version folder; None for the shipped
    default) refined with `examples`, linking against the shipped catalog plus `added`.
    `shipped` is what `base` was built from (default: the shipped training files); a base
    trained on data since deleted must not be given, since its weights remember that data."""
    start = load_nlu(base) if base is not None else default_model()
    original = list(shipped) if shipped is not None else read_all(training_files())
    catalog = Catalog([*load_catalog(), *added])
    schema = {intent: set(names) for intent, names in start.schema.items()}
    values = {name: set(known) for name, known in start.values.items()}
    for query in examples:
        names = schema.setdefault(query.intent, set())
        for slot in query.slots:
            names.add(slot.name)
            if words := asr_text(query.value(slot)):
                values.setdefault(slot.name, set()).add(words)
    allowed = {intent: sorted(names) for intent, names in schema.items()}
    model = NluModel(
        _refit_intents(start, original, examples, catalog),
        _refine_tagger(start, original, examples, catalog, allowed),
        allowed,
        {name: sorted(known) for name, known in values.items()},
        catalog,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".nlu-", dir=out.parent))
    try:
        model.save(staging)
        (staging / ADDED_FILE).write_text(
            "".join(json.dumps(asdict(entry), ensure_ascii=False) + "\n" for entry in added),
            encoding="utf-8",
        )
        staging.replace(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_nlu(folder: Path) -> NluModel:
    """A version folder's model (or any saved model), linking against the shipped catalog plus
    the folder's entries; read only: nothing is ever added to a version."""
    catalog = Catalog(list(load_catalog(folder)))
    return NluModel.load(folder, catalog)


def _runs(found: Sequence[Any], wanted: list[str]) -> list[tuple[int, int]]:
    """(first, last) token indices of every run of tokens whose words are `wanted`."""
    runs = []
    for first in range(len(found)):
        words: list[str] = []
        for last in range(first, len(found)):
            words += found[last].words
            if words == wanted:
                runs.append((first, last))
            if len(words) >= len(wanted):
                break
    return runs


def _refit_intents(
    start: NluModel, original: Sequence[Query], examples: Sequence[Query], catalog: Catalog
) -> IntentClassifier:
    """The shipped queries see known names as a full build shows them (the catalog's and the
    other fold's values); the reviewed ones, the catalog with the entries reviewers added and
    the values `start` knew, as their names will be met from now on."""
    listed = Gazetteer([*catalog_names(catalog), *value_names(start.values)])
    gazetteers = [*fold_gazetteers(original, catalog), *[listed] * len(examples)]
    queries = [*original, *examples]
    spoken = [asr_text(query.text).split() for query in queries]
    return IntentClassifier.train(
        [
            (words, gazetteer.kinds(words), query.intent)
            for words, gazetteer, query in zip(spoken, gazetteers, queries, strict=True)
        ],
        weights=[1.0] * len(original) + [REVIEWED_WEIGHT] * len(examples),
        start=start.intents,
    )


def _refine_tagger(
    start: NluModel,
    original: Sequence[Query],
    examples: Sequence[Query],
    catalog: Catalog,
    allowed: dict[str, list[str]],
) -> SlotTagger:
    """`start`'s tagger after `PASSES` averaged PA-I passes. Each query's known-name features
    come from names other than its own, as in a full build: the replayed queries see the catalog
    and the other shipped values; the reviewed ones, the values `start` knew and the catalog
    twice over, with the entries reviewers added (as their names will be met from now on) and
    without (as they were first met, which teaches the wording around a name, not the name)."""
    known = catalog_names(catalog)
    seen = value_names(start.values)
    listed = Gazetteer([*known, *seen])
    unlisted = Gazetteer([*catalog_names(load_catalog()), *seen])
    rng = random.Random(0)  # noqa: S311 - a reproducible sample, not a secret
    replayed = rng.sample(list(original), min(REPLAYED, len(original)))
    chosen = {id(query) for query in replayed}
    others = Gazetteer(
        [
            *known,
            *(
                (slot.name, asr_text(query.value(slot)).split())
                for query in original
                if id(query) not in chosen
                for slot in query.slots
            ),
        ]
    )
    items: list[tuple[str, list[list[str]], list[str]]] = []
    for query in replayed:
        items += [(query.intent, f, labels) for f, labels in tagger_sequences(query, others)]
    for query in examples:
        for gazetteer in (listed, unlisted):
            for features, labels in tagger_sequences(query, gazetteer):
                items += [(query.intent, features, labels)] * REVIEWED_REPEATS
    return _Refiner(start.tagger, items, allowed).run(PASSES, rng)


class _Refiner:
    """Averaged PA-I over the rows of the emission weights that the queries use (dense, so an
    update is a few additions), written back into the tagger's sparse weights at the end."""

    def __init__(
        self,
        tagger: SlotTagger,
        items: list[tuple[str, list[list[str]], list[str]]],
        allowed: dict[str, list[str]],
    ) -> None:
        self.tagger = tagger
        labels = list(tagger.labels)
        for _, _, sequence in items:
            labels += [label for label in sequence if label not in labels]
        self.labels = labels
        index = {label: number for number, label in enumerate(labels)}
        self.rows: dict[str, int] = {}
        self.items = []
        for intent, features, sequence in items:
            flat = [self.rows.setdefault(a, len(self.rows)) for row in features for a in row]
            offsets = np.cumsum([0, *(len(row) for row in features[:-1])])
            barred = np.array(
                [label != OUTSIDE and label[2:] not in allowed.get(intent, ()) for label in labels]
            )
            gold = np.array([index[label] for label in sequence])
            barred[gold] = False  # a label it was given is never barred from it
            self.items.append((np.array(flat), offsets, barred, gold))
        known = [tagger.attributes.get(a, -1) for a in self.rows]
        self.weights = np.zeros((len(self.rows), len(labels)), dtype=np.float32)
        present = [number for number, row in enumerate(known) if row >= 0]
        base = tagger.emissions[[known[number] for number in present]].toarray()
        self.weights[present, : len(tagger.labels)] = base
        self.transitions = np.zeros((len(labels), len(labels)), dtype=np.float32)
        self.transitions[: len(tagger.labels), : len(tagger.labels)] = tagger.transitions

    def run(self, passes: int, rng: random.Random) -> SlotTagger:
        weights, transitions = self.weights, self.transitions
        summed_w = np.zeros_like(weights)
        summed_t = np.zeros_like(transitions)
        step = 1
        order = list(range(len(self.items)))
        for _ in range(passes):
            rng.shuffle(order)
            for number in order:
                flat, offsets, barred, gold = self.items[number]
                scores = np.add.reduceat(weights[flat], offsets, axis=0)
                scores[:, barred] = -np.inf
                costed = scores + MARGIN
                costed[np.arange(len(gold)), gold] -= MARGIN
                guess = np.array(viterbi(costed, transitions))
                wrong = guess != gold
                if wrong.any():
                    update = self._update(scores, transitions, flat, offsets, gold, guess, wrong)
                    rows, columns, amounts, pairs, changes, size = update
                    np.add.at(weights, (rows, columns), size * amounts)
                    np.add.at(summed_w, (rows, columns), step * size * amounts)
                    np.add.at(transitions, pairs, size * changes)
                    np.add.at(summed_t, pairs, step * size * changes)
                step += 1
        return self._tagger(weights - summed_w / step, transitions - summed_t / step)

    @staticmethod
    def _update(
        scores: np.ndarray,
        transitions: np.ndarray,
        flat: np.ndarray,
        offsets: np.ndarray,
        gold: np.ndarray,
        guess: np.ndarray,
        wrong: np.ndarray,
    ) -> tuple[Any, ...]:
        """The feature difference of the gold and guessed labellings, and PA-I's step size."""
        ends = [*offsets[1:], len(flat)]
        rows, columns, amounts = [], [], []
        for position in np.flatnonzero(wrong):
            attributes = flat[offsets[position] : ends[position]]
            rows += [attributes, attributes]
            columns += [np.full(len(attributes), gold[position])]
            columns += [np.full(len(attributes), guess[position])]
            amounts += [np.ones(len(attributes)), -np.ones(len(attributes))]
        row, column = np.concatenate(rows), np.concatenate(columns)
        amount = np.concatenate(amounts).astype(np.float32)
        pairs = (np.concatenate([gold[:-1], guess[:-1]]), np.concatenate([gold[1:], guess[1:]]))
        changes = np.concatenate([np.ones(len(gold) - 1), -np.ones(len(gold) - 1)])
        changes = changes.astype(np.float32)
        positions = np.arange(len(gold))
        margin = float(
            scores[positions, guess].sum()
            - scores[positions, gold].sum()
            + transitions[guess[:-1], guess[1:]].sum()
            - transitions[gold[:-1], gold[1:]].sum()
        )
        norm = _squared_norm(row * len(scores[0]) + column, amount) + _squared_norm(
            pairs[0] * len(scores[0]) + pairs[1], changes
        )
        size = min(STEP_CAP, (margin + MARGIN * float(wrong.sum())) / norm) if norm else 0.0
        return row, column, amount, pairs, changes, size

    def _tagger(self, weights: np.ndarray, transitions: np.ndarray) -> SlotTagger:
        """The refined rows written over the tagger's own; new attributes appended."""
        old = self.tagger.emissions.tocoo()
        attributes = dict(self.tagger.attributes)
        for attribute in self.rows:
            attributes.setdefault(attribute, len(attributes))
        targets = np.array([attributes[a] for a in self.rows])
        untouched = ~np.isin(old.row, targets)
        refined_rows, refined_columns = np.nonzero(weights)
        emissions = csr_matrix(
            (
                np.concatenate([old.data[untouched], weights[refined_rows, refined_columns]]),
                (
                    np.concatenate([old.row[untouched], targets[refined_rows]]),
                    np.concatenate([old.col[untouched], refined_columns]),
                ),
            ),
            shape=(len(attributes), len(self.labels)),
            dtype=np.float32,
        )
        return SlotTagger(self.labels, attributes, emissions, transitions)


def _squared_norm(keys: np.ndarray, amounts: np.ndarray) -> float:
    """Squared length of a sparse vector given as (key, amount) entries, keys repeating."""
    _, inverse = np.unique(keys, return_inverse=True)
    return float((np.bincount(inverse, weights=amounts) ** 2).sum())

"""One model from text to intent and slots: train it, save it, load it, run it.

The intent classifier reads the query first; the slot tagger then reads it knowing that intent
(one tagger serves every intent and shares what they have in common, "artist" or "timeRange"),
and may only use that intent's slots, so the slots always belong to the intent. Both read the
text as a recogniser writes it (see `normalise`); typed text keeps one advantage, its capitals
(see `features.shape`), and the tagger learns every query both with and without them, so that
one model serves keyboards and recognisers alike. Last, the catalog puts right the names the
tagger missed or mistook, and those the recogniser misheard (see `spotting`).

(Tried and dropped, on a development split: tagging first and giving the classifier the slot
names found, which was worse than words alone with slots as noisy as they are from 70 queries.)
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from confide.errors import BadModel, BadTrainingData, UnknownChoice
from confide.understand.catalog import SLOT_KINDS, Catalog, Link, load_catalog
from confide.understand.data import Query
from confide.understand.features import shape, word_features
from confide.understand.gazetteer import Gazetteer
from confide.understand.intents import IntentClassifier
from confide.understand.normalise import Token, asr_query, tokens
from confide.understand.resolve import resolve
from confide.understand.slots import OUTSIDE, SlotTagger
from confide.understand.spotting import (
    ARTICLES,
    CATALOG_PREFIX,
    fill_known_names,
    fill_near_names,
)

FORMAT = 1
"""Version of the saved layout; a model saved by a newer Confide is refused, not misread."""
FOLDS = 2
"""Training queries are split this many ways; each part's known-name features come from the
names in the other parts, so the tagger learns how far a match from unseen data can be trusted."""


@dataclass(frozen=True)
class Slot:
    """One filled slot."""

    name: str
    """The slot's name, e.g. "artist"."""
    value: str
    """Its text, exactly `text[start:end]` of the input."""
    start: int
    """Offset of its first character in the input."""
    end: int
    """Offset just past its last character."""
    normalized: int | str | None = None
    """The value as data: 6 for "six", "PT25M" for "twenty five minutes", an ISO date for
    "tomorrow"; None when it is just a name."""
    link: Link | None = None
    """The catalog entry it names, for slots of a catalog kind; None if none is close."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "value": self.value,
            "start": self.start,
            "end": self.end,
        }
        if self.normalized is not None:
            data["normalized"] = self.normalized
        if self.link is not None:
            data["link"] = {"id": self.link.id, "score": self.link.score}
        return data


@dataclass(frozen=True)
class Understanding:
    """What one text asks for."""

    text: str
    """The input, as given."""
    intent: str | None
    """The intent, or None when there are no words to understand."""
    confidence: float
    """The classifier's probability for that intent, 0 to 1."""
    slots: tuple[Slot, ...] = field(default_factory=tuple)
    """The intent's slots found in the text, in order."""

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "slots": [slot.to_json() for slot in self.slots],
        }


@dataclass(frozen=True)
class _Encoded:
    """A text as the tagger reads it."""

    tokens: list[Token]
    """The input's tokens, with their offsets."""
    words: list[str]
    """Every token's spoken words, in order."""
    shapes: list[str]
    """How each word's token was written (see `features.shape`)."""


def _encode(text: str) -> _Encoded:
    """Words and shapes; capitals only count as such in text that has some."""
    found = tokens(text)
    cased = any(char.isupper() for char in text)
    words: list[str] = []
    shapes: list[str] = []
    for token in found:
        written = shape(text[token.start : token.end], cased)
        words += token.words
        shapes += [written] * len(token.words)
    return _Encoded(found, words, shapes)


def _labels(query: Query, encoded: _Encoded) -> list[str]:
    """Begin/inside/outside labels per word, from the query's slot spans."""
    labels = []
    for token in encoded.tokens:
        slot = next((s for s in query.slots if s.start <= token.start < s.end), None)
        for number in range(len(token.words)):
            if slot is None:
                labels.append(OUTSIDE)
            else:
                first = number == 0 and not any(
                    slot.start <= other.start < token.start for other in encoded.tokens
                )
                labels.append(("B-" if first else "I-") + slot.name)
    return labels


def _token_boundaries(encoded: _Encoded) -> tuple[set[int], set[int]]:
    """The positions of the words that begin a token and of those that end one."""
    firsts, lasts, position = set(), set(), 0
    for token in encoded.tokens:
        firsts.add(position)
        position += len(token.words)
        lasts.add(position - 1)
    return firsts, lasts


def _spans(encoded: _Encoded, labels: Sequence[str]) -> list[tuple[str, int, int]]:
    """(slot name, start, end) in the input; a token takes its first word's label."""
    spans: list[list[Any]] = []
    position = 0
    for token in encoded.tokens:
        label, first = labels[position], position
        position += len(token.words)
        if label == OUTSIDE:
            continue
        name = label[2:]
        previous = spans[-1] if spans else None
        if label.startswith("I-") and previous and previous[0] == name and previous[3] == first:
            previous[2], previous[3] = token.end, position
        else:
            spans.append([name, token.start, token.end, position])
    return [(name, start, end) for name, start, end, _ in spans]


def tagger_sequences(query: Query, gazetteer: Gazetteer) -> list[tuple[list[list[str]], list[str]]]:
    """What the tagger learns from one query, (per-word attributes, per-word labels), once as
    written and once as a recogniser writes it; `gazetteer` holds the names it may know."""
    sequences = []
    for form in (query, asr_query(query)):
        encoded = _encode(form.text)
        features = word_features(encoded.words, encoded.shapes, form.intent, gazetteer)
        sequences.append((features, _labels(form, encoded)))
    return sequences


def catalog_names(catalog: Catalog) -> list[tuple[str, list[str]]]:
    """(gazetteer kind, spoken words) for every catalog name and alias, with and without a
    leading article, since people say both ("play the hollow tigers", "my hollow tigers
    playlist")."""
    names = []
    for entry in catalog:
        for name in (entry.name, *entry.aliases):
            words = [w for token in tokens(name) for w in token.words]
            names.append((f"{CATALOG_PREFIX}{entry.kind}", words))
            if len(words) > 1 and words[0] in ARTICLES:
                names.append((f"{CATALOG_PREFIX}{entry.kind}", words[1:]))
    return names


def fold_gazetteers(queries: Sequence[Query], catalog: Catalog) -> list[Gazetteer]:
    """Each query's known names, as a model learns from: the catalog's and the slot values of
    the queries in the other `FOLDS` - 1 parts (a seeded split), never its own, so that what a
    match is worth is learned as it will be met, on names seen elsewhere."""
    order = list(range(len(queries)))
    random.Random(0).shuffle(order)  # noqa: S311 - reproducible folds, not a secret
    fold = {index: rank % FOLDS for rank, index in enumerate(order)}
    catalogued = catalog_names(catalog)
    parts = []
    for part in range(FOLDS):
        known = list(catalogued)
        for index, query in enumerate(queries):
            if fold[index] != part:
                known += [
                    (s.name, [w for t in tokens(query.value(s)) for w in t.words])
                    for s in query.slots
                ]
        parts.append(Gazetteer(known))
    return [parts[fold[index]] for index in range(len(queries))]


def value_names(values: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """(slot name, spoken words) for every slot value seen in training."""
    return [(name, value.split()) for name, known in values.items() for value in known]


class NluModel:
    """Intent classifier, slot tagger, each intent's slots, and the slot values seen."""

    def __init__(
        self,
        intents: IntentClassifier,
        tagger: SlotTagger,
        schema: dict[str, list[str]],
        values: dict[str, list[str]],
        catalog: Catalog,
    ) -> None:
        self.intents = intents
        self.tagger = tagger
        self.schema = schema
        """Intent -> the slot names it was trained with."""
        self.values = values
        """Slot name -> every value seen in training, as spoken words."""
        self.catalog = catalog
        self._gazetteer = Gazetteer([*value_names(values), *catalog_names(catalog)])

    @classmethod
    def train(cls, queries: Sequence[Query], catalog: Catalog | None = None) -> NluModel:
        """Fit on labelled queries (at least two intents)."""
        from joblib.externals.loky import ProcessPoolExecutor

        catalog = catalog or load_catalog()
        if len({query.intent for query in queries}) < 2:
            raise BadTrainingData("training needs queries of at least two intents")
        schema: dict[str, set[str]] = {}
        values: dict[str, set[str]] = {}
        encoded = [_encode(query.text) for query in queries]
        for query in queries:
            names = schema.setdefault(query.intent, set())
            for slot in query.slots:
                names.add(slot.name)
                words = " ".join(w for t in tokens(query.value(slot)) for w in t.words)
                if words:
                    values.setdefault(slot.name, set()).add(words)
        gazetteers = fold_gazetteers(queries, catalog)
        examples = [
            (encoding.words, gazetteer.kinds(encoding.words), query.intent)
            for query, encoding, gazetteer in zip(queries, encoded, gazetteers, strict=True)
        ]
        # The two fits share nothing: the classifier fits in a second process meanwhile (loky's,
        # which needs no `if __name__ == "__main__"` guard in the caller's script).
        with ProcessPoolExecutor(1) as helper:
            fitting = helper.submit(IntentClassifier.train, examples)
            sequences = [
                sequence
                for query, gazetteer in zip(queries, gazetteers, strict=True)
                for sequence in tagger_sequences(query, gazetteer)
            ]
            tagger = SlotTagger.train(sequences)
            intents = fitting.result()
        return cls(
            intents,
            tagger,
            {intent: sorted(names) for intent, names in schema.items()},
            {name: sorted(known) for name, known in values.items()},
            catalog,
        )

    def understand(
        self, text: str, today: date | None = None, intent: str | None = None
    ) -> Understanding:
        """Intent and slots of one text; `today` anchors relative dates (default: today).

        `intent` forces the intent, when it is known from elsewhere (the reviewer's label, a
        command's option): the slots are then tagged for it, and the confidence is the
        classifier's probability for it. An intent the model was not trained on is refused.
        """
        encoded = _encode(text)
        if intent is not None and intent not in self.schema:
            known = ", ".join(sorted(self.schema))
            raise UnknownChoice(f"unknown intent {intent!r}; the model knows {known}")
        if not encoded.words:
            return Understanding(text, None, 0.0)
        names = self._gazetteer.kinds(encoded.words)
        if intent is None:
            intent, confidence = self.intents.predict(encoded.words, names)
        else:
            probabilities = self.intents.probabilities(encoded.words, names)
            confidence = float(probabilities[self.intents.intents.index(intent)])
        attributes = word_features(encoded.words, encoded.shapes, intent, self._gazetteer)
        allowed = self.schema.get(intent, ())
        boundaries = _token_boundaries(encoded)
        labels = fill_known_names(
            encoded.words,
            self.tagger.tag(attributes, allowed=allowed),
            self._gazetteer.matches(encoded.words),
            allowed,
            boundaries,
        )
        labels = fill_near_names(encoded.words, labels, allowed, self.catalog, boundaries)
        slots = []
        for name, start, end in _spans(encoded, labels):
            value = text[start:end]
            kind = SLOT_KINDS.get(name)
            slots.append(
                Slot(
                    name,
                    value,
                    start,
                    end,
                    normalized=resolve(name, value, today or date.today()),
                    link=self.catalog.link(kind, value) if kind else None,
                )
            )
        return Understanding(text, intent, confidence, tuple(slots))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.intents.save(folder)
        self.tagger.save(folder)
        (folder / "model.json").write_text(
            json.dumps({"format": FORMAT, "schema": self.schema, "values": self.values})
        )

    @classmethod
    def load(cls, folder: Path, catalog: Catalog | None = None) -> NluModel:
        """A saved model; `catalog` (default: the shipped one) is what slots are linked to."""
        try:
            meta = json.loads((folder / "model.json").read_text())
            if meta.get("format") != FORMAT:
                raise BadModel(f"{folder}: model format {meta.get('format')}, expected {FORMAT}")
            intents = IntentClassifier.load(folder)
            tagger = SlotTagger.load(folder)
        except (OSError, ValueError, KeyError) as exc:
            raise BadModel(f"{folder}: not a Confide NLU model ({exc})") from exc
        return cls(intents, tagger, meta["schema"], meta["values"], catalog or load_catalog())

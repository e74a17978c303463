"""Training queries in the Snips benchmark's JSON format, read strictly.

The format: `{"<Intent>": [{"data": [{"text": "play "}, {"text": "jazz", "entity": "genre"}]}]}`:
each query is a list of chunks whose texts join into the query, and a chunk with an `entity` is a
slot. The public files come in UTF-8 and Latin-1, so both are read; anything malformed is refused
with the file and the place, since a silently skipped query trains a silently worse model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confide.errors import BadTrainingData


@dataclass(frozen=True)
class SlotSpan:
    """One slot of a query: which slot, and where its value lies in the text."""

    name: str
    """The slot's name, e.g. "artist"."""
    start: int
    """Offset of the value's first character in the query text."""
    end: int
    """Offset just past the value's last character."""


@dataclass(frozen=True)
class Query:
    """One labelled training or test query."""

    text: str
    """The query as written."""
    intent: str
    """The intent it expresses, e.g. "PlayMusic"."""
    slots: tuple[SlotSpan, ...]
    """Its slots, in text order."""

    def value(self, slot: SlotSpan) -> str:
        return self.text[slot.start : slot.end]


def read_snips(path: Path) -> list[Query]:
    """Every query in one Snips-benchmark file, UTF-8 or Latin-1."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadTrainingData(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadTrainingData(
            f"{name}: not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    if not isinstance(document, dict) or not document:
        raise BadTrainingData(f'{name}: expected an object {{"<Intent>": [queries]}}')
    queries = []
    for intent, items in document.items():
        if not isinstance(items, list):
            raise BadTrainingData(f"{name}: {intent}: expected a list of queries")
        for number, item in enumerate(items, 1):
            queries.append(_query(item, intent, f"{name}: {intent} query {number}"))
    return queries


def read_all(paths: Iterable[Path]) -> list[Query]:
    """The queries of several files, in order; at least one query in all."""
    queries = [query for path in paths for query in read_snips(path)]
    if not queries:
        raise BadTrainingData("no training queries given")
    return queries


def _query(item: Any, intent: str, place: str) -> Query:
    chunks = item.get("data") if isinstance(item, dict) else None
    if not isinstance(chunks, list) or not chunks:
        raise BadTrainingData(f'{place}: expected {{"data": [chunks]}}')
    text, slots = "", []
    for chunk in chunks:
        if not isinstance(chunk, dict) or not isinstance(chunk.get("text"), str):
            kind = "slot" if isinstance(chunk, dict) and "entity" in chunk else "chunk"
            raise BadTrainingData(f"{place}: {kind} text is not a string")
        value: str = chunk["text"]
        if "entity" in chunk:
            entity = chunk["entity"]
            if not isinstance(entity, str) or not entity.strip():
                raise BadTrainingData(f"{place}: slot name is not a non-empty string")
            stripped = value.strip()
            if not stripped:
                raise BadTrainingData(f"{place}: slot {entity} has an empty value")
            start = len(text) + value.index(stripped)
            slots.append(SlotSpan(entity, start, start + len(stripped)))
        text += value
    if not text.strip():
        raise BadTrainingData(f"{place}: empty query")
    return Query(text, intent, tuple(slots))

"""The benchmark's protocol: held-out queries stay out of training, and F1 counts exact matches."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from confide.understand import evaluation
from confide.understand.data import Query, SlotSpan
from confide.understand.evaluation import INTENTS, Row, Scores, score, split, text_table
from confide.understand.model import Slot, Understanding
from confide.understand.normalise import asr_text

WORDS = ["red", "blue", "green", "gold", "grey", "pink", "teal", "jade", "rust", "sand"]


def write_benchmark(folder: Path, queries: int = 12) -> None:
    """Seven intents of made-up queries, each with one slot, some repeated across files."""
    for number, intent in enumerate(INTENTS):
        verb = f"verb{number}"
        made = [
            {
                "data": [
                    {"text": f"{verb} the "},
                    {"text": f"{WORDS[i % 10]} {i}", "entity": "thing"},
                ]
            }
            for i in range(queries)
        ]
        (folder / f"train_{intent}_full.json").write_text(json.dumps({intent: made}))
        (folder / f"train_{intent}.json").write_text(json.dumps({intent: made[::-1]}))


def test_no_test_query_is_trained_on(tmp_path: Path) -> None:
    write_benchmark(tmp_path, queries=40)
    cut = split(tmp_path)
    for intent in INTENTS:
        assert len(cut.test[intent]) == 8
        held = {asr_text(q.text) for q in cut.test[intent]}
        assert not held & {asr_text(q.text) for q in cut.full[intent]}
        assert not held & {asr_text(q.text) for q in cut.pool[intent]}
        assert len(cut.full[intent]) == len(cut.pool[intent]) == 32
    assert split(tmp_path).test == cut.test
    first, second = cut.small(0, 5), cut.small(1, 5)
    assert len(first) == 35 and first != second and cut.small(0, 5) == first


class Canned:
    """A stand-in model that answers from a table."""

    def __init__(self, answers: dict[str, Understanding]) -> None:
        self.answers = answers

    def understand(self, text: str, today: date | None = None) -> Understanding:
        return self.answers[text]


def test_slot_f1_counts_exact_name_and_value_matches() -> None:
    text = "play Adele and Sade on Deezer"
    query = Query(
        text,
        "PlayMusic",
        (SlotSpan("artist", 5, 10), SlotSpan("artist", 15, 19), SlotSpan("service", 23, 29)),
    )
    predicted = (
        Slot("artist", "Adele", 5, 10),
        Slot("artist", "Sade on", 15, 22),
        Slot("service", "Deezer", 23, 29),
        Slot("object_name", "Deezer", 23, 29),
    )
    model = Canned({text: Understanding(text, "PlayMusic", 0.9, predicted)})
    result = score(model, {"PlayMusic": [query]})  # type: ignore[arg-type]
    assert result.accuracy == 1.0
    assert result.slots["PlayMusic"]["artist"].f1 == pytest.approx(0.5)
    assert result.slots["PlayMusic"]["service"].f1 == 1.0
    assert "object_name" not in result.slots["PlayMusic"]
    assert result.slot_f1("PlayMusic") == pytest.approx(0.75)
    assert Scores().slot_f1("PlayMusic") == 0.0 and Scores().accuracy == 0.0


def test_evaluate_and_table(tmp_path: Path) -> None:
    write_benchmark(tmp_path, queries=20)
    rows = evaluation.evaluate(tmp_path, draws=(0,), size=6, full=True)
    assert [row.setting for row in rows] == [
        "6 queries/intent, typed text",
        "6 queries/intent, recogniser-style text",
        "full training data, typed text",
        "full training data, recogniser-style text",
    ]
    assert all(row.accuracy > 0.9 and row.mean > 0.5 for row in rows)
    assert all(0 < row.latency_p50 <= row.latency_p95 < 0.1 for row in rows)
    table = text_table(rows)
    assert "Snips NLU" in table and "Confide, full training data, typed text" in table
    markdown = evaluation.markdown_table([Row("x", dict.fromkeys(INTENTS, 0.5), 1.0, 0.001, 0.002)])
    assert markdown.splitlines()[-1].endswith("| 0.500 | 100.0% |")

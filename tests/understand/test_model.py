"""The model end to end: intents, exact slot spans, values, links, saving and loading."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from confide.errors import BadModel, BadTrainingData, UnknownChoice
from confide.understand.catalog import Entry, load_catalog
from confide.understand.data import Query, SlotSpan
from confide.understand.model import NluModel

MONDAY = date(2026, 11, 23)

CASES = [
    (
        "play the last track from beyonce off spotify",
        "PlayMusic",
        [("sort", "last"), ("music_item", "track"), ("artist", "beyonce"), ("service", "spotify")],
    ),
    ("Play something by Adele.", "PlayMusic", [("artist", "Adele")]),
    ("delete what i just said", "DeleteLastUtterance", []),
    ("Delete everything I said today", "DeleteToday", []),
    ("what did you hear", "WhatDidYouHear", []),
    ("stop", "Stop", []),
    ("turn the volume down", "Volume", [("direction", "down")]),
    ("set a timer for 25 minutes", "SetTimer", [("duration", "25 minutes")]),
    (
        "set a pasta timer for ten minutes",
        "SetTimer",
        [("timer_name", "pasta"), ("duration", "ten minutes")],
    ),
    ("add milk to the shopping list", "AddToList", [("item", "milk"), ("list_name", "shopping")]),
    (
        "what's the weather in paris tomorrow",
        "GetWeather",
        [("city", "paris"), ("timeRange", "tomorrow")],
    ),
]


@pytest.mark.parametrize(("text", "intent", "slots"), CASES)
def test_understands_the_domain(
    model: NluModel, text: str, intent: str, slots: list[tuple[str, str]]
) -> None:
    understood = model.understand(text, MONDAY)
    assert understood.intent == intent
    assert 0.0 < understood.confidence <= 1.0
    assert [(s.name, s.value) for s in understood.slots] == slots
    for slot in understood.slots:
        assert text[slot.start : slot.end] == slot.value
        assert slot.name in model.schema[intent]


@pytest.mark.parametrize(
    ("text", "slot", "normalized", "link"),
    [
        ("set a timer for twenty five minutes", "duration", "PT25M", None),
        ("what's the weather like the day after tomorrow", "timeRange", "2026-11-25", None),
        ("play something by beyonse", "artist", None, "artist:beyonce"),
        ("what's the weather in san fransisco", "city", None, "city:san-francisco"),
    ],
)
def test_values_and_links(
    model: NluModel, text: str, slot: str, normalized: str | None, link: str | None
) -> None:
    [found] = [s for s in model.understand(text, MONDAY).slots if s.name == slot]
    assert found.normalized == normalized
    assert (found.link.id if found.link else None) == link


@pytest.mark.parametrize(
    "text",
    [
        "play the latest song the hollow tigers",  # a phrasing the tagger was not taught
        "turn on my hollow tigers playlist",
        "time to hear me some hollow tiger's",  # as a recogniser may write it
        "time to hear me some hollow tygers",
    ],
)
def test_a_name_reviewers_added_is_found_and_linked(model: NluModel, text: str) -> None:
    catalog = load_catalog()
    catalog.add(Entry("artist:the-hollow-tigers", "artist", "The Hollow Tigers"))
    knowing = NluModel(model.intents, model.tagger, model.schema, model.values, catalog)
    understood = knowing.understand(text, MONDAY, intent="PlayMusic")
    links = [s.link.id for s in understood.slots if s.name == "artist" and s.link]
    assert links == ["artist:the-hollow-tigers"]


@pytest.mark.parametrize("text", ["", "   ", "?!", "..."])
def test_nothing_to_understand(model: NluModel, text: str) -> None:
    understood = model.understand(text)
    assert (understood.intent, understood.slots) == (None, ())
    assert understood.to_json() == {"text": text, "intent": None, "confidence": 0.0, "slots": []}


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # Each is classified otherwise unforced; forced, the tagger reads the intent's slots.
        ("add adele", "PlayMusic", [("artist", "adele")]),
        ("play milk", "AddToList", [("item", "milk")]),
    ],
)
def test_a_forced_intent_is_kept_and_its_slots_tagged(
    model: NluModel, text: str, intent: str, slots: list[tuple[str, str]]
) -> None:
    assert model.understand(text, MONDAY).intent != intent
    understood = model.understand(text, MONDAY, intent=intent)
    assert understood.intent == intent
    assert 0.0 <= understood.confidence <= 1.0
    assert [(s.name, s.value) for s in understood.slots] == slots
    assert all(slot.name in model.schema[intent] for slot in understood.slots)


def test_forcing_the_predicted_intent_changes_nothing(model: NluModel) -> None:
    for text, intent, _ in CASES:
        assert model.understand(text, MONDAY, intent=intent) == model.understand(text, MONDAY)


def test_an_unknown_forced_intent_is_refused(model: NluModel) -> None:
    with pytest.raises(UnknownChoice, match="PlayMusic"):
        model.understand("play something by adele", intent="OrderPizza")


def test_saved_model_gives_the_same_answers(model: NluModel, tmp_path: Path) -> None:
    model.save(tmp_path / "m")
    loaded = NluModel.load(tmp_path / "m")
    for text, _, _ in CASES:
        assert loaded.understand(text, MONDAY) == model.understand(text, MONDAY)


def test_json_shape(model: NluModel) -> None:
    data = model.understand("play something by beyonce", MONDAY).to_json()
    assert set(data) == {"text", "intent", "confidence", "slots"}
    [slot] = data["slots"]
    assert slot == {
        "name": "artist",
        "value": "beyonce",
        "start": 18,
        "end": 25,
        "link": {"id": "artist:beyonce", "score": 1.0},
    }


def test_training_needs_two_intents() -> None:
    query = Query("play jazz", "PlayMusic", (SlotSpan("genre", 5, 9),))
    with pytest.raises(BadTrainingData, match="at least two intents"):
        NluModel.train([query, query])


def test_training_from_a_script_without_a_main_guard(tmp_path: Path) -> None:
    """The intent classifier fits in a second process; a script that trains at its top level,
    with no `if __name__ == "__main__"`, must not be run again by that process."""
    script = tmp_path / "train.py"
    script.write_text(
        "print('script ran')\n"
        "from confide.understand.data import Query\n"
        "from confide.understand.model import NluModel\n"
        "queries = [Query('play jazz', 'PlayMusic', ()), Query('stop', 'Stop', ())] * 3\n"
        "print(NluModel.train(queries).understand('stop').intent)\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["script", "ran", "Stop"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "not a Confide NLU model"),
        ({"model.json": "{oops"}, "not a Confide NLU model"),
        ({"model.json": '{"format": 99}'}, "model format 99, expected 1"),
        ({"model.json": '{"format": 1, "schema": {}, "values": {}}'}, "not a Confide NLU model"),
    ],
)
def test_bad_model_folders(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    with pytest.raises(BadModel, match=message):
        NluModel.load(tmp_path)

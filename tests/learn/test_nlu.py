"""The NLU trainer: reviewed labels become queries, and a refined model learns from a handful."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from confide.learn.nlu import load_nlu, query_from_labels, train_nlu
from confide.understand.catalog import ADDED_FILE, Entry
from confide.understand.data import Query, SlotSpan, read_all
from confide.understand.default import training_files
from confide.understand.evaluation import snips_folder, split
from confide.understand.model import NluModel


@pytest.mark.parametrize(
    ("text", "slots", "spans"),
    [
        ("play something by Beyoncé", [("artist", "beyonce")], [("artist", "Beyoncé")]),
        ("set a timer for 10 minutes", [("duration", "ten minutes")], [("duration", "10 minutes")]),
        ("play AC/DC loud", [("artist", "ac dc")], [("artist", "AC/DC")]),
        (
            "add queen to my queen playlist",
            [("artist", "queen"), ("playlist", "queen")],
            [("artist", "queen"), ("playlist", "queen")],
        ),
        (
            "add queen to my queen playlist",
            [("playlist", "queen"), ("artist", "Queen")],
            [("playlist", "queen"), ("artist", "queen")],
        ),
        (
            "weather in paris, texas",
            [("city", "Paris"), ("state", "TEXAS")],
            [("city", "paris"), ("state", "texas")],
        ),
        ("play Sade", [("artist", "Sade")], [("artist", "Sade")]),
        ("play jazzy tunes", [("genre", "jazz")], None),
        ("play something", [("artist", "mitski")], None),
        ("play something", [("artist", "")], None),
        ("play queen", [("artist", "queen"), ("playlist", "queen")], None),
        ("stop", [], []),
    ],
)
def test_query_from_labels(
    text: str, slots: list[tuple[str, str]], spans: list[tuple[str, str]] | None
) -> None:
    query = query_from_labels(text, "Intent", [{"name": n, "value": v} for n, v in slots])
    if spans is None:
        assert query is None
        return
    assert query is not None
    assert query.intent == "Intent"
    assert [(slot.name, query.value(slot)) for slot in query.slots] == spans
    starts = [slot.start for slot in query.slots]
    assert starts == sorted(starts)


def test_query_from_labels_takes_the_place_after_the_previous_slot() -> None:
    query = query_from_labels(
        "queen songs on my queen playlist",
        "AddToPlaylist",
        [
            {"name": "artist", "value": "queen", "link": "artist:queen"},
            {"name": "playlist", "value": "queen"},
        ],
    )
    assert query == Query(
        "queen songs on my queen playlist",
        "AddToPlaylist",
        (SlotSpan("artist", 0, 5), SlotSpan("playlist", 18, 23)),
    )


# Reviewers heard a new way of asking for music ("crank up ...") with artists the catalog did not
# know, and added those artists; other artists were added without any reviewed request.
REVIEWED = [
    ("crank up some khruangbin", "khruangbin"),
    ("crank up khruangbin in the kitchen", "khruangbin"),
    ("crank up phoebe bridgers", "phoebe bridgers"),
    ("crank up some phoebe bridgers please", "phoebe bridgers"),
    ("could you crank up glass animals", "glass animals"),
    ("crank up the glass animals record", "glass animals"),
]
ADDED = [
    Entry("artist:khruangbin", "artist", "Khruangbin"),
    Entry("artist:phoebe-bridgers", "artist", "Phoebe Bridgers"),
    Entry("artist:glass-animals", "artist", "Glass Animals"),
    Entry("artist:sufjan-stevens", "artist", "Sufjan Stevens"),
    Entry("artist:tame-impala", "artist", "Tame Impala"),
    Entry("artist:arlo-parks", "artist", "Arlo Parks"),
]
ADDED_NAMES = [
    ("crank up some sufjan stevens", "artist:sufjan-stevens"),
    ("crank up tame impala", "artist:tame-impala"),
    ("could you crank up arlo parks in the bedroom", "artist:arlo-parks"),
    ("crank up some tame impala please", "artist:tame-impala"),
    ("play something by khruangbin", "artist:khruangbin"),
    ("i want to hear phoebe bridgers", "artist:phoebe-bridgers"),
]
"""Held-out requests for the added artists: linked once the catalog knows them."""
NEW_WORDING = [
    ("crank up some wallace fenwick", "wallace fenwick"),
    ("crank up the oyster mob", "oyster mob"),
    ("could you crank up dana lorimer", "dana lorimer"),
    ("crank up some velvet goldmine please", "velvet goldmine"),
    ("crank up bright harbor in the kitchen", "bright harbor"),
    ("crank up some lenny marsh", "lenny marsh"),
]
"""Held-out requests in the reviewed wording for artists no one has heard of: only the wording
says that they are artists."""
SNIPS_HELD_OUT = 40
"""Held-out Snips queries per intent on which intent accuracy must hold."""


@pytest.fixture(scope="module")
def shipped() -> list[Query]:
    """What the base model is built from: Confide's domain and 30 Snips queries per intent (the
    real default takes ten minutes to build; this, about a minute)."""
    domain = [path for path in training_files() if path.parent.name == "confide"]
    return [*read_all(domain), *split(snips_folder()).small(0, 30)]


@pytest.fixture(scope="module")
def base(shipped: list[Query], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    NluModel.train(shipped).save(folder)
    return folder


def link_accuracy(model: NluModel, cases: Sequence[tuple[str, str]]) -> float:
    right = 0
    for text, entry in cases:
        understood = model.understand(text)
        links = [slot.link.id for slot in understood.slots if slot.link and slot.name == "artist"]
        right += understood.intent == "PlayMusic" and links == [entry]
    return right / len(cases)


def artist_accuracy(model: NluModel, cases: Sequence[tuple[str, str]]) -> float:
    right = 0
    for text, artist in cases:
        understood = model.understand(text)
        slots = [(slot.name, slot.value) for slot in understood.slots]
        right += understood.intent == "PlayMusic" and ("artist", artist) in slots
    return right / len(cases)


def snips_accuracy(model: NluModel) -> float:
    test = split(snips_folder()).test
    queries = [query for intent in sorted(test) for query in test[intent][:SNIPS_HELD_OUT]]
    return sum(model.understand(q.text).intent == q.intent for q in queries) / len(queries)


def reviewed_queries() -> list[Query]:
    queries = [
        query_from_labels(text, "PlayMusic", [{"name": "artist", "value": value}])
        for text, value in REVIEWED
    ]
    assert all(query is not None for query in queries)
    return [query for query in queries if query is not None]


def test_a_refined_model_learns_new_phrasing_and_names_and_keeps_the_rest(
    base: Path, shipped: list[Query], tmp_path: Path
) -> None:
    catalog_only, refined = tmp_path / "catalog-only", tmp_path / "refined"
    train_nlu([], ADDED, base, catalog_only, shipped=shipped)
    train_nlu(reviewed_queries(), ADDED, base, refined, shipped=shipped)
    before, added, after = load_nlu(base), load_nlu(catalog_only), load_nlu(refined)
    assert link_accuracy(before, ADDED_NAMES) == 0  # the names are new
    assert link_accuracy(after, ADDED_NAMES) >= 5 / 6
    assert artist_accuracy(after, NEW_WORDING) >= 4 / 6
    assert artist_accuracy(after, NEW_WORDING) > artist_accuracy(added, NEW_WORDING)
    assert snips_accuracy(after) >= snips_accuracy(before) - 0.01


def test_a_version_keeps_its_added_entries_to_itself(
    base: Path, shipped: list[Query], tmp_path: Path
) -> None:
    out = tmp_path / "version"
    train_nlu(reviewed_queries()[:2], ADDED[:1], base, out, shipped=shipped)
    lines = (out / ADDED_FILE).read_text().splitlines()
    assert len(lines) == 1 and "Khruangbin" in lines[0]
    model = load_nlu(out)
    assert model.catalog.get("artist:khruangbin") == ADDED[0]
    model.catalog.add(Entry("artist:mitski", "artist", "Mitski"))
    assert (out / ADDED_FILE).read_text().splitlines() == lines
    assert load_nlu(base).catalog.get("artist:khruangbin") is None


def test_a_new_slot_joins_its_intent(base: Path, shipped: list[Query], tmp_path: Path) -> None:
    labels: list[dict[str, Any]] = [
        {"name": "artist", "value": "khruangbin"},
        {"name": "mood", "value": "mellow"},
    ]
    examples = [
        query_from_labels(f"play {where}something mellow by khruangbin", "PlayMusic", labels)
        for where in ("", "me ", "us ", "you ")
    ]
    out = tmp_path / "version"
    train_nlu([q for q in examples if q is not None], ADDED, base, out, shipped=shipped)
    model = load_nlu(out)
    assert "mood" in model.schema["PlayMusic"]
    slots = model.understand("play something mellow by khruangbin").slots
    assert [(slot.name, slot.value) for slot in slots] == [
        ("mood", "mellow"),
        ("artist", "khruangbin"),
    ]

"""The default model: trained from files inside the package on first use, then loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from confide.understand import default


def test_ships_its_training_data() -> None:
    names = {path.name for path in default.training_files()}
    assert {"train_DeleteLastUtterance.json", "train_SetTimer.json"} <= names
    assert {f"train_{i}_full.json" for i in ("PlayMusic", "RateBook")} <= names
    assert all(path.is_file() for path in default.training_files())


def test_built_once_then_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, domain_files: list[Path]
) -> None:
    small = [p for p in domain_files if p.stem in ("train_Stop", "train_DeleteToday")]
    monkeypatch.setattr(default, "training_files", lambda: small)
    monkeypatch.setenv("CONFIDE_CACHE_DIR", str(tmp_path))
    built: list[str] = []
    first = default.default_model(on_build=built.append)
    second = default.default_model(on_build=built.append)
    assert len(built) == 1
    assert [p.name for p in tmp_path.iterdir()] == [f"nlu-{default.fingerprint(small)}"]
    assert first.understand("stop").intent == second.understand("stop").intent == "Stop"


def test_fingerprint_follows_the_data(tmp_path: Path) -> None:
    path = tmp_path / "train_X.json"
    path.write_text("{}")
    before = default.fingerprint([path])
    path.write_text('{"X": []}')
    assert default.fingerprint([path]) != before


@pytest.mark.parametrize(
    ("text", "slot", "value", "room"),
    [
        ("put on some abba in the kitchen", "artist", "abba", "kitchen"),
        (
            "could you play something by nina simone in the living room",
            "artist",
            "nina simone",
            "living room",
        ),
        ("play my road trip playlist in the bedroom", "playlist", "road trip", "bedroom"),
        ("put on the rolling stones please", "artist", "the rolling stones", None),
        ("could you put on nina simone in the kitchen", "artist", "nina simone", "kitchen"),
    ],
)
def test_music_requests_with_a_room_or_put_on(
    text: str, slot: str, value: str, room: str | None
) -> None:
    """A room is where to play, not part of the title: without rooms in its training data the
    model took "... in the kitchen" for a creative work's name, and "put on <a name>" for a list
    item."""
    understood = default.default_model().understand(text)
    assert understood.intent == "PlayMusic"
    values = {s.name: s.value for s in understood.slots}
    assert (values.get(slot), values.get("room")) == (value, room)


@pytest.mark.parametrize(
    ("text", "intent", "slot", "value"),
    [
        ("could you please phone aunt rebecca", "Call", "contact", "aunt rebecca"),
        ("call tobias weber on his cell", "Call", "contact", "tobias weber"),
        ("add jorge ramirez to my contact list", "AddContact", "contact", "jorge ramirez"),
        ("please store hiroshi's sister in contacts", "AddContact", "contact", "hiroshi's sister"),
        ("message the landlady about the boiler", "SendMessage", "contact", "the landlady"),
        (
            "send a text to amelia saying the train is late",
            "SendMessage",
            "message",
            "the train is late",
        ),
        ("text my neighbour that the parcel arrived", "SendMessage", "contact", "my neighbour"),
        (
            "remind me on thursday to book the car service",
            "SetReminder",
            "reminder",
            "book the car service",
        ),
    ],
)
def test_calls_messages_contacts_and_reminders(
    text: str, intent: str, slot: str, value: str
) -> None:
    """Requests whose words are private by their intent are known as such: without these
    intents "add Maria Lopez to my contacts" read as adding an artist to a playlist, a public
    name."""
    understood = default.default_model().understand(text)
    assert understood.intent == intent
    assert {s.name: s.value for s in understood.slots}.get(slot) == value

"""Export: a person's zip holds all of their data, unsealed, and nothing of anyone else's."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence

from confide.audio import Audio
from confide.ingest import ingest
from confide.pipeline import Engines, Pipeline
from confide.privacy.consent import set_consent
from confide.privacy.deletion import delete_interactions
from confide.privacy.export import export_zip, own_interactions
from confide.recognize.base import Transcript, Word
from confide.store.database import sessions
from confide_testing import understand_timer, wav


class Parrot:
    """Hears whatever `text` is set to."""

    name = "parrot"

    def __init__(self) -> None:
        self.text = ""

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.8) for i, w in enumerate(self.text.split())]
        return Transcript(self.text, words, self.name, audio.seconds, 0.01)


def test_the_zip_holds_own_data_and_nothing_else(
    engine, session, keyring, blobs, household
) -> None:
    parrot = Parrot()
    pipeline = Pipeline(sessions(engine), keyring, blobs, Engines(parrot, understand_timer))
    heard = {}
    for index, who in enumerate(["alice", "alice", "alice", "bob"]):
        parrot.text = f"set a timer for ten minutes {who} secret {index}"
        row = ingest(session, keyring, blobs, household.devices[who], f"e{index}", wav(0.4))
        session.commit()
        pipeline.process(row.id)
        heard[row.id] = (who, parrot.text)
    alice = household.people["alice"].id
    ids = [i for i, (who, _) in heard.items() if who == "alice"]
    set_consent(session, alice, "human_review", True, actor=alice)
    delete_interactions(session, keyring, blobs, alice, ids[:1], scope="interaction", actor=alice)
    session.commit()

    archive = zipfile.ZipFile(io.BytesIO(export_zip(session, keyring, blobs, alice)))
    listed = json.loads(archive.read("interactions.json"))
    audio = [item["audio"] for item in listed]
    assert set(archive.namelist()) == {
        "index.html",
        "interactions.json",
        "settings.json",
        "devices.json",
        "consents.json",
        "access_log.json",
        "receipts.json",
        *audio,
    }
    named = r"audio/\d{4}-\d\d-\d\d_\d{4}_set-a-timer-for-ten-minutes(-2)?\.wav"
    assert len(set(audio)) == 2 and all(re.fullmatch(named, name) for name in audio)
    assert [(item["id"], item["transcript"]["text"]) for item in listed] == [
        (i, heard[i][1]) for i in reversed(ids[1:])
    ]
    assert {item["understanding"]["intent"] for item in listed} == {"SetTimer"}
    assert all("ten minutes" in item["answer"]["text"].lower() for item in listed)
    assert all(archive.read(name).startswith(b"RIFF") for name in audio)
    settings = json.loads(archive.read("settings.json"))
    assert (settings["name"], settings["login"], settings["child_profile"]) == (
        "Alice Rivera",
        "alice",
        False,
    )
    assert settings["keep_recordings"] == {"days": None, "meaning": "keep until I delete them"}
    assert [d["name"] for d in json.loads(archive.read("devices.json"))] == ["alice's speaker"]
    page = archive.read("index.html").decode()
    for item in listed:
        assert f"“{item['transcript']['text']}”" in page and f'src="{item["audio"]}"' in page
    assert "<strong>You</strong> deleted data of yours, with a receipt" in page
    assert "One interaction you deleted. Deleted: 1 interaction, 1 recording" in page
    assert json.loads(archive.read("consents.json"))["human_review"]["granted"] is True
    assert [r["scope"] for r in json.loads(archive.read("receipts.json"))] == ["interaction"]
    actions = [e["action"] for e in json.loads(archive.read("access_log.json"))]
    assert actions == ["consent_granted", "delete"]
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"bob secret" not in everything and b"secret 0" not in everything
    bobs = next(i for i, (who, _) in heard.items() if who == "bob")
    assert bobs.encode() not in everything


def test_history_pages_through_own_interactions(engine, session, keyring, blobs, household) -> None:
    alice = household.people["alice"].id
    made = [
        ingest(session, keyring, blobs, household.devices["alice"], f"p{n}", wav(0.3)).id
        for n in range(5)
    ]
    ingest(session, keyring, blobs, household.devices["bob"], "other", wav(0.3))
    session.commit()
    pages = [own_interactions(session, keyring, alice, limit=2, offset=o) for o in (0, 2, 4)]
    assert sorted(item.id for page in pages for item in page) == sorted(made)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert all(item.transcript is None and item.has_audio for page in pages for item in page)

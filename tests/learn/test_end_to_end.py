"""The learning loop end to end (issue 11's "Done when"): the demo household asks its speakers
for artists no model knows, reviewers link them through the review API, `confide learn run`
promotes what it learned, and `confide understand --data-dir` links a name it could not before.

Real engines throughout (Whisper, the default NLU model, the protector), so the test is slow.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from confide.cli import app
from confide.demo.household import demo_household, demo_staff
from confide.demo.recordings import Speaker
from confide.service.runtime import Runtime
from confide.service.server import background_server, in_process_worker
from confide.settings import load_settings
from confide.store.tables import Interaction, ReviewTask

pytestmark = pytest.mark.slow

NEW_ARTISTS = ("Zoltan Farkas", "Loreta Rutkauskas", "Rafael Soares", "The Cobalt Violets")
"""Names in no training text and no shipped catalog entry (see benchmarks/_learning_scenario)."""
SAID = (
    "play something by {}",
    "play music by {}",
    "play the latest song by {}",
    "put on some {}",
    "play {} on spotify",
)
"""The reviewed requests. Twenty clips, so that the gate's held-out quarter (drawn by a hash
of each dataset item's random id) is empty only once in about three hundred runs."""
ASKED = "i want to hear {} please"
"""A phrasing the reviewed utterances did not use."""


def spoken(name: str) -> str:
    return name.lower()


def understand(data_dir: Path, text: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["understand", "--data-dir", str(data_dir), text])
    assert result.exit_code == 0, result.output
    understood: dict[str, Any] = json.loads(result.stdout)
    return understood


def artist_link(understood: dict[str, Any]) -> str | None:
    for slot in understood["slots"]:
        if slot["name"] == "artist":
            return (slot.get("link") or {}).get("id")
    return None


def upload(client: httpx.Client, token: str, audio: bytes) -> str:
    """One utterance through the device API, as a speaker sends it; its interaction id."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    created = client.post("/api/utterances", content=audio, headers=headers)
    created.raise_for_status()
    status = created.json()
    while status["status"] not in ("answered", "failed"):
        status = client.get(
            f"/api/utterances/{status['id']}", params={"wait": 20}, headers=headers
        ).json()
    assert status["status"] == "answered"
    return str(status["id"])


def wait_until_queued(runtime: Runtime) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with runtime.sessions() as session:
            protecting = session.scalar(
                select(func.count()).where(ReviewTask.status == "protecting")
            )
            pending = session.scalar(
                select(func.count()).where(Interaction.status.in_(("received", "processing")))
            )
        if not protecting and not pending:
            return
        time.sleep(0.2)
    raise AssertionError("the sampled clips were not protected in time")


def sign_in(client: httpx.Client, member: Any) -> dict[str, str]:
    body = {
        "login": member.login,
        "password": member.password,
        "totp": pyotp.TOTP(member.totp_secret).now(),
    }
    response = client.post("/api/review/session", json=body)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def entry_of(client: httpx.Client, headers: dict[str, str], name: str) -> str | None:
    """The artist entry named `name` that a catalog search finds."""
    response = client.get("/api/catalog", params={"q": name, "kind": "artist"}, headers=headers)
    response.raise_for_status()
    for entry in response.json()["entries"]:
        if entry["name"] == name:
            return str(entry["id"])
    return None


def review_all(
    client: httpx.Client, reviewers: list[dict[str, str]], truth: dict[str, tuple[str, str]]
) -> int:
    """Each reviewer labels tasks until none is left for anyone, with the truth of each clip
    (the test knows which interaction said what), linking the artist as a new entry."""
    done, progress = 0, True
    while progress:
        progress = False
        for headers in reviewers:
            response = client.post("/api/review/tasks/next", headers=headers)
            response.raise_for_status()
            if response.status_code == 204:
                continue
            task = response.json()
            client.get(task["audio_url"], headers=headers).raise_for_status()
            name, text = truth[task["id"]]
            labels = {
                "transcript": text,
                "intent": "PlayMusic",
                "slots": [
                    {
                        "name": "artist",
                        "value": spoken(name),
                        "link": {"new": {"kind": "artist", "name": name}},
                    }
                ],
                "rating": 1,
                "flags": [],
            }
            posted = client.post(
                f"/api/review/tasks/{task['id']}/annotation", json=labels, headers=headers
            )
            posted.raise_for_status()
            done += 1
            progress = True
    return done


def test_reviewed_new_artists_are_linked_after_a_learn_run(
    tmp_path: Path, speech: Speaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in {
        "CONFIDE_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CONFIDE_REVIEW_RATE": "1",
        "CONFIDE_REVIEW_CAP_MONTH": "1000",
        "CONFIDE_REVIEW_CAP_TOTAL": "1000",
    }.items():
        monkeypatch.setenv(variable, value)
    data_dir = tmp_path / "data"
    asked = {name: ASKED.format(spoken(name)) for name in NEW_ARTISTS}
    before = {name: artist_link(understand(data_dir, text)) for name, text in asked.items()}

    runtime = Runtime(load_settings(data_dir))
    people = [p for p in demo_household(runtime, tmp_path / "demo") if p.login]
    staff = [m for m in demo_staff(runtime, tmp_path / "demo") if "reviewer" in m.roles]
    said = [(name, phrasing.format(spoken(name))) for name in NEW_ARTISTS for phrasing in SAID]
    with (
        background_server(runtime) as url,
        in_process_worker(runtime),
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        interactions = {
            upload(
                client,
                people[index % len(people)].device_token,
                speech(text.replace(spoken(name), name), "joe", 1.0).to_wav_bytes(),
            ): (name, text)
            for index, (name, text) in enumerate(said)
        }
        wait_until_queued(runtime)
        with runtime.sessions() as session:
            tasks = session.execute(select(ReviewTask.id, ReviewTask.interaction_id)).all()
        truth = {task: interactions[interaction] for task, interaction in tasks}
        reviewers = [sign_in(client, member) for member in staff]
        reviewed = review_all(client, reviewers, truth)
        entries = {name: entry_of(client, reviewers[0], name) for name in NEW_ARTISTS}
    runtime.close()
    assert reviewed >= len(said)

    learned = CliRunner().invoke(app, ["learn", "run", "--data-dir", str(data_dir), "--json"])
    assert learned.exit_code == 0, learned.output
    report = json.loads(learned.stdout)
    assert any(c["component"] == "nlu" and c["promoted"] for c in report["candidates"]), report

    after = {name: artist_link(understand(data_dir, text)) for name, text in asked.items()}
    assert all(entries.values()), entries
    assert all(before[name] != entries[name] for name in NEW_ARTISTS), before
    assert after == entries

"""The wake-word loop over HTTP: a device reports each wake's score with its utterance, its owner
says which wakes were not for her, and the household's devices fetch thresholds tuned by them.
Only numbers travel and stay: the feedback rows hold no audio and no words."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from confide.audio import SAMPLE_RATE, Audio
from confide.privacy.audit import events
from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.store.tables import Interaction, WakeFeedback
from confide_testing import customer_sign_in as sign_in
from confide_testing import wav


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    """HTTPS, because outside dev mode the customer's session cookie is Secure."""
    return TestClient(create_app(runtime), base_url="https://testserver", follow_redirects=False)


def upload(client: TestClient, token: str, key: str, **wake: str) -> tuple[int, str | None]:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    headers |= {f"X-Wake-{name.title()}": value for name, value in wake.items()}
    response = client.post("/api/utterances", content=wav(), headers=headers)
    return response.status_code, response.json().get("id")


def config(client: TestClient, token: str) -> tuple[int, dict]:
    response = client.get("/api/device/config", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def test_a_wake_score_is_kept_with_its_utterance(client, runtime, household) -> None:
    status, iid = upload(client, household.tokens["alice"], "k1", word="okay_nabu", score="0.93127")
    assert status == 202
    with runtime.sessions() as session:
        stored = session.get_one(Interaction, iid)
        assert (stored.wake_word, stored.wake_score) == ("okay_nabu", 0.9313)


@pytest.mark.parametrize(
    "wake",
    [
        {"word": "okay_nabu", "score": "1.5"},
        {"word": "okay_nabu", "score": "-0.01"},
        {"word": "okay_nabu", "score": "nan"},
        {"word": "okay_nabu", "score": "inf"},
        {"word": "okay_nabu", "score": "loud"},
        {"score": "0.9"},  # a score of no wake word
    ],
)
def test_a_bad_wake_score_is_refused_and_nothing_kept(client, runtime, household, wake) -> None:
    status, _ = upload(client, household.tokens["alice"], "k1", **wake)
    assert status == 422
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Interaction)) == 0


@pytest.mark.parametrize("token", ["", "not-a-device"])
def test_only_a_paired_device_gets_a_config(client, token) -> None:
    assert config(client, token)[0] == 401


def test_confirmed_false_wakes_tune_the_households_devices(client, runtime, household) -> None:
    alice = household.tokens["alice"]
    assert config(client, alice) == (200, {"wake": {}})
    for n in range(20):
        assert upload(client, alice, f"true-{n}", word="okay_nabu", score="0.99")[0] == 202
    false_wakes = [
        upload(client, alice, f"false-{n}", word="okay_nabu", score=score)[1]
        for n, score in enumerate(["0.9", "0.95"])
    ]
    assert config(client, alice) == (200, {"wake": {}})  # nothing confirmed yet
    csrf = sign_in(client, household)
    for iid in false_wakes:
        said = client.post(f"/privacy/interactions/{iid}/not-for-me", data={"csrf": csrf})
        assert said.status_code == 303
    with runtime.sessions() as session:
        assert all(session.get(Interaction, iid) is None for iid in false_wakes)  # deleted...
        rows = session.scalars(select(WakeFeedback)).all()
        assert sorted((r.wake_word, r.score, r.source) for r in rows) == [  # ...their scores kept
            ("okay_nabu", 0.9, "customer"),
            ("okay_nabu", 0.95, "customer"),
        ]
        reasons = [
            e.reason
            for e in events(session, owner_id=household.people["alice"].id)
            if e.action == "false_wake"
        ]
        assert len(reasons) == 2 and all("tunes your household's wake word" in r for r in reasons)
    for who in ("alice", "bob"):  # every device of the household, not only the one that woke
        assert config(client, household.tokens[who]) == (200, {"wake": {"okay_nabu": 0.955}})


def test_wake_feedback_can_hold_no_audio_and_no_words(runtime) -> None:
    """Its columns are ids, a wake word, a source, a time and one number: no bytes, no text."""
    columns = {
        column["name"]: type(column["type"])
        for column in sa.inspect(runtime.engine).get_columns("wake_feedback")
    }
    assert set(columns) == {
        "id",
        "household_id",
        "wake_word",
        "score",
        "source",
        "interaction_id",
        "confirmed_at",
    }
    assert not any(issubclass(kind, sa.LargeBinary | sa.Text) for kind in columns.values())
    lengths = {
        column["name"]: column["type"].length
        for column in sa.inspect(runtime.engine).get_columns("wake_feedback")
        if isinstance(column["type"], sa.String)
    }
    assert max(lengths.values()) <= 32  # an id or a wake word, no room for a transcript


def test_a_real_device_is_tuned_by_its_households_feedback(runtime, household, speech) -> None:
    """Over real HTTP: the device fetches its household's thresholds, then a look-alike that
    woke it before sends nothing, and a true wake is sent with its score."""
    from confide.capture.agent import DeviceAgent
    from confide.capture.sources import file_frames
    from confide.capture.tuning import ServerThresholds, ThresholdUpdates
    from confide.capture.uploaders import ServerUploader
    from confide.capture.wakeword import load_detector
    from confide.demo.recordings import SPOKEN_WAKE_WORDS
    from confide.service.server import background_server
    from confide_testing import answered_interaction

    alice, device = household.people["alice"].id, household.devices["alice"].id
    seeded = set()
    with runtime.sessions() as session:  # what the household's devices reported, and confirmed
        for score in [0.995] * 20:
            iid = answered_interaction(session, runtime.keyring, runtime.blobs, alice, device)
            session.get_one(Interaction, iid).wake_score = score
            seeded.add(iid)
        for n, score in enumerate([0.9, 0.9563]):  # the peak "okay, now boot ..." reaches
            session.add(
                WakeFeedback(
                    id=f"fw{n}",
                    household_id=household.id,
                    wake_word="okay_nabu",
                    score=score,
                    source="customer",
                    interaction_id=f"gone{n}",
                    confirmed_at=datetime.now(UTC),
                )
            )
        session.commit()
    lookalike = speech("Okay, now boot the laptop again.", "joe", 1.0)
    true_wake = speech(f"{SPOKEN_WAKE_WORDS['okay_nabu']} set a timer for ten minutes.", "joe")
    pause = np.zeros(SAMPLE_RATE, np.int16)
    with background_server(runtime) as url:
        household_config = ServerThresholds(url, household.tokens["alice"])
        thresholds = ThresholdUpdates(household_config.fetch)
        assert thresholds.refresh() and thresholds.current == {"okay_nabu": 0.9613}
        uploader = ServerUploader(url, household.tokens["alice"])
        agent = DeviceAgent(load_detector("micro", ["okay_nabu"]), uploader, thresholds=thresholds)
        for part in (pause, lookalike.samples, pause, pause, true_wake.samples, pause, pause):
            for frame in file_frames(Audio(part)):
                agent.feed(frame)
        agent.flush()
        uploader.close()
        household_config.close()
    assert uploader.sent == 1
    with runtime.sessions() as session:
        [sent] = session.scalars(select(Interaction).where(Interaction.id.not_in(seeded))).all()
        assert sent.wake_word == "okay_nabu"
        assert sent.wake_score is not None and sent.wake_score > 0.9613

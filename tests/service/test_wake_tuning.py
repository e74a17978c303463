"""The wake-word loop over HTTP: a device reports each wake's score with its utterance, its owner
says which wakes were not for her, and the household's devices fetch thresholds tuned by them.
Only numbers travel and stay: the feedback rows hold no audio and no words."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from confide.privacy.audit import events
from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.store.tables import Interaction, WakeFeedback
from confide_testing import DemoHousehold, wav

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


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


def sign_in(client: TestClient, household: DemoHousehold, who: str = "alice") -> str:
    """Sign in to the privacy centre as `who`; returns the session's CSRF token."""
    form = client.get("/login")
    secret = household.people[who].totp_secret
    assert secret is not None
    response = client.post(
        "/login",
        data={
            "login": who,
            "password": household.passwords[who],
            "code": pyotp.TOTP(secret).now(),
            "csrf": CSRF.findall(form.text)[0],
        },
    )
    assert response.status_code == 303, response.text
    return CSRF.findall(client.get("/privacy/").text)[0]


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

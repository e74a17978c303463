"""The device API: pairing, whole validated uploads, idempotent retries, answers by poll or SSE."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, update

from confide.ingest import ingest
from confide.pipeline import Engines
from confide.service import device_api
from confide.service.accounts import revoke_device, start_pairing
from confide.service.app import create_app
from confide.service.limits import DeviceLimits
from confide.service.runtime import Runtime
from confide.service.server import background_server
from confide.settings import Settings
from confide.store.tables import Device, Interaction
from confide_testing import DemoHousehold, ScriptedRecognizer, understand_timer, wav


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    return TestClient(create_app(runtime))


def bearer(token: str, key: str = "k1") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


def interactions(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction)) or 0


def test_upload_is_answered(client: TestClient, runtime: Runtime, household: DemoHousehold) -> None:
    response = client.post(
        "/api/utterances", content=wav(), headers=bearer(household.tokens["alice"])
    )
    assert response.status_code == 202, response.text
    body = response.json()
    polled = client.get(
        f"/api/utterances/{body['id']}?wait=5", headers=bearer(household.tokens["alice"])
    )
    assert polled.json()["status"] == "answered"
    assert "ten minutes" in polled.json()["answer"]["text"].lower()


def test_streamed_upload_and_server_sent_events(client, household) -> None:
    data = wav(1.5)
    chunks = (data[i : i + 4096] for i in range(0, len(data), 4096))
    token = household.tokens["bob"]
    response = client.post("/api/utterances", content=chunks, headers=bearer(token, "stream-1"))
    assert response.status_code == 202
    with client.stream(
        "GET", f"/api/utterances/{response.json()['id']}/events", headers=bearer(token)
    ) as events:
        lines = [line for line in events.iter_lines() if line.startswith("data:")]
    assert '"answered"' in lines[-1]


def test_retries_are_idempotent(client, runtime, household) -> None:
    token = household.tokens["alice"]
    first = client.post("/api/utterances", content=wav(), headers=bearer(token, "same"))
    second = client.post("/api/utterances", content=wav(), headers=bearer(token, "same"))
    assert first.json()["id"] == second.json()["id"]
    assert interactions(runtime) == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 422),
        (b"RIFF" + bytes(100), 422),
        (b"hello" * 100, 422),
        (wav(31), 413),
        (bytes(5 * 2**20), 413),
    ],
    ids=["empty", "corrupt", "text", "too-long", "too-big"],
)
def test_bad_uploads_are_refused_and_change_nothing(
    client, runtime, household, body, status
) -> None:
    response = client.post(
        "/api/utterances", content=body, headers=bearer(household.tokens["alice"])
    )
    assert response.status_code == status
    assert response.json()["detail"]
    assert interactions(runtime) == 0


@pytest.mark.parametrize("token", ["", "made-up-token", "revoked"])
def test_bad_tokens_get_401(client, runtime, session, household, token) -> None:
    if token == "revoked":
        revoke_device(session, household.devices["alice"].id)
        session.commit()
        token = household.tokens["alice"]
    response = client.post("/api/utterances", content=wav(), headers=bearer(token))
    assert response.status_code == 401
    assert interactions(runtime) == 0


def test_a_device_sees_only_its_own_utterances(client, household) -> None:
    made = client.post("/api/utterances", content=wav(), headers=bearer(household.tokens["alice"]))
    peek = client.get(
        f"/api/utterances/{made.json()['id']}", headers=bearer(household.tokens["bob"])
    )
    assert peek.status_code == 404


@pytest.mark.parametrize(
    "typed",
    [str, str.lower, lambda code: f"{code[:4]} {code[4:8]} {code[8:]}", lambda code: f" {code}-"],
    ids=["as-shown-whole", "lower-case", "in-groups", "with-stray-separators"],
)
def test_a_pairing_code_is_unguessable_and_typeable(client, session, household, typed) -> None:
    """Issue 10.10: eight digits (27 bits) were guessable at 425 a second."""
    _, code = start_pairing(session, household.id, household.people["alice"].id, "kitchen")
    session.commit()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{12}", code)  # no I, L, O or U to misread: 60 bits
    assert client.post("/api/devices/pair", json={"code": typed(code)}).status_code == 200


def test_an_expired_pairing_code_is_refused(client, session, household) -> None:
    device_id, code = start_pairing(session, household.id, household.people["alice"].id, "den")
    session.execute(
        update(Device).where(Device.id == device_id).values(pairing_expires_at=datetime.now(UTC))
    )
    session.commit()
    assert client.post("/api/devices/pair", json={"code": code}).status_code == 401


def test_pairing_code_works_once(client, session, household) -> None:
    _, code = start_pairing(session, household.id, household.people["alice"].id, "kitchen")
    session.commit()
    paired = client.post("/api/devices/pair", json={"code": code})
    assert paired.status_code == 200
    token = paired.json()["token"]
    assert client.post("/api/utterances", content=wav(), headers=bearer(token)).status_code == 202
    assert client.post("/api/devices/pair", json={"code": code}).status_code == 401


def test_openapi_is_published(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/utterances", "/api/devices/pair", "/api/utterances/{interaction_id}"} <= set(
        paths
    )


def test_a_refused_token_gets_the_bearer_challenge(client, household) -> None:
    response = client.post("/api/utterances", content=wav(), headers=bearer("made-up-token"))
    assert (response.status_code, response.headers["www-authenticate"]) == (401, "Bearer")


@pytest.mark.parametrize(
    ("second", "status", "same"),
    [(wav(), 202, True), (wav(1.5), 409, False)],
    ids=["a real retry", "other audio"],
)
def test_a_reused_idempotency_key_must_carry_the_same_audio(
    client, runtime, household, second, status, same
) -> None:
    """Issue 10.13: a key sent again with other audio was answered with the first interaction."""
    token = household.tokens["alice"]
    first = client.post("/api/utterances", content=wav(), headers=bearer(token, "once"))
    again = client.post("/api/utterances", content=second, headers=bearer(token, "once"))
    assert again.status_code == status, again.text
    assert (again.json().get("id") == first.json()["id"]) is same
    assert interactions(runtime) == 1


@pytest.mark.parametrize(
    ("wake_word", "status"),
    [("okay_nabu", 202), ("hey computer", 202), ("x" * 8000, 422), ("<script>", 422)],
    ids=["model", "keyphrase", "8000 characters", "markup"],
)
def test_the_wake_word_header_is_bounded(client, runtime, household, wake_word, status) -> None:
    """Issue 10.7: an 8,000-character X-Wake-Word was stored as sent, unsealed."""
    headers = {**bearer(household.tokens["alice"]), "X-Wake-Word": wake_word}
    response = client.post("/api/utterances", content=wav(), headers=headers)
    assert response.status_code == status, response.text
    with runtime.sessions() as session:
        stored = session.scalars(select(Interaction.wake_word)).all()
    assert stored == ([wake_word] if status == 202 else [])


@pytest.mark.parametrize("wait", ["nan", "inf", "-inf", "NaN"])
def test_a_wait_that_is_not_a_number_is_refused(client, household, wait) -> None:
    """Issue 10.11: `?wait=nan` slipped past the 30 s cap and held the request for ever."""
    token = household.tokens["alice"]
    made = client.post("/api/utterances", content=wav(), headers=bearer(token))
    polled = client.get(f"/api/utterances/{made.json()['id']}?wait={wait}", headers=bearer(token))
    assert polled.status_code == 422


@pytest.mark.parametrize(("dev", "status"), [(True, 200), (False, 404)])
def test_the_docs_pages_are_for_development_only(settings, dev, status) -> None:
    """Issue 10.13: /docs was public outside dev mode; the schema stays published."""
    from dataclasses import replace

    runtime = Runtime(replace(settings, dev_mode=dev))
    try:
        client = TestClient(create_app(runtime))
        assert client.get("/docs").status_code == status
        assert client.get("/redoc").status_code == status
        assert client.get("/openapi.json").status_code == 200
    finally:
        runtime.close()


def pending(runtime: Runtime, household: DemoHousehold, who: str = "alice") -> str:
    """An utterance received and not yet answered, as a device waits on it."""
    with runtime.sessions() as session:
        device = session.get(Device, household.devices[who].id)
        made = ingest(session, runtime.keyring, runtime.blobs, device, "pending", wav())
        session.commit()
        return made.id


@pytest.mark.parametrize(("wait", "status"), [("-1", 422), ("0", 200), ("1e9", 200)])
def test_every_wait_is_validated_and_capped(
    client, runtime, household, monkeypatch, wait, status
) -> None:
    """Issue 10.11: a negative wait was taken as none; a huge one is held to the cap."""
    monkeypatch.setattr(device_api, "MAX_WAIT_SECONDS", 0.3)
    polled = client.get(
        f"/api/utterances/{pending(runtime, household)}?wait={wait}",
        headers=bearer(household.tokens["alice"]),
    )
    assert polled.status_code == status
    assert status != 200 or polled.json()["status"] == "received"


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", "/api/utterances", "upload"),
        ("GET", "/api/utterances/{id}?wait=5", "wait"),
        ("GET", "/api/utterances/{id}/events", "wait"),
    ],
    ids=["upload", "long-poll", "events"],
)
def test_a_device_over_its_share_is_refused_before_any_database_work(
    client, runtime, household, method, path, kind
) -> None:
    """Issue 10.11: one token's requests in flight had no bound; now a device beyond its share
    gets 429 with Retry-After, costing no connection, and other devices are served."""
    alice, bob = household.tokens["alice"], household.tokens["bob"]
    waited_on = pending(runtime, household)
    checkouts: list[object] = []

    def checked_out(*_: object) -> None:
        checkouts.append(_)

    with ExitStack() as held:
        for _ in range(runtime.device_limits.most(kind)):
            assert held.enter_context(runtime.in_flight.slot(kind, alice))
        event.listen(runtime.engine, "checkout", checked_out)
        try:
            refused = client.request(
                method, path.format(id=waited_on), content=wav(), headers=bearer(alice, "over")
            )
        finally:
            event.remove(runtime.engine, "checkout", checked_out)
        served = client.post("/api/utterances", content=wav(), headers=bearer(bob, "bob"))
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")
    assert checkouts == []
    assert served.status_code == 202
    assert runtime.in_flight.total() == 0


UPLOAD_LIMITS = DeviceLimits(idle_seconds=1.0, upload_seconds=2.0)


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[Runtime, socket.socket]]:
    """A real server on 127.0.0.1 holding uploads to UPLOAD_LIMITS, and a connection to it."""
    runtime = Runtime(
        settings,
        engines_factory=lambda _settings: Engines(ScriptedRecognizer(), understand_timer),
        immediate_jobs=True,
        device_limits=UPLOAD_LIMITS,
    )
    try:
        with background_server(runtime) as url:
            host, port = url.removeprefix("http://").split(":")
            with socket.create_connection((host, int(port)), timeout=5) as sock:
                yield runtime, sock
    finally:
        runtime.close()


def answer_so_far(sock: socket.socket) -> bytes:
    sock.settimeout(0.01)
    try:
        return sock.recv(65536)
    except TimeoutError:
        return b""


@pytest.mark.parametrize("trickling", [False, True], ids=["stalled", "trickling"])
def test_an_upload_that_stalls_or_drags_on_is_refused_and_closed(
    served, household, trickling
) -> None:
    """Issue 10.11: 15 stalled chunked uploads held every database connection for ever. Now an
    upload holds none while its bytes come, and one that stops sending (for idle_seconds), or
    trickles on (past upload_seconds), gets 408 and its connection is closed."""
    runtime, sock = served
    sock.sendall(
        f"POST /api/utterances HTTP/1.1\r\nHost: 127.0.0.1\r\nIdempotency-Key: slow\r\n"
        f"Authorization: Bearer {household.tokens['alice']}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n4\r\nRIFF\r\n".encode()
    )
    held, answer = [], b""
    give_up = time.monotonic() + 3 * UPLOAD_LIMITS.upload_seconds
    while not answer and time.monotonic() < give_up:
        if trickling:
            with suppress(ConnectionError):  # closed just now: its answer is read below
                sock.sendall(b"1\r\n\x00\r\n")
        time.sleep(0.2)
        held.append(runtime.engine.pool.checkedout())  # type: ignore[attr-defined]
        answer = answer_so_far(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:40]
    sock.settimeout(1.0)
    while sock.recv(65536):  # the server closes the connection: recv ends with b""
        pass
    assert set(held) == {0}
    assert interactions(runtime) == 0


def test_a_waiting_device_is_answered_on_the_notice_not_by_polling(
    client, runtime, household, monkeypatch
) -> None:
    """The wait looks at the database once, then once more when the worker's notice comes: it
    no longer polls every 0.2 s (issue 12: 1,000 waiting devices were most of the server's CPU).
    With the periodic look pushed out past the wait, only the notice can end it answered."""
    monkeypatch.setattr(device_api, "LOOK_AGAIN_SECONDS", 3600.0)
    looks = []
    look = device_api._look
    monkeypatch.setattr(device_api, "_look", lambda *args: looks.append(1) or look(*args))
    interaction_id = pending(runtime, household)
    answering = threading.Timer(1.0, runtime.answer, [interaction_id])
    answering.start()
    try:
        polled = client.get(
            f"/api/utterances/{interaction_id}?wait=30", headers=bearer(household.tokens["alice"])
        )
    finally:
        answering.join()
    assert polled.json()["status"] == "answered"
    assert len(looks) <= 2
    assert runtime.notices.waiting() == 0

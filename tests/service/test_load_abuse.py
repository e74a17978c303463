"""Issue 10.11: one device could stop the service. 15 stalled chunked uploads from one token held
every database connection, and 16 long-polls blocked the event loop, so every household's pages
gave 500 after 30 s. Here a real server on 127.0.0.1 takes 50 stalled uploads and 50 long-polls
from one token, while another household's requests must each be answered within 1 s."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import httpx
import pytest

from confide.ingest import ingest
from confide.pipeline import Engines
from confide.service.accounts import add_person, complete_pairing, create_household, start_pairing
from confide.service.limits import DeviceLimits
from confide.service.runtime import Runtime
from confide.service.server import background_server
from confide.service.sessions import open_session
from confide.settings import Settings
from confide.store.tables import Device, Interaction
from confide_testing import ScriptedRecognizer, answered_interaction, understand_timer, wav

ABUSERS = 50
"""Stalled uploads, and long-polls, from the one token."""
ROUNDS = 4
"""Times the other household's requests are all sent while the abuse goes on."""
PATIENCE = 1.0
"""Each of the other household's requests must be answered within this."""
LIMITS = DeviceLimits(idle_seconds=4.0, upload_seconds=8.0)
"""Long enough a pause for every round to fall inside the abuse, short enough for the test."""


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(
        settings,
        engines_factory=lambda _settings: Engines(ScriptedRecognizer(), understand_timer),
        immediate_jobs=True,
        device_limits=LIMITS,
    )
    yield rt
    rt.close()


def another_household(runtime: Runtime) -> dict[str, str]:
    """The Okafors: their device's token, an answered utterance, a signed-in web session."""
    with runtime.sessions() as session:
        home = create_household(session, runtime.keyring, "The Okafor household")
        ada = add_person(
            session,
            runtime.keyring,
            home,
            "Ada Okafor",
            login="ada",
            password="lantern okra kettle 7",
        )
        _, code = start_pairing(session, home, ada.id, "kitchen speaker")
        device_id, token = complete_pairing(session, code)
        said = answered_interaction(session, runtime.keyring, runtime.blobs, ada.id, device_id)
        cookie = open_session(session, "person", ada.id, 12, datetime.now(UTC))
        session.commit()
    return {"token": token, "said": said, "cookie": cookie}


def pending_utterance(runtime: Runtime, device_id: str) -> str:
    """An utterance received but not yet answered: what a long-poll waits on."""
    with runtime.sessions() as session:
        device = session.get(Device, device_id)
        assert device is not None
        pending = ingest(session, runtime.keyring, runtime.blobs, device, "pending", wav())
        session.commit()
        return pending.id


def opened(stack: ExitStack, url: str, request: bytes) -> socket.socket:
    """A raw connection that has sent `request` and now says nothing more."""
    host, port = url.removeprefix("http://").split(":")
    sock = stack.enter_context(socket.create_connection((host, int(port)), timeout=PATIENCE))
    sock.sendall(request)
    return sock


def stalled_upload(token: str, n: int) -> bytes:
    first = wav()[:4096]
    return (
        f"POST /api/utterances HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Idempotency-Key: stalled-{n}\r\nTransfer-Encoding: chunked\r\n\r\n{len(first):x}\r\n"
    ).encode() + first


def long_poll(token: str, utterance: str) -> bytes:
    return (
        f"GET /api/utterances/{utterance}?wait=30 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()


def status_of(sock: socket.socket, within: float) -> bytes:
    """The status the server answers on `sock` within `within` seconds (b"none" if none)."""
    sock.settimeout(within)
    received = b""
    try:
        while b"\r\n" not in received and (chunk := sock.recv(4096)):
            received += chunk
    except TimeoutError:
        return b"none"
    return received.split(b" ", 2)[1] if received else b"none"


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes `sock` within `within` seconds, whatever it says first."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    return True


def settles(condition: Callable[[], bool], within: float = PATIENCE) -> bool:
    """Whether `condition` holds within `within` seconds: a slot is given back just after its
    answer has gone out."""
    give_up = time.monotonic() + within
    while not condition():
        if time.monotonic() > give_up:
            return False
        time.sleep(0.05)
    return True


def other_household_requests(
    client: httpx.Client, okafors: dict[str, str]
) -> dict[str, Callable[[int], httpx.Response]]:
    device = {"Authorization": f"Bearer {okafors['token']}"}
    return {
        "answer": lambda _: client.get(f"/api/utterances/{okafors['said']}", headers=device),
        "upload": lambda n: client.post(
            "/api/utterances", content=wav(), headers={**device, "Idempotency-Key": f"ok-{n}"}
        ),
        "privacy centre": lambda _: client.get(
            "/privacy/", headers={"Cookie": f"confide_session={okafors['cookie']}"}
        ),
    }


def test_one_device_cannot_stop_the_service(runtime: Runtime, household) -> None:
    okafors = another_household(runtime)
    abuser = household.tokens["alice"]
    waited_on = pending_utterance(runtime, household.devices["alice"].id)
    latencies: list[float] = []
    with (
        background_server(runtime) as url,
        ExitStack() as sockets,
        httpx.Client(base_url=url, timeout=PATIENCE) as client,
    ):
        requests = other_household_requests(client, okafors)
        for send in requests.values():  # once before the abuse, so no first use is timed
            assert send(-1).is_success
        uploads = [opened(sockets, url, stalled_upload(abuser, n)) for n in range(ABUSERS)]
        polls = [opened(sockets, url, long_poll(abuser, waited_on)) for _ in range(ABUSERS)]
        for round_ in range(ROUNDS):
            for name, send in requests.items():
                started = time.monotonic()
                try:
                    response = send(round_)
                except httpx.TimeoutException:
                    pytest.fail(f"round {round_}: {name} got no answer within {PATIENCE} s")
                latencies.append(time.monotonic() - started)
                assert response.is_success, (round_, name, response.status_code)
        # The abuse ends: the answer comes, and each stalled upload is refused and closed.
        runtime.pipeline.process(waited_on)
        within = LIMITS.idle_seconds + PATIENCE
        assert sorted(status_of(sock, within) for sock in polls) == sorted(
            [b"200"] * LIMITS.waits + [b"429"] * (ABUSERS - LIMITS.waits)
        )
        assert sorted(status_of(sock, within) for sock in uploads) == sorted(
            [b"408"] * LIMITS.uploads + [b"429"] * (ABUSERS - LIMITS.uploads)
        )
        assert all(closed_by_server(sock, within) for sock in uploads)
        assert settles(lambda: runtime.in_flight.total() == 0)
        assert settles(lambda: runtime.engine.pool.checkedout() == 0)  # type: ignore[attr-defined]
    assert max(latencies) < PATIENCE
    with runtime.sessions() as session:
        assert session.get(Interaction, waited_on).status == "answered"

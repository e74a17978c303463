"""Domain refusals answered in one place: each ConfideError base, and every leaf under it, as
its HTTP status; errors that are the server's fault stay 500."""

from __future__ import annotations

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy.exc import InterfaceError, OperationalError

from confide.errors import (
    AccessDenied,
    AudioTooLong,
    BadAudio,
    Conflict,
    CorruptAudio,
    InvalidInput,
    KeyDestroyed,
    LoginTaken,
    NotFound,
    OutOfRange,
    StorageFull,
    StorageUnavailable,
)
from confide.service.app import create_app
from confide.service.device_api import MAX_UPLOAD_BYTES
from confide_testing import wav

REFUSALS = {
    "invalid": (InvalidInput("no"), 422),
    "out-of-range": (OutOfRange("a leaf of InvalidInput"), 422),
    "conflict": (Conflict("taken"), 409),
    "login-taken": (LoginTaken("a leaf of Conflict"), 409),
    "not-found": (NotFound("gone"), 404),
    "bad-audio": (BadAudio("not audio"), 422),
    "corrupt-audio": (CorruptAudio("a leaf of BadAudio"), 422),
    "too-long": (AudioTooLong("too long"), 413),
    "denied": (AccessDenied("who are you"), 401),
    "storage-unavailable": (StorageUnavailable("the bucket is unreachable"), 503),
    "storage-full": (StorageFull("a leaf of StorageUnavailable: no room"), 507),
    "key-destroyed": (KeyDestroyed("shredded: the server's fault, not the request's"), 500),
}
"""What a route lets rise → the status the app answers with."""


OUTAGES = {
    "connection refused": OperationalError("SELECT 1", {}, Exception("connection refused")),
    "connection closed": InterfaceError("SELECT 1", {}, Exception("connection already closed")),
}
"""What the database driver raises while the database restarts."""


@pytest.fixture
def client(runtime) -> TestClient:
    app = create_app(runtime)

    @app.get("/outage/{name}")
    def outage(name: str) -> None:
        raise OUTAGES[name]

    @app.get("/refuse/{name}")
    def refuse(name: str, request: Request, signed_in: bool = False) -> None:
        if signed_in:  # as the sign-in dependencies mark a request
            request.state.principal = object()
        raise REFUSALS[name][0]

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("name", "status"), [(n, s) for n, (_, s) in REFUSALS.items()])
def test_each_refusal_has_its_status(client, name, status) -> None:
    response = client.get(f"/refuse/{name}")
    assert response.status_code == status
    if status != 500:
        assert response.json() == {"detail": str(REFUSALS[name][0])}


@pytest.mark.parametrize(
    ("name", "seconds"), [("storage-unavailable", "5"), ("storage-full", "60")]
)
def test_storage_that_cannot_keep_a_write_says_when_to_try_again(client, name, seconds) -> None:
    assert client.get(f"/refuse/{name}").headers["retry-after"] == seconds


@pytest.mark.parametrize("name", OUTAGES)
def test_a_database_outage_is_unavailable_for_a_moment(client, name) -> None:
    """Nothing was kept and the same request may succeed soon: 503 with Retry-After, and no
    word of the driver's error in the answer."""
    response = client.get(f"/outage/{name}")
    assert (response.status_code, response.headers["retry-after"]) == (503, "2")
    assert "connection" not in response.json()["detail"]


BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
"""What a browser sends for a page."""


@pytest.mark.parametrize(
    ("path", "headers", "status", "page"),
    [
        ("/refuse/not-found", BROWSER, 404, True),
        ("/refuse/conflict", BROWSER, 409, True),
        ("/refuse/not-found", {}, 404, False),
        ("/privacy/no-such-page", BROWSER, 404, True),
        ("/refuse/not-found?signed_in=perhaps", BROWSER, 422, True),
        ("/refuse/not-found?signed_in=perhaps", {}, 422, False),
        ("/api/review/no-such-route", BROWSER, 404, False),
        ("/api/device/config", BROWSER, 401, False),
    ],
)
def test_a_browser_gets_a_page_and_a_program_gets_json(client, path, headers, status, page) -> None:
    """Issue 14: error pages were raw JSON. The APIs' clients still get the `Refusal` body."""
    response = client.get(path, headers=headers, follow_redirects=False)
    assert response.status_code == status
    if page:
        assert response.headers["content-type"].startswith("text/html")
        assert "<h1>" in response.text and 'role="alert"' in response.text
        assert response.headers["cache-control"] == "no-store"
    else:
        assert isinstance(response.json()["detail"], str | list)


def test_a_credential_refused_to_no_one_signed_in_is_a_bearer_challenge(client) -> None:
    assert client.get("/refuse/denied").headers["www-authenticate"] == "Bearer"


def test_a_credential_refused_to_someone_signed_in_is_forbidden(client) -> None:
    response = client.get("/refuse/denied", params={"signed_in": True})
    assert response.status_code == 403
    assert "www-authenticate" not in response.headers


AUDIO = {"Content-Type": "audio/wav"}
DEVICE_REFUSALS = {
    "unknown pairing code": ("POST", "/api/devices/pair", {"json": {"code": "NOPE"}}, 401),
    "body not UTF-8": (
        "POST",
        "/api/devices/pair",
        {"content": b'{"code": "\xff"}', "headers": {"Content-Type": "application/json"}},
        400,
    ),
    "no code": ("POST", "/api/devices/pair", {"json": {}}, 422),
    "no token": ("POST", "/api/utterances", {"headers": {"Idempotency-Key": "k"}}, 401),
    "not audio": ("POST", "/api/utterances", {"content": b"", "key": "k"}, 422),
    "key too long": ("POST", "/api/utterances", {"content": wav(0.2), "key": "k" * 65}, 422),
    "key reused": ("POST", "/api/utterances", {"content": wav(0.3), "key": "first"}, 409),
    "too large": (
        "POST",
        "/api/utterances",
        {"content": bytes(MAX_UPLOAD_BYTES + 1), "key": "k"},
        413,
    ),
    "no such utterance": ("GET", "/api/utterances/nope", {}, 404),
    "wait not a number": ("GET", "/api/utterances/nope", {"params": {"wait": "nan"}}, 422),
    "no such event stream": ("GET", "/api/utterances/nope/events", {}, 404),
}
"""A device API request → the refusal it gets ("key": sent as alice's upload with that key)."""


@pytest.mark.parametrize(
    ("method", "path", "request_", "status"), DEVICE_REFUSALS.values(), ids=DEVICE_REFUSALS
)
def test_each_device_refusal_is_what_the_schema_documents(
    runtime, household, method, path, request_, status
) -> None:
    """Each status is documented for its route, its body fits the documented schema (a domain
    422 and FastAPI's own 422 alike), and its documented headers are there."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs", reason="comes with schemathesis (dev)")
    client = TestClient(create_app(runtime))
    arguments = dict(request_)
    headers = {"Authorization": f"Bearer {household.tokens['alice']}"}
    if "key" in arguments:
        headers |= {**AUDIO, "Idempotency-Key": arguments.pop("key")}
        client.post(
            "/api/utterances", content=wav(0.2), headers=headers | {"Idempotency-Key": "first"}
        )
    arguments["headers"] = arguments.get("headers", headers)
    response = client.request(method, path, **arguments)
    assert response.status_code == status

    schema = client.get("/openapi.json").json()
    documented = schema["paths"][path.replace("nope", "{interaction_id}")][method.lower()]
    answer = documented["responses"][str(status)]
    body = answer["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**body, "components": schema["components"]})
    assert validator.is_valid(response.json()), response.json()
    for name, header in answer.get("headers", {}).items():
        assert not header["required"] or name in response.headers

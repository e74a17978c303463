"""Domain refusals answered in one place: each ConfideError base, and every leaf under it, as
its HTTP status; errors that are the server's fault stay 500."""

from __future__ import annotations

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

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
)
from confide.service.app import create_app

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
    "key-destroyed": (KeyDestroyed("shredded: the server's fault, not the request's"), 500),
}
"""What a route lets rise → the status the app answers with."""


@pytest.fixture
def client(runtime) -> TestClient:
    app = create_app(runtime)

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


def test_a_credential_refused_to_no_one_signed_in_is_a_bearer_challenge(client) -> None:
    assert client.get("/refuse/denied").headers["www-authenticate"] == "Bearer"


def test_a_credential_refused_to_someone_signed_in_is_forbidden(client) -> None:
    response = client.get("/refuse/denied", params={"signed_in": True})
    assert response.status_code == 403
    assert "www-authenticate" not in response.headers

"""The review API over HTTP: sign-in (good, bad, throttled), the next task or 204, the roles of
every route, labels with catalog links (existing, new, unknown), a lead's merge and reject, the
distress procedure, bounded requests, the audit trail and the watermark in the audio."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from confide.audio import read_audio
from confide.privacy.audit import events
from confide.privacy.contexts import task_audio_context
from confide.review.watermark import identify, watermark_key
from confide.service import review_api
from confide.service.app import create_app
from confide.service.sessions import open_session
from confide.store.tables import Annotation, CatalogAddition, Escalation, ReviewTask

SIGN_IN = "/api/review/session"
NEXT = "/api/review/tasks/next"


def client_for(runtime) -> TestClient:
    return TestClient(create_app(runtime), base_url="https://testserver")


def token_for(runtime, principal_id: str, kind: str = "staff") -> str:
    """A live session in the one store, as signing in makes it."""
    with runtime.sessions() as session:
        token = open_session(session, kind, principal_id, 1, datetime.now(UTC))
        session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(runtime, team):
    """A client, and each team member's token."""
    client = client_for(runtime)
    tokens = {login: token_for(runtime, member.id) for login, member in team.items()}
    return client, tokens


def test_sign_in_gives_a_short_lived_token_and_refuses_the_rest(runtime, team, household):
    client = client_for(runtime)
    rhea = team["rhea"]
    code = pyotp.TOTP(rhea.totp_secret).now()
    refused = [
        {"login": "rhea", "password": "wrong password here", "totp": code},
        {"login": "rhea", "password": rhea.password, "totp": "000000"},
        {"login": "nobody", "password": rhea.password, "totp": code},
        {"login": "alice", "password": household.passwords["alice"], "totp": code},
    ]
    for body in refused:
        response = client.post(SIGN_IN, json=body)
        assert response.status_code == 401, body
        assert response.headers["www-authenticate"] == "Bearer"
        assert set(response.json()) == {"detail"}
    good = client.post(SIGN_IN, json={"login": "rhea", "password": rhea.password, "totp": code})
    assert good.status_code == 200, good.text
    expires = datetime.fromisoformat(good.json()["expires"])
    assert timedelta(minutes=50) < expires - datetime.now(UTC) <= timedelta(hours=1)
    assert client.post(NEXT, headers=bearer(good.json()["token"])).status_code in (200, 204)
    # The same code does not sign in twice.
    again = {"login": "rhea", "password": rhea.password, "totp": code}
    assert client.post(SIGN_IN, json=again).status_code == 401


def test_repeated_failures_are_throttled(runtime, team):
    client = client_for(runtime)
    body = {"login": "remy", "password": "not the password", "totp": "123456"}
    statuses = [client.post(SIGN_IN, json=body).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    good = {
        "login": "remy",
        "password": team["remy"].password,
        "totp": pyotp.TOTP(team["remy"].totp_secret).now(),
    }
    throttled = client.post(SIGN_IN, json=good)
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0


def test_the_next_task_is_the_held_one_with_its_protected_words(runtime, api, queued):
    client, tokens = api
    (task,) = queued("alice")
    first = client.post(NEXT, headers=bearer(tokens["rhea"]))
    assert first.status_code == 200, first.text
    shown = first.json()
    assert shown["id"] == task.id and shown["intent"] == "SetTimer"
    assert "[PHONE]" in shown["transcript"] and "four nine" not in shown["transcript"]
    (slot,) = shown["slots"]
    assert shown["transcript"][slot["start"] : slot["end"]] == slot["value"] == "ten minutes"
    assert shown["audio_url"] == f"/api/review/tasks/{task.id}/audio"
    assert client.post(NEXT, headers=bearer(tokens["rhea"])).json()["id"] == task.id
    empty = client.post(NEXT, headers=bearer(tokens["remy"]))
    assert empty.status_code == 204 and empty.content == b""
    assert empty.headers[review_api.QUEUE_CLOSED] == "the queue is empty"


ROUTES = [
    ("POST", NEXT, "review"),
    ("GET", "/api/review/tasks/{task}/audio", "review"),
    ("POST", "/api/review/tasks/{task}/annotation", "review"),
    ("POST", "/api/review/break", "review"),
    ("GET", "/api/catalog?q=beatles", "review"),
    ("GET", "/api/catalog/additions", "quality"),
    ("POST", "/api/catalog/additions/{addition}/merge", "quality"),
    ("POST", "/api/catalog/additions/{addition}/reject", "quality"),
]
"""Every route behind a token, and the ACCESS group that guards it."""
ROLES = {"review": {"rhea", "lena"}, "quality": {"lena"}}


def test_every_route_is_in_the_matrix():
    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path.split("?")[0])

    served = {
        (method, shape(route.path))
        for route in review_api.router.routes
        for method in route.methods
    }
    listed = {(method, shape(path)) for method, path, _ in ROUTES}
    assert served - listed == {("POST", SIGN_IN)}


@pytest.mark.parametrize("who", ["rhea", "lena", "sol", "ada", "customer", "device", "none"])
def test_roles_and_tokens(runtime, api, household, queued, who):
    """Staff of the group pass, other staff get 403; a customer's session token, a device's
    token and no token are all 401."""
    client, tokens = api
    queued("alice")
    with runtime.sessions() as session:
        task = session.scalar(select(ReviewTask.id))
    outsiders = {
        "customer": token_for(runtime, household.people["alice"].id, "person"),
        "device": household.tokens["alice"],
        "none": "",
    }
    token = outsiders[who] if who in outsiders else tokens[who]
    for method, template, group in ROUTES:
        path = template.format(task=task, addition="0" * 32)
        body = {"transcript": "x"} if "annotation" in path else {"into": "artist:the-beatles"}
        response = client.request(method, path, headers=bearer(token) if token else {}, json=body)
        if who in ("customer", "device", "none"):
            assert response.status_code == 401, (who, path)
            assert response.headers["www-authenticate"] == "Bearer"
        elif who in ROLES[group]:
            assert response.status_code not in (401, 403), (who, path, response.text)
        else:
            assert response.status_code == 403, (who, path, response.text)


def held(client, token) -> str:
    response = client.post(NEXT, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()["id"]


def annotation_of(runtime, task_id: str):
    from confide.review.tasks import open_annotation

    with runtime.sessions() as session:
        row = session.scalar(select(Annotation).where(Annotation.task_id == task_id))
        return None if row is None else (row, open_annotation(session, runtime.keyring, row))


LABELS = {"transcript": "play something by phoebe bridgers", "intent": "PlayMusic", "rating": 2}


@pytest.mark.parametrize(
    ("link", "status", "stored"),
    [
        (None, 200, None),
        ({"id": "artist:the-beatles"}, 200, "artist:the-beatles"),
        ({"new": {"kind": "artist", "name": "Phoebe Bridgers"}}, 200, "artist:phoebe-bridgers"),
        ({"new": {"kind": "artist", "name": "the beatles"}}, 200, "artist:the-beatles"),
        ({"id": "artist:nobody-at-all"}, 422, None),
        ({"id": "city:paris"}, 422, None),
        ({"new": {"kind": "person", "name": "Maria Lopez"}}, 422, None),
        ({"id": "artist:the-beatles", "new": {"kind": "artist", "name": "x"}}, 422, None),
    ],
)
def test_labels_with_links(runtime, api, queued, link, status, stored):
    client, tokens = api
    queued("alice")
    task_id = held(client, tokens["rhea"])
    slot = {"name": "artist", "value": "phoebe bridgers", **({"link": link} if link else {})}
    response = client.post(
        f"/api/review/tasks/{task_id}/annotation",
        headers=bearer(tokens["rhea"]),
        json={**LABELS, "slots": [slot]},
    )
    assert response.status_code == status, response.text
    with runtime.sessions() as session:
        additions = session.scalars(select(CatalogAddition)).all()
    if status != 200:
        assert set(response.json()) == {"detail"} or link.get("new", {}).get("kind") != "artist"
        assert annotation_of(runtime, task_id) is None and additions == []
        assert held(client, tokens["rhea"]) == task_id  # nothing kept: the task is still held
        return
    result = response.json()
    assert result["status"] == "submitted" and result["links"] == [stored]
    row, content = annotation_of(runtime, task_id)
    assert (row.id, row.intent, row.rating) == (result["annotation"], "PlayMusic", 2)
    assert content["slots"] == [
        {"name": "artist", "value": "phoebe bridgers", **({"link": stored} if stored else {})}
    ]
    new = stored == "artist:phoebe-bridgers"
    assert [(a.entry_id, a.status, a.task_id) for a in additions] == (
        [(stored, "proposed", task_id)] if new else []
    )


@pytest.mark.parametrize(
    "body",
    [
        {**LABELS, "intent": "Nonsense"},
        {**LABELS, "rating": 9},
        {**LABELS, "flags": ["shrug"]},
        {**LABELS, "extra": "field"},
        {**LABELS, "transcript": "x" * 2001},
        {**LABELS, "slots": [{"name": "artist", "value": "x"}] * 21},
    ],
)
def test_bad_labels_are_refused_whole(runtime, api, queued, body):
    client, tokens = api
    queued("alice")
    task_id = held(client, tokens["rhea"])
    path = f"/api/review/tasks/{task_id}/annotation"
    response = client.post(path, headers=bearer(tokens["rhea"]), json=body)
    assert response.status_code == 422, response.text
    assert annotation_of(runtime, task_id) is None


def test_a_body_over_the_bound_is_refused_unread(runtime, api, queued):
    client, tokens = api
    queued("alice")
    task_id = held(client, tokens["rhea"])
    huge = {**LABELS, "transcript": "x" * (review_api.MAX_BODY + 1)}
    response = client.post(
        f"/api/review/tasks/{task_id}/annotation", headers=bearer(tokens["rhea"]), json=huge
    )
    assert response.status_code == 413 and "at most" in response.json()["detail"]


def propose_through_the_api(client, tokens, queued, name: str) -> str:
    queued("alice")
    task_id = held(client, tokens["rhea"])
    slot = {"name": "artist", "value": name, "link": {"new": {"kind": "artist", "name": name}}}
    response = client.post(
        f"/api/review/tasks/{task_id}/annotation",
        headers=bearer(tokens["rhea"]),
        json={**LABELS, "slots": [slot]},
    )
    assert response.status_code == 200, response.text
    return response.json()["links"][0]


def test_a_lead_merges_and_rejects_additions(runtime, api, team, queued):
    client, tokens = api
    lead = bearer(tokens["lena"])
    misspelt = propose_through_the_api(client, tokens, queued, "Beyonse Knowls")
    found = client.get("/api/catalog", params={"q": "beyonse knowls"}, headers=lead).json()
    assert found["entries"][0]["id"] == misspelt and found["entries"][0]["proposed"] is True
    waiting = client.get("/api/catalog/additions", headers=lead).json()["additions"]
    assert [(a["entry_id"], a["added_by"], a["status"]) for a in waiting] == [
        (misspelt, team["rhea"].pseudonym, "proposed")
    ]
    addition = waiting[0]["id"]
    merge = f"/api/catalog/additions/{addition}/merge"
    assert client.post(merge, headers=lead, json={"into": "artist:nobody"}).status_code == 422
    merged = client.post(merge, headers=lead, json={"into": "artist:beyonce"})
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "merged" and merged.json()["entry_id"] == "artist:beyonce"
    assert merged.json()["decided_by"] == team["lena"].pseudonym
    assert client.post(merge, headers=lead, json={"into": "artist:beyonce"}).status_code == 409
    found = client.get("/api/catalog", params={"q": "beyonse knowls"}, headers=lead).json()
    assert found["entries"][0]["id"] == "artist:beyonce"
    assert "Beyonse Knowls" in found["entries"][0]["aliases"]

    wrong = propose_through_the_api(client, tokens, queued, "Not An Artist Really")
    (waiting,) = client.get("/api/catalog/additions", headers=lead).json()["additions"]
    rejected = client.post(f"/api/catalog/additions/{waiting['id']}/reject", headers=lead)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert client.get("/api/catalog/additions", headers=lead).json() == {"additions": []}
    unknown = client.post("/api/catalog/additions/nope/reject", headers=lead)
    assert unknown.status_code == 404 and set(unknown.json()) == {"detail"}
    search = client.get("/api/catalog", params={"q": "not an artist really", "kind": "artist"})
    assert search.status_code == 401
    search = client.get(
        "/api/catalog", params={"q": "not an artist really", "kind": "artist"}, headers=lead
    )
    assert wrong not in [entry["id"] for entry in search.json()["entries"]]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "beatles"}, 200),
        ({"q": "beatles", "limit": 1}, 200),
        ({"q": "x" * 101}, 422),
        ({"q": ""}, 422),
        ({}, 422),
        ({"q": "beatles", "limit": 26}, 422),
        ({"q": "beatles", "kind": "person"}, 422),
    ],
)
def test_catalog_search_is_bounded(api, params, status):
    client, tokens = api
    response = client.get("/api/catalog", params=params, headers=bearer(tokens["rhea"]))
    assert response.status_code == status, response.text
    if status == 200:
        entries = response.json()["entries"]
        assert entries[0]["id"] == "artist:the-beatles"
        assert len(entries) <= params.get("limit", 10)


def test_distress_escalates_and_offers_a_break(runtime, api, queued):
    client, tokens = api
    queued("alice")
    queued("bob")
    task_id = held(client, tokens["rhea"])
    response = client.post(
        f"/api/review/tasks/{task_id}/annotation",
        headers=bearer(tokens["rhea"]),
        json={**LABELS, "flags": ["distress"]},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "escalated",
        "annotation": None,
        "links": [],
        "break_minutes": 15,
    }
    assert (
        client.get(f"/api/review/tasks/{task_id}/audio", headers=bearer(tokens["rhea"])).status_code
        == 404
    )
    with runtime.sessions() as session:
        assert session.scalar(select(Escalation.task_id)) == task_id
        assert session.scalar(select(func.count()).select_from(Annotation)) == 0
    taken = client.post("/api/review/break", headers=bearer(tokens["rhea"]))
    assert taken.status_code == 200
    assert datetime.fromisoformat(taken.json()["until"]) > datetime.now(UTC)
    paused = client.post(NEXT, headers=bearer(tokens["rhea"]))
    assert paused.status_code == 204 and "break" in paused.headers[review_api.QUEUE_CLOSED]


def test_every_access_is_audited_and_the_audio_carries_the_watermark(
    runtime, api, team, queued, speech
):
    client, tokens = api
    (task,) = queued("alice")
    with runtime.sessions() as session:  # real speech: the mark hides under its spectrum
        row = session.get(ReviewTask, task.id)
        clip = speech("add call the plumber to my to do list", "joe").to_wav_bytes()
        row.audio_sealed = runtime.keyring.seal(
            session, row.owner_id, clip, task_audio_context(row.id, row.interaction_id)
        )
        session.commit()
    held(client, tokens["rhea"])
    audio = client.get(f"/api/review/tasks/{task.id}/audio", headers=bearer(tokens["rhea"]))
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
    assert audio.headers["cache-control"].startswith("no-store")
    assert audio.headers["content-disposition"] == "inline"
    secret = runtime.keyring.watermark_secret()
    keys = {login: watermark_key(secret, team[login].id) for login in ("rhea", "remy", "lena")}
    found = identify(read_audio(audio.content), keys)
    assert found is not None and found.reviewer_id == "rhea"
    propose_through_the_api(client, tokens, queued, "Phoebe Bridgers")
    rhea = team["rhea"].pseudonym
    with runtime.sessions() as session:
        owner = session.get(ReviewTask, task.id).owner_id
        seen = [(e.actor, e.role, e.action) for e in events(session, owner)]
        everyone = [(e.actor, e.action) for e in events(session)]
    assert (rhea, "reviewer", "read_transcript") in seen
    assert (rhea, "reviewer", "listen") in seen
    assert (rhea, "catalog_propose") in everyone

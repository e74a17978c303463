"""The privacy centre over HTTP: sign-in, own data only, CSRF, deletions with receipts, choices."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from confide.ingest import ingest
from confide.privacy.audit import events
from confide.privacy.consent import consents
from confide.privacy.deletion import erase_account
from confide.privacy.receipt_words import erased_counts
from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.store.tables import Device, Interaction, Person, SignInSession
from confide_testing import CSRF, DemoHousehold, wav
from confide_testing import customer_sign_in as sign_in


def browser(runtime: Runtime) -> TestClient:
    """HTTPS, because outside dev mode the session cookie is Secure."""
    return TestClient(create_app(runtime), base_url="https://testserver", follow_redirects=False)


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    return browser(runtime)


def code(household: DemoHousehold, who: str) -> str:
    secret = household.people[who].totp_secret
    assert secret is not None
    return pyotp.TOTP(secret).now()


def said(runtime: Runtime, household: DemoHousehold, who: str, days_ago: float = 0) -> str:
    """One processed interaction of `who`, made `days_ago` days ago."""
    device = household.devices[who]
    with runtime.sessions() as session:
        interaction = ingest(
            session, runtime.keyring, runtime.blobs, device, uuid.uuid4().hex, wav()
        )
        session.commit()
    runtime.pipeline.process(interaction.id)
    with runtime.sessions() as session:
        session.execute(
            update(Interaction)
            .where(Interaction.id == interaction.id)
            .values(created_at=datetime.now(UTC) - timedelta(days=days_ago))
        )
        session.commit()
    return interaction.id


def remaining(runtime: Runtime, who_id: str) -> set[str]:
    with runtime.sessions() as session:
        return set(session.scalars(select(Interaction.id).where(Interaction.owner_id == who_id)))


def web_sessions(runtime: Runtime) -> int:
    """Customers' sign-in sessions in the one session store."""
    with runtime.sessions() as session:
        customers = SignInSession.principal_kind == "person"
        return session.scalar(select(func.count()).where(customers)) or 0


PAGES = [
    ("GET", "/privacy/"),
    ("GET", "/privacy/interactions/x/audio"),
    ("GET", "/privacy/receipts"),
    ("GET", "/privacy/receipts/x"),
    ("GET", "/privacy/retention"),
    ("GET", "/privacy/consents"),
    ("GET", "/privacy/access"),
    ("GET", "/privacy/export"),
    ("GET", "/privacy/export.zip"),
    ("GET", "/privacy/devices"),
    ("POST", "/privacy/interactions/x/delete"),
    ("POST", "/privacy/interactions/x/not-for-me"),
    ("POST", "/privacy/delete-range"),
    ("POST", "/privacy/delete-all"),
    ("POST", "/privacy/retention"),
    ("POST", "/privacy/consents"),
    ("POST", "/privacy/devices"),
    ("POST", "/logout"),
]


@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{m} {p}" for m, p in PAGES])
def test_every_page_needs_sign_in(client, method, path) -> None:
    client.cookies.set("confide_session", "made-up", domain="testserver")
    response = client.request(method, path)
    assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_sign_in_and_out(client, runtime, household) -> None:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "login": "alice",
            "password": household.passwords["alice"],
            "code": code(household, "alice"),
            "csrf": CSRF.findall(form.text)[0],
        },
    )
    assert (response.status_code, response.headers["location"]) == (303, "/privacy/")
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("confide_session=")
    )
    assert {"HttpOnly", "Secure", "SameSite=strict"} <= {p.strip() for p in cookie.split(";")}
    page = client.get("/privacy/")
    assert page.status_code == 200
    assert "Alice Rivera" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert client.post("/logout").status_code == 403
    out = client.post("/logout", data={"csrf": CSRF.findall(page.text)[0]})
    assert (out.status_code, out.headers["location"]) == (303, "/login?signed_out=true")
    assert web_sessions(runtime) == 0
    assert client.get("/privacy/").status_code == 303


@pytest.mark.parametrize(
    ("login", "password", "right_code"),
    [
        ("alice", "correct horse battery", False),
        ("alice", "wrong horse battery!", True),
        ("nobody", "correct horse battery", True),
        ("", "", False),
    ],
    ids=["wrong-code", "wrong-password", "unknown-login", "empty"],
)
def test_wrong_credentials_get_401_and_no_session(
    client, runtime, household, login, password, right_code
) -> None:
    form = client.get("/login")
    totp = code(household, "alice") if right_code else "000000"
    response = client.post(
        "/login",
        data={
            "login": login,
            "password": password,
            "code": totp,
            "csrf": CSRF.findall(form.text)[0],
        },
    )
    assert response.status_code == 401
    assert "not right" in response.text
    assert "confide_session" not in response.headers.get("set-cookie", "")
    assert web_sessions(runtime) == 0


def test_the_login_form_needs_its_own_token(client, runtime, household) -> None:
    response = client.post(
        "/login",
        data={
            "login": "alice",
            "password": household.passwords["alice"],
            "code": code(household, "alice"),
            "csrf": "forged",
        },
    )
    assert response.status_code == 403
    assert web_sessions(runtime) == 0


@pytest.mark.parametrize("state", ["expired", "erased"])
def test_a_session_ends_with_expiry_or_erasure(client, runtime, household, state) -> None:
    sign_in(client, household)
    alice = household.people["alice"].id
    with runtime.sessions() as session:
        if state == "expired":
            session.execute(
                update(SignInSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        else:
            erase_account(session, runtime.keyring, runtime.blobs, alice, actor=alice)
        session.commit()
    assert client.get("/privacy/").status_code == 303
    assert client.get("/login").status_code == 200  # the form, not a redirect loop


FORMS = [
    ("/privacy/interactions/{own}/delete", {}),
    ("/privacy/interactions/{own}/not-for-me", {}),
    ("/privacy/delete-range", {"start": "2000-01-01", "end": "2100-01-01"}),
    ("/privacy/delete-all", {"confirm": "true"}),
    ("/privacy/retention", {"period": "91"}),
    ("/privacy/consents", {"purpose": "human_review", "granted": "true"}),
    ("/privacy/devices", {"name": "kitchen"}),
]


@pytest.mark.parametrize(("path", "form"), FORMS, ids=[p for p, _ in FORMS])
@pytest.mark.parametrize("csrf", [None, "forged"])
def test_a_form_without_its_csrf_token_is_refused(
    client, runtime, household, path, form, csrf
) -> None:
    own = said(runtime, household, "alice")
    sign_in(client, household)
    data = form if csrf is None else {**form, "csrf": csrf}
    response = client.post(path.format(own=own), data=data)
    assert response.status_code == 403
    alice = household.people["alice"].id
    assert remaining(runtime, alice) == {own}
    with runtime.sessions() as session:
        person = session.get(Person, alice)
        assert person is not None and person.retention_days is None
        assert not consents(session, alice)["human_review"]
        assert session.scalar(select(func.count()).select_from(Device)) == 3


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/privacy/interactions/{bobs}/audio"),
        ("POST", "/privacy/interactions/{bobs}/delete"),
        ("POST", "/privacy/interactions/{bobs}/not-for-me"),
    ],
)
def test_another_persons_interaction_is_not_found(client, runtime, household, method, path) -> None:
    bobs = said(runtime, household, "bob")
    csrf = sign_in(client, household, "alice")
    response = client.request(method, path.format(bobs=bobs), data={"csrf": csrf})
    assert response.status_code == 404
    assert remaining(runtime, household.people["bob"].id) == {bobs}


def test_history_shows_own_interactions_newest_first(client, runtime, household) -> None:
    older = said(runtime, household, "alice", days_ago=2)
    newer = said(runtime, household, "alice", days_ago=1)
    bobs = said(runtime, household, "bob")
    sign_in(client, household)
    page = client.get("/privacy/").text
    assert re.findall(r'data-id="(\w+)"', page) == [newer, older]
    assert bobs not in page
    assert "set a timer for ten minutes" in page
    assert "alice&#39;s speaker" in page
    assert f'src="/privacy/interactions/{newer}/audio"' in page


def test_own_audio_is_streamed_and_the_listening_audited(client, runtime, household) -> None:
    own = said(runtime, household, "alice")
    sign_in(client, household)
    response = client.get(f"/privacy/interactions/{own}/audio")
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert "content-disposition" not in response.headers
    assert response.content.startswith(b"RIFF")
    alice = household.people["alice"].id
    with runtime.sessions() as session:
        listened = [e for e in events(session, owner_id=alice) if e.action == "listen"]
    assert [(e.actor, e.role, e.subject) for e in listened] == [
        (alice, "owner", f"interaction:{own}")
    ]
    assert "you played your own recording" in client.get("/privacy/access").text


@pytest.mark.parametrize("lost", ["row", "blob"])
def test_audio_that_is_not_kept_is_not_found(client, runtime, household, lost) -> None:
    """No recording to play is a 404 whether the row forgot it or the store lost the blob."""
    own = said(runtime, household, "alice")
    with runtime.sessions() as session:
        row = session.get_one(Interaction, own)
        if lost == "row":
            row.audio_key = None
            session.commit()
        else:
            runtime.blobs.delete(row.audio_key)
    sign_in(client, household)
    assert client.get(f"/privacy/interactions/{own}/audio").status_code == 404


@pytest.mark.parametrize(
    ("path", "form", "kept", "scope"),
    [
        ("/privacy/interactions/{0}/delete", {}, {1, 2}, "One interaction you deleted"),
        ("/privacy/interactions/{0}/not-for-me", {}, {1, 2}, "wasn&#39;t for the assistant"),
        ("/privacy/delete-range", {"start": "{d1}", "end": "{d0}"}, {2}, "Everything from "),
        ("/privacy/delete-all", {"confirm": "true"}, set(), "Everything you had"),
    ],
    ids=["one", "not-for-me", "range", "all"],
)
def test_deletions_leave_a_receipt(client, runtime, household, path, form, kept, scope) -> None:
    made = [said(runtime, household, "alice", days_ago=days) for days in (0, 1, 5)]
    bobs = said(runtime, household, "bob")
    csrf = sign_in(client, household)
    day = {f"d{n}": (datetime.now(UTC) - timedelta(days=n)).date().isoformat() for n in (0, 1)}
    data = {key: value.format(**day) for key, value in form.items()}
    response = client.post(path.format(made[0]), data={**data, "csrf": csrf})
    assert response.status_code == 303, response.text
    receipt = client.get(response.headers["location"])
    assert scope in receipt.text
    deleted = 3 - len(kept)
    assert re.search(rf"interactions</th><td class=\"count\">{deleted}<", receipt.text)
    assert remaining(runtime, household.people["alice"].id) == {made[i] for i in kept}
    assert remaining(runtime, household.people["bob"].id) == {bobs}
    assert response.headers["location"].rsplit("/", 1)[1] in client.get("/privacy/receipts").text


def test_not_for_me_counts_a_false_wake(client, runtime, household) -> None:
    own = said(runtime, household, "alice")
    csrf = sign_in(client, household)
    client.post(f"/privacy/interactions/{own}/not-for-me", data={"csrf": csrf})
    with runtime.sessions() as session:
        actions = [e.action for e in events(session, owner_id=household.people["alice"].id)]
    assert actions[-2:] == ["false_wake", "delete"]


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/privacy/delete-range", {"start": "2026-02-01", "end": "2026-01-01"}),
        ("/privacy/delete-all", {}),
    ],
    ids=["range-backwards", "all-unconfirmed"],
)
def test_a_doubtful_bulk_deletion_deletes_nothing(client, runtime, household, path, form) -> None:
    own = said(runtime, household, "alice")
    csrf = sign_in(client, household)
    response = client.post(path, data={**form, "csrf": csrf})
    assert response.status_code == 422
    assert "nothing was deleted" in response.text
    assert remaining(runtime, household.people["alice"].id) == {own}


@pytest.mark.parametrize(
    ("path", "form", "says"),
    [
        (
            "/privacy/delete-range",
            {"start": "2001-03-01", "end": "2001-03-31"},
            "Nothing is kept from 1 March 2001 to 31 March 2001; nothing was deleted.",
        ),
        ("/privacy/delete-all", {"confirm": "true"}, "Nothing is kept; nothing was deleted."),
    ],
    ids=["empty-range", "empty-history"],
)
def test_deleting_nothing_says_so_and_makes_no_receipt(
    client, runtime, household, path, form, says
) -> None:
    if path.endswith("range"):
        said(runtime, household, "alice")
    csrf = sign_in(client, household)
    response = client.post(path, data={**form, "csrf": csrf})
    assert response.status_code == 200
    assert says in response.text
    assert "/privacy/receipts/" not in client.get("/privacy/receipts").text


@pytest.mark.parametrize(
    ("start", "end", "kept"),
    [
        ("{d1}", "9999-12-31", set()),
        ("0001-01-01", "9999-12-31", set()),
        ("9999-12-31", "9999-12-31", {0, 1}),
    ],
    ids=["to-the-last-day", "all-of-time", "only-the-last-day"],
)
def test_a_range_reaching_the_last_day_of_time_deletes(
    client, runtime, household, start, end, kept
) -> None:
    """Issue 10.13: a range ending 9999-12-31 overflowed its next midnight into a 500."""
    made = [said(runtime, household, "alice", days_ago=days) for days in (0, 1)]
    csrf = sign_in(client, household)
    day = {"d1": (datetime.now(UTC) - timedelta(days=1)).date().isoformat()}
    form = {"start": start.format(**day), "end": end, "csrf": csrf}
    response = client.post("/privacy/delete-range", data=form)
    assert response.status_code == (303 if len(kept) < len(made) else 200), response.text
    assert remaining(runtime, household.people["alice"].id) == {made[i] for i in kept}


@pytest.mark.parametrize(("page", "status"), [("0", 200), ("100000", 200), (str(10**20), 422)])
def test_a_history_page_past_any_history_is_refused(client, household, page, status) -> None:
    """Issue 10.13: `?page=10**20` overflowed the database offset into a 500."""
    sign_in(client, household)
    assert client.get(f"/privacy/?page={page}").status_code == status


@pytest.mark.parametrize(
    ("period", "days", "status", "stored"),
    [
        ("91", "", 303, 91),
        ("548", "", 303, 548),
        ("custom", "30", 303, 30),
        ("keep", "", 303, None),
        ("custom", "0", 422, None),
        ("custom", "thirty", 422, None),
        ("7", "", 422, None),
    ],
)
def test_retention_choice(client, runtime, household, period, days, status, stored) -> None:
    csrf = sign_in(client, household)
    response = client.post(
        "/privacy/retention", data={"period": period, "days": days, "csrf": csrf}
    )
    assert response.status_code == status
    with runtime.sessions() as session:
        person = session.get(Person, household.people["alice"].id)
        assert person is not None and person.retention_days == stored
    if status == 303:
        assert "Saved." in client.get(response.headers["location"]).text


@pytest.mark.parametrize("granted", [True, False])
def test_a_consent_change_is_in_effect_at_once(client, runtime, household, granted) -> None:
    csrf = sign_in(client, household)
    response = client.post(
        "/privacy/consents",
        data={"purpose": "storage", "granted": str(granted).lower(), "csrf": csrf},
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert f"is now {'on' if granted else 'off'}" in page
    with runtime.sessions() as session:
        assert consents(session, household.people["alice"].id)["storage"] is granted
    said = "<strong>You</strong> gave your consent" if granted else "withdrew your consent"
    assert said in client.get("/privacy/access").text


@pytest.mark.parametrize(("confirm", "playable"), [("true", False), ("", True)])
def test_keeping_recordings_off_offers_to_delete_those_kept(
    client, runtime, household, confirm, playable
) -> None:
    """Issue 10.5: with "keep my recordings" off, those kept before stayed playable, unmentioned."""
    own = [said(runtime, household, "alice") for _ in range(2)]
    csrf = sign_in(client, household)
    assert "Recordings kept from before" not in client.get("/privacy/consents").text
    client.post("/privacy/consents", data={"purpose": "storage", "granted": "false", "csrf": csrf})
    page = client.get("/privacy/consents").text
    assert "Recordings kept from before" in page and "2 recordings" in page
    response = client.post("/privacy/delete-recordings", data={"confirm": confirm, "csrf": csrf})
    assert response.status_code == 303
    for interaction in own:
        played = client.get(f"/privacy/interactions/{interaction}/audio")
        assert (played.status_code == 200) is playable
    assert remaining(runtime, household.people["alice"].id) == set(own)  # the words stay
    if not playable:
        assert "The recordings you had kept" in client.get(response.headers["location"]).text
        assert "Recordings kept from before" not in client.get("/privacy/consents").text


@pytest.mark.parametrize(
    ("typed", "confirm", "erased"),
    [("alice", "true", True), ("bob", "true", False), ("alice", "", False)],
    ids=["confirmed", "wrong-login", "unticked"],
)
def test_a_customer_deletes_their_own_account(
    client, runtime, household, typed, confirm, erased
) -> None:
    """Issue 10.4: `erase_account` was never called; the privacy centre had no way to use it."""
    own = said(runtime, household, "alice")
    bobs = said(runtime, household, "bob")
    csrf = sign_in(client, household)
    response = client.post(
        "/privacy/delete-account", data={"login": typed, "confirm": confirm, "csrf": csrf}
    )
    assert response.status_code == (200 if erased else 422)
    alice = household.people["alice"].id
    assert remaining(runtime, alice) == (set() if erased else {own})
    assert remaining(runtime, household.people["bob"].id) == {bobs}
    upload = client.post(
        "/api/utterances",
        content=wav(),
        headers={"Authorization": f"Bearer {household.tokens['alice']}", "Idempotency-Key": "x"},
    )
    assert (upload.status_code == 401) is erased
    if erased:
        assert "Your whole account" in response.text and "Your account is gone" in response.text
        assert client.get("/privacy/", follow_redirects=False).status_code == 303
    else:
        assert "nothing was deleted" in response.text


@pytest.mark.parametrize(("whose", "status"), [("alice", 303), ("bob", 404)])
def test_a_customer_removes_their_own_device(client, runtime, household, whose, status) -> None:
    """Issue 10.4: a device could not be removed; now its owner can, and no one else."""
    csrf = sign_in(client, household)
    device = household.devices[whose].id
    assert (
        f"/privacy/devices/{household.devices['alice'].id}/remove"
        in client.get("/privacy/devices").text
    )
    response = client.post(f"/privacy/devices/{device}/remove", data={"csrf": csrf})
    assert response.status_code == status
    upload = client.post(
        "/api/utterances",
        content=wav(),
        headers={"Authorization": f"Bearer {household.tokens[whose]}", "Idempotency-Key": "k"},
    )
    assert upload.status_code == (401 if status == 303 else 202)
    if status == 303:
        assert "Revoked" in client.get("/privacy/devices").text
        assert "was removed" in client.get("/privacy/access").text


def test_export_holds_own_data_and_nothing_of_others(client, runtime, household) -> None:
    own = [said(runtime, household, "alice") for _ in range(2)]
    bobs = said(runtime, household, "bob")
    sign_in(client, household)
    response = client.get("/privacy/export.zip")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    listed = json.loads(archive.read("interactions.json"))
    assert sorted(item["id"] for item in listed) == sorted(own)
    assert set(archive.namelist()) == {
        "index.html",
        "interactions.json",
        "settings.json",
        "devices.json",
        "consents.json",
        "access_log.json",
        "receipts.json",
        *(item["audio"] for item in listed),
    }
    named = r"audio/\d{4}-\d\d-\d\d_\d{4}_set-a-timer-for-ten-minutes(-2)?\.wav"
    assert all(re.fullmatch(named, item["audio"]) for item in listed)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert bobs.encode() not in everything
    assert household.people["bob"].id.encode() not in everything


def test_pairing_shows_a_code_that_pairs_once(client, household) -> None:
    csrf = sign_in(client, household)
    page = client.post("/privacy/devices", data={"name": "kitchen", "csrf": csrf})
    assert page.status_code == 200
    shown = re.search(
        r'class="code"[^>]*>((?:[0-9A-HJKMNP-TV-Z]{4} ){2}[0-9A-HJKMNP-TV-Z]{4})<', page.text
    )
    assert shown is not None
    paired = client.post("/api/devices/pair", json={"code": shown[1]})  # typed as shown
    assert paired.status_code == 200
    assert "kitchen" in client.get("/privacy/devices").text


@pytest.mark.parametrize(
    ("name", "status"),
    [("style.css", 200), ("centre.js", 200), ("nope.css", 404), ("..%2Flogin.py", 404)],
)
def test_static_files_are_public_and_only_those(client, name, status) -> None:
    assert client.get(f"/privacy/static/{name}").status_code == status


def test_erasing_an_account_ends_its_sessions_and_no_one_elses(runtime, household) -> None:
    sign_in(browser(runtime), household, "alice")
    sign_in(browser(runtime), household, "bob")
    alice = household.people["alice"].id
    with runtime.sessions() as session:
        erase_account(session, runtime.keyring, runtime.blobs, alice, actor=alice)
        session.commit()
        left = session.scalars(select(SignInSession.principal_id)).all()
    assert left == [household.people["bob"].id]


def test_an_unknown_consent_purpose_is_refused(client, runtime, household) -> None:
    csrf = sign_in(client, household)
    response = client.post(
        "/privacy/consents", data={"purpose": "telepathy", "granted": "true", "csrf": csrf}
    )
    assert response.status_code == 422
    with runtime.sessions() as session:
        assert "telepathy" not in consents(session, household.people["alice"].id)


def test_a_receipt_names_the_dataset_exports_that_held_the_data(client, runtime, household):
    """Issue 11, item 4: the customer reads which exports of the training data held what they
    deleted, and what went from the dataset, in words."""
    import json

    from confide.store.tables import DeletionReceipt

    alice = household.people["alice"].id
    erased = {"interactions": 1, "dataset.items": 1, "dataset.models": 2, "exports": ["e1", "e2"]}
    with runtime.sessions() as session:
        session.add(
            DeletionReceipt(
                id="r1",
                person_id=alice,
                created_at=datetime.now(UTC),
                scope="interaction",
                erased_json=json.dumps(erased),
            )
        )
        session.commit()
    sign_in(client, household)
    page = client.get("/privacy/receipts/r1").text
    assert "held some of it: 2 exports (e1, e2)." in " ".join(page.split())
    assert re.search(r"anonymised clips in the training data</th><td class=\"count\">1<", page)
    assert re.search(r"models to be retrained without your data</th><td class=\"count\">2<", page)


@pytest.mark.parametrize(
    ("erased", "said"),
    [
        ({"interactions": 1, "audio": 1}, ["1 interaction", "1 recording"]),
        ({"interactions": 2, "audio": 0}, ["2 interactions", "0 recordings"]),
        ({"skill_items": 1, "data_key": 1}, ["1 timer or list item", "1 data key"]),
        (
            {"review.review_tasks": 1, "review.annotations": 1},
            ["1 review task", "1 reviewer's label"],
        ),
        (
            {"review.annotations": 2, "dataset.items": 1},
            ["2 reviewers' labels", "1 anonymised clip in the training data"],
        ),
    ],
)
def test_receipt_counts_agree_with_their_words(erased, said) -> None:
    assert erased_counts(erased) == said


SEARCHES = [
    ("", 200, 3, False),
    ("?q=timer", 200, 3, True),
    ("?q=nothing+like+it", 200, 0, True),
    ("?since={ten_days_ago}", 200, 2, True),
    ("?until={ten_days_ago}", 200, 1, True),
    ("?reviewed=no", 200, 3, True),
    ("?reviewed=yes", 200, 0, True),
    ("?q=&since=&until=&device=&reviewed=", 200, 3, False),  # the form, every field empty
    ("?since=yesterday", 422, 3, False),  # the page, saying how to write a date
    ("?reviewed=maybe", 422, None, False),
    ("?q=" + "x" * 101, 422, None, False),
]
"""The history's search as addresses: the query, the status, how many interactions it lists
(one of Alice's three is 20 days old, the others today), and whether it says it filtered."""


@pytest.mark.parametrize(("query", "status", "listed", "filtered"), SEARCHES)
def test_the_history_searches_and_filters(
    client, runtime, household, query, status, listed, filtered
):
    said(runtime, household, "alice", days_ago=20)
    said(runtime, household, "alice")
    said(runtime, household, "alice")
    said(runtime, household, "bob")
    sign_in(client, household)
    ten_days_ago = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    response = client.get(f"/privacy/{query.format(ten_days_ago=ten_days_ago)}")
    assert response.status_code == status, response.text
    if listed is not None:
        assert response.text.count('<article class="card interaction"') == listed
        assert ('role="status" id="found"' in response.text) is filtered
        assert ("Show everything" in response.text) is filtered
    if status == 422 and listed is not None:
        assert "year-month-day" in response.text

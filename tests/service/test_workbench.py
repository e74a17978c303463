"""The workbench over HTTP: the authorisation matrix, what a reviewer can and cannot reach,
streamed watermarked audio, distress routing, and the customer seeing who listened."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from confide.audio import read_audio
from confide.privacy.audit import events
from confide.privacy.contexts import task_audio_context
from confide.review.breakglass import request as ask_break_glass
from confide.review.tasks import Labels, flag_distress, next_task, open_annotation, submit
from confide.review.watermark import identify, watermark_key
from confide.service import workbench
from confide.service.principals import ACCESS
from confide.store.tables import (
    Annotation,
    BreakGlass,
    CatalogAddition,
    Escalation,
    ReviewTask,
    StaffMember,
)
from confide_testing import Member
from confide_testing import staff_sign_in as sign_in
from confide_testing import web_client as client_for

NOW = None


@pytest.fixture
def world(session, keyring, team, queued):
    """A task held by rhea, a disagreement, an open escalation and a pending break-glass."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    queued("alice", second_opinion=True)
    queued("bob")
    queued("bob")
    rhea, remy = (session.get(StaffMember, team[who].id) for who in ("rhea", "remy"))
    submit(session, keyring, rhea, next_task(session, rhea, now), Labels("turn up", "Volume"), now)
    submit(session, keyring, remy, next_task(session, remy, now), Labels("turn up", "Stop"), now)
    flag_distress(session, remy, next_task(session, remy, now), now)
    held = next_task(session, rhea, now)
    sol = session.get(StaffMember, team["sol"].id)
    asked = ask_break_glass(session, sol, held.id, "the clip may show someone at risk now", now)
    session.commit()
    group = session.scalar(select(ReviewTask.group_id).where(ReviewTask.kind == "second"))
    return {
        "remy": team["remy"].pseudonym,
        "task": held.id,
        "group": group,
        "escalation": session.scalar(select(Escalation.id)),
        "request": asked.id,
    }


ROUTES = [
    ("GET", "/review/", "home"),
    ("POST", "/review/next", "review"),
    ("GET", "/review/tasks/{task}", "review"),
    ("GET", "/review/tasks/{task}/audio", "review"),
    ("POST", "/review/tasks/{task}/submit", "review"),
    ("POST", "/review/tasks/{task}/distress", "review"),
    ("GET", "/review/catalog", "review"),
    ("GET", "/review/break", "review"),
    ("POST", "/review/break", "review"),
    ("GET", "/review/quality", "quality"),
    ("GET", "/review/adjudicate/{group}", "quality"),
    ("GET", "/review/adjudicate/{group}/audio", "quality"),
    ("POST", "/review/adjudicate/{group}", "quality"),
    ("GET", "/review/escalations", "safety"),
    ("GET", "/review/escalations/{escalation}", "safety"),
    ("GET", "/review/escalations/{escalation}/audio", "safety"),
    ("POST", "/review/escalations/{escalation}/close", "safety"),
    ("GET", "/review/break-glass", "break_glass_view"),
    ("POST", "/review/break-glass", "break_glass_request"),
    ("POST", "/review/break-glass/{request}/decide", "break_glass_decide"),
    ("GET", "/review/break-glass/{request}/audio", "break_glass_request"),
    ("GET", "/review/staff", "staff"),
    ("POST", "/review/staff", "staff"),
    ("POST", "/review/staff/{remy}/roles", "staff"),
    ("POST", "/review/staff/{remy}/active", "staff"),
    ("POST", "/review/staff/{remy}/totp", "staff"),
    ("POST", "/review/staff/{remy}/sessions", "staff"),
]
"""Every workbench route and the ACCESS group that guards it."""


def test_every_workbench_route_is_in_the_matrix():
    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    served = {
        (method, shape(route.path)) for route in workbench.router.routes for method in route.methods
    }
    assert served == {(method, shape(path)) for method, path, _ in ROUTES}


@pytest.mark.parametrize("login", ["rhea", "lena", "sol", "pia", "ada", None])
def test_authorisation_matrix(runtime, team, world, login):
    """Each role against each route: its roles get past the door, everyone else gets 403,
    and no one signed in is sent to the login page."""
    client = client_for(runtime)
    csrf = sign_in(client, team[login]) if login else ""
    roles = runtime_roles(runtime, team[login].id) if login else frozenset()
    for method, template, group in ROUTES:
        path = template.format(**world)
        data = {
            "csrf": csrf,
            "outcome": "no_risk",
            "transcript": "x",
            "approve": "no",
            "task": world["task"],
            "reason": "x" * 30,
        }
        response = client.request(method, path, data=data if method == "POST" else None)
        if login is None:
            assert response.status_code == 303 and "/review/login" in response.headers["location"]
        elif roles & ACCESS[group]:
            assert response.status_code != 403, (login, method, path, response.text)
        else:
            assert response.status_code == 403, (login, method, path, response.text)


def runtime_roles(runtime, staff_id):
    from confide.review.staff import roles_of

    with runtime.sessions() as session:
        return roles_of(session.get(StaffMember, staff_id))


def test_a_reviewer_reaches_only_their_task_and_no_ids(runtime, household, team, world):
    client = client_for(runtime)
    sign_in(client, team["rhea"])
    with runtime.sessions() as session:
        others = session.scalars(select(ReviewTask.id).where(ReviewTask.id != world["task"])).all()
        interactions = session.scalars(select(ReviewTask.interaction_id)).all()
    for other in others:
        assert client.get(f"/review/tasks/{other}").status_code == 404
        assert client.get(f"/review/tasks/{other}/audio").status_code == 404
    pages = [client.get("/review/"), client.get(f"/review/tasks/{world['task']}")]
    audio = client.get(f"/review/tasks/{world['task']}/audio")
    ids = [
        household.id,
        *interactions,
        *(p.id for p in household.people.values()),
        *(d.id for d in household.devices.values()),
    ]
    names = re.compile(r"rivera", re.IGNORECASE)  # first names are in the catalog (Bob Marley)
    for response in [*pages, audio]:
        seen = response.text if response.headers["content-type"].startswith("text") else ""
        seen += str(response.headers)
        assert not [i for i in ids if i in seen]
        assert names.findall(seen) == []


def test_audio_is_streamed_uncached_and_watermarked(runtime, team, world, speech):
    with runtime.sessions() as session:  # real speech: the mark hides under its spectrum
        task = session.get(ReviewTask, world["task"])
        clip = speech("add call the plumber to my to do list", "joe").to_wav_bytes()
        task.audio_sealed = runtime.keyring.seal(
            session, task.owner_id, clip, task_audio_context(task.id, task.interaction_id)
        )
        session.commit()
    client = client_for(runtime)
    sign_in(client, team["rhea"])
    page = client.get(f"/review/tasks/{world['task']}")
    assert 'controlslist="nodownload' in page.text and "download=" not in page.text
    assert page.headers["cache-control"] == "no-store"
    audio = client.get(f"/review/tasks/{world['task']}/audio")
    assert audio.headers["cache-control"].startswith("no-store")
    assert audio.headers["content-disposition"] == "inline"
    secret = runtime.keyring.watermark_secret()
    keys = {login: watermark_key(secret, team[login].id) for login in ("rhea", "remy", "lena")}
    found = identify(read_audio(audio.content), keys)
    assert found is not None and found.reviewer_id == "rhea"


def test_distress_routes_to_safety_and_offers_a_break(runtime, team, world):
    client = client_for(runtime)
    csrf = sign_in(client, team["rhea"])
    flagged = client.post(f"/review/tasks/{world['task']}/distress", data={"csrf": csrf})
    assert flagged.headers["location"] == "/review/break"
    assert "break" in client.get("/review/break").text
    assert client.get(f"/review/tasks/{world['task']}").status_code == 404
    safety = client_for(runtime)
    sign_in(safety, team["sol"])
    listing = safety.get("/review/escalations").text
    assert listing.count("/review/escalations/") == 2  # remy's earlier one and this one


def test_the_customer_sees_who_listened(runtime, household, team, world):
    client = client_for(runtime)
    sign_in(client, team["rhea"])
    client.get(f"/review/tasks/{world['task']}/audio")
    with runtime.sessions() as session:
        owner = session.get(ReviewTask, world["task"]).owner_id
        seen = [(e.actor, e.role, e.action) for e in events(session, owner)]
    assert (team["rhea"].pseudonym, "reviewer", "listen") in seen
    assert ("sol" not in {a for a, _, _ in seen}) and (
        team["sol"].pseudonym,
        "safety",
        "break_glass_request",
    ) in seen


REFUSALS = [
    ("sol", "POST", "/review/break-glass", {"task": "{task}", "reason": "too short"}, 422),
    ("sol", "POST", "/review/break-glass", {"task": "nope", "reason": "x" * 30}, 404),
    ("sol", "POST", "/review/escalations/{escalation}/close", {"outcome": "shrug"}, 422),
    ("pia", "POST", "/review/break-glass/nope/decide", {"approve": "yes"}, 404),
    ("sol", "GET", "/review/break-glass/{request}/audio", {}, 404),
    ("sol", "GET", "/review/escalations/nope", {}, 404),
    ("rhea", "POST", "/review/tasks/{task}/submit", {"rating": "9"}, 422),
    ("rhea", "POST", "/review/tasks/{task}/submit", {"intent": "Nonsense"}, 422),
    ("lena", "POST", "/review/adjudicate/{group}", {"intent": "Nonsense"}, 422),
    ("ada", "POST", "/review/staff", {"login": "new", "password": "short", "roles": "lead"}, 422),
    ("ada", "POST", "/review/staff", {"login": "rhea", "password": "x" * 12, "roles": "lead"}, 422),
    (
        "ada",
        "POST",
        "/review/staff",
        {"login": "new", "password": "password1234", "roles": "lead"},
        422,
    ),
]
"""What review refuses, as the workbench answers it: who asks, the request, the status."""


@pytest.mark.parametrize(("login", "method", "template", "form", "status"), REFUSALS)
def test_review_refusals_answer_with_their_status(
    runtime, team, world, login, method, template, form, status
):
    client = client_for(runtime)
    csrf = sign_in(client, team[login])
    data = {key: value.format(**world) for key, value in form.items()}
    path = template.format(**world)
    response = client.request(
        method, path, data={**data, "csrf": csrf} if method == "POST" else None
    )
    assert response.status_code == status, response.text


def test_an_expired_approval_is_forbidden_to_the_signed_in_asker(runtime, team, world):
    """AccessDenied to someone signed in is 403: they are known, and not allowed."""
    officer = client_for(runtime)
    decided = officer.post(
        f"/review/break-glass/{world['request']}/decide",
        data={"approve": "yes", "csrf": sign_in(officer, team["pia"])},
    )
    assert decided.status_code == 303
    with runtime.sessions() as session:
        asked = session.get(BreakGlass, world["request"])
        asked.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    asker = client_for(runtime)
    sign_in(asker, team["sol"])
    response = asker.get(f"/review/break-glass/{world['request']}/audio")
    assert response.status_code == 403
    assert "expired" in response.json()["detail"]


def test_staff_sign_out_and_the_form_after(runtime, team, world):
    client = client_for(runtime)
    csrf = sign_in(client, team["rhea"])
    assert client.get("/review/login").headers["location"] == "/review/"  # already signed in
    assert client.post("/review/logout").status_code == 403
    out = client.post("/review/logout", data={"csrf": csrf})
    assert (out.status_code, out.headers["location"]) == (303, "/review/login?signed_out=true")
    assert client.get("/review/").status_code == 303
    assert "You are signed out." in client.get(out.headers["location"]).text


def test_a_staff_session_opens_no_customer_page(runtime, team, world):
    """One table holds both kinds of session; a lookup asks for its own kind only."""
    client = client_for(runtime)
    sign_in(client, team["ada"])
    staff_token = client.cookies.get("confide_staff")
    customer = client_for(runtime)
    customer.cookies.set("confide_session", staff_token, domain="testserver")
    response = customer.get("/privacy/")
    assert (response.status_code, response.headers["location"]) == (303, "/login")


SECRET = re.compile(
    r"<p>([^<]+?) can sign in as <strong>[^<]+</strong>.*?<code>([A-Z2-7]+)</code>", re.S
)


def add_through_the_page(runtime, admin, csrf: str, login: str, roles: list[str]):
    """The signed-in admin adds `login` on the staff page; returns them as a Member."""
    from confide_testing import Member

    password = f"{login} long enough password"
    form = {"login": login, "password": password, "roles": roles, "csrf": csrf}
    page = admin.post("/review/staff", data=form)
    assert page.status_code == 200, page.text
    pseudonym, secret = SECRET.findall(page.text)[0]
    with runtime.sessions() as session:
        made = session.scalar(select(StaffMember).where(StaffMember.login == login))
    return Member(made.id, pseudonym, login, password, secret)


@pytest.mark.parametrize(
    ("roles", "named"),
    [(["reviewer"], "reviewer"), (["lead", "privacy_officer"], "lead, privacy_officer")],
)
def test_adding_staff_on_the_page_is_audited_as_the_admin(runtime, team, roles, named):
    admin = client_for(runtime)
    made = add_through_the_page(runtime, admin, sign_in(admin, team["ada"]), "newcomer", roles)
    with runtime.sessions() as session:
        last = list(events(session))[-1]
    assert (last.actor, last.role, last.action, last.subject) == (
        team["ada"].pseudonym,
        "admin",
        "staff_add",
        f"staff:{made.pseudonym}",
    )
    assert named in last.reason


def test_one_admin_cannot_ask_and_approve_through_accounts_they_made(runtime, team, world):
    """The issue's attack over HTTP: ada makes a lead and an officer, holds both, and tries."""
    admin = client_for(runtime)
    csrf = sign_in(admin, team["ada"])
    lead = add_through_the_page(runtime, admin, csrf, "lee", ["lead"])
    officer = add_through_the_page(runtime, admin, csrf, "oli", ["privacy_officer"])
    asker = client_for(runtime)
    asked = asker.post(
        "/review/break-glass",
        data={"task": world["task"], "reason": "x" * 30, "csrf": sign_in(asker, lead)},
    )
    assert asked.status_code == 303
    with runtime.sessions() as session:
        request_id = session.scalar(select(BreakGlass.id).where(BreakGlass.requested_by == lead.id))
    approver = client_for(runtime)
    decided = approver.post(
        f"/review/break-glass/{request_id}/decide",
        data={"approve": "yes", "csrf": sign_in(approver, officer)},
    )
    assert decided.status_code == 403
    with runtime.sessions() as session:
        assert session.get(BreakGlass, request_id).status == "pending"


@pytest.mark.parametrize(
    ("who", "address", "shown", "not_shown"),
    [
        ("rhea", "/review/?notice=saved", "Saved. Thank you.", None),
        ("rhea", "/review/?notice=empty", "The queue is empty.", None),
        ("rhea", "/review/?notice=Your account is locked, call 0800 123", None, "call 0800"),
        ("rhea", "/review/?notice=<b>bold</b>", None, "bold"),
        ("pia", "/review/break-glass?notice=asked", "Asked. A privacy officer decides.", None),
        ("pia", "/review/break-glass?notice=Approved: play it", None, "play it"),
    ],
)
def test_a_notice_is_said_by_the_page_never_taken_from_the_address(
    runtime, team, world, who, address, shown, not_shown
):
    client = client_for(runtime)
    sign_in(client, team[who])
    page = client.get(address)
    assert page.status_code == 200
    if shown is not None:
        assert shown in page.text
    if not_shown is not None:
        assert not_shown not in page.text and 'class="message notice"' not in page.text


def test_a_closed_queue_says_why_in_its_own_words(runtime, team, world):
    client = client_for(runtime)
    csrf = sign_in(client, team["remy"])
    client.post("/review/break", data={"csrf": csrf})
    closed = client.post("/review/next", data={"csrf": csrf})
    assert closed.headers["location"] == "/review/?notice=break"
    assert re.search(
        r"You are on a break until \d\d:\d\d UTC\.", client.get(closed.headers["location"]).text
    )


HEARD = {"heard": True, "after": 2.0}
SUBMISSIONS = [
    ("saved", HEARD, {"rating": "4"}, 303, None),
    ("never played", {"heard": False, "after": 2.0}, {"rating": "4"}, 422, "play the clip"),
    ("saved too soon", {"heard": True, "after": 0.5}, {"rating": "4"}, 422, "play the clip"),
    ("no rating", HEARD, {}, 422, "rate the answer"),
    (
        "a link to nothing",
        HEARD,
        {"rating": "4", "slot_name": "artist", "slot_value": "x", "slot_link": "artist:nope"},
        422,
        "no catalog entry",
    ),
    (
        "a link of the wrong kind",
        HEARD,
        {"rating": "4", "slot_name": "city", "slot_value": "x", "slot_link": "artist:the-beatles"},
        422,
        "links to a city",
    ),
    (
        "a link by the entry's name",
        HEARD,
        {"rating": "4", "slot_name": "artist", "slot_value": "beatles", "slot_link": "The Beatles"},
        303,
        "artist:the-beatles",
    ),
    (
        "a new entry",
        HEARD,
        {"rating": "4", "slot_name": "artist", "slot_value": "Zorblax Quartet", "slot_new": "1"},
        303,
        "artist:zorblax-quartet",
    ),
    (
        "a stretch with no flag",
        HEARD,
        {"rating": "2", "span_start": "0.1", "span_end": "0.9"},
        422,
        "raise a flag",
    ),
    (
        "a new entry for a slot with no catalog",
        HEARD,
        {"rating": "4", "slot_name": "duration", "slot_value": "ten minutes", "slot_new": "1"},
        422,
        "names nothing the catalog holds",
    ),
    (
        "a flagged stretch",
        HEARD,
        {"rating": "2", "flags": "critical_data", "span_start": "0.1", "span_end": "0.9"},
        303,
        None,
    ),
]
"""Saving labels on the workbench: the case, how the clip was heard (its audio sent, seconds
before saving), the form, the status, and what the page says (422) or the link stored (303)."""


@pytest.mark.parametrize(
    ("case", "heard", "form", "status", "says"), SUBMISSIONS, ids=[s[0] for s in SUBMISSIONS]
)
def test_labels_are_saved_only_when_heard_rated_and_linked_to_real_entries(
    runtime, team, world, monkeypatch, case, heard, form, status, says
):
    client = client_for(runtime)
    csrf = sign_in(client, team["rhea"])
    start = datetime.now(UTC)
    monkeypatch.setattr(workbench, "_now", lambda: start)
    if heard["heard"]:
        assert client.get(f"/review/tasks/{world['task']}/audio").status_code == 200
    monkeypatch.setattr(workbench, "_now", lambda: start + timedelta(seconds=heard["after"]))
    data = {"csrf": csrf, "transcript": "turn it up", "slot_link": "", **form}
    response = client.post(f"/review/tasks/{world['task']}/submit", data=data)
    assert response.status_code == status, response.text
    with runtime.sessions() as session:
        stored = session.scalars(select(Annotation).where(Annotation.task_id == world["task"]))
        annotation = stored.one_or_none()
        added = session.scalars(select(CatalogAddition.entry_id)).all()
        if status == 422:
            assert says in response.text.lower()
            assert annotation is None and added == []  # nothing of a refused form is kept
            assert ">turn it up</textarea>" in response.text  # nor lost: the form comes back
            if "rating" in form:
                assert f'value="{form["rating"]}" required checked' in response.text
        else:
            content = open_annotation(session, runtime.keyring, annotation)
            links = [slot.get("link") for slot in content["slots"]]
            assert links == ([says] if says else [])
            assert added == (["artist:zorblax-quartet"] if case == "a new entry" else [])


def test_save_and_next_goes_straight_to_the_next_clip(runtime, team, world, queued, monkeypatch):
    queued("bob")
    client = client_for(runtime)
    csrf = sign_in(client, team["rhea"])
    start = datetime.now(UTC)
    monkeypatch.setattr(workbench, "_now", lambda: start)
    client.get(f"/review/tasks/{world['task']}/audio")
    monkeypatch.setattr(workbench, "_now", lambda: start + timedelta(seconds=2))
    data = {"csrf": csrf, "transcript": "x", "rating": "5", "then": "next"}
    response = client.post(f"/review/tasks/{world['task']}/submit", data=data)
    assert response.status_code == 303
    following = response.headers["location"]
    assert re.fullmatch(r"/review/tasks/[0-9a-f]{32}", following)
    assert following != f"/review/tasks/{world['task']}"
    page = client.get(following).text
    assert "1 of 150 clips this shift" not in page and "clips this shift" in page


def test_the_catalog_field_finds_entries_as_the_reviewer_types(runtime, team, world):
    client = client_for(runtime)
    sign_in(client, team["rhea"])
    found = client.get("/review/catalog", params={"q": "beatle", "kind": "artist"}).json()
    assert found[0] == {
        "id": "artist:the-beatles",
        "name": "The Beatles",
        "kind": "artist",
        "new": False,
    }
    assert len(found) <= workbench.CATALOG_CHOICES
    assert all(entry["kind"] == "artist" for entry in found)
    assert client.get("/review/catalog", params={"q": ""}).status_code == 422


STAFF_CHANGES = [
    ("roles", {"roles": ["reviewer", "lead"]}, "remy", 200, "staff_roles", "lead,reviewer"),
    ("roles", {"roles": ["wizard"]}, "remy", 422, None, "reviewer"),
    ("roles", {"roles": ["reviewer"]}, "ada", 422, None, "admin"),  # not one's own admin role
    ("active", {"active": "no"}, "remy", 200, "staff_disable", "reviewer"),
    ("active", {"active": "no"}, "ada", 422, None, "admin"),  # not one's own account
    ("totp", {}, "remy", 200, "staff_totp_reset", "reviewer"),
    ("sessions", {}, "remy", 200, "staff_sessions_ended", "reviewer"),
]
"""An admin's changes on the staff page: the change, the form, whose account, the status, the
audit action written, and the roles the account has after."""


@pytest.mark.parametrize(("change", "form", "whose", "status", "action", "roles"), STAFF_CHANGES)
def test_an_admin_manages_accounts_and_each_change_is_audited(
    runtime, team, world, change, form, whose, status, action, roles
):
    member = team[whose]
    admin = client_for(runtime)
    csrf = sign_in(admin, team["ada"])
    signed_in = admin  # a session of theirs, which some changes end (a code signs in once)
    if whose != "ada":
        signed_in = client_for(runtime)
        sign_in(signed_in, member)
    with runtime.sessions() as session:
        before = len(list(events(session)))
    response = admin.post(f"/review/staff/{member.pseudonym}/{change}", data={**form, "csrf": csrf})
    assert response.status_code == status, response.text
    with runtime.sessions() as session:
        after = list(events(session))[before:]
        row = session.get(StaffMember, member.id)
        assert row.roles == roles
    if action is None:
        assert after == [] and 'role="alert"' in response.text
        return
    assert [(e.actor, e.action, e.subject) for e in after] == [
        (team["ada"].pseudonym, action, f"staff:{member.pseudonym}")
    ]
    signed_out = action in {"staff_disable", "staff_totp_reset", "staff_sessions_ended"}
    card = response.text.split(f"<h2>{member.pseudonym} ")[1].split("</li>")[0]
    assert ("0 signed-in sessions" in card) is signed_out
    home = signed_in.get("/review/")
    assert (home.status_code == 303) is signed_out
    if action == "staff_totp_reset":
        secret = re.search(r"<code>([A-Z2-7]{16,})</code>", response.text)
        assert secret is not None and "<svg" in response.text
        fresh = client_for(runtime)
        old = Member(member.id, member.pseudonym, member.login, member.password, secret[1])
        sign_in(fresh, old)  # the new secret signs in


@pytest.mark.parametrize(("expired", "said"), [(False, "open until"), (True, "expired")])
def test_the_officer_sees_which_clip_and_why_then_the_decision_and_its_expiry(
    runtime, team, world, expired, said
):
    officer = client_for(runtime)
    csrf = sign_in(officer, team["pia"])
    with runtime.sessions() as session:
        task = session.get(ReviewTask, world["task"])
        before = len(list(events(session, owner_id=task.owner_id)))
    page = officer.get("/review/break-glass").text
    assert f"the clip from <strong>{task.pseudonym}</strong>" in page
    assert "the clip may show someone at risk now" in page
    assert "[PHONE]" in page  # its redacted words, never the number
    with runtime.sessions() as session:
        read = list(events(session, owner_id=task.owner_id))[before:]
    assert [(e.actor, e.role, e.action) for e in read] == [
        (team["pia"].pseudonym, "privacy_officer", "read_transcript")
    ]
    decided = officer.post(
        f"/review/break-glass/{world['request']}/decide", data={"approve": "yes", "csrf": csrf}
    )
    assert decided.status_code == 303
    if expired:
        with runtime.sessions() as session:
            session.get(BreakGlass, world["request"]).expires_at = datetime.now(UTC) - timedelta(
                minutes=1
            )
            session.commit()
    page = officer.get("/review/break-glass").text
    decisions = page.split("<h2>Decisions</h2>")[1]
    assert f"<strong>{team['pia'].pseudonym}</strong> approved" in decisions
    assert f"{team['sol'].pseudonym}'s request" in decisions and said in decisions
    assert "Nothing waits for a decision." in page


def test_adjudication_shows_everything_the_reviewers_saw_and_said(runtime, team, world):
    lead = client_for(runtime)
    sign_in(lead, team["lena"])
    page = lead.get(f"/review/adjudicate/{world['group']}").text
    seen = page.split('id="seen"')[1].split("</section>")[0]
    for shown in ("[PHONE]", "SetTimer (0.97)", "duration = “ten minutes”", "Timer set for ten"):
        assert shown in seen, shown
    said = page.split("The two blind labels</caption>")[1]
    for reviewer, intent in (("rhea", "Volume"), ("remy", "Stop")):
        row = said.split(team[reviewer].pseudonym)[1].split("</tr>")[0]
        assert intent in row and "turn up" in row

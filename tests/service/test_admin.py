"""The admin's pages. Production quality: only admins reach it, every plot is an accessible inline
SVG with its table of figures, and the figures are those of the reviewed clips, naming no one.
Failed jobs: the dead letters, listed without content, and retried with an audit event."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest

from confide.learn.evaluation import SLICES
from confide.privacy.audit import events
from confide.review.tasks import Labels, next_task, submit
from confide.service import admin
from confide.service.principals import ACCESS
from confide.store.tables import StaffMember
from confide_testing import staff_sign_in as sign_in
from confide_testing import web_client as client_for

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HEARD = "set a timer for ten minutes my account number is [PHONE]"
"""What production heard of confide_testing.SAID, as the reviewer sees it (digits redacted)."""


@pytest.fixture
def reviewed(session, keyring, team, queued):
    """Two reviewed clips of production's "set a timer for ten minutes": one right, one where
    the reviewer heard "two minutes" (1 word edit of 11; the slot extra and missed)."""
    rhea = session.get(StaffMember, team["rhea"].id)
    duration = {"name": "duration", "value": "ten minutes"}
    for who, truth in [
        ("alice", Labels(HEARD, "SetTimer", [duration])),
        ("bob", Labels(HEARD.replace("ten", "two"), "SetTimer", [{**duration, "value": "two"}])),
    ]:
        queued(who)
        submit(session, keyring, rhea, next_task(session, rhea, NOW), truth, NOW)
    session.commit()


def test_an_admin_sees_every_plot_with_its_figures(runtime, team, reviewed):
    client = client_for(runtime)
    sign_in(client, team["ada"])
    page = client.get("/review/metrics")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    svgs = re.findall(r"<svg\b[^>]*>", page.text)
    # the review queue, overall, the trend by week and by each component's version, and each
    # other slice
    assert len(svgs) == 1 + 1 + 1 + 2 + (len(SLICES) - 1) == 4 + len(SLICES)
    assert len(re.findall(r"<table\b", page.text)) == len(svgs)
    for whole in re.findall(r"<svg\b.*?</svg>", page.text, re.S):  # well-formed SVG
        parsed = ElementTree.fromstring(whole)  # noqa: S314 (the page we just rendered)
        assert parsed.tag == "{http://www.w3.org/2000/svg}svg"
    for svg in svgs:  # each names itself by a title and describes itself, in the page
        assert 'role="img"' in svg
        title, desc = re.search(
            r'aria-labelledby="([^"]+)" aria-describedby="([^"]+)"', svg
        ).groups()
        assert f'<title id="{title}">' in page.text and f'<desc id="{desc}">' in page.text
    overall = re.search(
        r"<caption>All reviewed clips: the figures</caption>.*?</table>", page.text, re.S
    )
    cells = re.findall(r'<td class="count">([^<]+)</td>', overall.group())
    # 2 clips; WER 1/22; intents 2/2; slot F1 2*1/(2*1+1+1); no linked slot
    assert cells == ["2", "4.5%", "100.0%", "50.0%", "\u2013"]
    assert page.text.count("<rect ") >= 3  # the overall bars (a missing figure draws none)
    assert "<script>" not in page.text.split("</head>")[1]
    for heading in [
        "By ISO week",
        "By intent (as reviewed)",
        "By ASR confidence",
        "By device kind",
    ]:
        assert f"<h3>{heading}</h3>" in page.text


def test_the_page_names_no_one_and_opens_nothing_audited(runtime, household, team, reviewed):
    client = client_for(runtime)
    sign_in(client, team["ada"])
    with runtime.sessions() as session:
        before = len(list(events(session)))
    page = client.get("/review/metrics").text
    with runtime.sessions() as session:
        assert (
            len(list(events(session))) == before
        )  # aggregates: no one's data was read by a person
    for secret in ["account number", "rivera", team["rhea"].pseudonym, household.id, "alice"]:
        assert secret.lower() not in page.lower()


ROLES_SEE = [("rhea", 403), ("lena", 403), ("sol", 403), ("pia", 403), ("ada", 200), (None, 303)]
"""Who asks for the page (None: no one signed in) and what they get."""


def test_only_admins_reach_it_and_their_home_links_it(runtime, team):
    assert [route.path for route in admin.router.routes] == [
        "/review/metrics",
        "/review/jobs",
        "/review/jobs/{interaction_id}/retry",
    ]
    assert ACCESS["metrics"] == {"admin"}
    for login, status in ROLES_SEE:
        client = client_for(runtime)
        if login:
            sign_in(client, team[login])
        response = client.get("/review/metrics")
        assert response.status_code == status, login
        if login is None:
            assert "/review/login" in response.headers["location"]
        else:
            home = client.get("/review/").text
            assert ('href="/review/metrics"' in home) == (status == 200), login


def test_with_nothing_reviewed_every_plot_is_there_and_the_tables_say_so(runtime, team):
    client = client_for(runtime)
    sign_in(client, team["ada"])
    page = client.get("/review/metrics").text
    queue, quality = page.split('id="overall-heading"')
    plots = len(re.findall(r"<svg\b", quality))
    assert plots == 3 + len(SLICES)
    assert quality.count("No reviewed clip yet.") == plots
    assert "<rect " in quality and "<polyline" not in quality  # legend swatches, no data drawn
    assert "0 clips waiting for a reviewer now" in queue and len(re.findall(r"<svg\b", queue)) == 1


def failed(runtime, household, client_id: str) -> str:
    """An interaction of alice's that failed after every attempt."""
    from sqlalchemy import update

    from confide.ingest import ingest
    from confide.pipeline import MAX_ATTEMPTS
    from confide.store.tables import Interaction
    from confide_testing import wav

    with runtime.sessions() as session:
        made = ingest(
            session, runtime.keyring, runtime.blobs, household.devices["alice"], client_id, wav()
        )
        session.execute(
            update(Interaction)
            .where(Interaction.id == made.id)
            .values(status="failed", attempts=MAX_ATTEMPTS, error="gave up after repeated errors")
        )
        session.commit()
        return made.id


def test_an_admin_sees_the_failed_interactions_and_nothing_of_them(runtime, household, team):
    ids = [failed(runtime, household, f"f{index}") for index in range(2)]
    client = client_for(runtime)
    sign_in(client, team["ada"])
    page = client.get("/review/jobs")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    rows = re.findall(r"<tr><td><code>.*?</tr>", page.text, re.S)
    assert len(rows) == 2
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert cells[2:5] == ["3", "gave up after repeated errors", "speaker"]
    for iid in ids:
        assert f'action="/review/jobs/{iid}/retry"' in page.text
    for secret in ["rivera", "alice", household.id, household.people["alice"].id]:
        assert secret not in page.text.lower()


@pytest.mark.parametrize(
    ("login", "csrf", "status"),
    [("ada", True, 303), ("ada", False, 403), ("lena", True, 403), ("pia", True, 403)],
)
def test_an_admin_retries_a_failed_interaction_and_its_owner_sees_it(
    runtime, household, team, login, csrf, status
):
    from confide.store.tables import Interaction

    iid = failed(runtime, household, "r1")
    client = client_for(runtime)
    token = sign_in(client, team[login])
    with runtime.sessions() as session:
        before = len(list(events(session)))
    response = client.post(f"/review/jobs/{iid}/retry", data={"csrf": token if csrf else "x"})
    assert response.status_code == status
    with runtime.sessions() as session:
        stored = session.get(Interaction, iid)
        added = list(events(session))[before:]
    if status != 303:
        assert (stored.status, stored.attempts, added) == ("failed", 3, [])
        return
    assert response.headers["location"] == f"/review/jobs?retried={iid}"
    # sent to the queue, which runs it inline here: answered afresh on its first attempt
    assert (stored.status, stored.attempts, stored.error) == ("answered", 1, None)
    (event,) = added
    assert (event.actor, event.role, event.action, event.subject, event.owner_id) == (
        team["ada"].pseudonym,
        "admin",
        admin.RETRIED,
        f"interaction:{iid}",
        household.people["alice"].id,
    )
    again = client.post(f"/review/jobs/{iid}/retry", data={"csrf": token})
    assert again.status_code == 404, "only a failed interaction is retried"

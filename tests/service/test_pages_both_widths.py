"""Every page, as each role and the customer see it, checked by axe-core in Debian's chromium at
a desktop width and at a phone's 375 px: no serious or critical violation, and nothing wider
than the phone's screen. A screenshot of each page at each width goes to test-artifacts/. Then
the flows people do on a phone, done at 375 px: the customer finds, deletes, changes a choice
and downloads their data; a reviewer labels a clip by touch.

axe-core comes from the npm registry at the version package-lock.json pins (`make test` runs
`npm ci`); it is injected into each page by the test, never served by the app.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from confide.pipeline import Engines
from confide.privacy.deletion import delete_interactions
from confide.protect.preparation import prepare_pending
from confide.review import breakglass
from confide.review.tasks import Labels, flag_distress, next_task, submit
from confide.sample import SamplingPolicy, sample
from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.settings import load_settings
from confide.store.tables import Escalation, Interaction, ReviewTask, StaffMember
from confide_testing import (
    ALICE_PASSWORD,
    CHROMIUM,
    ScriptedRecognizer,
    alice_with_clips,
    fake_protector,
    running_server,
    shot,
    understand_timer,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt install chromium)",
)
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the dev extra)")
expect = sync_api.expect
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1100, "phone": 375}
BLOCKING = {"serious", "critical"}


@dataclass(frozen=True)
class Site:
    url: str
    logins: dict[str, tuple[str, str]]
    """login -> (password, TOTP secret), staff and customer alike."""
    ids: dict[str, str]
    """What the page addresses need: a held task, a disagreement, an escalation, a receipt."""
    spent: dict[str, int] = field(default_factory=dict)
    """Each login's last TOTP step signed in with: the server takes a step once."""

    def code(self, login: str) -> str:
        """A code of a step not yet spent: this one or the next, which the server also takes;
        when both are spent, it waits for the next step."""
        totp = pyotp.TOTP(self.logins[login][1])
        while (now := totp.timecode(datetime.now(UTC))) + 1 <= self.spent.get(login, -1):
            time.sleep(1)
        self.spent[login] = max(now, self.spent.get(login, -1) + 1)
        return totp.generate_otp(self.spent[login])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A household whose clips are in every state review has: held, disagreed on, escalated,
    asked to break glass for; one deleted, so a receipt exists."""
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = load_settings(
        tmp_path_factory.mktemp("pages") / "data", dev_mode=True, env={"CONFIDE_KEK": kek}
    )
    settings = replace(settings, review_rate=0.0)
    engines = Engines(ScriptedRecognizer(), understand_timer)
    runtime = Runtime(settings, engines_factory=lambda _settings: engines)
    now = datetime.now(UTC)
    alice, made, team = alice_with_clips(
        runtime, 6
    )  # the newest, in review nowhere, is for deleting
    with runtime.sessions() as session:
        for interaction_id in made[:4]:
            policy = SamplingPolicy(rate=1.0, second_opinion=1.0)
            sample(session, session.get(Interaction, interaction_id), policy)
            prepare_pending(session, runtime.keyring, runtime.blobs, interaction_id, fake_protector)
        rhea, remy, sol = (
            session.get(StaffMember, team[who].id) for who in ("rhea", "remy", "sol")
        )
        groups = []
        for _ in WIDTHS:  # a disagreement for each width's lead to settle
            for member, intent in ((rhea, "SetTimer"), (remy, "Stop")):
                task = next_task(session, member, now)
                labels = Labels("set a timer", intent, rating=3)
                submit(session, runtime.keyring, member, task, labels, now)
            groups.append(task.group_id)
        flag_distress(session, remy, next_task(session, remy, now), now)
        held = next_task(session, rhea, now)
        waiting = session.scalar(select(ReviewTask.id).where(ReviewTask.status == "queued"))
        for asked in (held.id, waiting):  # a request for each width's officer to decide
            breakglass.request(session, sol, asked, "the clip may show someone at risk now", now)
        delete_interactions(
            session,
            runtime.keyring,
            runtime.blobs,
            alice.id,
            [made[4]],
            scope="one interaction",
            actor=alice.id,
        )
        session.commit()
        ids = {
            "task": held.id,
            "group": groups[0],
            "escalation": session.scalar(select(Escalation.id)),
        }
    logins = {member.login: (member.password, member.totp_secret) for member in team.values()}
    assert alice.totp_secret is not None
    logins["alice"] = (ALICE_PASSWORD, alice.totp_secret)
    with running_server(create_app(runtime)) as url:
        yield Site(url, logins, ids)
    runtime.close()


PAGES = {
    None: [
        ("workbench-login", "/review/login"),
        ("centre-login", "/login"),
    ],
    "rhea": [
        ("workbench-home", "/review/"),
        ("workbench-task", "/review/tasks/{task}"),
        ("workbench-break", "/review/break"),
        ("error-page", "/review/tasks/no-such-task"),
    ],
    "lena": [
        ("quality", "/review/quality"),
        ("adjudicate", "/review/adjudicate/{group}"),
    ],
    "sol": [
        ("escalations", "/review/escalations"),
        ("escalation", "/review/escalations/{escalation}"),
    ],
    "pia": [("break-glass", "/review/break-glass")],
    "ada": [
        ("staff", "/review/staff"),
        ("production-quality", "/review/metrics"),
        ("failed-jobs", "/review/jobs"),
    ],
    "alice": [
        ("centre-history", "/privacy/"),
        ("centre-access", "/privacy/access"),
        ("centre-consents", "/privacy/consents"),
        ("centre-devices", "/privacy/devices"),
        ("centre-retention", "/privacy/retention"),
        ("centre-receipts", "/privacy/receipts"),
        ("centre-export", "/privacy/export"),
    ],
}
"""Who signs in (None: no one), and the pages they see: a name for the screenshot, the address."""


def sign_in(page: Any, site: Site, login: str) -> None:
    password = site.logins[login][0]
    staff = login != "alice"
    page.goto(f"{site.url}{'/review/login' if staff else '/login'}")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Code from your authenticator app").fill(site.code(login))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}{'/review/' if staff else '/privacy/'}")


def violations(page: Any) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return found


@pytest.mark.skipif(not AXE.exists(), reason="needs axe-core from npm (make test runs npm ci)")
@pytest.mark.parametrize("login", list(PAGES), ids=[str(login) for login in PAGES])
def test_every_page_passes_axe_at_both_widths(chromium, site, login) -> None:
    context = chromium.new_context(bypass_csp=True)  # the test's axe, not the app, is let in
    context.set_default_timeout(10_000)
    page = context.new_page()
    if login is not None:
        sign_in(page, site, login)
    problems = {}
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for name, template in PAGES[login]:
            page.goto(f"{site.url}{template.format(**site.ids)}")
            blocking = [v for v in violations(page) if v["impact"] in BLOCKING]
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if blocking or overflow > 0:
                problems[f"{name} at {width} px"] = {"axe": blocking, "wider by": overflow}
            shot(page, f"{name}-{width_name}")
    context.close()
    assert not problems, json.dumps(problems, indent=1)


def phone(chromium: Any) -> Any:
    context = chromium.new_context(viewport={"width": WIDTHS["phone"], "height": 800})
    context.set_default_timeout(10_000)
    return context.new_page()


def test_the_customer_on_a_phone(chromium, site, tmp_path) -> None:
    page = phone(chromium)
    sign_in(page, site, "alice")
    page.get_by_label("What was said or answered").fill("timer")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#found")).to_contain_text("that match")
    shot(page, "phone-history-search")
    before = page.locator("article.interaction").count()
    page.locator("article.interaction").first.get_by_role(
        "button", name="Delete", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deletion receipt")
    page.get_by_role("link", name="Back to your history").click()
    expect(page.locator("article.interaction")).to_have_count(before - 1)
    page.get_by_role("link", name="Consents").click()
    storage = page.locator('li[data-purpose="storage"]')
    storage.get_by_role("button").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.get_by_role("link", name="Who accessed my recordings").click()
    expect(page.locator("ol.access li").first).to_contain_text("You")
    page.get_by_role("link", name="Export my data").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (.zip)").click()
    saved = tmp_path / "export.zip"
    download.value.save_as(saved)
    assert "index.html" in zipfile.ZipFile(saved).namelist()
    page.context.close()


def test_a_review_by_touch_on_a_phone(chromium, site) -> None:
    page = phone(chromium)
    sign_in(page, site, "rhea")
    page.goto(f"{site.url}/review/tasks/{site.ids['task']}")
    page.get_by_role("button", name="Play").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bplayed\b"), timeout=15_000)
    page.get_by_text("4", exact=True).click()
    shot(page, "phone-review")
    page.get_by_role("button", name="Save and next clip").click()
    expect(page).not_to_have_url(f"{site.url}/review/tasks/{site.ids['task']}")
    page.context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_staff_flows_at_both_widths(chromium, site, width) -> None:
    """The officer decides a break-glass request, the lead settles two reviewers' labels, and
    the admin gives a colleague a new authenticator."""

    def screen() -> Any:
        context = chromium.new_context(viewport={"width": WIDTHS[width], "height": 800})
        context.set_default_timeout(10_000)
        return context.new_page()

    officer = screen()
    sign_in(officer, site, "pia")
    officer.goto(f"{site.url}/review/break-glass")
    waiting = officer.get_by_role("button", name="Approve for 30 minutes")
    before = waiting.count()
    expect(officer.locator("blockquote.reason").first).to_contain_text("someone at risk")
    waiting.first.click()
    expect(waiting).to_have_count(before - 1)
    expect(officer.locator("ul.log li").first).to_contain_text("open until")
    shot(officer, f"break-glass-decided-{width}")
    officer.context.close()

    lead = screen()
    sign_in(lead, site, "lena")
    lead.goto(f"{site.url}/review/quality")
    pairs = lead.get_by_role("link", name=re.compile("Clip sampled"))
    before = pairs.count()
    pairs.first.click()
    expect(lead.get_by_role("heading", name="What both reviewers were given")).to_be_visible()
    lead.get_by_label("Final intent").select_option("SetTimer")
    lead.get_by_role("button", name="Save the final labels").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Agreement and adjudication")
    expect(pairs).to_have_count(before - 1)
    lead.context.close()

    admin = screen()
    sign_in(admin, site, "ada")
    admin.goto(f"{site.url}/review/staff")
    card = admin.locator("li.member", has_text="Signs in as remy")
    card.get_by_text("Change", exact=False).first.click()
    card.get_by_role("button", name="Reset the authenticator").click()
    expect(admin.locator(".qr svg")).to_be_visible()
    expect(admin.locator(".secret code")).to_have_text(re.compile(r"^[A-Z2-7]{16,}$"))
    shot(admin, f"staff-new-authenticator-{width}")
    admin.context.close()


def test_distress_and_its_escalation_on_a_phone(chromium, site) -> None:
    reviewer = phone(chromium)
    sign_in(reviewer, site, "rhea")  # remy's authenticator was reset by the admin's flow
    reviewer.get_by_role("button", name="Take the next task").click()
    expect(reviewer.get_by_role("heading", level=1)).to_contain_text("Clip from Speaker")
    reviewer.get_by_text("Distressing clip…").click()
    reviewer.get_by_role("button", name="Distressing: stop and send to safety").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(
        "The clip went to the safety team"
    )
    reviewer.context.close()

    safety = phone(chromium)
    sign_in(safety, site, "sol")
    safety.goto(f"{site.url}/review/escalations")
    flagged = safety.get_by_role("link", name="Flagged")
    before = flagged.count()
    flagged.first.click()
    safety.get_by_label("Reviewed: no one appears to be at risk").check()
    safety.get_by_role("button", name="Close the escalation").click()
    expect(safety.get_by_role("link", name="Flagged")).to_have_count(before - 1)
    safety.context.close()

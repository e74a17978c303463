"""The privacy centre in a real browser: Debian's chromium, driven by Playwright, on a real server.

Signs in from the keyboard with a TOTP code, plays a recording, deletes an interaction, changes
a consent, pairs a device and reads the access log. Screenshots go to test-artifacts/screenshots.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import cycle
from typing import Any

import pyotp
import pytest

from confide.audio import Audio
from confide.ingest import ingest
from confide.pipeline import Engines
from confide.recognize.base import Transcript, Word
from confide.service.accounts import add_person, complete_pairing, create_household, start_pairing
from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.settings import load_settings
from confide.store.tables import Device
from confide_testing import CHROMIUM, running_server, shot, wav

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt install chromium)",
)
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the dev extra)")
expect = sync_api.expect

SAYINGS = {
    "add milk to my shopping list": ("AddToList", [("item", "milk")]),
    "what's the weather in Lisbon": ("GetWeather", [("city", "Lisbon")]),
    "set a timer for ten minutes": ("SetTimer", [("duration", "ten minutes")]),
}
"""What the scripted recognizer hears, in turn, and how the scripted understander reads it."""


class Script:
    """Hears each of `SAYINGS` in turn."""

    name = "script"

    def __init__(self) -> None:
        self._lines = cycle(SAYINGS)

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        text = next(self._lines)
        words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.9) for i, w in enumerate(text.split())]
        return Transcript(text, words, self.name, audio.seconds, 0.01)


def understand(text: str) -> dict[str, Any]:
    intent, slots = SAYINGS[text]
    return {
        "text": text,
        "intent": intent,
        "confidence": 0.95,
        "slots": [
            {"name": name, "value": value, "normalized": "PT10M" if name == "duration" else None}
            for name, value in slots
        ],
    }


@dataclass(frozen=True)
class Centre:
    """A running server with Alice's household in it."""

    url: str
    """http://127.0.0.1:<port>"""
    login: str
    """Alice's login."""
    password: str
    """Alice's password."""
    totp_secret: str
    """Alice's TOTP secret."""

    spent: list[int] = field(default_factory=list)
    """The TOTP steps this module has signed in with: the server takes each once."""

    def code(self) -> str:
        """A code of a step not yet spent: this one or the next, which the server also takes;
        when both are spent, it waits for the next step to come."""
        totp = pyotp.TOTP(self.totp_secret)
        while (now := totp.timecode(datetime.now(UTC))) + 1 <= max(self.spent, default=-1):
            time.sleep(1)
        self.spent.append(max(now, max(self.spent, default=-1) + 1))
        return totp.generate_otp(self.spent[-1])


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    """Dev mode, as `confide demo` runs: plain HTTP on loopback, so cookies are not Secure."""
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = load_settings(
        tmp_path_factory.mktemp("centre") / "data", dev_mode=True, env={"CONFIDE_KEK": kek}
    )
    runtime = Runtime(settings, engines_factory=lambda _settings: Engines(Script(), understand))
    password = "correct horse battery"
    with runtime.sessions() as session:
        home = create_household(session, runtime.keyring, "The Rivera household")
        alice = add_person(
            session, runtime.keyring, home, "Alice Rivera", login="alice", password=password
        )
        bob = add_person(
            session,
            runtime.keyring,
            home,
            "Bob Rivera",
            login="bob",
            password="staple paper clip tree",
        )
        devices = {}
        for person, name in ((alice, "Kitchen speaker"), (bob, "Bob's speaker")):
            _, code = start_pairing(session, home, person.id, name)
            device_id, _ = complete_pairing(session, code)
            devices[person.id] = session.get(Device, device_id)
        made = []
        for person, count in ((alice, 5), (bob, 1)):
            for _ in range(count):
                made.append(
                    ingest(
                        session,
                        runtime.keyring,
                        runtime.blobs,
                        devices[person.id],
                        uuid.uuid4().hex,
                        wav(1.2),
                    ).id
                )
        session.commit()
    for interaction_id in made:
        runtime.pipeline.process(interaction_id)

    assert alice.login is not None and alice.totp_secret is not None
    with running_server(create_app(runtime)) as url:
        yield Centre(url, alice.login, password, alice.totp_secret)
    runtime.close()


def sign_in(page: Any, centre: Centre) -> None:
    page.goto(f"{centre.url}/login")
    page.get_by_label("Login").fill(centre.login)
    page.get_by_label("Password").fill(centre.password)
    page.get_by_label("Code from your authenticator app").fill(centre.code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your history")


def test_sign_in_from_the_keyboard_and_see_the_history(page, centre) -> None:
    page.goto(f"{centre.url}/privacy/")
    expect(page).to_have_url(f"{centre.url}/login")
    expect(page.get_by_label("Login")).to_be_focused()
    page.keyboard.type(centre.login)
    page.keyboard.press("Tab")
    page.keyboard.type(centre.password)
    page.keyboard.press("Tab")
    page.keyboard.type(centre.code())
    shot(page, "login")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your history")
    expect(page.get_by_text("Signed in as")).to_contain_text("Alice Rivera")
    history = page.locator("article.interaction")
    expect(history).to_have_count(5)
    expect(history.first.locator(".device")).to_have_text("on Kitchen speaker")
    for heard in SAYINGS:
        expect(page.locator(".heard", has_text=heard).first).to_be_visible()
    expect(page.get_by_text("Added milk to your shopping list.").first).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Privacy centre").get_by_role("link", name="History")
    ).to_have_attribute("aria-current", "page")
    shot(page, "history")
    cookie = next(c for c in page.context.cookies() if c["name"] == "confide_session")
    assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")


def test_a_wrong_code_is_refused(page, centre) -> None:
    page.goto(f"{centre.url}/login")
    page.get_by_label("Login").fill(centre.login)
    page.get_by_label("Password").fill(centre.password)
    wrong = "000000" if pyotp.TOTP(centre.totp_secret).now() != "000000" else "111111"
    page.get_by_label("Code from your authenticator app").fill(wrong)
    with page.expect_response(f"{centre.url}/login") as answered:
        page.get_by_role("button", name="Sign in").click()
    assert answered.value.status == 401
    expect(page.get_by_role("alert")).to_contain_text("not right")
    shot(page, "login-refused")
    assert [c for c in page.context.cookies() if c["name"] == "confide_session"] == []


def test_play_a_recording_and_see_the_access_in_the_log(page, centre) -> None:
    sign_in(page, centre)
    player = page.locator("article.interaction audio").first
    player.evaluate("audio => audio.play()")
    page.wait_for_function(
        "audio => audio.readyState >= 1 && audio.duration > 0", arg=player.element_handle()
    )
    assert player.evaluate("audio => audio.duration") == pytest.approx(1.2, abs=0.05)
    player.evaluate("audio => audio.pause()")
    page.get_by_role("link", name="Who accessed my recordings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who accessed my recordings")
    row = page.locator("ol.access li", has_text="you played your own recording").first
    expect(row.locator(".said")).to_contain_text("You listened to your recording “")
    expect(row).not_to_contain_text("interaction:")
    shot(page, "access")


def test_delete_one_interaction_and_get_a_receipt(page, centre) -> None:
    sign_in(page, centre)
    before = page.locator("article.interaction").count()
    first = page.locator("article.interaction").first
    doomed = first.get_attribute("data-id")
    first.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deletion receipt")
    expect(page.locator(".receipt .scope")).to_have_text("One interaction you deleted")
    expect(page.get_by_role("row", name="interactions")).to_contain_text("1")
    shot(page, "receipt")
    page.get_by_role("link", name="Back to your history").click()
    expect(page.locator("article.interaction")).to_have_count(before - 1)
    expect(page.locator(f'article[data-id="{doomed}"]')).to_have_count(0)


def test_change_a_consent(page, centre) -> None:
    sign_in(page, centre)
    page.get_by_role("link", name="Consents").click()
    review = page.locator('li[data-purpose="human_review"]')
    expect(review.locator(".state")).to_have_text("Off")
    review.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("status")).to_contain_text("is now on")
    expect(review.locator(".state")).to_have_text("On")
    shot(page, "consents")
    page.get_by_role("link", name="Who accessed my recordings").click()
    expect(page.locator("ol.access li").first).to_contain_text("You gave your consent")


def test_choose_a_custom_retention_period(page, centre) -> None:
    sign_in(page, centre)
    page.get_by_role("link", name="Auto-delete").click()
    days = page.get_by_role("spinbutton", name="Number of days")
    expect(days).to_be_disabled()
    page.get_by_label("After a number of days I choose").check()
    expect(days).to_be_focused()
    page.keyboard.type("45")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.locator(".current")).to_have_text("delete after 45 days")
    shot(page, "retention")


def test_pair_a_device(page, centre) -> None:
    sign_in(page, centre)
    page.get_by_role("link", name="Devices").click()
    page.get_by_label("Name").fill("Bedroom speaker")
    page.get_by_role("button", name="Show a pairing code").click()
    expect(page.locator(".pairing .code")).to_have_text(
        re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}( [0-9A-HJKMNP-TV-Z]{4}){2}$")
    )
    expect(page.get_by_role("cell", name="Bedroom speaker")).to_be_visible()
    shot(page, "devices")

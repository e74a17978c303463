"""The reviewer workbench and the escalation in a real browser (Debian's chromium, Playwright).

A reviewer signs in with password and TOTP from the keyboard, takes a task, hears the clip,
corrects and labels it; another flags a clip as distressing, which stops playback, takes the
clip away and offers a break; the safety role closes the escalation; and the customer sees in
their privacy centre who listened. Screenshots go to test-artifacts/screenshots.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pyotp
import pytest

from confide.audio import Audio
from confide.pipeline import Engines
from confide.recognize.base import Transcript, Word
from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.settings import load_settings
from confide_testing import (
    ALICE_PASSWORD,
    CHROMIUM,
    Member,
    alice_with_clips,
    fake_protector,
    running_server,
    shot,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt install chromium)",
)
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the dev extra)")
expect = sync_api.expect

HEARD = "text my sister that the code is five five five one two three four"


class Hears:
    """Hears `HEARD` in every clip."""

    name = "script"

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        words = [Word(w, i * 0.1, i * 0.1 + 0.08, 0.5) for i, w in enumerate(HEARD.split())]
        return Transcript(HEARD, words, self.name, audio.seconds, 0.01)


def understand(text: str) -> dict[str, Any]:
    return {"text": text, "intent": "AddToList", "confidence": 0.4, "slots": []}


@dataclass(frozen=True)
class Workbench:
    """A running server whose queue holds Alice's clips, with the review team and Alice."""

    url: str
    team: dict[str, Member]
    alice_password: str
    alice_totp: str


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = load_settings(
        tmp_path_factory.mktemp("bench") / "data", dev_mode=True, env={"CONFIDE_KEK": kek}
    )
    settings = replace(settings, review_rate=1.0)
    engines = Engines(Hears(), understand, protect=fake_protector)
    runtime = Runtime(settings, engines_factory=lambda _settings: engines)
    alice, _, team = alice_with_clips(runtime, 4)
    assert alice.totp_secret is not None
    with running_server(create_app(runtime)) as url:
        yield Workbench(url, team, ALICE_PASSWORD, alice.totp_secret)
    runtime.close()


def sign_in(page: Any, bench: Workbench, login: str) -> None:
    member = bench.team[login]
    page.goto(f"{bench.url}/review/")
    expect(page).to_have_url(f"{bench.url}/review/login")
    expect(page.get_by_label("Login")).to_be_focused()
    page.keyboard.type(member.login)
    page.keyboard.press("Tab")
    page.keyboard.type(member.password)
    page.keyboard.press("Tab")
    page.keyboard.type(pyotp.TOTP(member.totp_secret).now())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {member.pseudonym}")


def take_task(page: Any) -> Any:
    page.get_by_role("button", name="Take the next task").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clip from Speaker")
    player = page.locator("audio#clip")
    player.evaluate("audio => audio.play()")
    page.wait_for_function(
        "audio => audio.readyState >= 1 && audio.duration > 0", arg=player.element_handle()
    )
    return player


def test_review_a_clip_from_the_keyboard(page, bench) -> None:
    sign_in(page, bench, "rhea")
    player = take_task(page)
    assert player.evaluate("audio => audio.duration") == pytest.approx(1.5, abs=0.05)
    expect(page.locator("#hypothesis")).to_have_text("text my sister that the code is [PHONE]")
    expect(page.locator("#nlu-intent")).to_contain_text("AddToList")
    expect(page.get_by_text("five five five")).to_have_count(0)
    shot(page, "workbench-task")
    page.get_by_label("Transcript, corrected").focus()
    page.keyboard.press("End")
    page.keyboard.type(" please")
    page.keyboard.press("Tab")  # the intent
    page.keyboard.type("AddToList")
    page.get_by_label("4", exact=True).check()
    page.keyboard.press("Escape")
    page.keyboard.press("f")  # the flags open
    expect(page.get_by_label("Personal data is still audible or readable")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Not meant for the assistant")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("body")).to_have_class(re.compile(r"\bplayed\b"), timeout=15_000)
    page.get_by_role("button", name="Save", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Saved")


def test_distress_stops_playback_escalates_and_offers_a_break(page, bench, chromium) -> None:
    sign_in(page, bench, "remy")
    player = take_task(page)
    page.get_by_text("Distressing clip…").click()  # the procedure asks for a second press
    page.get_by_role("button", name="Distressing: stop and send to safety").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The clip went to the safety team")
    assert player.count() == 0  # the page, and its player, are gone
    shot(page, "workbench-break")
    page.get_by_role("button", name="Take a 15-minute break").click()
    expect(page.get_by_role("status")).to_contain_text("Your break has started")
    page.get_by_role("button", name="Take the next task").click()
    expect(page.get_by_role("status")).to_contain_text("on a break")

    safety = chromium.new_context().new_page()
    sign_in(safety, bench, "sol")
    safety.get_by_role("link", name="Escalations").first.click()
    safety.get_by_role("link", name="Flagged").first.click()
    expect(safety.get_by_role("heading", name="The procedure")).to_be_visible()
    shot(safety, "workbench-escalation")
    safety.get_by_label("Reviewed: no one appears to be at risk").check()
    safety.get_by_role("button", name="Close the escalation").click()
    expect(safety.get_by_text("Nothing waits.")).to_be_visible()
    safety.context.close()


def test_the_customer_sees_who_listened(page, bench) -> None:
    sign_in(page, bench, "lena")
    take_task(page)
    page.goto(f"{bench.url}/login")
    page.get_by_label("Login").fill("alice")
    page.get_by_label("Password").fill(bench.alice_password)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(bench.alice_totp).now())
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Who accessed my recordings").click()
    row = page.locator("ol.access li", has_text=bench.team["lena"].pseudonym)
    expect(row.filter(has_text="listened to").first).to_contain_text("for quality review")
    assert "lena" not in page.locator("ol.access").inner_text()
    shot(page, "access-by-reviewer")

"""A review queue of generated clips and a reviewer who works it by keyboard alone, counting every
key: shared by the workbench's keyboard test and the review-pace benchmark, so the figure the
benchmark reports is the path the test holds.

Each clip is heard as `HEARD`; the recogniser doubts one word (`DOUBTED`, really "five") and a
phone number is redacted and bleeped. The reviewer's one-word fix: play, rate, jump to the
doubted word, type the right one, save and go on.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyotp

from confide.audio import Audio
from confide.ingest import ingest
from confide.pipeline import Engines
from confide.privacy.consent import set_consent
from confide.protect.doubts import doubtful_words
from confide.protect.preparation import Protected
from confide.protect.redact import apply_spans
from confide.protect.spans import PiiSpan
from confide.recognize.base import Transcript, Word
from confide.review.staff import add_staff
from confide.service.accounts import add_person, complete_pairing, create_household, start_pairing
from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.settings import load_settings
from confide.store.tables import Device
from confide_testing import Member, make_team, running_server, wav

HEARD = "set a timer for fife minutes and text five five five one two"
DOUBTED = "fife"
FIXED = "five"
SAID = "set a timer for five minutes and text [PHONE]"
"""What the reviewer's labels hold once the doubted word is fixed."""
NUMBER = "five five five one two"
CLIPS_PER_PERSON = 20
"""Below the sampling cap of one person's clips in a month."""
EXTRA_REVIEWER = "rory"


class Hears:
    """Hears `HEARD`, unsure of `DOUBTED` only."""

    name = "script"

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        step = audio.seconds / len(HEARD.split())
        words = [
            Word(w, i * step, (i + 0.9) * step, 0.2 if w == DOUBTED else 0.95)
            for i, w in enumerate(HEARD.split())
        ]
        return Transcript(HEARD, words, self.name, audio.seconds, 0.01)


def understand(text: str) -> dict[str, Any]:
    return {"text": text, "intent": "SetTimer", "confidence": 0.9, "slots": []}


def protect(audio, transcript, understood, answer, seed, known) -> Protected:
    """The phone number redacted and its words' times bleeped; the doubts placed as the real
    protector places them (its own `doubtful_words`)."""
    found = re.search(NUMBER, transcript.text)
    assert found is not None
    spans = [PiiSpan(found.start(), found.end(), "PHONE", 0.9)]
    said = transcript.words[-len(NUMBER.split()) :]
    return Protected(
        audio,
        apply_spans(transcript.text, spans),
        [],
        answer,
        ["PHONE"],
        bleeps=((said[0].start, said[-1].end),),
        doubts=doubtful_words(transcript, spans),
    )


@dataclass(frozen=True)
class Queue:
    url: str
    runtime: Runtime
    team: dict[str, Member]


@contextmanager
def review_queue(data_dir: Path, clips: int, seconds: float) -> Iterator[Queue]:
    """A running server whose review queue holds `clips` clips of `seconds` each, with the
    review team and one more reviewer, `EXTRA_REVIEWER`."""
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = replace(
        load_settings(data_dir, dev_mode=True, env={"CONFIDE_KEK": kek}), review_rate=1.0
    )
    engines = Engines(Hears(), understand, protect=protect)
    runtime = Runtime(settings, engines_factory=lambda _settings: engines)
    with runtime.sessions() as session:
        home = create_household(session, runtime.keyring, "The Okafor household")
        devices = []
        for n in range(-(-clips // CLIPS_PER_PERSON)):
            person = add_person(
                session, runtime.keyring, home, f"Okafor {n}", login=f"okafor{n}", password="x" * 16
            )
            set_consent(session, person.id, "human_review", True, actor=person.id)
            _, code = start_pairing(session, home, person.id, f"Speaker {n}")
            devices.append(session.get(Device, complete_pairing(session, code)[0]))
        made = [
            ingest(
                session,
                runtime.keyring,
                runtime.blobs,
                devices[i // CLIPS_PER_PERSON],
                uuid.uuid4().hex,
                wav(seconds),
            ).id
            for i in range(clips)
        ]
        session.commit()
        team = make_team(session, runtime.keyring)
        password = f"{EXTRA_REVIEWER} long enough password"
        extra = add_staff(session, runtime.keyring, EXTRA_REVIEWER, password, {"reviewer"})
        team[EXTRA_REVIEWER] = Member(
            extra.id, extra.pseudonym, EXTRA_REVIEWER, password, extra.totp_secret
        )
        session.commit()
    for interaction_id in made:
        runtime.pipeline.process(interaction_id)
    try:
        with running_server(create_app(runtime)) as url:
            yield Queue(url, runtime, team)
    finally:
        runtime.close()


class Keyboard:
    """The page's keyboard, counting each key pressed (a chord such as Ctrl+Enter is one)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.count += len(text)
        self.page.keyboard.type(text)


def sign_in(page: Any, queue: Queue, login: str) -> None:
    member = queue.team[login]
    page.goto(f"{queue.url}/review/login")
    page.get_by_label("Login").fill(member.login)
    page.get_by_label("Password").fill(member.password)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(member.totp_secret).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{queue.url}/review/")


def wait_until_heard(page: Any) -> None:
    """Until the page says the clip was heard to its end (the player's own record)."""
    page.wait_for_selector("body.played", state="attached", timeout=30_000)


def one_word_fix(keys: Keyboard, think_seconds: float = 0.0) -> None:
    """Play, rate, fix the doubted word, save and go on: on the page of a clip just opened."""
    keys.press(" ")  # play
    wait_until_heard(keys.page)
    keys.page.wait_for_timeout(think_seconds * 1000)
    keys.press("4")  # the answer was good
    keys.press("e")  # the doubted word, selected
    keys.type(FIXED)
    keys.press("Control+Enter")  # save, and on to the next clip


def retyped(keys: Keyboard, think_seconds: float = 0.0) -> None:
    """Play, rate, retype the whole transcript, save and go on."""
    keys.press(" ")
    wait_until_heard(keys.page)
    keys.page.wait_for_timeout(think_seconds * 1000)
    keys.press("4")
    keys.press("t")  # the transcript
    keys.press("Control+a")
    keys.type(SAID)
    keys.press("Control+Enter")


def next_clip_shown(page: Any, previous_url: str) -> None:
    """Until the next clip's page, with its player ready for the keyboard, is shown."""
    page.wait_for_url(lambda url: url != previous_url and "/review/tasks/" in url)
    page.wait_for_selector("#play:focus", timeout=10_000)

"""Test doubles and builders shared across the suite (not fixtures: those live in conftest)."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyotp
import soundfile as sf
from fastapi.testclient import TestClient
from sqlalchemy import event

from confide.audio import Audio
from confide.recognize.base import Transcript, Word
from confide.service.accounts import NewPerson
from confide.service.app import create_app
from confide.store.tables import Device


@dataclass(frozen=True)
class DemoHousehold:
    """Two adults and a child, each with a paired device."""

    id: str
    people: dict[str, NewPerson]
    devices: dict[str, Device]
    tokens: dict[str, str]
    passwords: dict[str, str]


def wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    t = np.arange(int(seconds * 16000)) / 16000
    sf.write(buffer, 0.3 * np.sin(2 * np.pi * 220 * t), 16000, format="WAV")
    return buffer.getvalue()


SAID = "set a timer for ten minutes my account number is four nine two one"


class ScriptedRecognizer:
    """Hears `SAID`; fails the first `failures` times, as a crashing worker would."""

    name = "scripted"

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures

    def transcribe(self, audio: Audio, hints: Sequence[str] = ()) -> Transcript:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("worker died mid-recognition")
        words = [Word(w, i * 0.3, i * 0.3 + 0.25, 0.9) for i, w in enumerate(SAID.split())]
        return Transcript(SAID, words, self.name, audio.seconds, 0.01)


def understand_timer(text: str) -> dict:
    return {
        "text": text,
        "intent": "SetTimer",
        "confidence": 0.97,
        "slots": [
            {
                "name": "duration",
                "value": "ten minutes",
                "start": 16,
                "end": 27,
                "normalized": "PT10M",
            }
        ],
    }


@dataclass(frozen=True)
class Member:
    """A staff account made for a test, with what signing in needs."""

    id: str
    pseudonym: str
    login: str
    password: str
    totp_secret: str


TEAM = {
    "rhea": {"reviewer"},
    "remy": {"reviewer"},
    "lena": {"lead", "reviewer"},
    "sol": {"safety"},
    "pia": {"privacy_officer"},
    "otto": {"privacy_officer"},
    "ada": {"admin"},
}
"""The review team the tests work with, login -> roles."""


TEAM_JOINED = datetime(2026, 1, 1, tzinfo=UTC)
"""When the team's accounts say they were made: past break-glass probation for every test's
clock, so that pia and otto may approve; tests of probation make their own newcomers."""


def make_team(session, keyring) -> dict[str, Member]:
    from confide.review.staff import add_staff
    from confide.store.tables import StaffMember

    team = {}
    for login, roles in TEAM.items():
        password = f"{login} long enough password"
        made = add_staff(session, keyring, login, password, roles)
        session.get(StaffMember, made.id).created_at = TEAM_JOINED
        team[login] = Member(made.id, made.pseudonym, login, password, made.totp_secret)
    session.commit()
    return team


ALICE_PASSWORD = "correct horse battery"


def alice_with_clips(runtime, clips: int, seconds: float = 1.5):
    """Alice Rivera, who consented to review, her kitchen speaker's `clips` clips of `seconds`
    through the pipeline, and the review team: (Alice, the interaction ids, the team)."""
    import uuid

    from confide.ingest import ingest
    from confide.privacy.consent import set_consent
    from confide.service.accounts import (
        add_person,
        complete_pairing,
        create_household,
        start_pairing,
    )

    with runtime.sessions() as session:
        home = create_household(session, runtime.keyring, "The Rivera household")
        alice = add_person(
            session, runtime.keyring, home, "Alice Rivera", login="alice", password=ALICE_PASSWORD
        )
        set_consent(session, alice.id, "human_review", True, actor=alice.id)
        _, code = start_pairing(session, home, alice.id, "Kitchen speaker")
        device = session.get(Device, complete_pairing(session, code)[0])
        made = [
            ingest(
                session, runtime.keyring, runtime.blobs, device, uuid.uuid4().hex, wav(seconds)
            ).id
            for _ in range(clips)
        ]
        session.commit()
        team = make_team(session, runtime.keyring)
    for interaction_id in made:
        runtime.pipeline.process(interaction_id)
    return alice, made, team


def fake_protector(audio, transcript, understood, answer, seed, known):
    """Stands in for redaction, bleeping and anonymisation: marks every digit run as a PHONE."""
    import re

    from confide.protect.preparation import Protected

    digits = re.compile(r"\b(?:(?:zero|one|two|three|four|five|six|seven|eight|nine)\s?){3,}\b")
    text = digits.sub("[PHONE] ", transcript.text).strip()
    types = ["PHONE"] * len(digits.findall(transcript.text))
    return Protected(audio, text, understood.get("slots", []), answer, types)


def answered_interaction(
    session,
    keyring,
    blobs,
    person_id: str,
    device_id: str,
    text: str = SAID,
    *,
    confidence: float = 0.9,
    false_wake: bool = False,
    when=None,
) -> str:
    """An interaction as the pipeline leaves it: audio, transcript, understanding, answer sealed."""
    import json
    import uuid
    from datetime import UTC, datetime

    from confide.privacy.contexts import (
        answer_context,
        audio_context,
        transcript_context,
        understanding_context,
    )
    from confide.store.tables import Interaction

    iid = uuid.uuid4().hex
    keyring.ensure_key(session, person_id)
    key = f"audio/{iid}"
    blobs.put(key, keyring.seal(session, person_id, wav(1.5), audio_context(iid)))
    words = [
        {"word": w, "start": i * 0.1, "end": i * 0.1 + 0.08, "confidence": confidence}
        for i, w in enumerate(text.split())
    ]

    def seal(value, context):
        return keyring.seal(session, person_id, json.dumps(value).encode(), context)

    session.add(
        Interaction(
            id=iid,
            owner_id=person_id,
            device_id=device_id,
            client_id=iid,
            created_at=when or datetime.now(UTC),
            status="answered",
            attempts=1,
            audio_key=key,
            audio_seconds=1.5,
            wake_word="okay_nabu",
            transcript_sealed=seal(
                {"text": text, "words": words, "engine": "scripted"}, transcript_context(iid)
            ),
            understanding_sealed=seal(understand_timer(text), understanding_context(iid)),
            answer_sealed=seal(
                {
                    "text": "Timer set for ten minutes.",
                    "skill": "timer",
                    "action": None,
                    "offline": False,
                },
                answer_context(iid),
            ),
            asr_confidence=confidence,
            nlu_confidence=confidence,
            false_wake=false_wake,
        )
    )
    session.flush()
    return iid


@contextmanager
def running_server(app) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", ws="none", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    host, port = sock.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium, which `make test` installs; browser tests skip without it."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def drop_audit_triggers(connection) -> None:
    """What an attacker with raw database access does first: lift the append-only triggers."""
    from sqlalchemy import text

    if connection.dialect.name == "sqlite":
        connection.execute(text("DROP TRIGGER audit_events_no_UPDATE"))
        connection.execute(text("DROP TRIGGER audit_events_no_DELETE"))
    else:
        connection.execute(
            text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        )


def rewrite_audit_chain(engine, edit, *, strip_macs_from: int | None = None) -> None:
    """What someone with raw database access and no KEK can do to the audit chain: disable the
    append-only triggers, `edit` the list of events (dicts, oldest first), renumber them,
    recompute every hash with plain SHA-256 and set the head row to match. MACs are kept as
    they were, or set to NULL from the event numbered `strip_macs_from` on."""
    import hashlib
    import json

    from sqlalchemy import text

    from confide.store.tables import AuditEvent

    with engine.begin() as connection:
        drop_audit_triggers(connection)
        rows = connection.execute(text("SELECT * FROM audit_events ORDER BY sequence"))
        kept = edit([dict(row._mapping) for row in rows])
        previous = "0" * 64
        for sequence, row in enumerate(kept, start=1):
            fields = ("at", "actor", "role", "action", "owner_id", "subject", "reason")
            body = json.dumps(
                [sequence, *(row[name] for name in fields)],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            row["sequence"], row["previous_hash"] = sequence, previous
            row["hash"] = previous = hashlib.sha256(f"{previous}|{body}".encode()).hexdigest()
            if strip_macs_from is not None and sequence >= strip_macs_from:
                row["mac"] = None
        connection.execute(text("DELETE FROM audit_events"))
        connection.execute(AuditEvent.__table__.insert(), kept)
        connection.execute(
            text("UPDATE audit_head SET sequence = :sequence, hash = :hash WHERE id = 1"),
            {"sequence": len(kept), "hash": previous},
        )


def reviewed_items(session, keyring, team, queued, who: str, count: int = 1) -> list[str]:
    """`count` clips of `who` (who granted improvement and human review), sampled, protected,
    labelled by a reviewer and taken into the dataset; their interaction ids."""
    from datetime import UTC, datetime

    from confide.learn.dataset import refresh
    from confide.privacy.consent import set_consent
    from confide.review.tasks import Labels, next_task, submit
    from confide.store.tables import StaffMember

    now = datetime.now(UTC)
    made = []
    for index in range(count):
        [task] = queued(who, f"set a timer for {index + 2} minutes")
        set_consent(session, task.owner_id, "improvement", True, actor=who)
        rhea = session.get(StaffMember, team["rhea"].id)
        labels = Labels(f"set a timer for {index + 2} minutes", "SetTimer", rating=5)
        submit(session, keyring, rhea, next_task(session, rhea, now), labels, now)
        made.append(task.interaction_id)
    refresh(session, keyring, now)
    session.commit()
    return made


CSRF = re.compile(r'name="csrf" value="([^"]+)"')
"""The CSRF token a page's forms carry."""


def web_client(runtime) -> TestClient:
    """The app over HTTPS (outside dev mode session cookies are Secure), redirects not followed."""
    return TestClient(create_app(runtime), base_url="https://testserver", follow_redirects=False)


def staff_sign_in(client: TestClient, member) -> str:
    """Sign `member` in to the workbench; returns the session's CSRF token."""
    form = client.get("/review/login")
    response = client.post(
        "/review/login",
        data={
            "login": member.login,
            "password": member.password,
            "code": pyotp.TOTP(member.totp_secret).now(),
            "csrf": CSRF.findall(form.text)[0],
        },
    )
    assert response.status_code == 303, response.text
    return CSRF.findall(client.get("/review/").text)[0]


def customer_sign_in(client: TestClient, household: DemoHousehold, who: str = "alice") -> str:
    """Sign in to the privacy centre as `who`; returns the session's CSRF token."""
    secret = household.people[who].totp_secret
    assert secret is not None
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "login": who,
            "password": household.passwords[who],
            "code": pyotp.TOTP(secret).now(),
            "csrf": CSRF.findall(form.text)[0],
        },
    )
    assert response.status_code == 303, response.text
    return CSRF.findall(client.get("/privacy/").text)[0]


def racing(engine, *jobs: Callable[[], object]) -> None:
    """Run `jobs` on threads of their own, each held at its first UPDATE until all reach theirs,
    so that their claims on the database really race."""
    meet = threading.Barrier(len(jobs))
    held = threading.local()

    def hold(connection, cursor, statement, parameters, context, many) -> None:
        if statement.lstrip().upper().startswith("UPDATE") and not getattr(held, "done", False):
            held.done = True
            meet.wait(timeout=30)

    event.listen(engine, "before_cursor_execute", hold)
    try:
        threads = [threading.Thread(target=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        event.remove(engine, "before_cursor_execute", hold)

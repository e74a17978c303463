"""`confide demo`: a household's day, spoken through simulated devices to a real Confide server.

Everything runs on the embedded default (SQLite and files under the data dir), in dev mode.
The household (two adults and a child, each with a paired speaker) is made once and kept; each
run plays the day again through the devices, live, and then serves the privacy centre and the
review workbench. The two adults have opted in to human review; the child never can be sampled.
So that a short day fills the review queue, the demo samples every eligible interaction (rate 1)
unless CONFIDE_REVIEW_RATE says otherwise; the product's default is 0.5%.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from contextlib import suppress
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from confide.capture.agent import DeviceAgent, State, Utterance
from confide.capture.sources import file_frames
from confide.capture.uploaders import ServerUploader
from confide.capture.wakeword import load_detector
from confide.demo.recordings import SPOKEN_WAKE_WORDS, Line, build
from confide.demo.voices import cached_speaker
from confide.paths import cache_dir
from confide.privacy.consent import set_consent
from confide.review.staff import add_staff
from confide.service.accounts import add_person, complete_pairing, create_household, start_pairing
from confide.service.runtime import Runtime
from confide.service.server import background_server, in_process_worker
from confide.settings import load_settings

NABU, JARVIS = SPOKEN_WAKE_WORDS["okay_nabu"], SPOKEN_WAKE_WORDS["hey_jarvis"]


def _ask(wake: str, command: str, voice: str) -> Line:
    return Line(f"{wake} {command}.", voice, wake_word="ask", command=command, pause=3.0)


DEMO_DAY: dict[str, tuple[Line, ...]] = {
    "alice": (
        Line("Did you remember to buy milk on the way home?", "heart"),
        _ask(JARVIS, "what's the weather like tomorrow", "heart"),
        Line("We should leave early if it rains.", "heart"),
        _ask(JARVIS, "add eggs to my shopping list", "heart"),
        _ask(
            JARVIS,
            "add call maria lopez on five five five one two three four to my to do list",
            "heart",
        ),
        Line("My bank card number is on the letter, don't lose it.", "heart"),
    ),
    "bob": (
        Line("I did, and I got some bread too.", "joe"),
        # The timer goes through hey_jarvis, the surer model: the demo's end-to-end check rests
        # on it, and okay_nabu's scores on this voice sit just above its threshold.
        _ask(JARVIS, "set a timer for ten minutes", "joe"),
        _ask(NABU, "play something by the beatles", "joe"),
        Line("The pasta should be ready by then.", "joe"),
        _ask(NABU, "what did you hear", "joe"),
    ),
    "sam": (
        Line("Can I have a biscuit before dinner?", "heart", speed=1.15),
        _ask(JARVIS, "play the lion sleeps tonight", "heart"),
        _ask(JARVIS, "turn the volume up", "heart"),
    ),
}
"""Who says what to their speaker in the course of the day."""

PEOPLE = {
    "alice": ("Alice Rivera", False),
    "bob": ("Bob Rivera", False),
    "sam": ("Sam Rivera", True),
}
STAFF = {
    "rhea": {"reviewer"},
    "remy": {"reviewer"},
    "lena": {"lead", "reviewer"},
    "sol": {"safety"},
    "pia": {"privacy_officer"},
    "ada": {"admin"},
}
"""The review team: two reviewers, a lead, the safety role, a privacy officer and an admin."""
DEMO_REVIEW_RATE = 1.0


@dataclass(frozen=True)
class DemoStaff:
    """A demo staff login for the review workbench (dev mode only)."""

    pseudonym: str
    login: str
    password: str
    totp_secret: str
    roles: list[str]


@dataclass(frozen=True)
class DemoPerson:
    """A demo login, printed for whoever runs the demo (dev mode only)."""

    name: str
    login: str | None
    password: str | None
    totp_secret: str | None
    device_token: str


def demo_household(runtime: Runtime, folder: Path) -> list[DemoPerson]:
    """The household, made on first run and remembered in the (dev-only) data dir."""
    saved = folder / "household.json"
    if saved.exists():
        return [DemoPerson(**person) for person in json.loads(saved.read_text())]
    people = []
    with runtime.sessions() as session:
        home = create_household(session, runtime.keyring, "The Rivera household")
        for key, (name, child) in PEOPLE.items():
            password = None if child else secrets.token_urlsafe(12)
            made = add_person(
                session,
                runtime.keyring,
                home,
                name,
                login=None if child else key,
                password=password,
                child=child,
            )
            _, code = start_pairing(session, home, made.id, f"{name.split()[0]}'s speaker")
            _, token = complete_pairing(session, code)
            if not child:
                for purpose in ("human_review", "false_wake_review", "improvement"):
                    set_consent(session, made.id, purpose, True, actor=made.id)
            people.append(DemoPerson(name, made.login, password, made.totp_secret, token))
        session.commit()
    folder.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps([asdict(p) for p in people], indent=2))
    saved.chmod(0o600)
    return people


def demo_staff(runtime: Runtime, folder: Path) -> list[DemoStaff]:
    """The review team, made on first run and remembered like the household."""
    saved = folder / "staff.json"
    if saved.exists():
        return [DemoStaff(**member) for member in json.loads(saved.read_text())]
    team = []
    with runtime.sessions() as session:
        for login, roles in STAFF.items():
            password = secrets.token_urlsafe(12)
            made = add_staff(session, runtime.keyring, login, password, roles)
            team.append(DemoStaff(made.pseudonym, login, password, made.totp_secret, sorted(roles)))
        session.commit()
    folder.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps([asdict(m) for m in team], indent=2))
    saved.chmod(0o600)
    return team


def run_demo(
    data_dir: Path, *, realtime: bool, live: bool, serve: bool, port: int = 8400
) -> dict[str, Any]:
    console = Console(stderr=True, quiet=not live, highlight=False)
    settings = load_settings(data_dir, dev_mode=True)
    if "CONFIDE_REVIEW_RATE" not in os.environ:
        settings = replace(settings, review_rate=DEMO_REVIEW_RATE)
    runtime = Runtime(settings)
    folder = settings.data_dir / "demo"
    people = demo_household(runtime, folder)
    staff = demo_staff(runtime, folder)
    console.print("[bold]Confide demo[/]: the Rivera household (Alice, Bob and Sam, a child)")
    console.print("Loading speech models…")
    runtime.engines  # noqa: B018 - load before the day starts, not on the first utterance
    # The day's speech is rebuilt from the script at will: it lives in the cache, never in the
    # data dir, which holds only what is sealed.
    speak = cached_speaker(cache_dir() / "demo-voices")
    answered: list[dict[str, Any]] = []
    with background_server(runtime, port=port if serve else 0) as url, in_process_worker(runtime):
        console.print(f"Server on {url}; the devices start listening.")
        threads = [
            threading.Thread(
                target=_play_day,
                args=(person, DEMO_DAY[key], url, speak, console, answered, realtime),
            )
            for key, person in zip(PEOPLE, people, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _wait_for_protection(runtime, console)
        report = {
            "url": url,
            "people": [asdict(p) for p in people],
            "interactions": answered,
            "staff": [asdict(m) for m in staff],
            "review_queue": _queue_by_person(runtime),
        }
        _print_logins(console, url, people, staff)
        if serve:
            console.print("Serving; press Ctrl-C to stop.")
            with suppress(KeyboardInterrupt):
                threading.Event().wait()
    runtime.close()
    return report


def _play_day(
    person: DemoPerson,
    lines: tuple[Line, ...],
    url: str,
    speak: Any,
    console: Console,
    answered: list[dict[str, Any]],
    realtime: bool,
) -> None:
    first = person.name.split()[0]
    recording = build(lines, speak=speak)

    def on_answer(utterance: Utterance, status: dict[str, Any]) -> None:
        text = (status.get("answer") or {}).get("text", status["status"])
        answered.append({"person": person.name, "answer": text, "status": status["status"]})
        console.print(f"  [green]{first}'s speaker says:[/] {text}")

    def on_state(state: State, now: float) -> None:
        if state in (State.WOKE, State.SENDING):
            console.print(f"  [cyan]{first}'s speaker[/] {state.value}")

    uploader = ServerUploader(url, person.device_token, on_answer=on_answer)
    agent = DeviceAgent(
        load_detector("micro", ["okay_nabu", "hey_jarvis"]), uploader, on_state=on_state
    )
    spoken = list(recording.lines)
    for frame in file_frames(recording.audio, realtime=realtime):
        agent.feed(frame)
        while spoken and spoken[0].start <= agent.now:
            console.print(f"  [dim]{first}:[/] {spoken.pop(0).line.text}")
    agent.flush()
    uploader.close()


PROTECTION_SECONDS = 900.0
"""The most the demo waits for the clips it sampled to be protected for review."""


def _wait_for_protection(runtime: Runtime, console: Console) -> None:
    """Until the sampled clips, protected on the batch queue after their answers, reach the
    review queue, saying how many are left as it goes."""
    from sqlalchemy import func, select

    from confide.store.tables import ReviewTask

    deadline = time.monotonic() + PROTECTION_SECONDS
    told = None
    while time.monotonic() < deadline:
        with runtime.sessions() as session:
            left = session.scalar(select(func.count()).where(ReviewTask.status == "protecting"))
        if not left:
            return
        if left != told:
            console.print(f"Protecting {left} sampled clip(s) for review (anonymised, bleeped)…")
            told = left
        time.sleep(0.5)
    console.print("[yellow]Protection is still running; the review queue fills as it ends.[/]")


def _queue_by_person(runtime: Runtime) -> dict[str, int]:
    """How many clips of each demo person wait in the review queue (for the demo's report)."""
    from sqlalchemy import func, select

    from confide.service.accounts import person_name
    from confide.store.tables import Person, ReviewTask

    with runtime.sessions() as session:
        waiting = dict(
            session.execute(
                select(ReviewTask.owner_id, func.count())
                .where(ReviewTask.status == "queued")
                .group_by(ReviewTask.owner_id)
            ).all()
        )
        return {
            person_name(session, runtime.keyring, person): waiting.get(person.id, 0)
            for person in session.scalars(select(Person).where(Person.erased_at.is_(None)))
        }


def _print_logins(
    console: Console, url: str, people: list[DemoPerson], staff: list[DemoStaff]
) -> None:
    console.print(f"\n[bold]Privacy centre:[/] {url}/privacy/   API docs: {url}/docs")
    for person in people:
        if person.login:
            console.print(
                f"  {person.name}: login [bold]{person.login}[/], password "
                f"[bold]{person.password}[/], TOTP secret {person.totp_secret}",
                soft_wrap=True,
            )
        else:
            console.print(f"  {person.name}: a child profile, no login")
    console.print(f"\n[bold]Review workbench:[/] {url}/review/")
    for member in staff:
        console.print(
            f"  {member.pseudonym} ({', '.join(member.roles)}): login [bold]{member.login}[/], "
            f"password [bold]{member.password}[/], TOTP secret {member.totp_secret}",
            soft_wrap=True,
        )

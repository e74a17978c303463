"""Learning benchmark: new artist names, spoken to a device, reviewed through the API, learned,
then heard again in other voices and phrasings.

Why: issue 11's promise is that reviewed labels make the assistant measurably better. The figure
is the entity-link accuracy from audio on held-out utterances of names the models had never
seen: the artist slot of what the production ASR and NLU make of the audio links to the right
catalog entry. Target: at least 0.80 after the learn run, and at least 0.30 above the same
system before it; the regression sets must hold (Snips intent accuracy drops at most 1 point,
real-speech WER rises at most 0.5 point).

The scenario (names, phrasings, voices: see `_learning_scenario`):

1. A fresh data dir with the demo household and review team (`confide.demo.household`), every
   eligible interaction sampled and the caps raised through the settings (CONFIDE_REVIEW_RATE=1,
   CONFIDE_REVIEW_CAP_MONTH, CONFIDE_REVIEW_CAP_TOTAL).
2. The two adults ask their speakers for the new names ("Hey Jarvis, play something by ..."),
   synthesised and streamed through the device agent (wake word, endpointing, upload) to the
   server, which answers and samples them for review.
3. The reviewers review every task through the review API (`/api/review/session`,
   `/api/review/tasks/next`, `.../annotation`), linking the artist to the catalog: the entry
   they find with `/api/catalog`, or a new one. The simulated reviewer knows what was said
   from the script (a person would hear it).
4. `confide learn run` trains, evaluates and promotes; its time is measured.
5. The held-out utterances (each name in phrasings people wrote for music requests, HWU64's,
   none a training phrasing, said by the other voice at other speeds) go through the production
   engines of the data dir, before the learn run and after it.

    .venv/bin/python benchmarks/learning.py [--names 20] [--train 3] [--heldout 2] [--seed 11]
        [--keep DIR]

Another `--seed` draws other names (results in `results/learning-seed<N>.*`): a check on names
nobody has looked at, since changes made after reading one draw's failures are tuned to it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pyotp
from sqlalchemy import func, select

from _learning_scenario import (
    NewName,
    Utterance,
    heldout_utterances,
    new_names,
    training_utterances,
)
from _support import write
from confide.audio import Audio
from confide.capture.agent import DeviceAgent
from confide.capture.agent import Utterance as Captured
from confide.capture.sources import file_frames
from confide.capture.uploaders import ServerUploader
from confide.capture.wakeword import load_detector
from confide.demo.household import DemoPerson, DemoStaff, demo_household, demo_staff
from confide.demo.recordings import SPOKEN_WAKE_WORDS, Line, build
from confide.demo.voices import cached_speaker
from confide.paths import cache_dir
from confide.pipeline import Engines
from confide.service.runtime import Runtime, default_engines
from confide.service.server import background_server, in_process_worker
from confide.settings import Settings, load_settings
from confide.store.tables import Interaction, ReviewTask
from confide.understand.catalog import key

SEED = 11
WAKE = SPOKEN_WAKE_WORDS["hey_jarvis"]
CAP = 100_000
"""The review caps for the scenario: every utterance of the household may be reviewed."""
TARGET_AFTER = 0.80
TARGET_GAIN = 0.30
SNIPS_TARGET_DROP = 1.0
WER_TARGET_RISE = 0.5
SPEECH_CACHE = cache_dir() / "learning-benchmark"


@dataclass(frozen=True)
class Heard:
    """One held-out utterance as the production engines made of it."""

    utterance: Utterance
    text: str
    intent: str | None
    artist: str | None
    """The artist slot's value, if one was found."""
    link: str | None
    """The entry the artist slot linked to."""


def scenario_settings(folder: Path) -> tuple[Settings, dict[str, str]]:
    """Settings for a fresh data dir, and the environment that gives the same to commands."""
    env = {
        "CONFIDE_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
        "CONFIDE_REVIEW_RATE": "1",
        "CONFIDE_REVIEW_CAP_MONTH": str(CAP),
        "CONFIDE_REVIEW_CAP_TOTAL": str(CAP),
        "HF_HUB_OFFLINE": "1",
    }
    return load_settings(folder, dev_mode=True, env=env), env


# -- the device side --------------------------------------------------------------------------


def speak_to_devices(
    url: str, people: list[DemoPerson], said: list[Utterance], speak: Callable[..., Audio]
) -> dict[str, Utterance]:
    """Each adult's share of `said`, through their speaker; the interaction id of each upload."""
    adults = [person for person in people if person.login]
    shares = [said[index :: len(adults)] for index in range(len(adults))]
    uploaded: dict[str, Utterance] = {}
    lock = threading.Lock()

    def play(person: DemoPerson, share: list[Utterance]) -> None:
        lines = [
            Line(f"{WAKE} {u.written}.", u.voice, "hey_jarvis", u.command, 3.0, u.speed)
            for u in share
        ]
        recording = build(lines, speak=speak)

        def on_answer(captured: Captured, status: dict[str, Any]) -> None:
            spoken = max(
                recording.lines,
                key=lambda placed: (
                    min(placed.end, captured.end) - max(placed.start, captured.start)
                ),
            )
            with lock:
                uploaded[status["id"]] = share[recording.lines.index(spoken)]

        uploader = ServerUploader(url, person.device_token, on_answer=on_answer)
        agent = DeviceAgent(load_detector("micro", ["hey_jarvis"]), uploader)
        for frame in file_frames(recording.audio):
            agent.feed(frame)
        agent.flush()
        uploader.close()

    threads = [
        threading.Thread(target=play, args=(person, share))
        for person, share in zip(adults, shares, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return uploaded


def wait_for_protection(runtime: Runtime, timeout: float = 900.0) -> int:
    """Block until no sampled clip is still being protected; the number of tasks queued."""
    deadline = time.monotonic() + timeout
    while True:
        with runtime.sessions() as session:
            waiting = session.scalar(select(func.count()).where(ReviewTask.status == "protecting"))
            pending = session.scalar(
                select(func.count()).where(Interaction.status.in_(("received", "processing")))
            )
            queued = session.scalar(select(func.count()).where(ReviewTask.status == "queued"))
        if not waiting and not pending:
            return queued or 0
        if time.monotonic() > deadline:
            raise RuntimeError(f"{waiting} clips still being protected after {timeout:.0f} s")
        time.sleep(0.5)


# -- the review, through the API ---------------------------------------------------------------


class ReviewClient:
    """One reviewer at the review API."""

    used_codes: ClassVar[dict[str, str]] = {}
    """Login -> the last TOTP code it signed in with: the server refuses a code twice, so a
    second sign-in waits for the next code, as a person would."""

    def __init__(self, url: str, member: DemoStaff) -> None:
        self.member = member
        self.http = httpx.Client(base_url=url, timeout=60.0)
        totp = pyotp.TOTP(member.totp_secret)
        while (code := totp.now()) == self.used_codes.get(member.login):
            time.sleep(totp.interval - time.time() % totp.interval + 0.1)
        self.used_codes[member.login] = code
        signed_in = self.http.post(
            "/api/review/session",
            json={"login": member.login, "password": member.password, "totp": code},
        )
        signed_in.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {signed_in.json()['token']}"

    def next_task(self) -> dict[str, Any] | None:
        response = self.http.post("/api/review/tasks/next")
        response.raise_for_status()
        return None if response.status_code == 204 else dict(response.json())

    def listen(self, task: dict[str, Any]) -> None:
        """Play the clip, as a reviewer does before labelling it."""
        self.http.get(task["audio_url"]).raise_for_status()

    def find(self, name: str) -> str | None:
        """The id of the catalog's artist entry with this name, if it has one."""
        response = self.http.get("/api/catalog", params={"q": name, "kind": "artist"})
        response.raise_for_status()
        for entry in response.json()["entries"]:
            if any(key(known) == key(name) for known in (entry["name"], *entry["aliases"])):
                return str(entry["id"])
        return None

    def annotate(self, task: dict[str, Any], said: Utterance) -> None:
        entry = self.find(said.name.name)
        link = {"id": entry} if entry else {"new": {"kind": "artist", "name": said.name.name}}
        heard_right = any(
            slot["name"] == "artist" and slot["link"] == entry for slot in task.get("slots", ())
        )
        labels = {
            "transcript": said.command,
            "intent": "PlayMusic",
            "slots": [{"name": "artist", "value": said.name.spoken, "link": link}],
            "rating": 5 if entry and heard_right else 1,
            "flags": [],
        }
        self.http.post(f"/api/review/tasks/{task['id']}/annotation", json=labels).raise_for_status()

    def close(self) -> None:
        self.http.close()


def review_everything(
    url: str, runtime: Runtime, staff: list[DemoStaff], uploaded: dict[str, Utterance]
) -> int:
    """Every reviewer takes tasks until the queue has none for anyone; the annotations made."""
    reviewers = [ReviewClient(url, m) for m in staff if "reviewer" in m.roles]
    done = 0
    try:
        progress = True
        while progress:
            progress = False
            for reviewer in reviewers:
                task = reviewer.next_task()
                if task is None:
                    continue
                with runtime.sessions() as session:
                    held = session.get(ReviewTask, task["id"])
                    interaction = held.interaction_id if held else ""
                reviewer.listen(task)
                reviewer.annotate(task, uploaded[interaction])
                done += 1
                progress = True
    finally:
        for reviewer in reviewers:
            reviewer.close()
    return done


def entry_ids(url: str, member: DemoStaff, names: list[NewName]) -> dict[str, str | None]:
    """The catalog entry each new name got, as a reviewer finds it."""
    client = ReviewClient(url, member)
    try:
        return {name.name: client.find(name.name) for name in names}
    finally:
        client.close()


# -- learning and the held-out test -----------------------------------------------------------


def learn_run(settings: Settings, env: dict[str, str]) -> tuple[dict[str, Any], float]:
    """`confide learn run --json` as an operator runs it, pinned to one core: its report and
    its wall time (its progress goes to stderr as it runs)."""
    command = [sys.executable, "-m", "confide", "learn", "run", "--json"]
    command += ["--data-dir", str(settings.data_dir)]
    if taskset := shutil.which("taskset"):
        command = [taskset, "-c", str(min(os.sched_getaffinity(0))), *command]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"confide learn run failed with exit code {done.returncode}")
    report: dict[str, Any] = json.loads(done.stdout)
    report["load_at_start"] = round(load, 2)
    return report, seconds


def hear(engines: Engines, heldout: list[Utterance], speak: Callable[..., Audio]) -> list[Heard]:
    """Each held-out utterance through the engines: recogniser, then understanding."""
    heard = []
    for said in heldout:
        text = engines.recognizer.transcribe(speak(said.written, said.voice, said.speed)).text
        understood = engines.understand(text)
        artist = next(
            (slot for slot in understood.get("slots", ()) if slot["name"] == "artist"), None
        )
        heard.append(
            Heard(
                said,
                text,
                understood.get("intent"),
                artist["value"] if artist else None,
                ((artist or {}).get("link") or {}).get("id"),
            )
        )
    return heard


def link_accuracy(heard: list[Heard], ids: dict[str, str | None]) -> float:
    right = sum(1 for h in heard if h.link and h.link == ids.get(h.utterance.name.name))
    return right / len(heard) if heard else 0.0


def invented(heard: Heard) -> bool:
    return heard.utterance.name.source == "invented"


def name_heard(heard: list[Heard]) -> float:
    """Share whose transcript holds the name as a recogniser writes it (the ASR's part)."""
    right = sum(1 for h in heard if key(h.utterance.name.spoken) in key(h.text))
    return right / len(heard) if heard else 0.0


def artist_found(heard: list[Heard]) -> float:
    """Share with an artist slot at all (the NLU's part, given what was heard)."""
    return sum(1 for h in heard if h.artist) / len(heard) if heard else 0.0


def regression(report: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """The regression sets' figures, production (baseline) against the candidate, per component,
    as the learn run measured them."""
    figures: dict[str, dict[str, float | None]] = {}
    for candidate in report.get("candidates", ()):
        for metric in ("snips_intent_accuracy", "real_speech_wer"):
            after = (candidate.get("metrics") or {}).get(metric)
            before = (candidate.get("baseline") or {}).get(metric)
            if after is not None or before is not None:
                figures[metric] = {"before": before, "after": after}
    return figures


# -- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace, folder: Path) -> None:
    started = time.perf_counter()
    names = new_names(args.names, args.seed)
    trained_on = training_utterances(names, args.train)
    heldout = heldout_utterances(names, args.heldout, args.seed)
    speak = cached_speaker(SPEECH_CACHE)
    settings, env = scenario_settings(folder)
    runtime = Runtime(settings)
    people = demo_household(runtime, folder / "demo")
    staff = demo_staff(runtime, folder / "demo")
    print(f"{len(names)} new names; {len(trained_on)} training, {len(heldout)} held-out utterances")
    for said in [*trained_on, *heldout]:  # synthesise (or find cached) before timing anything
        speak(f"{WAKE} {said.written}.", said.voice, said.speed)
        speak(said.written, said.voice, said.speed)

    with background_server(runtime) as url, in_process_worker(runtime):
        speaking = time.perf_counter()
        uploaded = speak_to_devices(url, people, trained_on, speak)
        queued = wait_for_protection(runtime)
        print(f"uploaded {len(uploaded)} of {len(trained_on)}; {queued} review tasks queued")
        reviewing = time.perf_counter()
        reviewed = review_everything(url, runtime, staff, uploaded)
        ids = entry_ids(url, next(m for m in staff if "reviewer" in m.roles), names)
        device_seconds, review_seconds = reviewing - speaking, time.perf_counter() - reviewing
        print(f"{reviewed} annotations through the API; entries: {ids}")
    runtime.close()

    before = hear(default_engines(settings), heldout, speak)
    print(f"before: link accuracy {link_accuracy(before, ids):.3f}")
    report, learn_seconds = learn_run(settings, env)
    print(f"learn run: {learn_seconds:.1f} s: {json.dumps(report)[:2000]}")
    after = hear(default_engines(settings), heldout, speak)
    print(f"after: link accuracy {link_accuracy(after, ids):.3f}")
    publish(
        names,
        trained_on,
        heldout,
        before,
        after,
        ids,
        report,
        {
            "uploaded": len(uploaded),
            "review_tasks": queued,
            "annotations": reviewed,
            "device_seconds": round(device_seconds, 1),
            "review_seconds": round(review_seconds, 1),
            "learn_seconds": round(learn_seconds, 1),
            "total_seconds": round(time.perf_counter() - started, 1),
        },
        args.seed,
    )


def publish(
    names: list[NewName],
    trained_on: list[Utterance],
    heldout: list[Utterance],
    before: list[Heard],
    after: list[Heard],
    ids: dict[str, str | None],
    report: dict[str, Any],
    counts: dict[str, Any],
    seed: int,
) -> None:
    gain = link_accuracy(after, ids) - link_accuracy(before, ids)
    regressions = regression(report)
    snips = regressions.get("snips_intent_accuracy", {})
    wer = regressions.get("real_speech_wer", {})

    def percent(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.1f}%"

    rows = [
        [
            "entity-link accuracy from audio (held-out)",
            f"{link_accuracy(before, ids):.3f}",
            f"{link_accuracy(after, ids):.3f}",
            f">= {TARGET_AFTER:.2f} after, >= +{TARGET_GAIN:.2f} (+{gain:.2f})",
        ],
        *(
            [
                f"... of which {label}",
                f"{link_accuracy(part(before), ids):.3f}",
                f"{link_accuracy(part(after), ids):.3f}",
                "",
            ]
            for label, part in (
                ("person-like names", lambda heard: [h for h in heard if not invented(h)]),
                ("invented band names", lambda heard: [h for h in heard if invented(h)]),
            )
        ),
        [
            "name in the transcript (ASR)",
            f"{name_heard(before):.3f}",
            f"{name_heard(after):.3f}",
            "",
        ],
        [
            "artist slot found (NLU)",
            f"{artist_found(before):.3f}",
            f"{artist_found(after):.3f}",
            "",
        ],
        [
            "Snips intent accuracy (regression set)",
            percent(snips.get("before")),
            percent(snips.get("after")),
            f"drop <= {SNIPS_TARGET_DROP:.0f} point",
        ],
        [
            "real-speech WER (regression set)",
            percent(wer.get("before")),
            percent(wer.get("after")),
            f"rise <= {WER_TARGET_RISE} point",
        ],
        ["`confide learn run` wall time, one core", "", f"{counts['learn_seconds']} s", ""],
    ]
    people = sum(1 for n in names if n.source != "invented")
    notes = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {counts['total_seconds']} s in all. "
        f"{len(names)} new artist names ({people} person-like from names-dataset, "
        f"{len(names) - people} invented band names), {len(trained_on)} training utterances "
        f"({counts['uploaded']} uploaded by the devices after their wake word, "
        f"{counts['review_tasks']} review tasks, {counts['annotations']} annotations through the "
        f"review API), {len(heldout)} held-out utterances in phrasings people wrote (HWU64's "
        "music requests naming an artist, none a training phrasing), by the other voice. "
        "Entity-link accuracy: the artist slot of what the data dir's production ASR and NLU make "
        "of the held-out audio links to the entry the reviewers gave the name. Anchors: prompt "
        "biasing cut entity WER 30.7% relative (arXiv 2506.06252); contextual fine-tuning 45.6% "
        "on rare words (arXiv 2502.11572). Regression figures are the learn run's own, "
        "production against the candidate. The learn run's time is wall time pinned to one core; "
        f"the load average was {report.get('load_at_start', 'n/a')} on "
        f"{os.cpu_count()} cores as it started."
    )
    write(
        "learning" if seed == SEED else f"learning-seed{seed}",
        "Learning from reviews: new artist names, before and after `confide learn run`"
        + ("" if seed == SEED else f" (names drawn with seed {seed})"),
        ["figure", "before", "after", "target"],
        rows,
        notes,
        {
            "names": [{"name": n.name, "source": n.source} for n in names],
            "entries": ids,
            "counts": counts,
            "learn_run": report,
            "heldout": [
                {
                    "name": b.utterance.name.name,
                    "said": b.utterance.command,
                    "voice": b.utterance.voice,
                    "speed": b.utterance.speed,
                    "before": {"text": b.text, "artist": b.artist, "link": b.link},
                    "after": {"text": a.text, "artist": a.artist, "link": a.link},
                }
                for b, a in zip(before, after, strict=True)
            ],
            "targets": {"after": TARGET_AFTER, "gain": TARGET_GAIN},
            "targets_met": {
                "after": link_accuracy(after, ids) >= TARGET_AFTER,
                "gain": gain >= TARGET_GAIN,
            },
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=20, help="new artist names")
    parser.add_argument("--train", type=int, default=3, help="training utterances per name")
    parser.add_argument("--heldout", type=int, default=2, help="held-out utterances per name")
    parser.add_argument("--seed", type=int, default=SEED, help="draw of the new names")
    parser.add_argument("--keep", type=Path, help="keep the scenario's data dir here")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    folder = Path(tempfile.mkdtemp(prefix="confide-learning-"))
    try:
        run(args, folder)
    finally:
        if args.keep:
            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The locustfile of the load benchmark (benchmarks/load.py runs it headless): each simulated
device is a paired device with a token of its own; it uploads an utterance, long-polls its answer,
pauses, and again.

Configured from the environment by load.py: LOAD_TOKENS (a JSON file of device tokens),
LOAD_CLIPS (a folder of WAV files), LOAD_PAUSE ("low,high" seconds between utterances; the first
utterance waits a random share of the mean pause, so arrivals are spread from the start) and
LOAD_OUT (the JSON file where each utterance's outcome is written when locust quits).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

from locust import FastHttpUser, events, task

TOKENS: list[str] = json.loads(Path(os.environ["LOAD_TOKENS"]).read_text())
CLIPS = [path.read_bytes() for path in sorted(Path(os.environ["LOAD_CLIPS"]).glob("*.wav"))]
LOW, HIGH = (float(part) for part in os.environ["LOAD_PAUSE"].split(","))
WAIT_SECONDS = 30
"""The long-poll: the server holds the request until the answer is there, 30 s at most."""

_next_device = itertools.count()
outcomes: list[dict[str, Any]] = []
"""One entry per utterance finished: started (epoch s), seconds (upload start to answer) and
outcome ('answered', 'failed', or 'error' with what went wrong)."""
in_flight: dict[int, float] = {}
"""Device number -> when its utterance in flight started; what is left at the end was cut off."""


class Device(FastHttpUser):
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.number = next(_next_device)
        self.token = TOKENS[self.number % len(TOKENS)]
        self.headers = {"Authorization": f"Bearer {self.token}"}
        time.sleep(random.uniform(0, (LOW + HIGH) / 2))  # gevent's sleep: locust patches time

    def wait_time(self) -> float:
        return random.uniform(LOW, HIGH)

    @task
    def speak(self) -> None:
        started = time.time()
        in_flight[self.number] = started
        outcome, detail = self._utterance(random.choice(CLIPS))
        del in_flight[self.number]
        outcomes.append(
            {
                "started": started,
                "seconds": time.time() - started,
                "outcome": outcome,
                "detail": detail,
            }
        )

    def _utterance(self, clip: bytes) -> tuple[str, str]:
        with self.client.post(
            "/api/utterances",
            data=clip,
            headers={
                **self.headers,
                "Idempotency-Key": uuid.uuid4().hex,
                "Content-Type": "audio/wav",
            },
            name="upload",
            catch_response=True,
        ) as sent:
            if sent.status_code != 202:
                sent.failure(f"upload {sent.status_code}")
                return "error", f"upload {sent.status_code}"
            status = sent.json()
        while status["status"] not in ("answered", "failed"):
            with self.client.get(
                f"/api/utterances/{status['id']}?wait={WAIT_SECONDS}",
                headers=self.headers,
                name="answer",
                catch_response=True,
            ) as polled:
                if polled.status_code != 200:
                    polled.failure(f"answer {polled.status_code}")
                    return "error", f"answer {polled.status_code}"
                status = polled.json()
        return status["status"], ""


@events.quitting.add_listener
def _write_outcomes(environment: Any, **_: Any) -> None:
    Path(os.environ["LOAD_OUT"]).write_text(
        json.dumps({"outcomes": outcomes, "cut_off": sorted(in_flight.values())})
    )

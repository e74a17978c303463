"""Where a device's utterances go: a Confide server, a local folder, or memory."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from confide.audio import write_wav
from confide.capture.agent import Utterance


class CollectingUploader:
    """Keeps utterances in memory and calls back on each, as `confide listen` reports them."""

    def __init__(self, on_utterance: Callable[[Utterance], None] | None = None) -> None:
        self.utterances: list[Utterance] = []
        self._on_utterance = on_utterance

    def send(self, utterance: Utterance) -> None:
        self.utterances.append(utterance)
        if self._on_utterance:
            self._on_utterance(utterance)


class FolderUploader:
    """Writes each utterance as WAV plus a JSON sidecar: the local sink of the device agent."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.sent = len(list(folder.glob("utterance-*.wav")))

    def send(self, utterance: Utterance) -> None:
        self.sent += 1
        stem = self.folder / f"utterance-{self.sent:05d}"
        write_wav(stem.with_suffix(".wav"), utterance.audio)
        trigger = utterance.trigger
        meta = {
            "start": utterance.start,
            "end": utterance.end,
            "wake_word": trigger.wake_word if trigger else None,
            "wake_score": utterance.wake_score,
            "button": trigger is None,
        }
        stem.with_suffix(".json").write_text(json.dumps(meta) + "\n")


class ServerUploader:
    """Sends each utterance to a Confide server and waits for its answer.

    Each utterance gets one idempotency key, reused on every retry, so a flaky network never
    makes the server hear the same thing twice.
    """

    RETRIES = 3

    def __init__(
        self,
        server: str,
        token: str,
        on_answer: Callable[[Utterance, dict[str, Any]], None] | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self._client = client or httpx.Client(base_url=server, timeout=60.0)
        self._headers = {"Authorization": f"Bearer {token}"}
        self._on_answer = on_answer
        self.sent = 0

    def send(self, utterance: Utterance) -> None:
        key = uuid.uuid4().hex
        headers = {**self._headers, "Idempotency-Key": key}
        if utterance.trigger:
            headers["X-Wake-Word"] = utterance.trigger.wake_word
            if utterance.wake_score is not None:  # a number, never the sound that made it
                headers["X-Wake-Score"] = f"{utterance.wake_score:.4f}"
        body = utterance.audio.to_wav_bytes()
        created = self._with_retries(
            lambda: self._client.post("/api/utterances", content=body, headers=headers)
        )
        self.sent += 1
        status = created.json()
        poll = f"/api/utterances/{status['id']}"
        while status["status"] not in ("answered", "failed"):
            status = self._with_retries(
                lambda: self._client.get(poll, params={"wait": 20}, headers=self._headers)
            ).json()
        if self._on_answer:
            self._on_answer(utterance, status)

    def close(self) -> None:
        self._client.close()

    def _with_retries(self, call: Callable[[], httpx.Response]) -> httpx.Response:
        for attempt in range(self.RETRIES):
            try:
                response = call()
            except httpx.TransportError:
                if attempt == self.RETRIES - 1:
                    raise
                time.sleep(2**attempt)
                continue
            if response.status_code >= 500 and attempt < self.RETRIES - 1:
                time.sleep(2**attempt)
                continue
            response.raise_for_status()
            return response
        raise AssertionError("unreachable")

"""Where a device's utterances go before a server exists: memory or a local folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

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
            "button": trigger is None,
        }
        stem.with_suffix(".json").write_text(json.dumps(meta) + "\n")

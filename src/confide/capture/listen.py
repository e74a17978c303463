"""Play a recording through the device agent and report what woke it and what it would send."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from confide.audio import Audio
from confide.capture.agent import (
    CompletionCheck,
    DeviceAgent,
    EndpointSettings,
    State,
    Utterance,
)
from confide.capture.sources import file_frames
from confide.capture.uploaders import CollectingUploader
from confide.capture.wakeword import Detection, WakeDetector


@dataclass(frozen=True)
class ListenResult:
    """The whole of what a device did with one recording."""

    detections: list[Detection]
    """Wake words that woke the device."""
    utterances: list[Utterance]
    """What it would have uploaded."""
    audio_seconds: float
    processing_seconds: float


def listen(
    audio: Audio,
    detector: WakeDetector,
    settings: EndpointSettings = EndpointSettings(),
    *,
    on_utterance: Callable[[Utterance], None] | None = None,
    on_state: Callable[[State, float], None] | None = None,
    on_progress: Callable[[float], None] | None = None,
    realtime: bool = False,
    completion: CompletionCheck | None = None,
) -> ListenResult:
    """Run the whole recording through a fresh agent; `on_progress` gets seconds consumed."""
    uploader = CollectingUploader(on_utterance)
    agent = DeviceAgent(detector, uploader, settings, on_state, completion=completion)
    started = time.perf_counter()
    for index, frame in enumerate(file_frames(audio, realtime=realtime)):
        agent.feed(frame)
        if on_progress and index % 100 == 0:
            on_progress(agent.now)
    agent.flush()
    if on_progress:
        on_progress(audio.seconds)
    return ListenResult(
        detections=agent.detections,
        utterances=uploader.utterances,
        audio_seconds=audio.seconds,
        processing_seconds=time.perf_counter() - started,
    )

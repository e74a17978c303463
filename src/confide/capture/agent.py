"""The device agent: a state machine that decides when audio may leave the device.

    idle ──wake word / button──► woke ──speech──► capturing ──endpoint──► sending ──► idle
                                   └──no speech in time──► idle (nothing sent)

Only `sending` hands audio to the uploader, and only audio from the wake (plus a short pre-roll)
onward. While muted, frames are dropped unread: no detector, no buffer, no upload.

Capturing ends after `trailing_silence` of silence, or sooner (`early_ends`) when a
`CompletionCheck` on the device finds the words so far likely a whole request and the VAD is sure
the voice has stopped: the surer the words, the shorter the wait; a pause after "play something
by" waits the full silence. The check starts in the background early in the pause
(`check_after`), so its answer is mostly ready when needed.

A `Tunable` detector takes its household's thresholds whenever the agent is idle and the agent's
`ThresholdSource` has new ones, so no wake is judged by two thresholds halfway through.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from confide.audio import SAMPLE_RATE, Audio
from confide.capture.preroll import PreRoll
from confide.capture.vad import BLOCK_SAMPLES, VadSettings, VoiceActivity
from confide.capture.wakeword import Detection, Tunable, WakeDetector


class State(enum.Enum):
    IDLE = "idle"
    WOKE = "woke"
    CAPTURING = "capturing"
    SENDING = "sending"


@dataclass(frozen=True)
class EndpointSettings:
    """When an utterance starts and ends."""

    pre_roll: float = 0.3
    """Seconds kept from before the wake, so a command spoken right on the wake word is whole."""
    speech_timeout: float = 3.0
    """Give up, sending nothing, if no speech starts this long after a wake."""
    trailing_silence: float = 0.7
    """The utterance ends after this much silence following speech."""
    early_ends: tuple[tuple[float, float], ...] = ((0.25, 0.6), (0.45, 0.3))
    """With a `CompletionCheck`: (sure silence, completeness) steps. The utterance ends after that
    much sure silence when the check puts the chance that the request is whole at least that
    high. A pause grows less likely to be a hesitation the longer it lasts, so less sure words
    end later."""
    check_after: float = 0.1
    """Sure silence after which the check starts, in the background; shorter gaps between words
    would start checks that are stale before they finish."""
    early_vad_ceiling: float = 0.2
    """Sure silence: blocks with a speech probability below this. A fading word or a breath
    scores between it and the VAD's threshold; it restarts the early count, not the trailing
    one."""
    max_seconds: float = 10.0
    """The utterance ends here even if speech goes on."""
    vad: VadSettings = field(default_factory=VadSettings)
    """How speech is told from silence."""


@dataclass(frozen=True)
class Utterance:
    """What the device sends after a wake: the only audio that ever leaves it."""

    audio: Audio
    """From `pre_roll` before the wake to the endpoint."""
    start: float
    """Stream seconds at which the audio begins."""
    end: float
    """Stream seconds at which it ends."""
    trigger: Detection | None
    """The wake word that opened it; None for a button press."""
    wake_offset: float
    """Seconds into `audio` at which the wake fired; before it lies only the pre-roll."""
    wake_score: float | None = None
    """The detector's peak score for the wake, 0 to 1, from a `Tunable` detector; None for a
    button press or an engine whose scores are not on a probability scale."""


class Uploader(Protocol):
    """Where utterances go: the server's upload client, a local folder, or a test double."""

    def send(self, utterance: Utterance) -> None: ...


class CompletionCheck(Protocol):
    """How likely the audio captured so far (pre-roll, wake and speech) is a whole request, 0 to 1,
    judged on the device (`confide.understand.completeness.SpokenRequestEnd`)."""

    def completeness(self, audio: Audio) -> float: ...


class ThresholdSource(Protocol):
    """Where the household's wake-word thresholds come from (`confide.capture.tuning`)."""

    def take(self) -> dict[str, float] | None:
        """Thresholds not handed out before, or None when nothing changed."""
        ...


class DeviceAgent:
    """Feeds every frame through the state machine; see the module docstring."""

    def __init__(
        self,
        detector: WakeDetector,
        uploader: Uploader,
        settings: EndpointSettings = EndpointSettings(),
        on_state: Callable[[State, float], None] | None = None,
        thresholds: ThresholdSource | None = None,
        completion: CompletionCheck | None = None,
    ) -> None:
        self._detector = detector
        self._tunable = detector if isinstance(detector, Tunable) else None
        """The detector again where it takes thresholds and reports peak scores."""
        self._thresholds = thresholds
        self._uploader = uploader
        self._completion = completion
        self._checker = ThreadPoolExecutor(1, "completion-check") if completion else None
        self._check: Future[float] | None = None
        """The check started in the current pause; dropped when speech resumes."""
        self._settings = settings
        self._on_state = on_state
        self._vad = VoiceActivity(settings.vad)
        self._preroll = PreRoll(settings.pre_roll)
        self.state = State.IDLE
        self.muted = False
        self.detections: list[Detection] = []
        """Every wake word that woke the device, in order."""
        self._samples = 0
        self._captured: list[np.ndarray] = []
        self._capture_start = 0.0
        self._wake_time = 0.0
        self._trigger: Detection | None = None
        self._silent_blocks = 0
        self._quiet_blocks = 0
        """Blocks of sure silence in a row: what the early end counts."""
        self._blocks_since_wake = 0
        self.completion_checks = 0
        """How often the device asked whether a request was whole: each one costs a local look."""

    @property
    def now(self) -> float:
        """Stream seconds consumed so far."""
        return self._samples / SAMPLE_RATE

    def mute(self) -> None:
        """Stop listening: drop whatever is buffered or being captured."""
        self.muted = True
        self._preroll.clear()
        self._captured.clear()
        self._set_state(State.IDLE)

    def unmute(self) -> None:
        self.muted = False

    def press_button(self) -> None:
        """Wake without the word; ignored while muted (a muted device does not listen)."""
        if not self.muted and self.state is State.IDLE:
            self._wake(None)

    def feed(self, frame: np.ndarray) -> None:
        """Process the next frame of 16 kHz int16 audio."""
        if self.muted:
            self._samples += len(frame)
            return
        self._samples += len(frame)
        if self.state is State.IDLE:
            self._retune()
        detections = self._detector.process(frame)
        if self.state is State.IDLE:
            self._preroll.push(frame)
            if detections:
                self.detections.append(detections[0])
                self._wake(detections[0])
            return
        self._captured.append(frame)
        for probability in self._vad.process(frame):
            if not self._advance(probability):
                return

    def flush(self) -> None:
        """End of stream: send what is being captured if speech was heard."""
        if self.state is State.CAPTURING:
            self._send()
        elif self.state is State.WOKE:
            self._abandon()

    def _retune(self) -> None:
        """Apply thresholds the source has newly fetched, if the detector takes them."""
        if self._tunable is None or self._thresholds is None:
            return
        if (thresholds := self._thresholds.take()) is not None:
            self._tunable.set_thresholds(thresholds)

    def _wake(self, trigger: Detection | None) -> None:
        self._trigger = trigger
        self._captured = [self._preroll.take()]
        self._wake_time = self.now
        self._capture_start = self.now - len(self._captured[0]) / SAMPLE_RATE
        self._silent_blocks = 0
        self._quiet_blocks = 0
        self._check = None
        self._blocks_since_wake = 0
        self._vad.reset()
        self._set_state(State.WOKE)

    def _advance(self, probability: float) -> bool:
        """Move on by one VAD block; False once the utterance is over (sent or abandoned)."""
        is_speech = probability >= self._settings.vad.threshold
        block_seconds = BLOCK_SAMPLES / SAMPLE_RATE
        self._blocks_since_wake += 1
        elapsed = self._blocks_since_wake * block_seconds
        if self.state is State.WOKE:
            if is_speech:
                self._set_state(State.CAPTURING)
            elif elapsed >= self._settings.speech_timeout:
                self._abandon()
                return False
            return True
        self._silent_blocks = 0 if is_speech else self._silent_blocks + 1
        quiet = probability < self._settings.early_vad_ceiling
        self._quiet_blocks = self._quiet_blocks + 1 if quiet else 0
        if (
            self._silent_blocks * block_seconds >= self._settings.trailing_silence
            or self.now - self._capture_start >= self._settings.max_seconds
            or self._ends_early(block_seconds)
        ):
            self._send()
            return False
        return True

    def _ends_early(self, block_seconds: float) -> bool:
        """Start the check once a pause's sure silence reaches `check_after`; at each of
        `early_ends`, end if the check is sure enough (waiting for its answer if need be)."""
        if self._checker is None or self._completion is None:
            return False
        if self._quiet_blocks == 0:
            self._check = None
        elif self._quiet_blocks == math.ceil(self._settings.check_after / block_seconds):
            self.completion_checks += 1
            audio = Audio(np.concatenate(self._captured))
            self._check = self._checker.submit(self._completion.completeness, audio)
        for silence, least in self._settings.early_ends:
            if self._check is not None and self._quiet_blocks == math.ceil(silence / block_seconds):
                return self._check.result() >= least
        return False

    def _send(self) -> None:
        self._set_state(State.SENDING)
        samples = np.concatenate(self._captured)
        self._captured = []
        self._uploader.send(
            Utterance(
                audio=Audio(samples),
                start=round(self._capture_start, 3),
                end=round(self.now, 3),
                trigger=self._trigger,
                wake_offset=round(self._wake_time - self._capture_start, 3),
                wake_score=self._wake_score(),
            )
        )
        self._set_state(State.IDLE)

    def _wake_score(self) -> float | None:
        """The peak score of the wake being sent, when the detector has one to tell."""
        if self._trigger is None or self._tunable is None:
            return None
        return self._tunable.peak_score(self._trigger.wake_word)

    def _abandon(self) -> None:
        self._captured = []
        self._set_state(State.IDLE)

    def _set_state(self, state: State) -> None:
        if state is not self.state:
            self.state = state
            if self._on_state:
                self._on_state(state, self.now)

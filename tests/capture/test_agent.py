"""The device agent: what leaves the device, and when (invariant 1)."""

from __future__ import annotations

import numpy as np
import pytest

from confide.audio import SAMPLE_RATE, Audio
from confide.capture.agent import DeviceAgent, EndpointSettings, State, Utterance
from confide.capture.sources import file_frames
from confide.capture.uploaders import CollectingUploader, FolderUploader
from confide.capture.wakeword import Detection, load_detector
from confide.demo.recordings import SPOKEN_WAKE_WORDS, Speaker


class ScriptedDetector:
    """Fires at given stream times: state-machine tests without a model's judgement."""

    wake_words = ("okay_nabu",)

    def __init__(self, *times: float) -> None:
        self._times = list(times)
        self._samples = 0

    def process(self, frame: np.ndarray) -> list[Detection]:
        self._samples += len(frame)
        now = self._samples / SAMPLE_RATE
        if self._times and now >= self._times[0]:
            self._times.pop(0)
            return [Detection("okay_nabu", now, 0.99)]
        return []


class Recorder:
    """Every state change, with its time."""

    def __init__(self) -> None:
        self.changes: list[tuple[State, float]] = []

    def __call__(self, state: State, now: float) -> None:
        self.changes.append((state, now))


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SAMPLE_RATE), np.int16)


def last_sound(samples: np.ndarray) -> float:
    """Seconds into `samples` of the last one louder than 1% of the peak: where speech ends."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 0.01 * np.abs(samples).max())
    return float(loud[-1] + 1) / SAMPLE_RATE


def play(agent: DeviceAgent, *parts: np.ndarray, end_of_stream: bool = True) -> None:
    for frame in file_frames(Audio(np.concatenate(parts))):
        agent.feed(frame)
    if end_of_stream:
        agent.flush()


def test_a_wake_followed_by_speech_is_sent_whole(speech: Speaker) -> None:
    command = speech("Set a timer for ten minutes.", "joe", 1.0).samples
    uploads = CollectingUploader()
    states = Recorder()
    agent = DeviceAgent(ScriptedDetector(2.0), uploads, EndpointSettings(pre_roll=0.3), states)
    play(agent, silence(2.0), command, silence(3.0))
    assert [s for s, _ in states.changes] == [
        State.WOKE,
        State.CAPTURING,
        State.SENDING,
        State.IDLE,
    ]
    [utterance] = uploads.utterances
    assert utterance.start == pytest.approx(1.7, abs=0.02)
    assert utterance.wake_offset == pytest.approx(0.3, abs=0.02)
    command_end = 2.0 + last_sound(command)  # a voice may end its clip with silence of its own
    assert command_end + 0.5 < utterance.end < command_end + 1.5  # trailing silence, then sent
    assert utterance.audio.seconds == pytest.approx(utterance.end - utterance.start, abs=0.02)


class ScriptedCompletion:
    """Answers every completion check the same way and keeps what it was shown."""

    def __init__(self, chance: float) -> None:
        self._chance = chance
        self.shown: list[Audio] = []

    def completeness(self, audio: Audio) -> float:
        self.shown.append(audio)
        return self._chance


@pytest.mark.parametrize(
    ("case", "chance", "silence_waited", "checks"),
    [
        ("no check: the full trailing silence", None, 0.7, 0),
        ("surely a whole request: the first step", 0.9, 0.25, 1),
        ("likely a whole request: the second step", 0.4, 0.45, 1),
        ("not a request yet: the full silence", 0.1, 0.7, 1),
    ],
)
def test_a_whole_request_ends_after_a_short_silence(
    case: str, chance: float | None, silence_waited: float, checks: int, speech: Speaker
) -> None:
    command = speech("Set a timer for ten minutes.", "joe", 1.0).samples
    completion = None if chance is None else ScriptedCompletion(chance)
    uploads = CollectingUploader()
    agent = DeviceAgent(ScriptedDetector(1.0), uploads, EndpointSettings(), completion=completion)
    play(agent, silence(1.0), command, silence(2.0))
    [utterance] = uploads.utterances
    command_end = 1.0 + last_sound(command)
    # The VAD holds on for a block or a few after the sound fades.
    assert command_end + silence_waited <= utterance.end < command_end + silence_waited + 0.25, case
    assert agent.completion_checks == checks, case
    if completion is not None:
        # Asked once, early in the pause, about everything captured so far: the whole command.
        [shown] = completion.shown
        assert np.array_equal(shown.samples, utterance.audio.samples[: len(shown.samples)])
        assert utterance.start + shown.seconds >= command_end + EndpointSettings().check_after


def test_a_pause_mid_request_is_waited_out_when_incomplete(speech: Speaker) -> None:
    """ "Add ... eggs to my shopping list": the check finds the first part incomplete, so the
    pause does not end the utterance, and the whole request is sent."""
    first = speech("Add", "joe", 1.0).samples
    rest = speech("eggs to my shopping list.", "joe", 1.0).samples
    completion = ScriptedCompletion(0.0)
    uploads = CollectingUploader()
    agent = DeviceAgent(ScriptedDetector(1.0), uploads, completion=completion)
    play(agent, silence(1.0), first, silence(0.5), rest, silence(2.0))
    [utterance] = uploads.utterances
    assert utterance.end > 1.0 + (len(first) + len(rest)) / SAMPLE_RATE + 0.5
    assert agent.completion_checks == 2  # once in the pause, once at the end


@pytest.mark.parametrize(
    ("case", "after_speech", "checks", "blocks_to_end"),
    [
        ("sure silence: early", [0.0] * 30, 1, 8),
        ("a fading word first: the early count starts after it", [0.4, 0.3] + [0.0] * 30, 1, 10),
        ("a breath every few blocks: never early", [0.0, 0.0, 0.3] * 10, 0, 22),
        ("a gap between words: its check is dropped", [0.0] * 5 + [0.9] * 5 + [0.0] * 30, 2, 18),
    ],
)
def test_the_early_end_counts_only_sure_silence(
    case: str, after_speech: list[float], checks: int, blocks_to_end: int
) -> None:
    """Silence under the VAD's threshold but above the ceiling (a breath, a fading word) is not
    sure: it restarts the early count, while the trailing silence (22 blocks) runs on."""
    uploads = CollectingUploader()
    agent = DeviceAgent(ScriptedDetector(), uploads, completion=ScriptedCompletion(1.0))
    agent.press_button()
    blocks = iter([0.9] * 10 + after_speech)
    fed = 1
    while agent._advance(next(blocks)):
        fed += 1
    assert (agent.completion_checks, fed - 10) == (checks, blocks_to_end), case
    assert uploads.utterances and agent.state is State.IDLE, case


def test_a_wake_without_speech_sends_nothing() -> None:
    uploads = CollectingUploader()
    states = Recorder()
    agent = DeviceAgent(
        ScriptedDetector(1.0), uploads, EndpointSettings(speech_timeout=2.0), states
    )
    play(agent, silence(6.0))
    assert uploads.utterances == []
    assert [s for s, _ in states.changes] == [State.WOKE, State.IDLE]
    assert states.changes[1][1] == pytest.approx(3.0, abs=0.1)


def test_endless_speech_is_cut_at_the_maximum(speech: Speaker) -> None:
    talk = speech("And then we walked along the river for hours and hours, talking.", "joe", 1.0)
    uploads = CollectingUploader()
    agent = DeviceAgent(ScriptedDetector(0.5), uploads, EndpointSettings(max_seconds=2.5))
    play(agent, silence(0.5), np.tile(talk.samples, 3))
    assert uploads.utterances
    assert uploads.utterances[0].audio.seconds <= 2.5 + 0.05


def test_the_button_wakes_without_the_word(speech: Speaker) -> None:
    command = speech("What's on my shopping list?", "heart", 1.0).samples
    uploads = CollectingUploader()
    agent = DeviceAgent(ScriptedDetector(), uploads)
    play(agent, silence(1.0))
    agent.press_button()
    play(agent, command, silence(2.0))
    [utterance] = uploads.utterances
    assert utterance.trigger is None
    assert agent.detections == []


def test_mute_really_stops_listening(speech: Speaker) -> None:
    wake = speech(f"{SPOKEN_WAKE_WORDS['hey_jarvis']} turn on the lights.", "joe", 1.0).samples
    uploads = CollectingUploader()
    detector = load_detector("micro", ["hey_jarvis"])
    agent = DeviceAgent(detector, uploads)
    play(agent, silence(0.5))
    agent.mute()
    play(agent, wake, silence(2.0))
    agent.press_button()
    play(agent, wake, silence(2.0))
    assert (uploads.utterances, agent.detections, agent.state) == ([], [], State.IDLE)
    agent.unmute()
    play(agent, silence(1.0), wake, silence(2.0))
    assert len(uploads.utterances) == 1
    assert [d.wake_word for d in agent.detections] == ["hey_jarvis"]


def test_muting_mid_capture_discards_it(speech: Speaker) -> None:
    command = speech("Add eggs to the shopping list.", "joe", 1.0).samples
    uploads = CollectingUploader()
    agent = DeviceAgent(ScriptedDetector(1.0), uploads)
    play(agent, silence(1.0), command[: len(command) // 2], end_of_stream=False)
    assert agent.state is State.CAPTURING
    agent.mute()
    play(agent, command[len(command) // 2 :], silence(2.0))
    assert uploads.utterances == []


def test_folder_uploader_writes_audio_and_metadata(tmp_path, speech: Speaker) -> None:
    uploads = FolderUploader(tmp_path / "outbox")
    audio = speech("Play some jazz.", "joe", 1.0)
    uploads.send(Utterance(audio, 1.0, 2.5, Detection("alexa", 1.3, 0.9), 0.3))
    uploads.send(Utterance(audio, 5.0, 6.5, None, 0.0))
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == [
        "utterance-00001.json",
        "utterance-00001.wav",
        "utterance-00002.json",
        "utterance-00002.wav",
    ]
    assert '"button": true' in (tmp_path / "outbox" / "utterance-00002.json").read_text()


NEGATIVE_TALK = [
    ("Did you remember to buy milk on the way home?", "heart"),
    ("I did, and I got some bread and a bag of apples too.", "joe"),
    ("We should call your mother about the weekend.", "heart"),
    ("The election results come out tomorrow morning.", "joe"),
    ("Can you pass me the salt, please?", "heart"),
    ("I looked that word up in a lexicon yesterday.", "joe"),
    ("Okay, now bye, I have to run to the station.", "heart"),
    ("Hey Travis, are you coming to the game on Saturday?", "joe"),
    ("My account number is on the letter from the bank.", "heart"),
    ("The kids have football practice at five.", "joe"),
]


class Hour:
    """An hour of household talk, look-alikes of the wake words included, at two speeds.

    Kept as the clips it is made of and where each starts, so what was sent can be compared
    with what was said without holding the hour in memory."""

    def __init__(self, speech: Speaker, seconds: float = 3600.0) -> None:
        rng = np.random.default_rng(7)
        said = [(text, voice, speed) for text, voice in NEGATIVE_TALK for speed in (0.9, 1.1)]
        clips = [speech(*line).samples for line in said]
        self.pieces: list[tuple[int, np.ndarray]] = []
        at = 0
        while at < seconds * SAMPLE_RATE:
            piece = np.concatenate(
                [clips[rng.integers(len(clips))], silence(rng.uniform(0.2, 1.5))]
            )
            self.pieces.append((at, piece))
            at += len(piece)

    def play(self, agent: DeviceAgent) -> None:
        for _, piece in self.pieces:
            for frame in file_frames(Audio(piece)):
                agent.feed(frame)
        agent.flush()

    def before(self, end: int, count: int) -> np.ndarray:
        """The `count` samples said before stream sample `end`."""
        first = end - count
        overlapping = [(at, p) for at, p in self.pieces if at < end and at + len(p) > first]
        return np.concatenate([p[max(0, first - at) : end - at] for at, p in overlapping])


class Witness:
    """Keeps each utterance sent and the exact stream sample at which it was sent."""

    def __init__(self) -> None:
        self.agent: DeviceAgent | None = None
        self.sent: list[tuple[Utterance, int]] = []

    def send(self, utterance: Utterance) -> None:
        assert self.agent is not None
        self.sent.append((utterance, round(self.agent.now * SAMPLE_RATE)))


@pytest.mark.parametrize(
    ("case", "firings"),
    [
        ("no wake word heard: invariant 1", ()),
        ("three wakes in the hour", (600.0, 1800.0, 3000.0)),
        ("a wake in the first second", (0.5,)),
    ],
)
def test_an_hour_of_talk_sends_only_what_follows_a_wake(
    case: str, firings: tuple[float, ...], speech: Speaker
) -> None:
    """Invariant 1, whatever is said: audio leaves only after a detection, one utterance each,
    from its pre-roll on; with no detection an hour of talk sends zero bytes. Whether the real
    detector stays quiet on such talk is its false-accept rate: benchmarks/wakeword.py (FA/h)."""
    hour = Hour(speech)
    uploads = Witness()
    settings = EndpointSettings()
    agent = uploads.agent = DeviceAgent(ScriptedDetector(*firings), uploads, settings)
    hour.play(agent)
    assert agent.now >= 3600, case
    assert agent.state is State.IDLE
    assert [d.time for d in agent.detections] == pytest.approx(list(firings), abs=0.01)
    # Talk follows every wake within the speech timeout, so each wake sends exactly one utterance.
    assert [u.trigger for u, _ in uploads.sent] == agent.detections
    for (utterance, end), detection in zip(uploads.sent, agent.detections, strict=True):
        assert utterance.start == pytest.approx(detection.time - settings.pre_roll, abs=0.01)
        assert utterance.audio.seconds <= settings.max_seconds + 0.05
        # What was sent is exactly what was said, from the pre-roll before the wake on.
        audio = utterance.audio.samples
        assert (end - len(audio)) / SAMPLE_RATE == pytest.approx(utterance.start, abs=0.001)
        assert np.array_equal(audio, hour.before(end, len(audio)))
    if not firings:
        assert sum(u.audio.samples.nbytes for u, _ in uploads.sent) == 0

"""A household's thresholds reach its device: fetched with the device token, kept when the server
is away, applied by the agent while idle; and with them, a false wake the household confirmed
no longer wakes the device while its true wakes still do."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest

from confide.audio import SAMPLE_RATE, Audio
from confide.capture.agent import DeviceAgent, State
from confide.capture.sources import file_frames
from confide.capture.tuning import (
    CONFIG_PATH,
    MAX_REFRESH_SECONDS,
    MIN_REFRESH_SECONDS,
    ServerThresholds,
    ThresholdUpdates,
    parse_thresholds,
)
from confide.capture.uploaders import CollectingUploader, FolderUploader, ServerUploader
from confide.capture.wakeword import (
    MAX_THRESHOLD,
    MODEL_THRESHOLDS,
    Detection,
    Tunable,
    load_detector,
)
from confide.demo.recordings import SPOKEN_WAKE_WORDS, Speaker
from confide.errors import Malformed
from confide.learn.wake import WakePolicy, learn_threshold


def silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SAMPLE_RATE), np.int16)


def play(agent: DeviceAgent, *parts: np.ndarray) -> None:
    for frame in file_frames(Audio(np.concatenate(parts))):
        agent.feed(frame)
    agent.flush()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"wake": {}}, {}),
        ({"wake": {"okay_nabu": 0.93}}, {"okay_nabu": 0.93}),
        ({"wake": {"okay_nabu": 1, "alexa": 0}}, {"okay_nabu": 1.0, "alexa": 0.0}),
        ({"wake": {"okay_nabu": 1.5}}, Malformed),
        ({"wake": {"okay_nabu": -0.1}}, Malformed),
        ({"wake": {"okay_nabu": "0.9"}}, Malformed),
        ({"wake": {"okay_nabu": True}}, Malformed),
        ({"wake": {"okay_nabu": float("nan")}}, Malformed),
        ({"wake": {"": 0.9}}, Malformed),
        ({"wake": {"x" * 33: 0.9}}, Malformed),
        ({"wake": {f"w{i}": 0.9 for i in range(17)}}, Malformed),
        ({"wake": [0.9]}, Malformed),
        ({}, Malformed),
        ([], Malformed),
    ],
)
def test_a_served_config_is_taken_whole_or_not_at_all(body, expected) -> None:
    if expected is Malformed:
        with pytest.raises(Malformed):
            parse_thresholds(body)
    else:
        assert parse_thresholds(body) == expected


def test_the_device_asks_with_its_token_and_sends_nothing_else() -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"wake": {"okay_nabu": 0.93}})

    client = httpx.Client(base_url="http://confide", transport=httpx.MockTransport(server))
    assert ServerThresholds("http://confide", "t0ken", client).fetch() == {"okay_nabu": 0.93}
    [request] = seen
    assert (request.method, request.url.path) == ("GET", CONFIG_PATH)
    assert request.headers["authorization"] == "Bearer t0ken"
    assert request.content == b""


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"detail": "unknown or revoked device token"}),
        httpx.Response(503, text="down for maintenance"),
        httpx.Response(200, text="<html>a captive portal</html>"),
        httpx.Response(200, json={"wake": {"okay_nabu": 7}}),
        httpx.ConnectError("no route to host"),
    ],
    ids=["refused", "down", "not json", "malformed", "unreachable"],
)
def test_without_an_answer_the_device_keeps_what_it_has(answer) -> None:
    """The defaults until a first answer; after one, an outage does not undo it."""
    answers = [answer]

    def server(request: httpx.Request) -> httpx.Response:
        reply = answers.pop(0) if answers else httpx.Response(200, json={"wake": {"alexa": 0.95}})
        if isinstance(reply, Exception):
            raise reply
        return reply

    client = httpx.Client(base_url="http://confide", transport=httpx.MockTransport(server))
    updates = ThresholdUpdates(ServerThresholds("http://confide", "t", client).fetch)
    assert updates.refresh() is False
    assert (updates.take(), updates.current) == (None, {})
    assert updates.refresh() is True
    assert updates.take() == {"alexa": 0.95}
    answers.append(answer)
    assert updates.refresh() is False
    assert (updates.take(), updates.current) == (None, {"alexa": 0.95})


def test_each_change_is_handed_out_once() -> None:
    served: dict[str, float] = {"okay_nabu": 0.9}
    updates = ThresholdUpdates(lambda: dict(served))
    updates.refresh()
    assert updates.take() == {"okay_nabu": 0.9}
    updates.refresh()
    assert updates.take() is None  # unchanged: nothing to apply again
    served.clear()  # the household's tuning withdrawn: back to the defaults
    updates.refresh()
    assert updates.take() == {}


@pytest.mark.parametrize(
    ("asked", "used"),
    [(0.0, MIN_REFRESH_SECONDS), (600.0, 600.0), (1e9, MAX_REFRESH_SECONDS)],
)
def test_the_refresh_interval_is_bounded(asked: float, used: float) -> None:
    assert ThresholdUpdates(dict, asked).refresh_seconds == used


def test_start_asks_at_once_and_stop_ends_the_polling() -> None:
    asked: list[int] = []

    def fetch() -> dict[str, float]:
        asked.append(1)
        return {"okay_nabu": 0.9}

    updates = ThresholdUpdates(fetch)
    updates.start()
    assert asked == [1]  # before start returns: the agent starts tuned
    assert updates.take() == {"okay_nabu": 0.9}
    updates.stop()


class TunableDetector:
    """Fires at given stream times and records the thresholds it is given, as a tunable
    engine would: the agent's side of tuning without a model's judgement."""

    wake_words = ("okay_nabu",)

    def __init__(self, *times: float) -> None:
        self._times = list(times)
        self._samples = 0
        self.applied: list[tuple[float, dict[str, float]]] = []

    def process(self, frame: np.ndarray) -> list[Detection]:
        self._samples += len(frame)
        now = self._samples / SAMPLE_RATE
        if self._times and now >= self._times[0]:
            self._times.pop(0)
            return [Detection("okay_nabu", now, 0.9)]
        return []

    def set_thresholds(self, thresholds: dict[str, float]) -> None:
        self.applied.append((self._samples / SAMPLE_RATE, dict(thresholds)))

    def peak_score(self, wake_word: str) -> float | None:
        return 0.9731

    def thresholds(self) -> dict[str, float]:
        return self.applied[-1][1] if self.applied else {}


def test_the_agent_applies_thresholds_at_start_and_only_while_idle(speech: Speaker) -> None:
    command = speech("Set a timer for ten minutes.", "joe", 1.0).samples
    served = {"okay_nabu": 0.9}
    updates = ThresholdUpdates(lambda: dict(served))
    updates.refresh()
    detector = TunableDetector(1.0)
    assert isinstance(detector, Tunable)
    uploads = CollectingUploader()
    agent = DeviceAgent(detector, uploads, thresholds=updates)
    agent.feed(silence(0.01))
    assert detector.applied == [(0.0, {"okay_nabu": 0.9})]  # before the first frame is judged
    for frame in file_frames(Audio(np.concatenate([silence(1.0), command[:SAMPLE_RATE]]))):
        agent.feed(frame)
    assert agent.state is State.CAPTURING
    served["okay_nabu"] = 0.95
    updates.refresh()  # the periodic fetch brings news mid-utterance...
    play(agent, command[SAMPLE_RATE:], silence(1.0))
    [utterance] = uploads.utterances
    [(_, _), (applied_at, thresholds)] = detector.applied
    assert thresholds == {"okay_nabu": 0.95}
    assert applied_at >= utterance.end  # ...which waits until the utterance is sent
    assert utterance.wake_score == 0.9731  # the wake's peak, as the detector reports it


def test_only_a_tunable_detector_has_a_score_to_send(speech: Speaker) -> None:
    class Untunable:
        wake_words = ("okay_nabu",)

        def process(self, frame: np.ndarray) -> list[Detection]:
            return []

    command = speech("Set a timer for ten minutes.", "joe", 1.0).samples
    for detector in (Untunable(), TunableDetector()):
        uploads = CollectingUploader()
        agent = DeviceAgent(detector, uploads)
        agent.press_button()  # a button press: no detector woke it, so no score either
        play(agent, command, silence(1.0))
        assert [u.wake_score for u in uploads.utterances] == [None]
    detector_ = load_detector("sphinx", ["okay_nabu"])
    assert not isinstance(detector_, Tunable)  # keyphrase scores are not probabilities


def test_the_score_travels_as_a_number_beside_the_audio(tmp_path, speech: Speaker) -> None:
    command = speech("Set a timer for ten minutes.", "joe", 1.0).samples
    sent: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(202, json={"id": "i1", "status": "answered", "answer": None})

    client = httpx.Client(base_url="http://confide", transport=httpx.MockTransport(server))
    for uploader in (
        ServerUploader("http://confide", "t", client=client),
        FolderUploader(tmp_path),
    ):
        agent = DeviceAgent(TunableDetector(0.5), uploader)
        play(agent, silence(0.5), command, silence(1.0))
    [upload] = sent
    assert (upload.headers["x-wake-word"], upload.headers["x-wake-score"]) == (
        "okay_nabu",
        "0.9731",
    )
    sidecar = json.loads((tmp_path / "utterance-00001.json").read_text())
    assert (sidecar["wake_word"], sidecar["wake_score"]) == ("okay_nabu", 0.9731)


@pytest.mark.parametrize(
    ("served", "expected"),
    [
        ({}, MODEL_THRESHOLDS["okay_nabu"]),
        ({"okay_nabu": 0.95}, 0.95),
        ({"okay_nabu": 0.5}, MODEL_THRESHOLDS["okay_nabu"]),  # never below the model's own
        ({"okay_nabu": 1.0}, MAX_THRESHOLD),  # never so high the word cannot wake it
        ({"hey_jarvis": 0.99}, MODEL_THRESHOLDS["okay_nabu"]),  # a word it is not listening for
    ],
)
def test_the_detector_takes_a_served_threshold_within_bounds(served, expected) -> None:
    detector = load_detector("micro", ["okay_nabu"])
    assert isinstance(detector, Tunable)
    detector.set_thresholds({"okay_nabu": 0.97})
    detector.set_thresholds(served)  # each answer replaces the last: a word left out is reset
    assert detector.thresholds() == {"okay_nabu": expected}


TRUE_WAKES = [
    f"{SPOKEN_WAKE_WORDS['okay_nabu']} turn on the kitchen lights.",
    f"{SPOKEN_WAKE_WORDS['okay_nabu']} set a timer for ten minutes.",
    f"{SPOKEN_WAKE_WORDS['okay_nabu']} what time is it?",
]
FALSE_WAKES = ["Okay, now boot the laptop again.", "Okay, now bye, see you tomorrow."]
"""Look-alikes (benchmarks/wakeword.py) that wake okay_nabu at its default in Joe's voice."""


def wakes(audio: Audio, thresholds: dict[str, float]) -> list[float | None]:
    """The scores of what a device on `okay_nabu`, served `thresholds`, sends of `audio`."""
    served = ThresholdUpdates(lambda: thresholds)
    served.refresh()
    uploads = CollectingUploader()
    agent = DeviceAgent(load_detector("micro", ["okay_nabu"]), uploads, thresholds=served)
    play(agent, silence(1.0), audio.samples, silence(2.0))
    return [u.wake_score for u in uploads.utterances]


def test_a_confirmed_false_wake_stops_waking_the_device(speech: Speaker) -> None:
    """The household's own scores, as its device reported them, tune it: the look-alikes that
    woke it before no longer do, and every true wake still does."""
    clips = {text: speech(text, "joe", 1.0) for text in TRUE_WAKES + FALSE_WAKES}
    before = {text: wakes(audio, {}) for text, audio in clips.items()}
    assert all(len(scores) == 1 for scores in before.values()), before  # each one woke it
    false_scores = [score for text in FALSE_WAKES for score in before[text] if score is not None]
    true_scores = [score for text in TRUE_WAKES for score in before[text] if score is not None]
    assert len(false_scores) == len(FALSE_WAKES) and len(true_scores) == len(TRUE_WAKES)
    learned = learn_threshold(
        MODEL_THRESHOLDS["okay_nabu"],
        false_scores,
        true_scores,
        WakePolicy(min_true=len(TRUE_WAKES)),  # a small household's evidence, for the test
    )
    assert learned is not None and max(false_scores) < learned < min(true_scores)
    after = {text: wakes(audio, {"okay_nabu": learned}) for text, audio in clips.items()}
    assert {text: len(after[text]) for text in FALSE_WAKES} == dict.fromkeys(FALSE_WAKES, 0)
    assert {text: len(after[text]) for text in TRUE_WAKES} == dict.fromkeys(TRUE_WAKES, 1)

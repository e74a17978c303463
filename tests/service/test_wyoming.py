"""Confide as Wyoming services, driven by the `wyoming` package's own AsyncTcpClient on
127.0.0.1, as Home Assistant drives them: describe, ASR, wake, TTS, intent and handling."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import func, select
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioChunkConverter, AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.handle import Handled, NotHandled
from wyoming.info import Describe, Info
from wyoming.intent import Intent, Recognize
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop
from wyoming.wake import Detect, Detection

from confide.audio import SAMPLE_RATE, Audio, from_float
from confide.capture.wakeword import WAKE_WORDS
from confide.learn.components import real_speech
from confide.privacy.consent import set_consent
from confide.recognize.wake_check import device_detector
from confide.service import wyoming
from confide.service.accounts import add_person, complete_pairing, create_household, start_pairing
from confide.service.runtime import Runtime
from confide.settings import load_settings
from confide.store.tables import Device, Interaction, WakeFeedback
from confide.understand.normalise import asr_text
from confide_cluster import free_port, wait_for_port
from confide_testing import answered_interaction

CHUNK_SECONDS = 0.1
PASSWORD = "correct horse battery"


@dataclass
class Served:
    runtime: Runtime
    port: int
    """The server that answers for Alice's Home Assistant device."""
    anonymous_port: int
    """The same engines with no member configured: nothing kept."""
    alice: str
    device_id: str


def _serve(services: wyoming.Services, port: int) -> Iterator[None]:
    """The server on a thread with its own event loop, until the generator is closed."""
    loop = asyncio.new_event_loop()
    task = loop.create_task(wyoming.serve(services, f"tcp://127.0.0.1:{port}"))

    def run() -> None:
        with suppress(asyncio.CancelledError):
            loop.run_until_complete(task)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_for_port(port)
    yield
    loop.call_soon_threadsafe(task.cancel)
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("wyoming")
    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    runtime = Runtime(load_settings(root / "data", env={"CONFIDE_KEK": kek}), immediate_jobs=True)
    with runtime.sessions() as session:
        home = create_household(session, runtime.keyring, "The Rivera household")
        alice = add_person(
            session, runtime.keyring, home, "Alice Rivera", login="alice", password=PASSWORD
        )
        set_consent(session, alice.id, "storage", True, actor=alice.id)
        _, code = start_pairing(session, home, alice.id, "Home Assistant")
        device_id, token = complete_pairing(session, code)
        session.commit()
    ports = [free_port(), free_port()]

    def detector(words: list[str]):
        return device_detector(words, checked=True)

    member = wyoming.member_of(runtime, token)
    kept = wyoming.Services(runtime, WAKE_WORDS, detector, member, speaks=True)
    kept_nothing = wyoming.Services(runtime, WAKE_WORDS, detector, None, speaks=True)
    servers = [_serve(kept, ports[0]), _serve(kept_nothing, ports[1])]
    for server in servers:
        next(server)
    yield Served(runtime, ports[0], ports[1], alice.id, device_id)
    for server in servers:
        next(server, None)
    runtime.close()


def talk(port: int, *events: Event, until: set[str], timeout: float = 120.0) -> list[Event]:
    """Send `events`, then read what comes back up to and including an event of a type in
    `until`."""

    async def run() -> list[Event]:
        client = AsyncTcpClient("127.0.0.1", port)
        await client.connect()
        try:
            try:
                for event in events:
                    await client.write_event(event)
            except ConnectionError:  # a server refusing a stream hangs up before its end
                pass
            heard: list[Event] = []
            while True:
                event = await asyncio.wait_for(client.read_event(), timeout)
                assert event is not None, f"the server hung up after {[e.type for e in heard]}"
                heard.append(event)
                if event.type in until:
                    return heard
        finally:
            # a server that hung up leaves unsent bytes that closing may fail to flush
            with suppress(ConnectionError):
                await client.disconnect()

    return asyncio.run(run())


def streamed(
    audio: Audio, rate: int = SAMPLE_RATE, channels: int = 1, width: int = 2
) -> list[Event]:
    """`audio` as a client sends it: audio-start, chunks of 0.1 s in the format asked for,
    audio-stop (converted by Wyoming's own converter)."""
    converter = AudioChunkConverter(rate=rate, width=width, channels=channels)
    step = round(CHUNK_SECONDS * SAMPLE_RATE)
    chunks = [
        converter.convert(
            AudioChunk(
                rate=SAMPLE_RATE, width=2, channels=1, audio=audio.samples[i : i + step].tobytes()
            )
        ).event()
        for i in range(0, len(audio.samples), step)
    ]
    start = AudioStart(rate=rate, width=width, channels=channels)
    return [start.event(), *chunks, AudioStop().event()]


def heard_audio(events: list[Event]) -> Audio:
    """The speech in a reply (audio-start, chunks, audio-stop), as 16 kHz Audio."""
    start = AudioStart.from_event(next(e for e in events if AudioStart.is_type(e.type)))
    pcm = b"".join(AudioChunk.from_event(e).audio for e in events if AudioChunk.is_type(e.type))
    return from_float(np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768, start.rate)


def types(events: list[Event]) -> list[str]:
    """Event types in order, runs of audio chunks as one."""
    shown: list[str] = []
    for event in events:
        if not (event.type == "audio-chunk" and shown and shown[-1] == "audio-chunk"):
            shown.append(event.type)
    return shown


def test_describe_lists_what_is_installed(served: Served) -> None:
    events = talk(served.port, Describe().event(), until={"info"})
    info = Info.from_event(events[-1])
    assert [program.name for program in info.asr] == ["confide-asr"]
    assert [model.name for model in info.wake[0].models] == list(WAKE_WORDS)
    assert info.tts[0].voices[0].name == "joe" and info.tts[0].supports_synthesize_streaming
    assert info.handle[0].installed and info.intent[0].installed
    anonymous = Info.from_event(talk(served.anonymous_port, Describe().event(), until={"info"})[-1])
    assert not anonymous.handle[0].installed


@pytest.mark.parametrize(
    ("rate", "width", "channels"),
    [(16000, 2, 1), (16000, 2, 2), (22050, 2, 1), (48000, 2, 2), (16000, 4, 1), (44100, 4, 2)],
)
def test_a_real_recording_is_transcribed_as_confide_transcribe_does(
    served: Served, rate: int, width: int, channels: int
) -> None:
    clips = real_speech()
    if not clips:
        pytest.skip("no real recording installed (moonshine's test clip)")
    audio, _ = clips[0]
    expected = served.runtime.engines.recognizer.transcribe(audio).text
    events = talk(
        served.anonymous_port,
        Transcribe().event(),
        *streamed(audio, rate, channels, width),
        until={"transcript"},
    )
    assert types(events) == ["transcript"]
    heard = Transcript.from_event(events[-1]).text
    assert asr_text(heard) == asr_text(expected)


@pytest.mark.parametrize(
    ("said", "detected"),
    [("okay nabu, what's the weather like", "okay_nabu"), ("what's the weather like today", None)],
)
def test_wake_word_detection(speech, served: Served, said: str, detected: str | None) -> None:
    audio = speech(said, "joe", 1.0)
    padded = Audio(np.concatenate([np.zeros(SAMPLE_RATE // 2, np.int16), audio.samples]))
    events = talk(
        served.anonymous_port,
        Detect(names=["okay_nabu"]).event(),
        *streamed(padded),
        until={"detection", "not-detected"},
    )
    if detected is None:
        assert types(events) == ["not-detected"]
    else:
        assert types(events) == ["detection"]
        assert Detection.from_event(events[-1]).name == detected


SPOKEN = "Your timer is set for five minutes. I will ring when it is done."


@pytest.mark.parametrize(
    "request_events",
    [
        [Synthesize(text=SPOKEN).event()],
        [
            SynthesizeStart().event(),
            SynthesizeChunk(text="Your timer is set ").event(),
            SynthesizeChunk(text="for five minutes. I will ring when").event(),
            SynthesizeChunk(text=" it is done.").event(),
            SynthesizeStop().event(),
        ],
    ],
    ids=["whole", "streamed"],
)
def test_speech_made_is_heard_back_by_confides_recogniser(
    served: Served, request_events: list[Event]
) -> None:
    until = {"synthesize-stopped"} if len(request_events) > 1 else {"audio-stop"}
    events = talk(served.anonymous_port, *request_events, until=until)
    expected = ["audio-start", "audio-chunk", "audio-stop", *sorted(until - {"audio-stop"})]
    assert types(events) == expected
    heard = served.runtime.engines.recognizer.transcribe(heard_audio(events)).text
    assert asr_text(heard) == asr_text(SPOKEN)


def test_recognize_gives_the_intent_and_its_slots(served: Served) -> None:
    events = talk(
        served.anonymous_port,
        Recognize(text="set a timer for ten minutes").event(),
        until={"intent", "not-recognized"},
    )
    intent = Intent.from_event(events[-1])
    assert intent.name == "SetTimer"
    assert [(e.name, e.value) for e in intent.entities] == [("duration", "ten minutes")]


def _interactions(served: Served) -> int:
    with served.runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction)) or 0


def test_a_satellite_request_is_answered_and_kept_as_the_members(speech, served: Served) -> None:
    """A fake satellite: its audio through speech to text, the transcript through handling, as
    Home Assistant's pipeline passes them; the interaction is then in Alice's history."""
    before = _interactions(served)
    audio = speech("set a timer for five minutes", "joe", 1.0)
    events = talk(served.port, Transcribe().event(), *streamed(audio), until={"transcript"})
    text = Transcript.from_event(events[-1]).text
    reply = talk(served.port, Transcript(text=text).event(), until={"handled", "not-handled"})
    assert types(reply) == ["handled"]
    assert "five minutes" in Handled.from_event(reply[-1]).text.lower()
    with served.runtime.sessions() as session:
        mine = session.scalars(
            select(Interaction).where(Interaction.device_id == served.device_id)
        ).all()
        assert _interactions(served) == before + 1
        assert mine[-1].owner_id == served.alice and mine[-1].status == "answered"
        assert mine[-1].transcript_sealed is not None and b"timer" not in mine[-1].transcript_sealed


def test_without_a_member_nothing_is_kept_and_no_one_is_answered(speech, served: Served) -> None:
    before = _interactions(served)
    audio = speech("set a timer for five minutes", "joe", 1.0)
    events = talk(
        served.anonymous_port, Transcribe().event(), *streamed(audio), until={"transcript"}
    )
    text = Transcript.from_event(events[-1]).text
    assert "timer" in text.lower()
    reply = talk(
        served.anonymous_port, Transcript(text=text).event(), until={"handled", "not-handled"}
    )
    assert types(reply) == ["not-handled"]
    assert _interactions(served) == before


def test_text_it_did_not_hear_is_not_answered(served: Served) -> None:
    reply = talk(
        served.port,
        Transcript(text="add milk to my list").event(),
        until={"handled", "not-handled"},
    )
    assert "heard myself" in NotHandled.from_event(reply[-1]).text


def test_an_overlong_utterance_is_refused(served: Served) -> None:
    long = Audio(np.zeros(round((wyoming.MAX_UTTERANCE_SECONDS + 1) * SAMPLE_RATE), np.int16))
    events = talk(served.anonymous_port, Transcribe().event(), *streamed(long), until={"error"})
    assert types(events) == ["error"]


def test_an_event_larger_than_the_bound_closes_the_connection(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.anonymous_port), timeout=10) as client:
        header = {"type": "audio-chunk", "payload_length": wyoming.MAX_EVENT_BYTES + 1}
        client.sendall(json.dumps(header).encode() + b"\n")
        assert client.recv(1) == b""  # closed, nothing of the announced payload read


def test_an_idle_connection_is_closed(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wyoming, "IDLE_SECONDS", 0.5)
    with socket.create_connection(("127.0.0.1", served.anonymous_port), timeout=10) as client:
        assert client.recv(1) == b""


def test_connections_beyond_the_bound_are_told_and_closed(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wyoming, "MAX_CLIENTS", 1)
    with socket.create_connection(("127.0.0.1", served.anonymous_port), timeout=10) as first:
        first.sendall(json.dumps({"type": "describe"}).encode() + b"\n")
        assert b"info" in first.recv(200)  # served, and still open
        events = talk(served.anonymous_port, Describe().event(), until={"error"})
        assert types(events) == ["error"]


class RecordingDetector:
    """A tunable detector that hears nothing and keeps the thresholds it was given."""

    def __init__(self) -> None:
        self.given: dict[str, float] = {}

    def process(self, frame: np.ndarray) -> list:
        return []

    def set_thresholds(self, thresholds: dict[str, float]) -> None:
        self.given = dict(thresholds)

    def peak_score(self, wake_word: str) -> float | None:
        return None

    def thresholds(self) -> dict[str, float]:
        return self.given


def test_wake_detection_is_tuned_to_the_members_household(served: Served) -> None:
    """The thresholds the household's confirmed false wakes taught its speakers apply to Home
    Assistant's wake stream too."""
    runtime = served.runtime
    with runtime.sessions() as session:
        device = session.get_one(Device, served.device_id)
        for score in [0.99] * 20:
            iid = answered_interaction(
                session, runtime.keyring, runtime.blobs, served.alice, device.id
            )
            session.get_one(Interaction, iid).wake_score = score
        for score in (0.90, 0.95):
            session.add(
                WakeFeedback(
                    id=uuid.uuid4().hex,
                    household_id=device.household_id,
                    wake_word="okay_nabu",
                    score=score,
                    source="customer",
                    interaction_id=uuid.uuid4().hex,
                    confirmed_at=datetime.now(UTC),
                )
            )
        session.commit()
        household = device.household_id
    detectors: list[RecordingDetector] = []

    def detector(words: list[str]) -> RecordingDetector:
        detectors.append(RecordingDetector())
        return detectors[-1]

    member = wyoming.Member(served.device_id, household, runtime)
    port = free_port()
    server = _serve(wyoming.Services(runtime, WAKE_WORDS, detector, member), port)
    next(server)
    try:
        silence = Audio(np.zeros(SAMPLE_RATE // 2, np.int16))
        events = talk(port, Detect().event(), *streamed(silence), until={"not-detected"})
    finally:
        next(server, None)
    assert types(events) == ["not-detected"]
    assert [d.given for d in detectors] == [{"okay_nabu": 0.955}]

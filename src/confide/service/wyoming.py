"""Confide's engines as Wyoming services, for Home Assistant and its satellites.

Home Assistant's voice pipeline talks to its engines over the Wyoming protocol; this serves
Confide's there, on the `wyoming` package's own server and event classes:

- describe -> info, listing only what is installed here;
- ASR: transcribe, audio -> transcript, by the recogniser the data dir has promoted (the same
  text as `confide transcribe --data-dir`); audio of any rate, width or channels is converted
  as Wyoming's own converter does;
- wake: detect, audio -> detection as soon as the word is heard (not-detected at the end), by
  the device agent's detector with its settings;
- TTS: synthesize -> audio, and streamed synthesis (synthesize-start, -chunk, -stop), a
  sentence at a time;
- intent: recognize -> intent (Confide's understanding, nothing stored); handle: transcript
  -> handled, the answer Confide's skills gave.

Privacy: what arrives is stored only for a household member named by the configuration, as a
device of theirs (a device token from pairing, CONFIDE_DEVICE_TOKEN). Audio then becomes an
interaction like any a speaker uploads: sealed, in their history, under their consents and
retention, deletable, sampled for review only with their consent; the answer Home Assistant
asks for is that interaction's. Without one, audio is transcribed in memory and nothing is
kept, and there is no one to answer for: intent handling says so.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any
from urllib.parse import urlparse

import numpy as np
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioChunkConverter, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.handle import Handled, NotHandled
from wyoming.info import (
    AsrModel,
    AsrProgram,
    Attribution,
    Describe,
    HandleModel,
    HandleProgram,
    Info,
    IntentModel,
    IntentProgram,
    TtsProgram,
    TtsVoice,
    WakeModel,
    WakeProgram,
)
from wyoming.intent import Entity, Intent, NotRecognized, Recognize
from wyoming.server import AsyncEventHandler, AsyncServer
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
)
from wyoming.wake import Detect, Detection, NotDetected

from confide.audio import SAMPLE_RATE, Audio
from confide.capture.sources import file_frames
from confide.capture.wakeword import WAKE_PHRASES, Tunable, WakeDetector
from confide.errors import AccessDenied, EngineUnavailable, InvalidInput
from confide.ingest import MAX_UTTERANCE_SECONDS, authenticate_device, ingest
from confide.learn.wake import household_thresholds
from confide.pipeline import read_answer
from confide.respond import voice
from confide.service.runtime import Runtime
from confide.store.tables import Device, Interaction
from confide.understand.normalise import asr_text

log = logging.getLogger(__name__)

ATTRIBUTION = Attribution(name="Confide", url="")
LANGUAGES = ["en"]
MAX_AUDIO_BYTES = int(MAX_UTTERANCE_SECONDS * SAMPLE_RATE * 2)
"""The most audio one request may send (16 kHz, 16-bit, after conversion): an utterance's
bound, as for an upload; a longer stream is refused."""
MAX_EVENT_BYTES = 1 << 20
"""The largest event a client may send (its data and its payload each): an audio chunk is a
few kilobytes; a client announcing more is disconnected before anything is read."""
MAX_CLIENTS = 32
"""Connections served at once; one more is told so and closed."""
IDLE_SECONDS = 300.0
"""A connection that sends nothing for this long is closed (a satellite streaming to the wake
word sends all the time)."""
MAX_TEXT = 2000
"""The longest text one synthesis or intent request may hold, in characters."""
ANSWER_WAIT_SECONDS = 30.0
"""How long intent handling waits for the interaction its transcript came from to be
answered."""
REMEMBERED_SECONDS = 120.0
"""How long a transcript is remembered, to hand its interaction's answer to intent handling."""
FLUSH_SECONDS = 1.0
"""Silence fed to the detector at the end of a stream, so a word heard at its very end is
still checked, as it would be on a device that kept listening."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Member:
    """The household member whose device this server is, and their interactions in flight."""

    device_id: str
    household_id: str
    runtime: Runtime
    answers: dict[str, tuple[float, asyncio.Future[str | None]]] = field(default_factory=dict)
    """A transcript's spoken words (`asr_text`: Home Assistant may pass it on trimmed or
    recased) -> (when, its interaction's answer to come)."""

    def expect(self, text: str) -> asyncio.Future[str | None]:
        now = time.monotonic()
        for key in [k for k, (at, _) in self.answers.items() if now - at > REMEMBERED_SECONDS]:
            del self.answers[key]
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self.answers[asr_text(text)] = (now, future)
        return future

    def awaited(self, text: str) -> asyncio.Future[str | None] | None:
        found = self.answers.get(asr_text(text))
        return found[1] if found else None

    def wake_thresholds(self) -> dict[str, float]:
        """The household's tuned wake thresholds, as its speakers fetch them. Blocking."""
        with self.runtime.sessions() as session:
            return household_thresholds(session, self.household_id)

    def record(self, audio: Audio) -> str | None:
        """Ingest `audio` as an interaction of the member's device and answer it, as the
        worker answers an upload; the answer's text (None when there is none). Blocking."""
        runtime = self.runtime
        with runtime.sessions() as session:
            device = session.get(Device, self.device_id)
            if device is None or device.revoked_at is not None:
                raise AccessDenied("this server's device was revoked: pair it again")
            interaction = ingest(
                session,
                runtime.keyring,
                runtime.blobs,
                device,
                uuid.uuid4().hex,
                audio.to_wav_bytes(),
            )
            session.commit()
            interaction_id = interaction.id
        runtime.answer(interaction_id)
        with runtime.sessions() as session:
            stored = session.get_one(Interaction, interaction_id)
            answer = read_answer(session, runtime.keyring, stored)
        return str(answer["text"]) if answer else None


def member_of(runtime: Runtime, token: str) -> Member:
    """The member whose paired device `token` is; refused when it is unknown or revoked."""
    with runtime.sessions() as session:
        device = authenticate_device(session, token)
        return Member(device.id, device.household_id, runtime)


@dataclass
class Services:
    """What this server offers: Confide's engines, and the member it answers for, if any."""

    runtime: Runtime
    wake_words: tuple[str, ...]
    detector: Callable[[list[str]], WakeDetector]
    """A fresh detector for the named wake words (one per stream)."""
    member: Member | None = None
    speaks: bool = False
    """Whether the voice is installed."""
    clients: int = 0
    """Connections open now."""

    def info(self) -> Info:
        versions = self.runtime.engines.versions
        asr, nlu = versions.get("asr", "default"), versions.get("nlu", "default")
        understanding: dict[str, Any] = {
            "name": f"nlu-{nlu}",
            "description": "the understanding in production in this data dir",
            "version": nlu,
            "languages": LANGUAGES,
        }
        piper = Attribution(name="Piper", url="https://github.com/OHF-Voice/piper1-gpl")
        return Info(
            asr=[
                _artifact(
                    AsrProgram,
                    "confide-asr",
                    "Confide speech to text (Whisper tiny.en, adapted by reviews)",
                    models=[
                        _artifact(
                            AsrModel,
                            f"asr-{asr}",
                            "the recogniser in production in this data dir",
                            version=asr,
                            languages=LANGUAGES,
                        )
                    ],
                )
            ],
            wake=[
                _artifact(
                    WakeProgram,
                    "confide-wake",
                    "Confide wake word (microWakeWord, checked on the device)",
                    models=[
                        _artifact(
                            WakeModel,
                            word,
                            WAKE_PHRASES[word][0],
                            phrase=WAKE_PHRASES[word][0],
                            version=None,
                            languages=LANGUAGES,
                        )
                        for word in self.wake_words
                    ],
                )
            ],
            tts=[
                _artifact(
                    TtsProgram,
                    "confide-tts",
                    "Confide's voice (piper)",
                    supports_synthesize_streaming=True,
                    voices=[
                        _artifact(
                            TtsVoice,
                            voice.VOICE,
                            "piper joe (American English, male)",
                            attribution=piper,
                            version=None,
                            languages=LANGUAGES,
                        )
                    ],
                )
            ]
            if self.speaks
            else [],
            intent=[
                _artifact(
                    IntentProgram,
                    "confide-intent",
                    "Confide understanding (intents and slots)",
                    models=[_artifact(IntentModel, **understanding)],
                )
            ],
            handle=[
                _artifact(
                    HandleProgram,
                    "confide",
                    "Confide's answers, for the household member configured",
                    installed=self.member is not None,
                    models=[_artifact(HandleModel, **understanding)],
                )
            ],
        )


def _artifact(kind: Any, name: str, description: str, **fields: Any) -> Any:
    """A program, model or voice of `kind` (`wyoming.info`): Confide's, installed, of this
    version, unless `fields` say otherwise."""
    made = {"attribution": ATTRIBUTION, "installed": True, "version": version(), **fields}
    return kind(name=name, description=description, **made)


def version() -> str:
    return metadata.version("confide")


class ConfideHandler(AsyncEventHandler):
    """One client connection: its requests, one at a time, in the order they come."""

    def __init__(self, services: Services, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = services
        self._converter = AudioChunkConverter(rate=SAMPLE_RATE, width=2, channels=1)
        self._audio = bytearray()
        self._detector: WakeDetector | None = None
        self._detected = False
        self._transcribing = False
        self._streamed: str | None = None
        """Text of a streamed synthesis not yet spoken; None when none is under way."""

    async def run(self) -> None:
        """The package's loop, bounded: connections at once, idle time, and event size."""
        if self.services.clients >= MAX_CLIENTS:
            await self.write_event(Error(text="too many connections", code="busy").event())
            self.writer.close()
            return
        self.services.clients += 1
        try:
            while True:
                event = await asyncio.wait_for(read_event(self.reader), IDLE_SECONDS)
                if event is None or not await self.handle_event(event):
                    break
        except (TimeoutError, ConnectionError):
            pass
        finally:
            self.services.clients -= 1
            await self.disconnect()
            self.writer.close()

    async def handle_event(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            await self.write_event(self.services.info().event())
        elif Transcribe.is_type(event.type):
            self._transcribing, self._detector = True, None
        elif Detect.is_type(event.type):
            await self._start_detecting(Detect.from_event(event).names)
        elif AudioStart.is_type(event.type):
            self._audio.clear()
            self._detected = False
        elif AudioChunk.is_type(event.type):
            return await self._heard(AudioChunk.from_event(event))
        elif AudioStop.is_type(event.type):
            await self._ended()
        elif Synthesize.is_type(event.type):
            if self._streamed is None:  # a client that streams also sends this: spoken once
                await self._speak([Synthesize.from_event(event).text[:MAX_TEXT]])
        elif SynthesizeStart.is_type(event.type):
            self._streamed = ""
            await self._start_speaking()
        elif SynthesizeChunk.is_type(event.type) and self._streamed is not None:
            await self._stream_text(self._streamed, SynthesizeChunk.from_event(event).text)
        elif SynthesizeStop.is_type(event.type) and self._streamed is not None:
            rest, self._streamed = self._streamed, None
            await self._say(rest)
            await self.write_event(AudioStop().event())
            await self.write_event(SynthesizeStopped().event())
        elif Recognize.is_type(event.type):
            await self._recognize(Recognize.from_event(event).text[:MAX_TEXT])
        elif Transcript.is_type(event.type):
            await self._handle(Transcript.from_event(event).text[:MAX_TEXT])
        return True

    # -- wake --------------------------------------------------------------------------------

    async def _start_detecting(self, names: list[str] | None) -> None:
        """A fresh detector for the words asked for (all offered, when none is known), tuned
        to the member's household as their speakers are."""
        known = self.services.wake_words
        wanted = [n for n in names or known if n in known] or list(known)
        detector = self.services.detector(wanted)
        member = self.services.member
        if member is not None and isinstance(detector, Tunable):
            detector.set_thresholds(await asyncio.to_thread(member.wake_thresholds))
        self._detector, self._transcribing = detector, False

    @staticmethod
    def _detect(detector: WakeDetector, samples: np.ndarray) -> Detection | None:
        """The first wake word heard in `samples`, fed as the device feeds its frames."""
        for frame in file_frames(Audio(samples)):
            for found in detector.process(frame):
                return Detection(name=found.wake_word, timestamp=round(found.time * 1000))
        return None

    # -- audio in ----------------------------------------------------------------------------

    async def _heard(self, chunk: AudioChunk) -> bool:
        samples = np.frombuffer(self._converter.convert(chunk).audio, dtype=np.int16)
        if self._detector is not None:
            if not self._detected:
                found = await asyncio.to_thread(self._detect, self._detector, samples)
                if found is not None:
                    self._detected = True
                    await self.write_event(found.event())
            return True
        if not self._transcribing:
            return True
        if len(self._audio) + samples.nbytes > MAX_AUDIO_BYTES:
            await self.write_event(
                Error(
                    text=f"an utterance is at most {MAX_UTTERANCE_SECONDS:.0f} seconds",
                    code="too-long",
                ).event()
            )
            return False
        self._audio.extend(samples.tobytes())
        return True

    async def _ended(self) -> None:
        if self._detector is not None:
            if not self._detected:
                silence = np.zeros(round(FLUSH_SECONDS * SAMPLE_RATE), dtype=np.int16)
                found = await asyncio.to_thread(self._detect, self._detector, silence)
                event = found.event() if found is not None else NotDetected().event()
                await self.write_event(event)
            self._detector = None
            return
        if not self._transcribing:
            return
        self._transcribing = False
        audio = Audio(np.frombuffer(bytes(self._audio), dtype=np.int16).copy())
        self._audio.clear()
        text = await asyncio.to_thread(self._transcribe, audio)
        member = self.services.member
        if member is not None and text.strip():
            answer = member.expect(text)
            task = asyncio.create_task(asyncio.to_thread(member.record, audio))
            task.add_done_callback(lambda done: _settle(answer, done))
        await self.write_event(Transcript(text=text).event())

    def _transcribe(self, audio: Audio) -> str:
        runtime = self.services.runtime
        runtime.refresh_engines()
        return runtime.engines.recognizer.transcribe(audio).text

    # -- speech out --------------------------------------------------------------------------

    async def _start_speaking(self) -> None:
        await self.write_event(
            AudioStart(rate=voice.sample_rate(), width=voice.WIDTH, channels=1).event()
        )

    async def _speak(self, sentences: list[str]) -> None:
        await self._start_speaking()
        for sentence in sentences:
            await self._say(sentence)
        await self.write_event(AudioStop().event())

    async def _stream_text(self, before: str, text: str) -> None:
        """Speak each sentence as soon as it is whole; keep the rest for the next chunk."""
        pending = (before + text)[-MAX_TEXT:]
        *whole, self._streamed = _SENTENCE_END.split(pending)
        for sentence in whole:
            await self._say(sentence)

    async def _say(self, text: str) -> None:
        if not text.strip():
            return
        rate = voice.sample_rate()
        for pcm in await asyncio.to_thread(lambda: list(voice.spoken(text))):
            for start in range(0, len(pcm), 2048):
                chunk = AudioChunk(
                    rate=rate, width=voice.WIDTH, channels=1, audio=pcm[start : start + 2048]
                )
                await self.write_event(chunk.event())

    # -- understanding and answers -----------------------------------------------------------

    async def _recognize(self, text: str) -> None:
        runtime = self.services.runtime
        understood = await asyncio.to_thread(runtime.engines.understand, text)
        if not understood.get("intent"):
            await self.write_event(NotRecognized(text=text).event())
            return
        entities = [Entity(name=s["name"], value=s["value"]) for s in understood.get("slots", ())]
        await self.write_event(
            Intent(name=str(understood["intent"]), entities=entities, text=text).event()
        )

    async def _handle(self, text: str) -> None:
        member = self.services.member
        if member is None:
            await self.write_event(
                NotHandled(text="No household member is configured for this server.").event()
            )
            return
        awaited = member.awaited(text)
        if awaited is None:
            await self.write_event(
                NotHandled(
                    text="I answer only what I heard myself: use Confide's speech to text too."
                ).event()
            )
            return
        answer = None
        with suppress(TimeoutError):
            answer = await asyncio.wait_for(asyncio.shield(awaited), ANSWER_WAIT_SECONDS)
        if answer is None:
            await self.write_event(NotHandled(text="Sorry, I couldn't answer that.").event())
        else:
            await self.write_event(Handled(text=answer).event())


async def read_event(reader: asyncio.StreamReader) -> Event | None:
    """The next event, as `wyoming.event.async_read_event` reads it, or None at the end of the
    stream or for an event larger than `MAX_EVENT_BYTES` (or not an event at all)."""
    try:
        header = json.loads(await reader.readline() or b"null")
        if not isinstance(header, dict) or not isinstance(header.get("type"), str):
            return None
        sizes = [header.get("data_length") or 0, header.get("payload_length") or 0]
        if not all(isinstance(n, int) and 0 <= n <= MAX_EVENT_BYTES for n in sizes):
            return None
        data = dict(header.get("data") or {})
        if sizes[0]:
            data.update(json.loads(await reader.readexactly(sizes[0])))
        payload = await reader.readexactly(sizes[1]) if sizes[1] else None
        return Event(type=header["type"], data=data, payload=payload)
    except (ValueError, TypeError, asyncio.IncompleteReadError):  # JSONDecodeError, overlong line
        return None


def _settle(answer: asyncio.Future[str | None], done: asyncio.Future[str | None]) -> None:
    if answer.done():
        return
    if done.exception() is not None:
        log.warning("a Wyoming interaction was not answered: %s", done.exception())
        answer.set_result(None)
    else:
        answer.set_result(done.result())


async def serve(services: Services, uri: str, announce: str | None = None) -> None:
    """Serve on `uri` (tcp://HOST:PORT, unix://PATH or stdio://) until stopped (SIGTERM or
    cancelled); with `announce`, a name, the server is announced by zeroconf as
    `_wyoming._tcp.local.` for Home Assistant to find."""
    server = AsyncServer.from_uri(uri)
    if announce is not None:
        await _announce(uri, announce)
    try:
        await server.run(lambda reader, writer: ConfideHandler(services, reader, writer))
    finally:
        await server.stop()  # its clients' connections too


async def _announce(uri: str, name: str) -> None:
    try:
        from wyoming.zeroconf import HomeAssistantZeroconf
    except ImportError as exc:
        raise EngineUnavailable(
            "announcing needs the 'zeroconf' extra: pip install 'confide[zeroconf]'"
        ) from exc
    address = urlparse(uri)
    if address.scheme != "tcp" or address.port is None:
        raise InvalidInput("only a tcp:// server can be announced")
    host = address.hostname if address.hostname not in (None, "0.0.0.0") else None  # noqa: S104
    await HomeAssistantZeroconf(port=address.port, name=name, host=host).register_server()

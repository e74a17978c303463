"""The device API: pair, upload an utterance (streamed or whole), get the answer, and fetch the
household's wake-word thresholds (learned from its confirmed false wakes, `confide.learn.wake`).

Every route authenticates the device by its bearer token. Uploads are read with a hard size cap
and validated whole before anything is stored; a retry with the same Idempotency-Key gets the
same interaction back.

One device cannot stop the service: each has a few uploads and answer waits in flight at most
(`confide.service.limits`), refused before any database work beyond them; an upload must keep
sending; and no route holds a database connection, or the event loop, while it waits. A wait for
the answer looks at the database when a notice says the status changed (`confide.service.notices`)
and every few seconds besides.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.requests import ClientDisconnect

from confide.ingest import MAX_CLIENT_ID, WAKE_WORD, ingest
from confide.learn.wake import household_thresholds
from confide.pipeline import read_answer
from confide.service.accounts import complete_pairing
from confide.service.deps import Db, Rt, device, device_share
from confide.service.limits import DeviceLimits
from confide.service.notices import LOOK_AGAIN_SECONDS, until_changed
from confide.service.refusals import documented
from confide.service.runtime import Runtime
from confide.service.throttle import guarded
from confide.store.tables import Device, Interaction

MAX_UPLOAD_BYTES = 4 * 1024 * 1024
"""30 s of 16-bit stereo 48 kHz WAV is under 6 MB; 4 MB covers every sane utterance."""
MAX_WAIT_SECONDS = 30.0
STREAM_SECONDS = 60.0
"""An event stream ends after this long, answered or not; the device may open another."""
FINAL = ("answered", "failed")
CLOSE = {"Connection": "close"}
"""On a refusal before the whole body is read: the rest of it is not waited for."""

router = APIRouter(prefix="/api", tags=["device"])
AUDIO = {"schema": {"type": "string", "format": "binary"}}
AUDIO_BODY = {
    "requestBody": {"required": True, "content": {"audio/wav": AUDIO, "audio/flac": AUDIO}}
}
"""The upload's body as the schema shows it: the route reads the stream itself, so FastAPI
cannot see it."""


class PairRequest(BaseModel):
    code: str
    """The one-time code shown in the privacy centre."""


class PairResponse(BaseModel):
    device_id: str
    token: str
    """Shown once; the server keeps only its hash."""


class UtteranceStatus(BaseModel):
    id: str
    status: str
    """received, processing, answered or failed."""
    answer: dict[str, Any] | None = None
    """{"text", "skill", "action", "offline"} once answered."""


Threshold = Annotated[float, Field(ge=0.0, le=1.0)]


class DeviceConfig(BaseModel):
    """What a device should run with, as its household's feedback has tuned it."""

    wake: dict[str, Threshold]
    """Wake word -> detector threshold (on its model's probability scale) for each word whose
    confirmed false wakes raised it above the model's default; a word not named keeps its own."""


@router.post("/devices/pair", response_model=PairResponse, responses=documented(400, 401, 422, 429))
def pair(body: PairRequest, request: Request, session: Db, rt: Rt) -> PairResponse:
    """Wrong codes are throttled per client address (TooManyAttempts, 429 with Retry-After)."""
    with guarded(session, rt.keyring, request.client.host if request.client else ""):
        device_id, token = complete_pairing(session, body.code.strip())
    session.commit()
    return PairResponse(device_id=device_id, token=token)


@router.post(
    "/utterances",
    response_model=UtteranceStatus,
    status_code=202,
    dependencies=[Depends(device_share("upload"))],
    responses=documented(400, 401, 408, 409, 413, 422, 429, 503, 507),
    openapi_extra=AUDIO_BODY,
)
async def upload(
    request: Request,
    rt: Rt,
    speaker: Annotated[Device, Depends(device)],
    idempotency_key: Annotated[str, Header(min_length=1, max_length=MAX_CLIENT_ID)],
    x_wake_word: Annotated[str | None, Header(pattern=f"^{WAKE_WORD.pattern}$")] = None,
    x_wake_score: Annotated[float | None, Header(ge=0.0, le=1.0, allow_inf_nan=False)] = None,
) -> UtteranceStatus:
    """The body is the audio (WAV or FLAC), sent whole or with chunked transfer encoding. It is
    received whole before any session is taken, so a slow or stalled sender holds no database
    connection; one silent too long, or sending for too long, is refused (408).
    X-Wake-Score, with X-Wake-Word, is the detector's peak score for the wake (0 to 1).
    A server whose blob store cannot keep the audio keeps nothing and answers 507 (no room) or
    503 (unreachable) with Retry-After; the same upload sent again then succeeds."""
    data = await _received(request, rt.device_limits)
    # Decoding and sealing are CPU work: keep them off the event loop. Refused audio and a bad
    # key rise as BadAudio or InvalidInput, which `refusals` answers with 413 or 422; a blob
    # store that cannot keep the audio as StorageUnavailable (503) or StorageFull (507).
    interaction_id, fresh = await asyncio.to_thread(
        _record, rt, speaker, idempotency_key, data, x_wake_word, x_wake_score
    )
    if fresh:
        await asyncio.to_thread(rt.queue.enqueue, interaction_id)
    return await asyncio.to_thread(_look, rt, interaction_id, speaker)


@router.get(
    "/utterances/{interaction_id}",
    response_model=UtteranceStatus,
    dependencies=[Depends(device_share("wait"))],
    responses=documented(401, 404, 422, 429),
)
async def status(
    interaction_id: str,
    rt: Rt,
    speaker: Annotated[Device, Depends(device)],
    wait: Annotated[float, Query(ge=0.0, allow_inf_nan=False)] = 0.0,
) -> UtteranceStatus:
    """Poll; `wait` (seconds, capped at 30) holds the request until the answer is there. NaN and
    infinity are refused: NaN would compare false against the cap and hold the request for ever.
    Each look takes a short session on a worker thread; none is held between looks."""
    clock = asyncio.get_running_loop()
    deadline = clock.time() + min(wait, MAX_WAIT_SECONDS)
    with rt.notices.listening(interaction_id) as changed:
        while True:
            changed.clear()
            result = await asyncio.to_thread(_look, rt, interaction_id, speaker)
            if result.status in FINAL or clock.time() >= deadline:
                return result
            await until_changed(changed, min(LOOK_AGAIN_SECONDS, deadline - clock.time()))


@router.get(
    "/utterances/{interaction_id}/events",
    response_class=StreamingResponse,
    dependencies=[Depends(device_share("wait"))],
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "One event per status"},
        **documented(401, 404, 422, 429),
    },
)
async def events(
    interaction_id: str,
    rt: Rt,
    speaker: Annotated[Device, Depends(device)],
) -> StreamingResponse:
    """Server-sent events: one per status change, the last carrying the answer. The device's
    slot is held until the stream ends; each look takes a short session, as `status` does."""
    await asyncio.to_thread(_look, rt, interaction_id, speaker)  # 404 before the stream starts

    async def stream() -> AsyncIterator[str]:
        clock = asyncio.get_running_loop()
        deadline = clock.time() + STREAM_SECONDS
        last = None
        with rt.notices.listening(interaction_id) as changed:
            while clock.time() < deadline:
                changed.clear()
                current = await asyncio.to_thread(_look, rt, interaction_id, speaker)
                if current.status != last:
                    last = current.status
                    yield f"event: status\ndata: {json.dumps(current.model_dump())}\n\n"
                if current.status in FINAL:
                    return
                await until_changed(changed, min(LOOK_AGAIN_SECONDS, deadline - clock.time()))

    return StreamingResponse(stream(), media_type="text/event-stream")


@router.get(
    "/device/config",
    response_model=DeviceConfig,
    dependencies=[Depends(device_share("wait"))],
    responses=documented(401, 429),
)
def config(session: Db, speaker: Annotated[Device, Depends(device)]) -> DeviceConfig:
    """The device's household thresholds, learned from the scores (never the audio) of the wakes
    its people and reviewers confirmed false. Devices ask at start and every quarter hour."""
    return DeviceConfig(wake=household_thresholds(session, speaker.household_id))


async def _received(request: Request, limits: DeviceLimits) -> bytes:
    """The whole body, at most MAX_UPLOAD_BYTES; 408 (and the connection closed) when no byte
    comes for `limits.idle_seconds` or the body is not all there after `limits.upload_seconds`."""
    clock = asyncio.get_running_loop()
    deadline = clock.time() + limits.upload_seconds
    chunks = aiter(request.stream())
    data = bytearray()
    while True:
        patience = min(limits.idle_seconds, deadline - clock.time())
        try:
            chunk = await asyncio.wait_for(anext(chunks), patience)
        except StopAsyncIteration:
            return bytes(data)
        except ClientDisconnect:  # nobody to answer; said so that no error is logged
            raise HTTPException(400, "the upload was cut off", headers=CLOSE) from None
        except TimeoutError:
            raise HTTPException(
                408,
                f"an upload may pause at most {limits.idle_seconds:g} s and last at most "
                f"{limits.upload_seconds:g} s",
                headers=CLOSE,
            ) from None
        data.extend(chunk)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(
                413, f"an utterance is at most {MAX_UPLOAD_BYTES} bytes", headers=CLOSE
            )


def _record(
    rt: Runtime,
    speaker: Device,
    client_id: str,
    data: bytes,
    wake_word: str | None,
    wake_score: float | None,
) -> tuple[str, bool]:
    """Ingest a received upload in a session of its own: its id, and whether it is new work."""
    with rt.sessions() as session:
        interaction = ingest(
            session,
            rt.keyring,
            rt.blobs,
            speaker,
            client_id,
            data,
            wake_word=wake_word,
            wake_score=wake_score,
        )
        fresh = interaction.status == "received" and interaction.attempts == 0
        session.commit()
        return interaction.id, fresh


def _look(rt: Runtime, interaction_id: str, speaker: Device) -> UtteranceStatus:
    """One look at an utterance of `speaker`'s, in a session opened and closed for it."""
    with rt.sessions() as session:
        interaction = session.get(Interaction, interaction_id)
        if interaction is None or interaction.device_id != speaker.id:
            raise HTTPException(404, "no such utterance from this device")
        answer = read_answer(session, rt.keyring, interaction)
        return UtteranceStatus(id=interaction.id, status=interaction.status, answer=answer)

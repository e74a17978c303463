"""The device API: pair, upload an utterance (streamed or whole), get the answer.

Every route authenticates the device by its bearer token. Uploads are read with a hard size cap
and validated whole before anything is stored; a retry with the same Idempotency-Key gets the
same interaction back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from confide.ingest import ingest
from confide.pipeline import read_answer
from confide.service.accounts import complete_pairing
from confide.service.deps import Db, Rt, device
from confide.service.runtime import Runtime
from confide.service.throttle import guarded
from confide.store.tables import Device, Interaction

MAX_UPLOAD_BYTES = 4 * 1024 * 1024
"""30 s of 16-bit stereo 48 kHz WAV is under 6 MB; 4 MB covers every sane utterance."""
POLL_SECONDS = 0.2
MAX_WAIT_SECONDS = 30.0

router = APIRouter(prefix="/api", tags=["device"])


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


@router.post("/devices/pair", response_model=PairResponse)
def pair(body: PairRequest, request: Request, session: Db, rt: Rt) -> PairResponse:
    """Wrong codes are throttled per client address (TooManyAttempts, 429 with Retry-After)."""
    with guarded(session, rt.keyring, request.client.host if request.client else ""):
        device_id, token = complete_pairing(session, body.code.strip())
    session.commit()
    return PairResponse(device_id=device_id, token=token)


@router.post("/utterances", response_model=UtteranceStatus, status_code=202)
async def upload(
    request: Request,
    rt: Rt,
    session: Db,
    speaker: Annotated[Device, Depends(device)],
    idempotency_key: Annotated[str, Header()],
    x_wake_word: Annotated[str | None, Header()] = None,
) -> UtteranceStatus:
    """The body is the audio (WAV or FLAC), sent whole or with chunked transfer encoding."""
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"an utterance is at most {MAX_UPLOAD_BYTES} bytes")
    # Decoding and sealing are CPU work: keep them off the event loop. Refused audio and a bad
    # key rise as BadAudio or InvalidInput, which `refusals` answers with 413 or 422.
    interaction = await asyncio.to_thread(
        ingest,
        session,
        rt.keyring,
        rt.blobs,
        speaker,
        idempotency_key,
        bytes(data),
        wake_word=x_wake_word,
    )
    fresh = interaction.status == "received" and interaction.attempts == 0
    session.commit()
    if fresh:
        await asyncio.to_thread(rt.queue.enqueue, interaction.id)
    return _status(session, rt, interaction.id, speaker)


@router.get("/utterances/{interaction_id}", response_model=UtteranceStatus)
async def status(
    interaction_id: str,
    rt: Rt,
    speaker: Annotated[Device, Depends(device)],
    wait: Annotated[float, Query(allow_inf_nan=False)] = 0.0,
) -> UtteranceStatus:
    """Poll; `wait` (up to 30 s) holds the request until the answer is there. NaN and infinity
    are refused: NaN would compare false against the cap and hold the request for ever."""
    deadline = asyncio.get_running_loop().time() + min(max(wait, 0.0), MAX_WAIT_SECONDS)
    while True:
        with rt.sessions() as session:
            result = _status(session, rt, interaction_id, speaker)
        if result.status in ("answered", "failed") or asyncio.get_running_loop().time() >= deadline:
            return result
        await asyncio.sleep(POLL_SECONDS)


@router.get("/utterances/{interaction_id}/events")
async def events(
    interaction_id: str,
    rt: Rt,
    speaker: Annotated[Device, Depends(device)],
) -> StreamingResponse:
    """Server-sent events: one per status change, the last carrying the answer."""
    with rt.sessions() as session:
        _status(session, rt, interaction_id, speaker)  # 404 before the stream starts

    async def stream() -> AsyncIterator[str]:
        last = None
        for _ in range(int(60 / POLL_SECONDS)):
            with rt.sessions() as session:
                current = _status(session, rt, interaction_id, speaker)
            if current.status != last:
                last = current.status
                yield f"event: status\ndata: {json.dumps(current.model_dump())}\n\n"
            if current.status in ("answered", "failed"):
                return
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(stream(), media_type="text/event-stream")


def _status(session: Session, rt: Runtime, interaction_id: str, speaker: Device) -> UtteranceStatus:
    interaction = session.get(Interaction, interaction_id)
    if interaction is None or interaction.device_id != speaker.id:
        raise HTTPException(404, "no such utterance from this device")
    answer = read_answer(session, rt.keyring, interaction)
    return UtteranceStatus(id=interaction.id, status=interaction.status, answer=answer)

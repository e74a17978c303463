"""The review API: the workbench's job for programs, over JSON and a bearer token.

A staff member signs in with their login, password and TOTP code (the one sign-in, throttled
alike) and gets a short-lived token: a session in the one session store. From there it is the
workbench, with its roles, caps, wellness rules, audit and watermarks: one task held at a time,
its redacted words and its bleeped, anonymised audio marked for the caller (streamed, never
offered as a file), the distress flag that stops, escalates and offers a break. Reviewers link
slot values to the catalog as they label, adding a name it lacks; a lead merges or rejects
those additions (`confide.review.catalog`).

Every body is bounded (`MAX_BODY`) before it is parsed, and every refusal is `{"detail": str}`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from confide.errors import NotFound, UnknownChoice
from confide.review import catalog
from confide.review.tasks import (
    Labels,
    QueueClosed,
    Wellness,
    flag_distress,
    held_task,
    material,
    next_task,
    protected_audio,
    submit,
    take_break,
)
from confide.service.accounts import log_in
from confide.service.deps import Db, Rt, staff_bearer
from confide.service.principals import Staff
from confide.service.refusals import documented
from confide.service.runtime import Runtime
from confide.service.sessions import find_session, open_session
from confide.service.throttle import guarded
from confide.service.workbench import AUDIO_HEADERS, INTENTS
from confide.store.database import as_utc
from confide.store.tables import CatalogAddition, StaffMember
from confide.understand.catalog import Catalog, Entry

MAX_BODY = 64 * 1024
"""The largest request body heard: a task's labels are a few hundred bytes."""
TOKEN_HOURS = 1
"""A token's life: short, so a leaked one soon stops working; sign in again for more."""
QUEUE_CLOSED = "X-Queue-Closed"
"""With a 204: why no task was handed out (the queue is empty, a break, the shift's cap)."""
KINDS: JsonDict = {"enum": [kind for kind in sorted(catalog.KINDS)]}
"""The schema's list of catalog kinds; the catalog refuses any other (422)."""
TaskId = Annotated[str, PathParam(max_length=64)]
AdditionId = Annotated[str, PathParam(max_length=64)]


class BoundedBody(APIRoute):
    """A route whose body is read with a hard cap (413) before anything parses it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            declared = request.headers.get("content-length", "")
            too_large = HTTPException(413, f"a request body is at most {MAX_BODY} bytes")
            if declared.isdigit() and int(declared) > MAX_BODY:
                raise too_large
            body = bytearray()
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > MAX_BODY:
                    raise too_large
            request._body = bytes(body)  # what FastAPI's own read returns from now on
            return await handler(request)

        return bounded


router = APIRouter(prefix="/api", tags=["review"], route_class=BoundedBody)
Reviewer = Annotated[Staff, Depends(staff_bearer("review"))]
Lead = Annotated[Staff, Depends(staff_bearer("quality"))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignIn(_Strict):
    login: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)
    totp: str = Field(min_length=1, max_length=16)
    """The current code of their authenticator app."""


class Token(BaseModel):
    token: str
    """Send as `Authorization: Bearer TOKEN`."""
    expires: datetime
    """When it stops working (UTC)."""


class TaskSlot(BaseModel):
    name: str
    value: str
    """As the reviewer may see it: personal data in it is replaced by its placeholder."""
    start: int | None
    """Where the value is in `transcript` (characters), when it is there."""
    end: int | None
    link: str | None
    """The catalog entry production linked it to."""


class Task(BaseModel):
    id: str
    transcript: str
    """What production heard, personal data redacted (public names kept)."""
    intent: str | None
    slots: list[TaskSlot]
    answer: str
    """What the assistant answered, redacted alike."""
    audio_url: str
    """The clip, bleeped, anonymised and watermarked for the caller; streamed, never a file."""
    content_warning: bool
    """The clip may be distressing."""
    redacted: list[str]
    """The kinds of personal data removed from the words and the audio."""


class ExistingLink(_Strict):
    id: str = Field(min_length=1, max_length=128)
    """An entry of the catalog (GET /api/catalog)."""


class NewEntry(_Strict):
    kind: str = Field(min_length=1, max_length=16, json_schema_extra=KINDS)
    name: str = Field(min_length=1, max_length=catalog.MAX_NAME)
    """Its usual written name: a public name only."""


class NewLink(_Strict):
    new: NewEntry
    """A name the catalog lacks: it is added, proposed until a lead decides."""


class LabelledSlot(_Strict):
    name: str = Field(min_length=1, max_length=64)
    value: str = Field(min_length=1, max_length=catalog.MAX_NAME)
    link: ExistingLink | NewLink | None = None


class AnnotationBody(_Strict):
    transcript: str = Field(max_length=2000)
    """The corrected transcript, placeholders kept."""
    intent: str | None = Field(
        default=None, max_length=64, json_schema_extra={"enum": [*INTENTS, None]}
    )
    """The right intent, or null when the clip holds no request."""
    slots: list[LabelledSlot] = Field(default_factory=list, max_length=20)
    rating: int | None = Field(default=None, ge=1, le=5)
    """How good the answer was, 1 (wrong) to 5 (perfect)."""
    flags: list[Literal["critical_data", "false_wake", "distress"]] = Field(
        default_factory=list, max_length=3
    )
    """'distress' stops here: the clip goes to the safety team and a break is offered."""


class AnnotationResult(BaseModel):
    status: Literal["submitted", "escalated"]
    annotation: str | None
    """The stored annotation's id; null when the clip was escalated instead."""
    links: list[str | None]
    """Each slot's catalog entry, in order; a new name's is the id it was added under."""
    break_minutes: int | None
    """After a distress flag: the break on offer (POST /api/review/break)."""


class Break(BaseModel):
    until: datetime
    """No task is handed out before then (UTC)."""


class CatalogEntry(BaseModel):
    id: str
    kind: str
    name: str
    aliases: list[str]
    score: float
    """How close its nearest name is to the search, 0 to 1."""
    proposed: bool
    """Added by a reviewer and not yet decided on by a lead."""


class CatalogResults(BaseModel):
    entries: list[CatalogEntry]


class Addition(BaseModel):
    id: str
    entry_id: str
    """The id it links under; once merged, its target's."""
    kind: str
    name: str
    status: Literal["proposed", "merged", "rejected"]
    added_by: str
    """The reviewer's pseudonym."""
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class Additions(BaseModel):
    additions: list[Addition]


class Merge(_Strict):
    into: str = Field(min_length=1, max_length=128)
    """The entry the addition is: it becomes that entry's alias."""


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/review/session", response_model=Token, responses=documented(400, 401, 413, 422, 429))
def sign_in(body: SignIn, request: Request, session: Db, rt: Rt) -> Token:
    """A token for a staff member, from their login, password and TOTP code; failures are
    throttled per login and per address as at the workbench's door."""
    address = request.client.host if request.client else ""
    with guarded(session, rt.keyring, address, ("staff", body.login.strip())):
        staff_id = log_in(
            session, rt.keyring, "staff", body.login.strip(), body.password, body.totp.strip()
        )
    now = _now()
    token = open_session(session, "staff", staff_id, TOKEN_HOURS, now)
    opened = find_session(session, "staff", token, now)
    session.commit()
    if opened is None:  # pragma: no cover - just written in this transaction
        raise NotFound("the session was not kept")
    return Token(token=token, expires=as_utc(opened.expires_at))


@router.post(
    "/review/tasks/next",
    response_model=Task,
    responses={
        204: {
            "description": "No task now; the header says why",
            "headers": {QUEUE_CLOSED: {"schema": {"type": "string"}, "required": True}},
        },
        **documented(401, 403, 413),
    },
)
def take_next(staff: Reviewer, session: Db, rt: Rt) -> Task | Response:
    """The task the caller holds, or the next one for them; its words' reading is audited."""
    try:
        task = next_task(session, staff.member, _now())
    except QueueClosed as closed:
        session.commit()
        return Response(status_code=204, headers={QUEUE_CLOSED: str(closed)})
    shown = material(session, rt.keyring, staff.member, task)
    session.commit()
    transcript = str(shown.get("transcript") or "")
    return Task(
        id=task.id,
        transcript=transcript,
        intent=shown.get("intent"),
        slots=[_slot(slot, transcript) for slot in shown.get("slots") or []],
        answer=str(shown.get("answer") or ""),
        audio_url=f"/api/review/tasks/{task.id}/audio",
        content_warning=task.content_warning,
        redacted=[str(kind) for kind in shown.get("redacted") or []],
    )


@router.get(
    "/review/tasks/{task_id}/audio",
    response_class=Response,
    responses={
        200: {
            "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The clip, marked for the caller; streamed, never cached",
        },
        **documented(401, 403, 404, 413, 422),
    },
)
def task_audio(task_id: TaskId, staff: Reviewer, session: Db, rt: Rt) -> Response:
    task = _held(session, staff, task_id)
    wav = protected_audio(session, rt.keyring, staff.member, task)
    session.commit()  # the listening is audited before a byte is sent
    return Response(wav, media_type="audio/wav", headers=AUDIO_HEADERS)


@router.post(
    "/review/tasks/{task_id}/annotation",
    response_model=AnnotationResult,
    responses=documented(400, 401, 403, 404, 413, 422),
)
def annotate(
    task_id: TaskId, body: AnnotationBody, staff: Reviewer, session: Db, rt: Rt
) -> AnnotationResult:
    """Store the labels of the held task. A link names an entry (`{"id"}`) or adds one
    (`{"new": {"kind", "name"}}`); an unknown id is refused whole (422), nothing kept. The
    distress flag stores nothing: the clip goes to the safety team and a break is offered."""
    task = _held(session, staff, task_id)
    now = _now()
    if "distress" in body.flags:
        flag_distress(session, staff.member, task, now)
        session.commit()
        return AnnotationResult(
            status="escalated",
            annotation=None,
            links=[],
            break_minutes=Wellness().break_minutes,
        )
    if body.intent is not None and body.intent not in INTENTS:
        raise UnknownChoice(f"unknown intent {body.intent!r}")
    base = _catalog(rt)
    links = [_link(session, base, staff.member, task.id, slot, now) for slot in body.slots]
    slots = [
        {"name": slot.name, "value": slot.value, **({"link": link} if link else {})}
        for slot, link in zip(body.slots, links, strict=True)
    ]
    labels = Labels(body.transcript, body.intent, slots, body.rating, frozenset(body.flags))
    stored = submit(session, rt.keyring, staff.member, task, labels, now)
    session.commit()
    return AnnotationResult(
        status="submitted", annotation=stored.id, links=links, break_minutes=None
    )


@router.post("/review/break", response_model=Break, responses=documented(401, 403, 413))
def start_break(staff: Reviewer, session: Db) -> Break:
    """The break the distress procedure offers: no task is handed out until it ends."""
    take_break(session, staff.member, _now(), Wellness())
    session.commit()
    until = staff.member.break_until
    if until is None:  # pragma: no cover - just set
        raise NotFound("no break was started")
    return Break(until=as_utc(until))


@router.get("/catalog", response_model=CatalogResults, responses=documented(401, 403, 413, 422))
def search_catalog(
    staff: Reviewer,
    session: Db,
    rt: Rt,
    q: Annotated[str, Query(min_length=1, max_length=catalog.MAX_QUERY)],
    kind: Annotated[str | None, Query(max_length=16, json_schema_extra=KINDS)] = None,
    limit: Annotated[int, Query(ge=1, le=catalog.MAX_RESULTS)] = 10,
) -> CatalogResults:
    """The entries whose names are nearest `q` (of `kind`, if given): the catalog and the
    additions not rejected, best first."""
    found = catalog.search(session, _catalog(rt), q, kind=kind, limit=limit)
    return CatalogResults(entries=[_entry(hit.entry, hit.score, hit.proposed) for hit in found])


@router.get("/catalog/additions", response_model=Additions, responses=documented(401, 403, 413))
def additions(staff: Lead, session: Db) -> Additions:
    """The additions waiting for a lead's decision, oldest first."""
    return Additions(additions=[_addition(session, row) for row in catalog.pending(session)])


@router.post(
    "/catalog/additions/{addition_id}/merge",
    response_model=Addition,
    responses=documented(400, 401, 403, 404, 409, 413, 422),
)
def merge(addition_id: AdditionId, body: Merge, staff: Lead, session: Db, rt: Rt) -> Addition:
    """The addition is the entry `into` already in the catalog: its name becomes an alias."""
    row = catalog.merge(session, _catalog(rt), staff.member, addition_id, body.into, _now())
    session.commit()
    return _addition(session, row)


@router.post(
    "/catalog/additions/{addition_id}/reject",
    response_model=Addition,
    responses=documented(401, 403, 404, 409, 413, 422),
)
def reject(addition_id: AdditionId, staff: Lead, session: Db) -> Addition:
    """The addition is not a catalog entry: it leaves the catalog."""
    row = catalog.reject(session, staff.member, addition_id, _now())
    session.commit()
    return _addition(session, row)


def _held(session: Session, staff: Staff, task_id: str) -> Any:
    try:
        return held_task(session, staff.member, task_id)
    except NotFound:
        session.commit()  # a withdrawal found on the way is kept; the 404 follows
        raise


def _slot(slot: dict[str, Any], transcript: str) -> TaskSlot:
    """A slot as the reviewer sees it, placed in the redacted transcript where it is there."""
    value = str(slot.get("value") or "")
    start, end = slot.get("start"), slot.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and transcript[start:end] == value):
        found = transcript.find(value) if value else -1
        start, end = (found, found + len(value)) if found >= 0 else (None, None)
    link = slot.get("link")
    if isinstance(link, dict):
        link = link.get("id")
    return TaskSlot(
        name=str(slot.get("name") or ""),
        value=value,
        start=start,
        end=end,
        link=str(link) if link else None,
    )


def _link(
    session: Session,
    base: Catalog,
    member: StaffMember,
    task_id: str,
    slot: LabelledSlot,
    now: datetime,
) -> str | None:
    if slot.link is None:
        return None
    link = (
        (slot.link.new.kind, slot.link.new.name) if isinstance(slot.link, NewLink) else slot.link.id
    )
    return catalog.link_slot(session, base, member, slot.name, link, task_id=task_id, now=now)


def _entry(entry: Entry, score: float, proposed: bool) -> CatalogEntry:
    return CatalogEntry(
        id=entry.id,
        kind=entry.kind,
        name=entry.name,
        aliases=list(entry.aliases),
        score=score,
        proposed=proposed,
    )


def _addition(session: Session, row: CatalogAddition) -> Addition:
    names = dict(
        session.execute(
            select(StaffMember.id, StaffMember.pseudonym).where(
                StaffMember.id.in_([row.added_by, row.decided_by or row.added_by])
            )
        ).all()
    )
    return Addition(
        id=row.id,
        entry_id=row.entry_id,
        kind=row.kind,
        name=row.name,
        status=row.status,  # type: ignore[arg-type]
        added_by=names.get(row.added_by, ""),
        created_at=as_utc(row.created_at),
        decided_by=names.get(row.decided_by) if row.decided_by else None,
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
    )


def _catalog(rt: Runtime) -> Catalog:
    return catalog.in_data_dir(rt.settings.data_dir)

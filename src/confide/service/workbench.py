"""The reviewer workbench and the staff pages around it: review, quality, safety, break-glass,
staff accounts.

What a reviewer can reach is the task they hold: a per-task pseudonym, redacted words, and a
bleeped, anonymised clip that carries their own watermark, streamed with no download and no
caching (invariants 5 and 7). Ids of accounts, people, devices and interactions never appear on
any of these pages. Every page works without script and from the keyboard; the little script
there is adds shortcuts and stops playback the moment distress is flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import pyotp
import segno
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Response
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from confide.errors import (
    AccessDenied,
    BadLabels,
    Conflict,
    InvalidInput,
    NotFound,
    UnknownChoice,
)
from confide.review import breakglass, catalog, pace, quality
from confide.review.staff import (
    ROLES,
    add_staff,
    change_roles,
    end_sessions,
    live_sessions,
    member_by_pseudonym,
    reset_totp,
    set_active,
)
from confide.review.tasks import (
    FLAGS,
    SAFETY_OUTCOMES,
    Labels,
    QueueClosed,
    Wellness,
    close_escalation,
    escalated_task,
    flag_distress,
    heard_through,
    held_task,
    material,
    next_task,
    open_annotation,
    open_escalations,
    protected_audio,
    shift_progress,
    submit,
    take_break,
)
from confide.service.charts import Chart, Counted, Series, bar_chart, counted
from confide.service.deps import STAFF, Db, Rt, require
from confide.service.login import login_routes
from confide.service.pages import render
from confide.service.principals import Staff
from confide.service.runtime import Runtime
from confide.store.database import as_utc
from confide.store.tables import Annotation, BreakGlass, ReviewTask, StaffMember
from confide.understand.catalog import SLOT_KINDS

router = APIRouter(prefix="/review", include_in_schema=False)
sign_in = login_routes(STAFF, home="/review/", layout="review/base.html")
"""GET and POST /review/login, POST /review/logout."""
Reviewer = Annotated[Staff, Depends(require("review"))]
ReviewerPost = Annotated[Staff, Depends(require("review", post=True))]
Lead = Annotated[Staff, Depends(require("quality"))]
LeadPost = Annotated[Staff, Depends(require("quality", post=True))]
Safety = Annotated[Staff, Depends(require("safety"))]
SafetyPost = Annotated[Staff, Depends(require("safety", post=True))]
Anyone = Annotated[Staff, Depends(require("home"))]
BreakGlassViewer = Annotated[Staff, Depends(require("break_glass_view"))]
Asker = Annotated[Staff, Depends(require("break_glass_request"))]
AskerPost = Annotated[Staff, Depends(require("break_glass_request", post=True))]
Officer = Annotated[Staff, Depends(require("break_glass_decide"))]
OfficerPost = Annotated[Staff, Depends(require("break_glass_decide", post=True))]
Admin = Annotated[Staff, Depends(require("staff"))]
AdminPost = Annotated[Staff, Depends(require("staff", post=True))]


async def _posted_form(request: Request) -> FormData:
    """A form of any shape (labels, roles), read on the event loop so that the route using it
    can be a plain function: FastAPI runs those on a worker thread, and the database work in
    them never blocks the loop."""
    return await request.form()


Posted = Annotated[FormData, Depends(_posted_form)]

RESOURCES = Path(__file__).parents[1] / "understand" / "resources"
INTENTS = sorted(
    {
        path.stem.removeprefix("train_").removesuffix("_full")
        for path in RESOURCES.rglob("train_*.json")
    }
)
"""Every intent the assistant knows, for the reviewer's intent choice."""
AUDIO_HEADERS = {
    "Cache-Control": "no-store, private",
    "Content-Disposition": "inline",
    "X-Content-Type-Options": "nosniff",
}
"""Streamed for the player only: never cached, never offered as a file."""
TOTP_ISSUER = "Confide review"
"""How authenticator apps name the workbench's codes."""
CATALOG_CHOICES = 8
"""Entries the catalog field offers at once: more is reading, not choosing."""


def _now() -> datetime:
    return datetime.now(UTC)


def _context(staff: Staff, active: str, **values: Any) -> dict[str, Any]:
    return {"staff": staff, "active": active, **values}


NOTICES: Mapping[str, str] = {
    "saved": "Saved. Thank you.",
    "break_started": "Your break has started. Take care.",
    "asked": "Asked. A privacy officer decides.",
    "shift_limit": "You have reached this shift's limit of clips. Thank you.",
    "empty": "The queue is empty.",
}
"""What a redirect may ask a page to say, by code. The page never shows text from its address:
a link to `/review/?notice=Your account is locked, call ...` would put anyone's words in a
system notice."""


def _notice(code: str, member: StaffMember) -> str:
    """The notice for `code`, in the page's words; nothing for a code it does not know."""
    if code == "break" and member.break_until is not None:
        until = as_utc(member.break_until)
        return f"You are on a break until {until:%H:%M} UTC." if until > _now() else ""
    return NOTICES.get(code, "")


@router.get("/")
def home(request: Request, staff: Anyone, session: Db, notice: str = "") -> Response:
    counts = {
        "queued": session.scalar(select(func.count()).where(ReviewTask.status == "queued")),
        "escalations": len(open_escalations(session)),
        "break_glass": len(breakglass.pending(session)),
    }
    progress = shift_progress(session, staff.member, _now()) if staff.may("review") else None
    context = _context(
        staff, "home", counts=counts, notice=_notice(notice, staff.member), progress=progress
    )
    return render(request, "review/home.html", context)


@router.post("/next")
def take_next(staff: ReviewerPost, session: Db) -> Response:
    try:
        task = next_task(session, staff.member, _now())
    except QueueClosed as closed:
        session.commit()
        return RedirectResponse(f"/review/?notice={closed.reason}", 303)
    session.commit()
    return RedirectResponse(f"/review/tasks/{task.id}", 303)


@router.get("/tasks/{task_id}")
def task_page(
    request: Request, task_id: str, staff: Reviewer, session: Db, rt: Rt, warned: bool = False
) -> Response:
    task = _held(session, staff, task_id)
    if task.content_warning and not warned:
        return render(request, "review/warning.html", _context(staff, "review", task=task))
    return _task_page(request, session, rt, staff, task)


@router.get("/tasks/{task_id}/audio")
def task_audio(task_id: str, staff: Reviewer, session: Db, rt: Rt) -> Response:
    task = _held(session, staff, task_id)
    return _stream(session, protected_audio(session, rt.keyring, staff.member, task, now=_now()))


@router.post("/tasks/{task_id}/submit")
def submit_labels(
    request: Request, task_id: str, staff: ReviewerPost, session: Db, rt: Rt, form: Posted
) -> Response:
    """Labels for the held task; with `then=next` the next clip follows at once."""
    task = _held(session, staff, task_id)
    now = _now()
    try:
        if not heard_through(task, now):
            raise BadLabels("play the clip to its end before saving")
        labels = _labels(form, _slot_links(form, session, rt, staff, task, now))
        if labels.rating is None:
            raise BadLabels("rate the answer that was given, 1 to 5")
        submit(session, rt.keyring, staff.member, task, labels, now)
    except InvalidInput as exc:
        session.rollback()  # a catalog entry added by a refused form is not kept
        draft = _draft(form)
        return _task_page(request, session, rt, staff, task, error=str(exc), draft=draft)
    session.commit()
    if form.get("then") == "next":
        return take_next(staff, session)
    return RedirectResponse("/review/?notice=saved", 303)


@router.get("/catalog")
def catalog_search(
    staff: Reviewer,
    session: Db,
    rt: Rt,
    q: Annotated[str, Query(min_length=1, max_length=catalog.MAX_QUERY)],
    kind: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    """Entries nearest `q`, for the catalog field as the reviewer types (the review API's
    search, under the workbench's sign-in)."""
    found = catalog.search(session, catalog.in_data_dir(rt.settings.data_dir), q, kind=kind)
    return [
        {"id": hit.entry.id, "name": hit.entry.name, "kind": hit.entry.kind, "new": hit.proposed}
        for hit in found[:CATALOG_CHOICES]
    ]


@router.post("/tasks/{task_id}/distress")
def distress(task_id: str, staff: ReviewerPost, session: Db) -> Response:
    task = _held(session, staff, task_id)
    flag_distress(session, staff.member, task, _now())
    session.commit()
    return RedirectResponse("/review/break", 303)


@router.get("/break")
def break_page(request: Request, staff: Reviewer) -> Response:
    return render(
        request, "review/break.html", _context(staff, "review", minutes=Wellness().break_minutes)
    )


@router.post("/break")
def start_break(staff: ReviewerPost, session: Db) -> Response:
    take_break(session, staff.member, _now(), Wellness())
    session.commit()
    return RedirectResponse("/review/?notice=break_started", 303)


@router.get("/quality")
def quality_page(request: Request, staff: Lead, session: Db, rt: Rt) -> Response:
    reviewers, batches = quality.agreement(session, rt.keyring)
    open_pairs = quality.disagreements(session, rt.keyring)
    names = _pseudonyms(session)
    context = _context(
        staff,
        "quality",
        reviewers=reviewers,
        batches=batches,
        disagreements=open_pairs,
        names=names,
        agreement_chart=_agreement_chart(reviewers),
        throughput_chart=_throughput_chart(session, names),
    )
    return render(request, "review/quality.html", context)


def _agreement_chart(reviewers: list[quality.Agreement]) -> Chart:
    """Each reviewer's agreement with a colleague's transcripts (1 - WER) and with gold."""
    names = [row.name for row in reviewers]
    series = [
        Series(
            "Transcripts agreeing (1 - WER)",
            "#1f5fbf",
            [None if row.wer is None else max(0.0, 1 - row.wer) for row in reviewers],
        ),
        Series("Gold tasks right", "#1e6b3a", [row.gold_accuracy for row in reviewers]),
    ]
    return bar_chart("agreement", "Agreement per reviewer", names, series)


def _throughput_chart(session: Session, names: Mapping[str, str]) -> Counted:
    """Labels per reviewer today and over the last 7 days."""
    now = _now()
    today = pace.labelled_by(session, now.replace(hour=0, minute=0, second=0, microsecond=0))
    week = pace.labelled_by(session, now - timedelta(days=7))
    order = sorted(week, key=lambda reviewer: names.get(reviewer, ""))
    series = [
        Series("Today", "#1f5fbf", [float(today.get(r, 0)) for r in order]),
        Series("Last 7 days", "#8a5a00", [float(week[r]) for r in order]),
    ]
    return counted(
        "throughput",
        "Clips labelled per reviewer",
        "Reviewer",
        [names.get(r, r) for r in order],
        series,
    )


@router.get("/adjudicate/{group_id}")
def adjudicate_page(request: Request, group_id: str, staff: Lead, session: Db, rt: Rt) -> Response:
    task, labels = _group(session, rt, group_id)
    shown = material(session, rt.keyring, staff.member, task, role="lead")
    session.commit()
    context = _context(
        staff,
        "quality",
        task=task,
        shown=shown,
        labels=labels,
        intents=INTENTS,
        group_id=group_id,
        names=_pseudonyms(session),
    )
    return render(request, "review/adjudicate.html", context)


@router.get("/adjudicate/{group_id}/audio")
def adjudicate_audio(group_id: str, staff: Lead, session: Db, rt: Rt) -> Response:
    task, _ = _group(session, rt, group_id)
    wav = protected_audio(session, rt.keyring, staff.member, task, role="lead")
    return _stream(session, wav)


@router.post("/adjudicate/{group_id}")
def adjudicate(group_id: str, staff: LeadPost, session: Db, rt: Rt, form: Posted) -> Response:
    _group(session, rt, group_id)
    quality.adjudicate(session, rt.keyring, staff.member, group_id, _labels(form), _now())
    if form.get("gold"):
        quality.make_gold(session, rt.keyring, staff.member, group_id, _now())
    session.commit()
    return RedirectResponse("/review/quality", 303)


@router.get("/escalations")
def escalations(request: Request, staff: Safety, session: Db) -> Response:
    waiting = open_escalations(session)
    return render(
        request, "review/escalations.html", _context(staff, "safety", escalations=waiting)
    )


@router.get("/escalations/{escalation_id}")
def escalation_page(
    request: Request, escalation_id: str, staff: Safety, session: Db, rt: Rt
) -> Response:
    escalation, task = _escalation(session, escalation_id)
    shown = material(session, rt.keyring, staff.member, task, role="safety")
    session.commit()
    context = _context(
        staff, "safety", escalation=escalation, task=task, shown=shown, outcomes=SAFETY_OUTCOMES
    )
    return render(request, "review/escalation.html", context)


@router.get("/escalations/{escalation_id}/audio")
def escalation_audio(escalation_id: str, staff: Safety, session: Db, rt: Rt) -> Response:
    _, task = _escalation(session, escalation_id)
    wav = protected_audio(session, rt.keyring, staff.member, task, role="safety")
    return _stream(session, wav)


@router.post("/escalations/{escalation_id}/close")
def close(
    escalation_id: str, staff: SafetyPost, session: Db, outcome: Annotated[str, Form()] = ""
) -> Response:
    _escalation(session, escalation_id)
    close_escalation(session, staff.member, escalation_id, outcome, _now())
    session.commit()
    return RedirectResponse("/review/escalations", 303)


@router.get("/break-glass")
def break_glass_page(
    request: Request, staff: BreakGlassViewer, session: Db, rt: Rt, notice: str = ""
) -> Response:
    """The requests: the officer sees, for each waiting one, which clip (its pseudonym and its
    redacted words, an audited reading) and why; and the decisions made, with their expiry."""
    mine = session.scalars(
        select(BreakGlass)
        .where(BreakGlass.requested_by == staff.member.id)
        .order_by(BreakGlass.requested_at.desc())
    ).all()
    officer = staff.may("break_glass_decide")
    waiting = []
    for row in breakglass.pending(session) if officer else []:
        task = session.get(ReviewTask, row.task_id)
        shown = (
            material(session, rt.keyring, staff.member, task, role="privacy_officer")
            if task is not None and task.material_sealed is not None
            else None
        )
        waiting.append((row, task, shown))
    session.commit()  # the readings are audited
    context = _context(
        staff,
        "break_glass",
        mine=mine,
        waiting=waiting,
        decided=breakglass.decided(session) if officer else [],
        now=_now(),
        names=_pseudonyms(session),
        notice=_notice(notice, staff.member),
    )
    return render(request, "review/break_glass.html", context)


@router.post("/break-glass")
def ask_break_glass(
    staff: AskerPost,
    session: Db,
    task: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    breakglass.request(session, staff.member, task, reason, _now())
    session.commit()
    return RedirectResponse("/review/break-glass?notice=asked", 303)


@router.post("/break-glass/{request_id}/decide")
def decide_break_glass(
    request_id: str, staff: OfficerPost, session: Db, approve: Annotated[str, Form()] = ""
) -> Response:
    breakglass.decide(session, staff.member, request_id, approve == "yes", _now())
    session.commit()
    return RedirectResponse("/review/break-glass", 303)


@router.get("/break-glass/{request_id}/audio")
def break_glass_audio(request_id: str, staff: Asker, session: Db, rt: Rt) -> Response:
    wav = breakglass.original_audio(session, rt.keyring, rt.blobs, staff.member, request_id, _now())
    return _stream(session, wav)


@router.get("/staff")
def staff_page(request: Request, staff: Admin, session: Db) -> Response:
    return _staff_page(request, session, staff)


@router.post("/staff")
def add_member(request: Request, staff: AdminPost, session: Db, rt: Rt, form: Posted) -> Response:
    login, password = str(form.get("login", "")).strip(), str(form.get("password", ""))
    roles = {str(role) for role in form.getlist("roles")}
    try:
        created = add_staff(session, rt.keyring, login, password, roles, by=staff.member)
    except (InvalidInput, Conflict) as exc:  # the form again, with what to change
        return _staff_page(request, session, staff, 422, error=str(exc))
    session.commit()
    return _staff_page(request, session, staff, created=created)


@router.post("/staff/{pseudonym}/roles")
def set_roles(
    request: Request, pseudonym: str, staff: AdminPost, session: Db, form: Posted
) -> Response:
    member = member_by_pseudonym(session, pseudonym)
    roles = {str(role) for role in form.getlist("roles")}
    return _staff_change(
        request,
        session,
        staff,
        lambda: change_roles(session, member, roles, by=staff.member),
        f"{pseudonym}'s roles are saved.",
    )


@router.post("/staff/{pseudonym}/active")
def set_member_active(
    request: Request,
    pseudonym: str,
    staff: AdminPost,
    session: Db,
    active: Annotated[str, Form()] = "",
) -> Response:
    member = member_by_pseudonym(session, pseudonym)
    on = active == "yes"
    said = f"{pseudonym} can sign in again." if on else f"{pseudonym} is disabled and signed out."
    return _staff_change(
        request, session, staff, lambda: set_active(session, member, on, by=staff.member), said
    )


@router.post("/staff/{pseudonym}/totp")
def new_totp(request: Request, pseudonym: str, staff: AdminPost, session: Db, rt: Rt) -> Response:
    member = member_by_pseudonym(session, pseudonym)
    secret = reset_totp(session, rt.keyring, member, by=staff.member)
    session.commit()
    shown = {
        "pseudonym": pseudonym,
        "login": member.login,
        "secret": secret,
        "qr": _qr(member.login, secret),
    }
    return _staff_page(request, session, staff, reset=shown)


@router.post("/staff/{pseudonym}/sessions")
def sign_out_member(request: Request, pseudonym: str, staff: AdminPost, session: Db) -> Response:
    member = member_by_pseudonym(session, pseudonym)
    return _staff_change(
        request,
        session,
        staff,
        lambda: end_sessions(session, member, by=staff.member),
        f"{pseudonym} is signed out everywhere.",
    )


def _staff_change(
    request: Request, session: Session, staff: Staff, change: Callable[[], object], said: str
) -> Response:
    """Make one change to a colleague's account and show the staff page again, saying what
    happened, or why not (a refusal keeps the page, with nothing changed)."""
    try:
        change()
    except (InvalidInput, AccessDenied) as exc:
        session.rollback()
        return _staff_page(request, session, staff, 422, error=str(exc))
    session.commit()
    return _staff_page(request, session, staff, notice=said)


def _staff_page(
    request: Request, session: Session, staff: Staff, status: int = 200, **values: Any
) -> Response:
    members = session.scalars(select(StaffMember).order_by(StaffMember.pseudonym)).all()
    live = {member.id: live_sessions(session, member, _now()) for member in members}
    created = values.get("created")
    if created is not None:
        values["created_qr"] = _qr(created.login, created.totp_secret)
    context = _context(staff, "staff", members=members, roles=ROLES, live=live, **values)
    return render(request, "review/staff.html", context, status)


def _qr(login: str, secret: str) -> Markup:
    """The secret as a QR code an authenticator app scans: inline SVG, drawn here, fetched from
    nowhere."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=TOTP_ISSUER)
    drawn = segno.make(uri, error="m").svg_inline(scale=4, title="QR code of the secret")
    return Markup(drawn)  # noqa: S704 - segno writes only path data and the fixed title


def _task_page(
    request: Request,
    session: Session,
    rt: Runtime,
    staff: Staff,
    task: ReviewTask,
    *,
    error: str | None = None,
    draft: dict[str, Any] | None = None,
) -> Response:
    """The task and its labelling form, filled with `draft` (a refused form, as it was sent,
    so nothing the reviewer typed is lost); opening its material is audited, so it is
    committed."""
    shown = material(session, rt.keyring, staff.member, task)
    session.commit()
    context = _context(
        staff,
        "review",
        task=task,
        shown=shown,
        draft=draft,
        intents=INTENTS,
        flags=FLAGS,
        progress=shift_progress(session, staff.member, _now()),
        slot_kinds=SLOT_KINDS,
        error=error,
    )
    return render(request, "review/task.html", context, 200 if error is None else 422)


def _draft(form: Any) -> dict[str, Any]:
    """A refused form's labels as it was sent, for the page to show again."""
    return {
        "transcript": str(form.get("transcript", "")),
        "intent": str(form.get("intent") or ""),
        "rating": str(form.get("rating") or ""),
        "slots": [
            {"name": name, "value": value, "link": link, "new": new}
            for name, value, link, new in _slots(form)
        ],
        "flags": {str(flag) for flag in form.getlist("flags")},
    }


def _held(session: Session, staff: Staff, task_id: str) -> ReviewTask:
    try:
        return held_task(session, staff.member, task_id)
    except NotFound:
        session.commit()  # a withdrawal found on the way is kept; the 404 follows
        raise


def _escalation(session: Session, escalation_id: str) -> tuple[Any, ReviewTask]:
    escalation, task = escalated_task(session, escalation_id)
    if escalation.status != "open" or task.audio_sealed is None:
        raise HTTPException(404, "this escalation is closed")
    return escalation, task


def _group(session: Session, rt: Runtime, group_id: str) -> tuple[ReviewTask, list[Any]]:
    """A clip two reviewers disagreed on: its first task and both labels, opened."""
    if not quality.disagreements(session, rt.keyring, group_id):
        raise HTTPException(404, "no such disagreement")
    task = session.scalar(
        select(ReviewTask).where(ReviewTask.group_id == group_id).order_by(ReviewTask.kind)
    )
    if task is None or task.material_sealed is None or task.audio_sealed is None:
        raise HTTPException(404, "this clip has left review")
    annotations = session.scalars(
        select(Annotation)
        .join(ReviewTask, ReviewTask.id == Annotation.task_id)
        .where(ReviewTask.group_id == group_id, Annotation.adjudication.is_(False))
        .order_by(Annotation.submitted_at)
    ).all()
    labels = [(a, open_annotation(session, rt.keyring, a)) for a in annotations[:2]]
    return task, labels


def _slots(form: Any) -> list[tuple[str, str, str, bool]]:
    """The form's slot rows that name a slot: name, value, the catalog field, and whether the
    reviewer asked for the value to be added to the catalog."""
    new = {str(row) for row in form.getlist("slot_new")}
    fields = (form.getlist(field) for field in ("slot_name", "slot_value", "slot_link"))
    rows = zip(*fields, strict=False)
    return [
        (str(name).strip(), str(value).strip(), str(link).strip(), str(row) in new)
        for row, (name, value, link) in enumerate(rows, start=1)
        if str(name).strip() and str(value).strip()
    ]


def _slot_links(
    form: Any, session: Session, rt: Runtime, staff: Staff, task: ReviewTask, now: datetime
) -> list[str | None]:
    """Each slot's catalog entry: the one its field names (an id, or a name the catalog has
    exactly), or the value added as a new entry where the reviewer asked for that; a field
    that names no entry is refused, so no label links to nothing."""
    base = catalog.in_data_dir(rt.settings.data_dir)
    links: list[str | None] = []
    for name, value, field, new in _slots(form):
        kind = SLOT_KINDS.get(name)
        if new and kind is None:
            raise UnknownChoice(f"the {name} slot names nothing the catalog holds")
        if new and kind is not None:
            link: str | tuple[str, str] = (kind, value)
        elif not field:
            links.append(None)
            continue
        else:
            named = catalog.with_additions(session, base).link(kind, field) if kind else None
            link = named.id if named is not None and named.score >= 1.0 else field
        links.append(
            catalog.link_slot(session, base, staff.member, name, link, task_id=task.id, now=now)
        )
    return links


def _labels(form: Any, links: list[str | None] | None = None) -> Labels:
    """The form's labels; `links` are the slots' checked catalog entries (none are kept
    without them)."""
    rating = str(form.get("rating") or "")
    rows = _slots(form)
    slots = [
        {"name": name, "value": value, **({"link": link} if link else {})}
        for (name, value, _, _), link in zip(rows, links or [None] * len(rows), strict=True)
    ]
    intent = str(form.get("intent") or "").strip()
    if intent and intent not in INTENTS:
        raise InvalidInput(f"unknown intent {intent!r}")
    flags = frozenset(str(flag) for flag in form.getlist("flags"))
    return Labels(
        transcript=str(form.get("transcript", "")).strip(),
        intent=intent or None,
        slots=slots,
        rating=int(rating) if rating.isdigit() else None,
        flags=flags,
        span=_span(form),
    )


def _span(form: Any) -> tuple[float, float] | None:
    """The stretch marked on the waveform, if one was: two numbers of seconds."""
    start, end = str(form.get("span_start") or ""), str(form.get("span_end") or "")
    if not start and not end:
        return None
    try:
        return float(start), float(end)
    except ValueError:
        raise BadLabels("a marked stretch is two times in seconds") from None


def _stream(session: Session, marked_wav: bytes) -> Response:
    """The clip review marked for this staff member, for the player only; the listening, audited
    when review handed the clip out, is committed first."""
    session.commit()
    return Response(marked_wav, media_type="audio/wav", headers=AUDIO_HEADERS)


def _pseudonyms(session: Session) -> dict[str, str]:
    return dict(session.execute(select(StaffMember.id, StaffMember.pseudonym)).all())

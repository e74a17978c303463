"""The privacy centre: each person's own history, deletions, retention, consents, export, access
log and device pairing, as server-rendered pages that work without script and from the keyboard.

Every route acts for the signed-in person on their own data only: another person's interaction
is answered with 404, as if it did not exist. Every POST carries the session's CSRF token, and
every change redirects to a page that shows its result (a receipt, the new choice).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from confide.errors import InvalidInput, NotFound
from confide.privacy.access_words import in_words
from confide.privacy.audit import Access, append, events
from confide.privacy.consent import PURPOSES, consents, set_consent
from confide.privacy.deletion import (
    Receipt,
    delete_interactions,
    delete_recordings,
    erase_account,
    receipts,
)
from confide.privacy.export import export_zip, own_audio
from confide.privacy.history import (
    EVERYTHING,
    MAX_WORDS,
    SCAN_LIMIT,
    HistoryFilter,
    activity,
    own_devices,
    search_history,
)
from confide.privacy.history import (
    conditions as history_conditions,
)
from confide.privacy.receipt_words import erased_counts, erased_words, scope_words
from confide.privacy.retention import MAX_DAYS, PRESETS, describe, set_retention
from confide.review.false_wakes import record_false_wake
from confide.service.accounts import PAIRING_CODE_MINUTES, revoke_device, start_pairing
from confide.service.charts import Series, counted
from confide.service.deps import CUSTOMERS, Db, Poster, Rt, Viewer
from confide.service.login import login_routes
from confide.service.pages import TEMPLATES, render
from confide.service.principals import Customer
from confide.service.runtime import Runtime
from confide.store.tables import Device, Interaction, Person

PAGE_SIZE = 50
"""Interactions per history page."""
ACTIVITY_WEEKS = 8
"""Weeks of the history's activity chart."""
MAX_PAGE = 100_000
"""Beyond any real history; a larger page number would overflow the database's offset."""
STATIC = {path.name: path for path in (Path(__file__).parent / "static").iterdir()}
router = APIRouter(prefix="/privacy", include_in_schema=False)
sign_in = login_routes(CUSTOMERS, home="/privacy/", layout="base.html")
"""GET and POST /login, POST /logout."""


TEMPLATES.env.filters.update(scope=scope_words, erased=erased_words, counted=erased_counts)


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    if name not in STATIC:
        raise HTTPException(404, "no such file")
    return FileResponse(STATIC[name], headers={"Cache-Control": "public, max-age=3600"})


@router.get("/")
def history(
    request: Request,
    viewer: Viewer,
    session: Db,
    rt: Rt,
    page: Annotated[int, Query(ge=0, le=MAX_PAGE)] = 0,
    q: Annotated[str, Query(max_length=MAX_WORDS)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    device: Annotated[str, Query(max_length=32)] = "",
    reviewed: Annotated[Literal["", "yes", "no"], Query()] = "",
) -> Response:
    """The history, or what of it matches the search and filters (a form's empty field is no
    filter)."""
    try:
        first, last = (date.fromisoformat(day) if day else None for day in (since, until))
    except ValueError:
        error = "A date is written as year-month-day, such as 2026-05-03; nothing was searched."
        return _history(request, viewer, session, rt, 0, error=error, status=422)
    wanted = HistoryFilter(
        words=q.strip(),
        since=first,
        until=last,
        device_id=device or None,
        reviewed={"yes": True, "no": False}.get(reviewed),
    )
    return _history(request, viewer, session, rt, page, wanted=wanted)


@router.get("/interactions/{interaction_id}/audio")
def audio(interaction_id: str, viewer: Viewer, session: Db, rt: Rt) -> Response:
    """Streamed to its owner for the page's player; the owner's listening is audited too."""
    row = _own(session, viewer, interaction_id)
    if row.audio_key is None:
        raise NotFound("this recording is not kept")
    wav = own_audio(session, rt.keyring, rt.blobs, row)
    append(
        session,
        Access(
            viewer.person_id,
            "owner",
            "listen",
            f"interaction:{row.id}",
            "you played your own recording",
            viewer.person_id,
        ),
    )
    session.commit()
    return Response(wav, media_type="audio/wav", headers={"Cache-Control": "no-store"})


@router.post("/interactions/{interaction_id}/delete")
def delete_one(interaction_id: str, viewer: Poster, session: Db, rt: Rt) -> Response:
    row = _own(session, viewer, interaction_id)
    return _deleted(session, rt, viewer, [row.id], "interaction")


@router.post("/interactions/{interaction_id}/not-for-me")
def not_for_me(interaction_id: str, viewer: Poster, session: Db, rt: Rt) -> Response:
    """A false wake: counted (an audit event), its wake-word score kept to tune the household's
    detector (no sound, no words), then deleted like any other interaction."""
    row = _own(session, viewer, interaction_id)
    why = "you said the device woke when no one spoke to it"
    if record_false_wake(session, row, "customer", datetime.now(UTC)):
        why += "; its wake-word score (a number) now tunes your household's wake word"
    append(
        session,
        Access(
            viewer.person_id,
            "owner",
            "false_wake",
            f"interaction:{row.id}",
            why,
            viewer.person_id,
        ),
    )
    return _deleted(session, rt, viewer, [row.id], "false wake")


@router.post("/delete-range")
def delete_range(
    request: Request,
    viewer: Poster,
    session: Db,
    rt: Rt,
    start: Annotated[date, Form()],
    end: Annotated[date, Form()],
) -> Response:
    """Both days included, in UTC, as the history shows times."""
    if end < start:
        error = "The end of the range is before its start; nothing was deleted."
        return _history(request, viewer, session, rt, 0, error=error, status=422)
    ids = session.scalars(
        select(Interaction.id).where(
            Interaction.owner_id == viewer.person_id,
            *history_conditions(HistoryFilter(since=start, until=end)),
        )
    ).all()
    if not ids:
        days = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
        notice = f"Nothing is kept from {days}; nothing was deleted."
        return _history(request, viewer, session, rt, 0, notice=notice)
    return _deleted(session, rt, viewer, ids, f"range {start}..{end}")


@router.post("/delete-all")
def delete_all(
    request: Request,
    viewer: Poster,
    session: Db,
    rt: Rt,
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    if not confirm:
        error = "Tick the box to confirm that everything should go; nothing was deleted."
        return _history(request, viewer, session, rt, 0, error=error, status=422)
    ids = session.scalars(
        select(Interaction.id).where(Interaction.owner_id == viewer.person_id)
    ).all()
    if not ids:
        notice = "Nothing is kept; nothing was deleted."
        return _history(request, viewer, session, rt, 0, notice=notice)
    return _deleted(session, rt, viewer, ids, "all")


@router.post("/delete-account")
def delete_account(
    request: Request,
    viewer: Poster,
    session: Db,
    rt: Rt,
    confirm: Annotated[bool, Form()] = False,
    login: Annotated[str, Form()] = "",
) -> Response:
    """The whole account, as `confide account erase` does it: key shredded first, then every
    row, recording, session, consent and device. Typing the login guards against a stray click.
    The receipt is shown here, since no session is left to show it later."""
    person = session.get_one(Person, viewer.person_id)
    if not confirm or login.strip() != person.login:
        error = "Tick the box and type your login to confirm; nothing was deleted."
        return _history(request, viewer, session, rt, 0, error=error, status=422)
    receipt = erase_account(session, rt.keyring, rt.blobs, viewer.person_id, actor=viewer.person_id)
    session.commit()
    response = render(request, "receipt.html", {"viewer": None, "receipt": receipt})
    response.delete_cookie(CUSTOMERS.cookie, path=CUSTOMERS.scope)
    return response


@router.get("/receipts")
def receipt_list(request: Request, viewer: Viewer, session: Db) -> Response:
    kept = receipts(session, viewer.person_id)
    return render(request, "receipts.html", _context(viewer, "receipts", receipts=kept))


@router.get("/receipts/{receipt_id}")
def receipt_page(request: Request, receipt_id: str, viewer: Viewer, session: Db) -> Response:
    found = [r for r in receipts(session, viewer.person_id) if r.id == receipt_id]
    if not found:
        raise HTTPException(404, "no such receipt")
    return render(request, "receipt.html", _context(viewer, "receipts", receipt=found[0]))


@router.get("/retention")
def retention_page(request: Request, viewer: Viewer, session: Db, saved: bool = False) -> Response:
    return _retention(request, viewer, session, saved=saved)


@router.post("/retention")
def choose_retention(
    request: Request,
    viewer: Poster,
    session: Db,
    period: Annotated[str, Form()],
    days: Annotated[str, Form()] = "",
) -> Response:
    """`period` is 'keep', 'custom' (with `days`), or the days of one of the presets."""
    try:
        set_retention(session, viewer.person_id, _period(period, days), actor=viewer.person_id)
    except InvalidInput:
        error = f"Choose a period, or a whole number of days from 1 to {MAX_DAYS}."
        return _retention(request, viewer, session, error=error, status=422)
    session.commit()
    return RedirectResponse("/privacy/retention?saved=true", 303)


@router.get("/consents")
def consent_page(
    request: Request, viewer: Viewer, session: Db, changed: str | None = None
) -> Response:
    choices = consents(session, viewer.person_id)
    context = _context(
        viewer,
        "consents",
        purposes=PURPOSES,
        choices=choices,
        changed=changed if changed in PURPOSES else None,
        kept_recordings=0 if choices["storage"] else _kept_recordings(session, viewer),
    )
    return render(request, "consents.html", context)


@router.post("/delete-recordings")
def delete_kept_recordings(
    request: Request,
    viewer: Poster,
    session: Db,
    rt: Rt,
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    """What keeping recordings off offers for those kept before: their audio goes, with a
    receipt; the transcripts stay in the history until deleted there."""
    if not confirm:
        return RedirectResponse("/privacy/consents", 303)
    receipt = delete_recordings(
        session, rt.keyring, rt.blobs, viewer.person_id, actor=viewer.person_id
    )
    session.commit()
    return RedirectResponse(f"/privacy/receipts/{receipt.id}", 303)


@router.post("/consents")
def change_consent(
    viewer: Poster,
    session: Db,
    purpose: Annotated[str, Form()],
    granted: Annotated[bool, Form()],
) -> Response:
    """Committed before the redirect: in effect everywhere by the time the page shows it. An
    unknown purpose is refused by `set_consent` (InvalidInput, 422)."""
    set_consent(session, viewer.person_id, purpose, granted, actor=viewer.person_id)
    session.commit()
    return RedirectResponse(f"/privacy/consents?changed={purpose}", 303)


@router.get("/access")
def access_log(request: Request, viewer: Viewer, session: Db, rt: Rt) -> Response:
    listed = list(events(session, owner_id=viewer.person_id))[::-1]
    said = in_words(session, rt.keyring, viewer.person_id, listed)
    by_kind = Counter(event.kind for event in said)
    kinds = sorted(by_kind, key=lambda kind: -by_kind[kind])
    chart = counted(
        "who",
        "Who accessed your data",
        "Who",
        kinds,
        [Series("Accesses", "#1f5fbf", [float(by_kind[kind]) for kind in kinds])],
    )
    return render(request, "access.html", _context(viewer, "access", events=said, chart=chart))


@router.get("/export")
def export_page(request: Request, viewer: Viewer) -> Response:
    return render(request, "export.html", _context(viewer, "export"))


@router.get("/export.zip")
def export_download(viewer: Viewer, session: Db, rt: Rt) -> Response:
    """The person's own data, so a download is right here (reviewers only ever stream)."""
    data = export_zip(session, rt.keyring, rt.blobs, viewer.person_id)
    append(
        session,
        Access(
            viewer.person_id,
            "owner",
            "export",
            "export",
            "you downloaded your data",
            viewer.person_id,
        ),
    )
    session.commit()
    name = f"confide-export-{datetime.now(UTC):%Y-%m-%d}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/devices")
def devices_page(request: Request, viewer: Viewer, session: Db) -> Response:
    return _devices(request, viewer, session)


@router.post("/devices")
def pair_device(
    request: Request,
    viewer: Poster,
    session: Db,
    name: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    """Shown once, on this response: the code is stored only as a hash."""
    _, code = start_pairing(session, viewer.household_id, viewer.person_id, name.strip())
    session.commit()
    return _devices(request, viewer, session, code=code)


@router.post("/devices/{device_id}/remove")
def remove_device(device_id: str, viewer: Poster, session: Db) -> Response:
    """The device's token stops working; it must be paired again to be used. Only the person it
    was paired to may remove it; any other id is not found."""
    device = session.get(Device, device_id)
    if device is None or device.person_id != viewer.person_id:
        raise NotFound("no such device")
    revoke_device(session, device.id, actor=viewer.person_id, role="owner")
    session.commit()
    return RedirectResponse("/privacy/devices", 303)


def _context(viewer: Customer, active: str, **values: Any) -> dict[str, Any]:
    return {"viewer": viewer, "active": active, **values}


def _period(period: str, days: str) -> int | None:
    """The days a retention choice keeps (None: until deleted), or InvalidInput."""
    if period == "keep":
        return None
    if period == "custom" and days.strip().isdecimal():
        return int(days)
    if period.isdecimal() and int(period) in PRESETS:
        return int(period)
    raise InvalidInput(f"unknown period {period!r} of {days!r} days")


def _own(session: Session, viewer: Customer, interaction_id: str) -> Interaction:
    """The interaction if it is the viewer's; anyone else's looks exactly like a missing one."""
    row = session.get(Interaction, interaction_id)
    if row is None or row.owner_id != viewer.person_id:
        raise HTTPException(404, "no such interaction")
    return row


def _kept_recordings(session: Session, viewer: Customer) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Interaction.owner_id == viewer.person_id, Interaction.audio_key.is_not(None)
            )
        )
        or 0
    )


def _deleted(
    session: Session, rt: Runtime, viewer: Customer, ids: Sequence[str], scope: str
) -> Response:
    receipt: Receipt = delete_interactions(
        session,
        rt.keyring,
        rt.blobs,
        viewer.person_id,
        list(ids),
        scope=scope,
        actor=viewer.person_id,
    )
    session.commit()
    return RedirectResponse(f"/privacy/receipts/{receipt.id}", 303)


def _history(
    request: Request,
    viewer: Customer,
    session: Session,
    rt: Runtime,
    page: int,
    *,
    wanted: HistoryFilter = EVERYTHING,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    """The history page; `notice` says what a request did without a receipt to show for it."""
    found = search_history(
        session, rt.keyring, viewer.person_id, wanted, limit=PAGE_SIZE, offset=page * PAGE_SIZE
    )
    shown = {
        "q": wanted.words,
        "since": wanted.since.isoformat() if wanted.since else "",
        "until": wanted.until.isoformat() if wanted.until else "",
        "device": wanted.device_id or "",
        "reviewed": "" if wanted.reviewed is None else ("yes" if wanted.reviewed else "no"),
    }
    weeks = activity(session, viewer.person_id, datetime.now(UTC).date(), ACTIVITY_WEEKS)
    chart = counted(
        "activity",
        f"Your activity, last {ACTIVITY_WEEKS} weeks",
        "Week from",
        [f"{week.starts.day} {week.starts:%b}" for week in weeks],
        [
            Series("Interactions", "#1f5fbf", [float(week.interactions) for week in weeks]),
            Series("Heard by a reviewer", "#8a5a00", [float(week.reviewed) for week in weeks]),
        ],
    )
    context = _context(
        viewer,
        "history",
        chart=chart,
        found=found,
        items=found.items,
        page=page,
        more=found.more,
        wanted=wanted,
        shown=shown,
        query=urlencode({key: value for key, value in shown.items() if value}),
        devices=own_devices(session, viewer.person_id),
        scan_limit=SCAN_LIMIT,
        error=error,
        notice=notice,
    )
    return render(request, "history.html", context, status)


def _retention(
    request: Request,
    viewer: Customer,
    session: Session,
    *,
    saved: bool = False,
    error: str | None = None,
    status: int = 200,
) -> Response:
    current = session.get_one(Person, viewer.person_id).retention_days
    context = _context(
        viewer,
        "retention",
        current=current,
        presets=PRESETS,
        described=describe(current),
        saved=saved,
        error=error,
    )
    return render(request, "retention.html", context, status)


def _devices(
    request: Request, viewer: Customer, session: Session, *, code: str | None = None
) -> Response:
    owned = session.scalars(
        select(Device).where(Device.person_id == viewer.person_id).order_by(Device.name)
    ).all()
    context = _context(viewer, "devices", devices=owned, code=code, minutes=PAIRING_CODE_MINUTES)
    return render(request, "devices.html", context)

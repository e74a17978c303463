"""Signing staff in to the workbench, and which role may use which route.

Staff sign in apart from customers (their own sessions, their own cookie scoped to /review),
always with password and TOTP. Each route names the roles it serves in `ACCESS`; the
dependency `require(route)` lets a signed-in member through only with one of them, and answers
everyone else 403. The table is the authorisation matrix the tests walk.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from confide.errors import AccessDenied
from confide.ingest import token_hash
from confide.review.staff import roles_of, staff_log_in
from confide.service.device_api import db, runtime
from confide.service.runtime import Runtime
from confide.service.web_auth import login_form, login_form_fresh, secure_cookies
from confide.store.tables import StaffMember, StaffSession

COOKIE = "confide_staff"
SESSION_HOURS = 9
"""A shift and a little more: then sign in again."""
HOME = "/review/"

ACCESS: dict[str, frozenset[str]] = {
    "home": frozenset({"reviewer", "lead", "safety", "privacy_officer", "admin"}),
    "review": frozenset({"reviewer", "lead"}),
    "quality": frozenset({"lead"}),
    "safety": frozenset({"safety"}),
    "break_glass_view": frozenset({"lead", "safety", "privacy_officer"}),
    "break_glass_request": frozenset({"lead", "safety"}),
    "break_glass_decide": frozenset({"privacy_officer"}),
    "staff": frozenset({"admin"}),
}
"""Route group → the roles that may use it; everyone else gets 403."""

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Staff:
    """The staff member a request comes from, as their session cookie proves."""

    member: StaffMember
    """Their account row."""
    roles: frozenset[str]
    """Their roles."""
    csrf_token: str
    """What every POST form of this session must send back."""

    @property
    def pseudonym(self) -> str:
        return self.member.pseudonym

    def may(self, group: str) -> bool:
        """Whether their roles admit them to the routes of `group` (pages show only those)."""
        return bool(self.roles & ACCESS[group])


def signed_in_staff(request: Request, session: Annotated[Session, Depends(db)]) -> Staff:
    staff = _staff(request, session)
    if staff is None:
        raise HTTPException(303, "sign in first", headers={"Location": "/review/login"})
    return staff


def require(group: str, *, post: bool = False) -> Callable[..., Staff]:
    """A dependency admitting only the roles of `group`, with the CSRF token on a POST."""
    if group not in ACCESS:  # fail at import, not on the first request
        raise KeyError(f"no access group {group!r}")

    def allowed_staff(staff: Annotated[Staff, Depends(signed_in_staff)]) -> Staff:
        if not staff.may(group):
            raise HTTPException(403, "your role does not allow this")
        return staff

    if not post:
        return allowed_staff

    # Depends as a default, not in the annotation: annotations are strings here
    # (`from __future__ import annotations`) and could not name this closure's `allowed_staff`.
    def with_csrf(staff: Staff = Depends(allowed_staff), csrf: str = Form("")) -> Staff:
        if not secrets.compare_digest(csrf.encode(), staff.csrf_token.encode()):
            raise HTTPException(403, "this form is stale or forged: reload the page and try again")
        return staff

    return with_csrf


@router.get("/review/login")
def login_page(request: Request, rt: Annotated[Runtime, Depends(runtime)]) -> Response:
    return _login_form(request, rt)


@router.post("/review/login")
def log_in(
    request: Request,
    session: Annotated[Session, Depends(db)],
    rt: Annotated[Runtime, Depends(runtime)],
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not login_form_fresh(request, csrf):
        return _login_form(request, rt, error="The form expired. Please try again.", status=403)
    try:
        member = staff_log_in(session, rt.keyring, login.strip(), password, code.strip())
    except AccessDenied:
        error = "That login, password or code is not right; try again."
        return _login_form(request, rt, login=login, error=error, status=401)
    now = datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    session.add(
        StaffSession(
            id_hash=token_hash(token), staff_id=member.id, csrf_token=secrets.token_urlsafe(32),
            created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )  # fmt: skip
    session.commit()
    response = RedirectResponse(HOME, 303)
    response.set_cookie(
        COOKIE, token, max_age=SESSION_HOURS * 3600, path="/review", httponly=True,
        samesite="strict", secure=secure_cookies(rt),
    )  # fmt: skip
    return response


@router.post("/review/logout")
def log_out(
    request: Request,
    session: Annotated[Session, Depends(db)],
    rt: Annotated[Runtime, Depends(runtime)],
    _staff: Annotated[Staff, Depends(require("home", post=True))],
) -> Response:
    token = request.cookies.get(COOKIE, "")
    session.execute(delete(StaffSession).where(StaffSession.id_hash == token_hash(token)))
    session.commit()
    response = RedirectResponse("/review/login", 303)
    response.delete_cookie(
        COOKIE, path="/review", httponly=True, samesite="strict", secure=secure_cookies(rt)
    )
    return response


def _staff(request: Request, session: Session) -> Staff | None:
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    found = session.scalar(
        select(StaffSession).where(
            StaffSession.id_hash == token_hash(token), StaffSession.expires_at > datetime.now(UTC)
        )
    )
    member = session.get(StaffMember, found.staff_id) if found else None
    if found is None or member is None or not member.active:
        return None
    return Staff(member, roles_of(member), found.csrf_token)


def _login_form(
    request: Request, rt: Runtime, *, login: str = "", error: str | None = None, status: int = 200
) -> Response:
    context = {"login": login, "error": error, "staff": None}
    return login_form(request, rt, "review/login.html", "/review/login", context, status)

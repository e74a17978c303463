"""Signing in to the web pages: login, password and TOTP code, then a server-side session.

The cookie carries only a random session id (HttpOnly, SameSite=Strict, Secure outside dev
mode); the database keeps its hash, the person, an expiry and the session's CSRF token, which
every POST form must send back. Before a session exists, the login form is protected by a
double-submit token in a short-lived cookie instead. Pages render through `render`, which marks
them private, uncacheable and unframeable.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from confide.errors import AccessDenied
from confide.ingest import token_hash
from confide.service.accounts import log_in, person_name
from confide.service.device_api import db, runtime
from confide.service.runtime import Runtime
from confide.store.tables import Person, WebSession

SESSION_HOURS = 12
"""A session ends this long after sign-in, however active: a shared computer forgets you."""
COOKIE = "confide_session"
LOGIN_COOKIE = "confide_login"
"""Holds a sign-in form's double-submit token; it lives on that form's path only."""
LOGIN_FORM_SECONDS = 3600
HOME = "/privacy/"
"""Where signing in leads."""
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
"""Every page shows personal data: never cached, framed, or given inline script."""

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class SignedIn:
    """The person a request comes from, as their session cookie proves."""

    person_id: str
    """Their id."""
    household_id: str
    """Their household (devices are paired into it)."""
    name: str
    """Their name, unsealed for the page header."""
    csrf_token: str
    """What every POST form of this session must send back."""


def when(moment: datetime | str) -> str:
    """A time as pages show it: '3 Mar 2026, 14:05 UTC'."""
    parsed = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return f"{parsed.day} {parsed:%b %Y, %H:%M} UTC"


TEMPLATES.env.filters["when"] = when


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return TEMPLATES.TemplateResponse(
        request, template, context, status_code=status, headers=PAGE_HEADERS
    )


def open_session(session: Session, person_id: str, now: datetime) -> tuple[str, str]:
    """A new session for `person_id`: the cookie value and the CSRF token. Caller commits."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(
        WebSession(
            id_hash=token_hash(token),
            person_id=person_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    session.flush()
    return token, csrf


def find_session(session: Session, token: str, now: datetime) -> WebSession | None:
    return session.scalar(
        select(WebSession).where(
            WebSession.id_hash == token_hash(token), WebSession.expires_at > now
        )
    )


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == token_hash(token)))
    session.flush()


def signed_in(
    request: Request,
    session: Annotated[Session, Depends(db)],
    rt: Annotated[Runtime, Depends(runtime)],
) -> SignedIn:
    """The signed-in person, or a redirect to the login page."""
    viewer = _viewer(request, session, rt)
    if viewer is None:
        raise HTTPException(303, "sign in first", headers={"Location": "/login"})
    return viewer


def csrf_checked(
    viewer: Annotated[SignedIn, Depends(signed_in)], csrf: Annotated[str, Form()] = ""
) -> SignedIn:
    """The signed-in person, when the form carries their session's CSRF token."""
    if not secrets.compare_digest(csrf.encode(), viewer.csrf_token.encode()):
        raise HTTPException(403, "this form is stale or forged: reload the page and try again")
    return viewer


@router.get("/login")
def sign_in_page(
    request: Request,
    session: Annotated[Session, Depends(db)],
    rt: Annotated[Runtime, Depends(runtime)],
    signed_out: bool = False,
) -> Response:
    if _viewer(request, session, rt) is not None:
        return RedirectResponse(HOME, 303)
    notice = "You are signed out." if signed_out else None
    return _login_form(request, rt, notice=notice)


@router.post("/login")
def sign_in(
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
        person = log_in(session, rt.keyring, login.strip(), password, code.strip())
    except AccessDenied:
        error = "That login, password or code is not right. Nothing was changed; try again."
        return _login_form(request, rt, login=login, error=error, status=401)
    token, _ = open_session(session, person.id, datetime.now(UTC))
    session.commit()
    response = RedirectResponse(HOME, 303)
    response.set_cookie(
        COOKIE, token, max_age=SESSION_HOURS * 3600, path="/", httponly=True, samesite="strict",
        secure=secure_cookies(rt),
    )  # fmt: skip
    response.delete_cookie(
        LOGIN_COOKIE, path="/login", httponly=True, samesite="strict", secure=secure_cookies(rt)
    )
    return response


@router.post("/logout")
def sign_out(
    request: Request,
    session: Annotated[Session, Depends(db)],
    rt: Annotated[Runtime, Depends(runtime)],
    _viewer: Annotated[SignedIn, Depends(csrf_checked)],
) -> Response:
    close_session(session, request.cookies.get(COOKIE, ""))
    session.commit()
    response = RedirectResponse("/login?signed_out=true", 303)
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=secure_cookies(rt)
    )
    return response


def _viewer(request: Request, session: Session, rt: Runtime) -> SignedIn | None:
    """Who the session cookie names, if the session is live and the person not erased."""
    token = request.cookies.get(COOKIE, "")
    found = find_session(session, token, datetime.now(UTC)) if token else None
    person = session.get(Person, found.person_id) if found else None
    if found is None or person is None or person.erased_at is not None:
        return None
    name = person_name(session, rt.keyring, person)
    return SignedIn(person.id, person.household_id, name, found.csrf_token)


def _login_form(
    request: Request,
    rt: Runtime,
    *,
    login: str = "",
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {"login": login, "notice": notice, "error": error}
    return login_form(request, rt, "login.html", "/login", context, status)


def login_form(
    request: Request, rt: Runtime, template: str, path: str, context: dict[str, Any],
    status: int = 200,
) -> Response:  # fmt: skip
    """A sign-in form at `path` with a fresh double-submit token, which a cookie repeats."""
    csrf = secrets.token_urlsafe(32)
    response = render(request, template, {**context, "csrf": csrf}, status)
    response.set_cookie(
        LOGIN_COOKIE, csrf, max_age=LOGIN_FORM_SECONDS, path=path, httponly=True,
        samesite="strict", secure=secure_cookies(rt),
    )  # fmt: skip
    return response


def login_form_fresh(request: Request, csrf: str) -> bool:
    """Whether a posted sign-in form sends back the token its cookie holds."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    return bool(expected) and secrets.compare_digest(csrf.encode(), expected.encode())


def secure_cookies(rt: Runtime) -> bool:
    """Cookies travel over HTTPS only, except in dev mode (the demo on plain-HTTP localhost)."""
    return not rt.settings.dev_mode

"""The one sign-in: a factory of login and logout routes for a door, and the cookie rule.

Sign-in is always a login, a password and a TOTP code. The session cookie carries only a random
session id (HttpOnly, SameSite=Strict, Secure outside dev mode); `confide.service.sessions`
keeps its hash, the principal, an expiry and the session's CSRF token. Before a session exists,
the login form is guarded by a double-submit token in a short-lived cookie on the form's path.
Repeated failures for one login or from one address are throttled (`confide.service.throttle`).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from confide.errors import AccessDenied, TooManyAttempts
from confide.service.accounts import log_in
from confide.service.deps import Db, Door, P, Rt, csrf_checked, same_token, signed_in_at
from confide.service.pages import render
from confide.service.refusals import headers
from confide.service.runtime import Runtime
from confide.service.sessions import close_session, open_session
from confide.service.throttle import guarded

LOGIN_COOKIE = "confide_login"
"""Holds a sign-in form's double-submit token; it lives on that form's path only."""
LOGIN_FORM_SECONDS = 3600
REFUSED = "That login, password or code is not right. Nothing was changed; try again."
"""Never says which of the three was wrong."""
THROTTLED = "Too many attempts that were not right. Wait {wait} and try again."
"""The same whether or not the login exists."""


def login_routes(door: Door[P], *, home: str, layout: str) -> APIRouter:
    """GET and POST `door.login`, POST `door.logout`: signing in leads to `home`. The form is
    drawn in `layout`, the side's base template, which also sets its heading and introduction."""
    router = APIRouter(include_in_schema=False)
    leaving = csrf_checked(signed_in_at(door))

    @router.get(door.login)
    def sign_in_form(request: Request, session: Db, rt: Rt, signed_out: bool = False) -> Response:
        if door.whoever(request, session, rt) is not None:
            return RedirectResponse(home, 303)
        notice = "You are signed out." if signed_out else None
        return _form(request, rt, door, layout, notice=notice)

    @router.post(door.login)
    def sign_in(
        request: Request,
        session: Db,
        rt: Rt,
        login: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        code: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        if not same_token(csrf, request.cookies.get(LOGIN_COOKIE, "")):
            error = "The form expired. Please try again."
            return _form(request, rt, door, layout, error=error, status=403)
        address = request.client.host if request.client else ""
        try:
            with guarded(session, rt.keyring, address, (door.kind, login.strip())):
                account = log_in(
                    session, rt.keyring, door.kind, login.strip(), password, code.strip()
                )
        except AccessDenied:
            return _form(request, rt, door, layout, login=login, error=REFUSED, status=401)
        except TooManyAttempts as refused:
            error = THROTTLED.format(wait=_wait(refused.retry_after))
            response = _form(request, rt, door, layout, login=login, error=error, status=429)
            response.headers.update(headers(refused, 429))
            return response
        token = open_session(session, door.kind, account, door.hours, datetime.now(UTC))
        session.commit()
        response = RedirectResponse(home, 303)
        _cookie(response, rt, door.cookie, token, path=door.scope, seconds=door.hours * 3600)
        _cookie(response, rt, LOGIN_COOKIE, "", path=door.login, seconds=0)
        return response

    @router.post(door.logout)
    def sign_out(
        request: Request, session: Db, rt: Rt, _principal: Any = Depends(leaving)
    ) -> Response:
        close_session(session, request.cookies.get(door.cookie, ""))
        session.commit()
        response = RedirectResponse(f"{door.login}?signed_out=true", 303)
        _cookie(response, rt, door.cookie, "", path=door.scope, seconds=0)
        return response

    return router


def _wait(seconds: int) -> str:
    """A delay as a person reads it: seconds up to two minutes, whole minutes after."""
    return f"{seconds} seconds" if seconds < 120 else f"{-(-seconds // 60)} minutes"


def _cookie(
    response: Response, rt: Runtime, name: str, value: str, *, path: str, seconds: int
) -> None:
    """The one cookie rule: HttpOnly, SameSite=Strict, and HTTPS-only outside dev mode (the
    demo runs on plain-HTTP localhost). No value and no seconds forget the cookie."""
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path=path,
        httponly=True,
        samesite="strict",
        secure=not rt.settings.dev_mode,
    )


def _form(
    request: Request,
    rt: Runtime,
    door: Door[Any],
    layout: str,
    *,
    login: str = "",
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The sign-in form with a fresh double-submit token, which a cookie on its path repeats."""
    csrf = secrets.token_urlsafe(32)
    context = {"layout": layout, "action": door.login, "login": login, "csrf": csrf}
    response = render(request, "login.html", {**context, "notice": notice, "error": error}, status)
    _cookie(response, rt, LOGIN_COOKIE, csrf, path=door.login, seconds=LOGIN_FORM_SECONDS)
    return response

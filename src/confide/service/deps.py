"""Every route dependency: the runtime and a database session, the device behind a bearer token
and its share of the server, and who is signed in (a customer or a staff member, with their
roles), their forms' CSRF check.

No session outlives the route that uses it, and none is held while a request waits: the session
closes as the route returns (before the answer is sent), and a device's routes, which wait for
bytes or for an answer, take a short session for each piece of database work instead.

Customers and staff sign in the same way; each kind comes through its own `Door`: a session
cookie of its own, scoped to its part of the site, and sessions looked up by kind, so neither
side's session ever opens the other's pages. Every POST form carries its session's CSRF token.
Domain refusals raised below a route reach HTTP through `confide.service.refusals`; this module
and the routes answer the rest.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Generic, Protocol, TypeVar

from fastapi import Depends, Form, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from confide.ingest import authenticate_device
from confide.service import principals
from confide.service.limits import Kind
from confide.service.principals import ACCESS, Customer, Staff
from confide.service.runtime import Runtime
from confide.service.sessions import find_session
from confide.store.tables import Device, PrincipalKind, SignInSession


def runtime(request: Request) -> Runtime:
    value: Runtime = request.app.state.runtime
    return value


def db(rt: Annotated[Runtime, Depends(runtime)]) -> Iterator[Session]:
    with rt.sessions() as session:
        yield session


Rt = Annotated[Runtime, Depends(runtime)]
SESSION = Depends(db, scope="function")
"""The route's session, closed as the route returns: none lives on while its answer is sent,
however slowly the client reads."""
Db = Annotated[Session, SESSION]
DEVICE_TOKEN = HTTPBearer(
    scheme_name="DeviceToken", description="The token a device got when paired", auto_error=False
)
"""Read through FastAPI's bearer scheme, not as a plain header, so that /openapi.json names how
the device API authenticates. A missing or non-Bearer credential reads as none (a 401 below)."""
Authorization = Annotated[HTTPAuthorizationCredentials | None, Depends(DEVICE_TOKEN)]


def bearer(authorization: HTTPAuthorizationCredentials | None) -> str:
    return authorization.credentials if authorization else ""


def device(rt: Rt, authorization: Authorization = None) -> Device:
    """The paired device its bearer token names (AccessDenied, as 401, for any other token),
    found in a session closed at once, so the device's request holds no connection after."""
    with rt.sessions() as session:
        return authenticate_device(session, bearer(authorization))


def device_share(kind: Kind) -> Callable[..., AsyncIterator[None]]:
    """A dependency: one of its device's slots of `kind` for the whole request, its answer
    included, or 429 with Retry-After when the device has them all. The slot is keyed by the
    token as sent, so a device over its share costs no database work."""

    async def share(rt: Rt, authorization: Authorization = None) -> AsyncIterator[None]:
        with rt.in_flight.slot(kind, bearer(authorization)) as admitted:
            if not admitted:
                raise HTTPException(
                    429,
                    f"this device has {rt.device_limits.most(kind)} of these in flight already",
                    # Closed too, so an upload's unread body ties up no connection.
                    headers={
                        "Retry-After": str(rt.device_limits.retry_after),
                        "Connection": "close",
                    },
                )
            yield

    return share


class Principal(Protocol):
    """Whoever a session names: all the shared sign-in needs of them."""

    @property
    def csrf_token(self) -> str:
        """What every POST form of their session must send back."""
        ...


P = TypeVar("P", bound=Principal)


@dataclass(frozen=True)
class Door(Generic[P]):
    """How one kind of principal signs in and is recognised on every request after."""

    kind: PrincipalKind
    """The kind their sessions carry."""
    cookie: str
    """The session cookie's name."""
    scope: str
    """The part of the site the cookie is sent to; the login and logout routes sit under it."""
    hours: int
    """A session ends this long after sign-in, however active."""
    principal: Callable[[Session, Runtime, SignInSession], P | None]
    """Who a live session names, if they may still sign in."""

    @property
    def login(self) -> str:
        return f"{self.scope.rstrip('/')}/login"

    @property
    def logout(self) -> str:
        return f"{self.scope.rstrip('/')}/logout"

    def whoever(self, request: Request, session: Session, rt: Runtime) -> P | None:
        """Who this door's session cookie names, if the session is live."""
        token = request.cookies.get(self.cookie, "")
        found = find_session(session, self.kind, token, datetime.now(UTC)) if token else None
        return self.principal(session, rt, found) if found else None


CUSTOMERS: Door[Customer] = Door("person", "confide_session", "/", 12, principals.customer)
"""A shared computer forgets a customer after 12 hours."""
STAFF: Door[Staff] = Door("staff", "confide_staff", "/review", 9, principals.staff)
"""A shift and a little more: then sign in again."""


def signed_in_at(door: Door[P]) -> Callable[..., P]:
    """A dependency: whoever the door's cookie names, or a redirect to its login page."""

    # Depends as defaults, not in annotations: annotations are strings here
    # (`from __future__ import annotations`) and could not name this closure's type variable.
    def signed_in(
        request: Request, session: Session = SESSION, rt: Runtime = Depends(runtime)
    ) -> P:
        principal = door.whoever(request, session, rt)
        if principal is None:
            raise HTTPException(303, "sign in first", headers={"Location": door.login})
        request.state.principal = principal  # a refusal to someone signed in is a 403
        return principal

    return signed_in


def same_token(sent: str, expected: str) -> bool:
    """The one CSRF comparison: a form's token against its session's or its cookie's."""
    return bool(expected) and secrets.compare_digest(sent.encode(), expected.encode())


def csrf_checked(signed_in: Callable[..., P]) -> Callable[..., P]:
    """A dependency: the signed-in principal, when the form carries their session's CSRF token."""

    def checked(principal: P = Depends(signed_in), csrf: str = Form("")) -> P:
        if not same_token(csrf, principal.csrf_token):
            raise HTTPException(403, "this form is stale or forged: reload the page and try again")
        return principal

    return checked


signed_in = signed_in_at(CUSTOMERS)
signed_in_staff = signed_in_at(STAFF)


def require(group: str, *, post: bool = False) -> Callable[..., Staff]:
    """A dependency admitting only the roles of `group`, with the CSRF token on a POST."""
    if group not in ACCESS:  # fail at import, not on the first request
        raise KeyError(f"no access group {group!r}")

    def allowed(staff: Staff = Depends(signed_in_staff)) -> Staff:
        if not staff.may(group):
            raise HTTPException(403, "your role does not allow this")
        return staff

    return csrf_checked(allowed) if post else allowed


Viewer = Annotated[Customer, Depends(signed_in)]
"""The signed-in customer."""
Poster = Annotated[Customer, Depends(csrf_checked(signed_in))]
"""The signed-in customer, posting a form of their session."""


REVIEW_TOKEN = HTTPBearer(
    scheme_name="ReviewToken",
    description="A staff member's token from POST /api/review/session",
    auto_error=False,
)
"""The review API's credential: a staff session's id, sent as a bearer token instead of the
workbench's cookie (so no CSRF token either: a browser never sends it on its own)."""
ReviewAuthorization = Annotated[HTTPAuthorizationCredentials | None, Depends(REVIEW_TOKEN)]


def staff_bearer(group: str) -> Callable[..., Staff]:
    """A dependency: the staff member whose live session the bearer token names, admitted only
    with the roles of `group`; 401 with the Bearer challenge for any other token, 403 for a
    role outside the group. The same sessions, roles and groups as the workbench's."""
    if group not in ACCESS:  # fail at import, not on the first request
        raise KeyError(f"no access group {group!r}")

    def allowed(
        request: Request,
        authorization: ReviewAuthorization = None,
        session: Session = SESSION,
        rt: Runtime = Depends(runtime),
    ) -> Staff:
        token = bearer(authorization)
        found = find_session(session, "staff", token, datetime.now(UTC)) if token else None
        staff = principals.staff(session, rt, found) if found else None
        if staff is None:
            raise HTTPException(
                401,
                "no live staff token: get one from POST /api/review/session",
                headers={"WWW-Authenticate": "Bearer"},
            )
        request.state.principal = staff  # a refusal to someone signed in is a 403
        if not staff.may(group):
            raise HTTPException(403, "your role does not allow this")
        return staff

    return allowed

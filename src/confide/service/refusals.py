"""Domain refusals as HTTP answers, in one place: `create_app` registers `answer` for each
error of `STATUS`, and the routes let these errors rise instead of translating them.

A handler matches an error by its class and every base, so the leaves under InvalidInput and
Conflict answer as their base does. Errors not listed (a destroyed key, tampered data, a broken
audit chain, bad configuration) are faults of the server, not of the request: they stay 500.

Every refusal's body is a `Refusal`, except FastAPI's own 422 for a request that does not fit
its declared parameters, an `HTTPValidationError`; a person's browser asking for a page of the
privacy centre or the workbench gets the same words as a page instead. `documented` writes both
into the OpenAPI schema for each status a route lists, so what /openapi.json promises is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from confide.errors import (
    AccessDenied,
    AudioTooLong,
    BadAudio,
    ConfideError,
    Conflict,
    InvalidInput,
    NotFound,
    StorageFull,
    StorageUnavailable,
    TooManyAttempts,
)
from confide.service.pages import render

log = logging.getLogger(__name__)

STATUS: dict[type[ConfideError], int] = {
    InvalidInput: 422,
    BadAudio: 422,
    AudioTooLong: 413,
    Conflict: 409,
    NotFound: 404,
    AccessDenied: 401,
    TooManyAttempts: 429,
    StorageUnavailable: 503,
    StorageFull: 507,
}
"""Each refusal's status; AccessDenied to someone already signed in is 403 (see `answer`)."""


class Refusal(BaseModel):
    """The body of every refusal, a domain error's or an HTTPException's."""

    detail: str
    """What was wrong, in words a person can act on."""


class ValidationError(BaseModel):
    """One parameter that did not fit its declaration, as FastAPI reports it."""

    loc: list[str | int]
    """Where: the parameter's place ("header", "query", "body"...) and name."""
    msg: str
    type: str


class HTTPValidationError(BaseModel):
    """FastAPI's own 422 body; the name is FastAPI's, so the schema's component keeps it."""

    detail: list[ValidationError]


MEANING = {
    400: "The body could not be read: cut off, or not in its declared encoding",
    401: "No valid credential: the device token is unknown or revoked, or the code is wrong",
    403: "Signed in, but their role does not allow this",
    404: "No such thing, or not yours",
    408: "The upload stalled or took too long",
    409: "Conflicts with what is already there",
    413: "Too large or too long",
    422: "The request does not fit its declaration, or its content is refused",
    429: "Too many attempts or requests: try again after Retry-After seconds",
    503: "The server cannot keep this now (its storage is unreachable): nothing was kept; "
    "send it again, with the same Idempotency-Key, after Retry-After seconds",
    507: "The server has no room to keep this now: nothing was kept; send it again, with the "
    "same Idempotency-Key, after Retry-After seconds",
}
"""What each refusal status means, as the schema describes it."""
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The Bearer challenge",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: RETRY_AFTER,
    503: RETRY_AFTER,
    507: RETRY_AFTER,
}
"""The headers each refusal status always carries (see `headers`)."""


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that may refuse with `statuses`: a `Refusal` body each, and
    for 422 either body, since FastAPI validates parameters before the route runs."""
    return {
        status: {
            "model": HTTPValidationError | Refusal if status == 422 else Refusal,
            "description": MEANING[status],
            **({"headers": HEADERS[status]} if status in HEADERS else {}),
        }
        for status in statuses
    }


async def answer(request: Request, error: Exception) -> Response:
    """`{"detail": message}` as HTTPException answers. A credential refused to a request with
    none that holds is 401, with the Bearer challenge of the device API; refused to a signed-in
    customer or staff member, it is 403: they are known, and not allowed."""
    status = next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)
    if isinstance(error, AccessDenied) and getattr(request.state, "principal", None) is not None:
        status = 403
    if wants_page(request):
        return error_page(request, status, str(error), headers(error, status))
    return JSONResponse({"detail": str(error)}, status, headers=headers(error, status))


async def http_refusal(request: Request, error: Exception) -> Response:
    """An HTTPException (a sign-in redirect included) as FastAPI answers it; a refusal to a
    person's browser as a page."""
    if not isinstance(error, HTTPException):
        raise error
    if error.status_code >= 400 and wants_page(request):
        return error_page(request, error.status_code, str(error.detail), error.headers or {})
    return await http_exception_handler(request, error)


async def invalid_parameters(request: Request, error: Exception) -> Response:
    """FastAPI's 422 for parameters that do not fit their declaration; a page for a browser."""
    if not isinstance(error, RequestValidationError):
        raise error
    if wants_page(request):
        names = sorted({str(problem["loc"][-1]) for problem in error.errors()})
        detail = f"The address or the form holds a value that does not fit: {', '.join(names)}."
        return error_page(request, 422, detail, {})
    return await request_validation_exception_handler(request, error)


PAGE_HEADINGS = {
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not possible here",
    408: "Too slow",
    409: "Already done",
    413: "Too large",
    429: "Too many attempts",
    503: "Not available for a moment",
    507: "No room for this now",
}
"""A refusal page's heading, per status; any other is "That could not be done"."""


def wants_page(request: Request) -> bool:
    """A person's browser asking for a page: HTML accepted, and not the device or review API
    (whose clients read the JSON `Refusal`)."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/api/") and "text/html" in accept


def error_page(request: Request, status: int, detail: str, extra: Mapping[str, str]) -> Response:
    """The refusal as a page in the site's own look, with a way back to its start page."""
    home = "/review/" if request.url.path.startswith("/review") else "/privacy/"
    heading = PAGE_HEADINGS.get(status, "That could not be done")
    context = {"heading": heading, "detail": detail[:1].upper() + detail[1:], "home": home}
    response = render(request, "error.html", context, status)
    response.headers.update(extra)
    return response


DATABASE_RETRY_SECONDS = 2
"""How long a client waits before sending again while the database cannot be reached."""


async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """The database cannot be reached for a moment (restarted, failing over, a connection
    lost): nothing of the request was kept, and the same request sent again may succeed, so
    this is a 503 with Retry-After, not a server fault. The cause goes to the log only."""
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, error)
    return JSONResponse(
        {"detail": "the service's database is unavailable for a moment: send again later"},
        503,
        headers={"Retry-After": str(DATABASE_RETRY_SECONDS)},
    )


def headers(error: Exception, status: int) -> dict[str, str]:
    """The headers of a refusal's answer, JSON or a re-rendered form: the Bearer challenge with
    a 401, and when to try again after too many attempts or with storage unavailable."""
    if isinstance(error, TooManyAttempts | StorageUnavailable):
        return {"Retry-After": str(error.retry_after)}
    return {"WWW-Authenticate": "Bearer"} if status == 401 else {}

"""Domain refusals as HTTP answers, in one place: `create_app` registers `answer` for each
error of `STATUS`, and the routes let these errors rise instead of translating them.

A handler matches an error by its class and every base, so the leaves under InvalidInput and
Conflict answer as their base does. Errors not listed (a destroyed key, tampered data, a broken
audit chain, bad configuration) are faults of the server, not of the request: they stay 500.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from confide.errors import (
    AccessDenied,
    AudioTooLong,
    BadAudio,
    ConfideError,
    Conflict,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)

STATUS: dict[type[ConfideError], int] = {
    InvalidInput: 422,
    BadAudio: 422,
    AudioTooLong: 413,
    Conflict: 409,
    NotFound: 404,
    AccessDenied: 401,
    TooManyAttempts: 429,
}
"""Each refusal's status; AccessDenied to someone already signed in is 403 (see `answer`)."""


async def answer(request: Request, error: Exception) -> JSONResponse:
    """`{"detail": message}` as HTTPException answers. A credential refused to a request with
    none that holds is 401, with the Bearer challenge of the device API; refused to a signed-in
    customer or staff member, it is 403: they are known, and not allowed."""
    status = next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)
    if isinstance(error, AccessDenied) and getattr(request.state, "principal", None) is not None:
        status = 403
    return JSONResponse({"detail": str(error)}, status, headers=headers(error, status))


def headers(error: Exception, status: int) -> dict[str, str]:
    """The headers of a refusal's answer, JSON or a re-rendered form: the Bearer challenge with
    a 401, and when to try again after too many attempts."""
    if isinstance(error, TooManyAttempts):
        return {"Retry-After": str(error.retry_after)}
    return {"WWW-Authenticate": "Bearer"} if status == 401 else {}

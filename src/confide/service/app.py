"""The HTTP app: the device API, the privacy centre and the reviewer workbench, each side signing
in through the one login route factory, and every domain refusal answered in one place."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from confide import __version__
from confide.service import admin, device_api, privacy_centre, refusals, review_api, workbench
from confide.service.runtime import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    # The schema is a stable interface; the interactive docs pages are a developer's tool.
    docs = runtime.settings.dev_mode
    app = FastAPI(
        title="Confide",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    app.state.runtime = runtime
    for refusal in refusals.STATUS:
        app.add_exception_handler(refusal, refusals.answer)
    app.add_exception_handler(HTTPException, refusals.http_refusal)
    app.add_exception_handler(RequestValidationError, refusals.invalid_parameters)
    for outage in (OperationalError, InterfaceError):
        app.add_exception_handler(outage, refusals.database_unavailable)
    app.include_router(device_api.router)
    app.include_router(review_api.router)
    app.include_router(privacy_centre.sign_in)
    app.include_router(privacy_centre.router)
    app.include_router(workbench.sign_in)
    app.include_router(workbench.router)
    app.include_router(admin.router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/privacy/", status_code=303)

    return app

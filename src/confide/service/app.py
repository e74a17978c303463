"""The HTTP app: the device API, the privacy centre, and the reviewer workbench."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from confide import __version__
from confide.service import device_api, privacy_centre, staff_auth, workbench
from confide.service.runtime import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="Confide", version=__version__, openapi_url="/openapi.json")
    app.state.runtime = runtime
    app.include_router(device_api.router)
    app.include_router(privacy_centre.router)
    app.include_router(staff_auth.router)
    app.include_router(workbench.router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/privacy/", status_code=303)

    return app

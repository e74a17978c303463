"""The HTTP app: the device API, the privacy centre, and (later) the reviewer workbench."""

from __future__ import annotations

from fastapi import FastAPI

from confide import __version__
from confide.service import device_api, privacy_centre
from confide.service.runtime import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="Confide", version=__version__, openapi_url="/openapi.json")
    app.state.runtime = runtime
    app.include_router(device_api.router)
    app.include_router(privacy_centre.router)
    return app

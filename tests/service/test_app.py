"""The app as a whole: rules every route keeps, read from the routes themselves."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute

from confide.service.app import create_app

ON_THE_LOOP = {
    ("POST", "/api/utterances"),
    ("GET", "/api/utterances/{interaction_id}"),
    ("GET", "/api/utterances/{interaction_id}/events"),
}
"""The only coroutine routes: the device API's, which must await the network (an upload's body,
a long wait) and do every database step in a short session on a worker thread."""


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from api_routes(included.routes)


def test_no_other_route_runs_on_the_event_loop(runtime) -> None:
    """A plain function route runs on a worker thread; a coroutine route that touched the
    database would block every other request while it waited (issue 10, item 11)."""
    coroutines = {
        (method, route.path)
        for route in api_routes(create_app(runtime).routes)
        if inspect.iscoroutinefunction(route.endpoint)
        for method in route.methods
    }
    assert coroutines == ON_THE_LOOP

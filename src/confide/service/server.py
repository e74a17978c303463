"""Running the app: uvicorn, plus in-process job workers on the embedded default."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from confide.service.app import create_app
from confide.service.runtime import Runtime
from confide.settings import Settings


@contextmanager
def in_process_worker(runtime: Runtime) -> Iterator[None]:
    """Consume the queues on threads of this process, so one command runs a whole server."""
    with runtime.queue.consuming(threads=1):
        yield


def server_config(runtime: Runtime, *, host: str, port: int) -> uvicorn.Config:
    """Uvicorn as Confide runs it. The app bounds what a request may hold (an upload's pauses
    and length, each device's requests in flight); uvicorn closes idle keep-alive connections,
    and on shutdown waits only so long for requests still in flight (a long-poll, an event
    stream) before closing them. The client's address is the connection's unless it comes through
    a trusted proxy (`Settings.trusted_proxies`), whose X-Forwarded-For is then believed."""
    proxies = runtime.settings.trusted_proxies
    return uvicorn.Config(
        create_app(runtime),
        host=host,
        port=port,
        log_level="warning",
        timeout_keep_alive=5,
        timeout_graceful_shutdown=5,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )


def run_server(settings: Settings, *, host: str, port: int, with_worker: bool) -> None:
    runtime = Runtime(settings)
    server = uvicorn.Server(server_config(runtime, host=host, port=port))
    try:
        if with_worker:
            with in_process_worker(runtime):
                server.run()
        else:
            server.run()
    finally:
        runtime.close()


@contextmanager
def background_server(runtime: Runtime, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """The app on a thread, for the demo and the tests; yields its base URL."""
    server = uvicorn.Server(server_config(runtime, host=host, port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        threading.Event().wait(0.05)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

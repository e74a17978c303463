"""The server side on the command line: `confide serve` and `confide worker`."""

from __future__ import annotations

from typing import Annotated

import typer

from confide.cli.common import DataDir, app, err, refusals

Port = Annotated[int, typer.Option(help="TCP port on 127.0.0.1 (CONFIDE_HOST to change).")]


@app.command()
def serve(
    data_dir: DataDir = None,
    port: Port = 8400,
    host: Annotated[str, typer.Option(envvar="CONFIDE_HOST")] = "127.0.0.1",
    worker: Annotated[
        bool, typer.Option(help="Also process jobs in this process (the embedded default).")
    ] = True,
) -> None:
    """The HTTP service: device API, privacy centre; OpenAPI at /openapi.json."""
    from confide.service.server import run_server
    from confide.settings import load_settings

    with refusals():
        settings = load_settings(data_dir)
    err.print(f"Confide on http://{host}:{port}/ (data in {settings.data_dir})")
    run_server(settings, host=host, port=port, with_worker=worker)


@app.command()
def worker(
    data_dir: DataDir = None,
    workers: Annotated[int, typer.Option(min=1, help="Parallel jobs.")] = 1,
) -> None:
    """Background workers: recognise, understand and answer uploaded utterances."""
    from confide.service.runtime import Runtime
    from confide.settings import load_settings

    with refusals():
        runtime = Runtime(load_settings(data_dir))
    err.print(f"worker consuming {'Redis' if runtime.settings.redis_url else 'SQLite'} queue")
    runtime.queue.huey.create_consumer(workers=workers, worker_type="thread").run()

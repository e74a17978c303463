"""The server side on the command line: `confide serve` and `confide worker`."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Annotated

import typer

from confide.cli.common import DataDir, app, err, fail, refusals
from confide.errors import BadConfiguration

if TYPE_CHECKING:
    from confide.service.runtime import Runtime
    from confide.settings import Settings

Port = Annotated[int, typer.Option(help="TCP port on 127.0.0.1 (CONFIDE_HOST to change).")]

DATABASE_PATIENCE_SECONDS = 300.0
"""How long a starting worker waits for its database: a cluster's processes may start before
it, or while it restarts."""
DATABASE_RETRY_SECONDS = 2.0

log = logging.getLogger(__name__)

NO_BROKER = (
    "{command} needs CONFIDE_REDIS_URL: without it the jobs run inside `confide serve` "
    "(the embedded default); workers in other processes or on other machines share the work "
    "through Redis"
)


def log_to_stderr() -> None:
    """A line per event on stderr: Confide's from INFO, the libraries' (Dramatiq, Alembic) only
    from warnings up."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("confide").setLevel(logging.INFO)


@app.command()
def serve(
    data_dir: DataDir = None,
    port: Port = 8400,
    host: Annotated[str, typer.Option(envvar="CONFIDE_HOST")] = "127.0.0.1",
    worker: Annotated[
        bool,
        typer.Option(
            help="Also run the jobs in this process (the embedded default; --no-worker needs "
            "CONFIDE_REDIS_URL and `confide worker` processes)."
        ),
    ] = True,
) -> None:
    """The HTTP service: device API, privacy centre; OpenAPI at /openapi.json."""
    from confide.service.server import run_server
    from confide.settings import load_settings

    with refusals():
        settings = load_settings(data_dir)
        if not worker and not settings.redis_url:
            raise BadConfiguration(NO_BROKER.format(command="confide serve --no-worker"))
    log_to_stderr()
    err.print(f"Confide on http://{host}:{port}/ (data in {settings.data_dir})")
    run_server(settings, host=host, port=port, with_worker=worker)


@app.command()
def worker(
    data_dir: DataDir = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Interactions answered at once (batch work has its own).")
    ] = 1,
) -> None:
    """Background workers: recognise, understand and answer uploaded utterances; protect the
    sampled clips; the hourly upkeep. Any number, on any machines sharing the database, Redis
    and the blob store."""
    from confide.settings import load_settings

    with refusals():
        settings = load_settings(data_dir)
        if not settings.redis_url:
            raise BadConfiguration(NO_BROKER.format(command="confide worker"))
    log_to_stderr()
    runtime = runtime_once_the_database_answers(settings)
    try:
        runtime.queue.run_worker(threads=workers)
    finally:
        runtime.close()


def runtime_once_the_database_answers(settings: Settings) -> Runtime:
    """The process's runtime, connected (and the schema migrated) as soon as the database
    answers, saying it waits; after DATABASE_PATIENCE_SECONDS, exit 1 naming the reason."""
    from sqlalchemy.exc import OperationalError

    from confide.service.runtime import Runtime

    deadline = time.monotonic() + DATABASE_PATIENCE_SECONDS
    while True:
        try:
            return Runtime(settings)
        except OperationalError as exc:
            reason = str(exc.orig or exc).splitlines()[0]
            if time.monotonic() >= deadline:
                fail(1, f"the database does not answer ({reason})")
            log.warning("waiting for the database (%s)", reason)
            time.sleep(DATABASE_RETRY_SECONDS)


@app.command()
def wyoming(
    uri: Annotated[
        str, typer.Option(help="Where to listen: tcp://HOST:PORT, unix://PATH or stdio://.")
    ],
    data_dir: DataDir = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="CONFIDE_DEVICE_TOKEN",
            help=(
                "The token of a device paired to the household member this server answers for"
                " (CONFIDE_DEVICE_TOKEN): what they say is then kept as theirs. Without it,"
                " nothing is stored and intent handling answers no one."
            ),
        ),
    ] = None,
    wake_word: Annotated[
        list[str] | None,
        typer.Option("--wake-word", help="Wake words to offer (default: all four); repeatable."),
    ] = None,
    wake_check: Annotated[
        bool,
        typer.Option(
            "--wake-check/--no-wake-check",
            help="Check each wake with a local recogniser, as the device agent does.",
        ),
    ] = True,
    zeroconf: Annotated[
        str | None,
        typer.Option(
            help="Announce the server for Home Assistant to discover, under this name "
            "(needs the 'zeroconf' extra). Off by default."
        ),
    ] = None,
    worker: Annotated[
        bool,
        typer.Option(
            help="Also protect sampled clips in this process (the embedded default; with "
            "CONFIDE_REDIS_URL, `confide worker` processes can do it instead)."
        ),
    ] = True,
) -> None:
    """Confide's wake word, speech to text, voice and answers as Wyoming services, for Home
    Assistant and its satellites."""
    import asyncio
    from contextlib import nullcontext

    from confide.capture.wakeword import WAKE_WORDS
    from confide.recognize.wake_check import device_detector
    from confide.respond.voice import voice_installed
    from confide.service import wyoming as service
    from confide.service.runtime import Runtime
    from confide.service.server import in_process_worker
    from confide.settings import load_settings

    with refusals():
        words = tuple(wake_word or WAKE_WORDS)
        unknown = set(words) - set(WAKE_WORDS)
        if unknown:
            fail(2, f"unknown wake word(s) {', '.join(sorted(unknown))}: {', '.join(WAKE_WORDS)}")
        runtime = Runtime(load_settings(data_dir))
        member = service.member_of(runtime, token) if token else None
        services = service.Services(
            runtime,
            words,
            lambda wanted: device_detector(wanted, wake_check),
            member,
            speaks=voice_installed(),
        )
        log_to_stderr()
        err.print(f"Confide's Wyoming services on {uri} (data in {runtime.settings.data_dir})")
        if member is None:
            err.print("no device token: nothing heard is stored, and no one is answered")
        with in_process_worker(runtime) if worker and member else nullcontext():
            try:
                asyncio.run(service.serve(services, uri, zeroconf))
            except KeyboardInterrupt:
                pass
            finally:
                runtime.close()

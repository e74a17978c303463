"""Shared pieces of the `confide` command: the app, exits, refusals, progress."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from confide.errors import BadAudio, BadConfiguration, ConfideError, Conflict, InvalidInput

app = typer.Typer(
    help="Confide: a voice assistant whose recordings stay their owners'.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True)

PROGRESS_MIN_SECONDS = 60.0
"""Recordings shorter than this finish too fast for a progress bar to help."""

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir", help="Data folder (default: $CONFIDE_DATA_DIR or ~/.local/share/confide)."
    ),
]


def fail(code: int, reason: str) -> NoReturn:
    """Exit with one line on stderr, as scripts expect."""
    print(f"confide: {reason}", file=sys.stderr)
    raise typer.Exit(code)


@contextmanager
def refusals() -> Iterator[None]:
    """Turn bad input into exit 2 and other deliberate errors into exit 1, one line each.

    The error tree decides: refused audio, configuration, values and conflicts are the caller's
    to fix (2). A ValueError outside the tree (Python's own, such as int("x")) is bad input too.
    """
    try:
        yield
    except (BadAudio, BadConfiguration, InvalidInput, Conflict) as exc:
        fail(2, str(exc))
    except ConfideError as exc:
        fail(1, str(exc))
    except ValueError as exc:
        fail(2, str(exc))


@contextmanager
def audio_progress(total_seconds: float, label: str) -> Iterator[Any]:
    """A progress bar over audio seconds, on a terminal and for long audio only."""
    if not err.is_terminal or total_seconds < PROGRESS_MIN_SECONDS:
        yield lambda seconds: None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} s of audio"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total_seconds)
        yield lambda seconds: progress.update(task, completed=seconds)

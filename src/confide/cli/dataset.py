"""The reviewed dataset on the command line: `confide dataset export`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from confide.cli.common import DataDir, app, err, refusals

dataset = typer.Typer(help="The reviewed dataset, with its lineage.", no_args_is_help=True)
app.add_typer(dataset, name="dataset")

EXPORT_ACTOR = "confide dataset export"
"""Who the audit log says exported the dataset: the operator's command."""
PROGRESS_MIN_ITEMS = 200
"""Fewer items than this are written too fast for a progress bar to help."""


@dataset.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="A new or empty folder to write into.")],
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Write the reviewed dataset as a NeMo-style manifest.jsonl, data.parquet and the
    anonymised audio as WAV files; the export is recorded and audited, so deletion receipts can
    name it. Exit 2 when --out is not empty."""
    from confide.learn.dataset import refresh
    from confide.learn.export import export_dataset
    from confide.service.runtime import opened
    from confide.settings import load_settings

    now = datetime.now(UTC)
    with refusals(), opened(load_settings(data_dir)) as runtime, runtime.sessions() as session:
        refresh(session, runtime.keyring, now)
        session.commit()
        with _progress() as progress:
            done = export_dataset(
                session, runtime.keyring, out, actor=EXPORT_ACTOR, now=now, progress=progress
            )
    result = {"items": done.items, "manifest": str(done.manifest), "export_id": done.id}
    if as_json:
        print(json.dumps(result))
    else:
        print(f"exported {done.items} item(s) to {done.manifest}; export {done.id}")
    with refusals(), opened(load_settings(data_dir)) as runtime:
        runtime.checkpoint_audit()  # anchor the export's events outside the database now


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None]]:
    """A bar of items written, on a terminal and for large exports only."""
    if not err.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: list[TaskID] = []

        def update(done: int, total: int) -> None:
            if total < PROGRESS_MIN_ITEMS:
                return
            if not tasks:
                tasks.append(bar.add_task("exporting", total=total))
            bar.update(tasks[0], completed=done)

        yield update

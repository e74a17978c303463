"""`confide backup` and `confide restore`: a restore replays every shredding recorded since the
backup, so nothing deleted comes back (see `confide.privacy.backup`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from confide.cli.common import DataDir, app, err, refusals

if TYPE_CHECKING:  # the commands import their work lazily, so `confide --help` stays quick
    from confide.privacy.backup import Progress as Told


@app.command("backup")
def backup_command(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write.")],
    data_dir: DataDir = None,
) -> None:
    """Write a consistent backup of the database and the blobs, sealed as they are.

    It holds no plaintext, no KEK and not the shredding ledger: keep the KEK and the ledger
    apart from it.
    """
    from confide.privacy.backup import backup
    from confide.settings import load_settings

    with refusals(), _progress("backup") as told:
        made = backup(load_settings(data_dir), out, told)
    err.print(
        f"backup: {sum(made.rows.values())} row(s) of {len(made.rows)} table(s), "
        f"{made.blobs} blob(s), {made.size} bytes in {made.path}",
        markup=False,
        soft_wrap=True,
    )


@app.command("restore")
def restore_command(
    source: Annotated[Path, typer.Argument(help="A file `confide backup` wrote.")],
    data_dir: DataDir = None,
) -> None:
    """Restore a backup, destroying again, before anything can be read, every key that the
    shredding ledger says was destroyed: deleted data stays deleted.

    On the embedded default the data dir's database is replaced (stop the service first); any
    other database must be empty. Exit 2 for a file that is not a backup, or a backup made
    under another KEK; 1 for a shredding ledger that does not verify.
    """
    from confide.privacy.backup import restore
    from confide.settings import load_settings

    with refusals(), _progress("restore") as told:
        done = restore(load_settings(data_dir), source, told)
    err.print(
        f"restore: {sum(done.rows.values())} row(s), {done.blobs} blob(s); "
        f"{done.ledger_records} shredding(s) replayed, {done.keys_destroyed} key(s) in the "
        f"backup destroyed again, {done.removed.get('interactions', 0)} interaction(s), "
        f"{done.removed.get('recordings', 0)} recording(s) and "
        f"{done.removed.get('accounts', 0)} account(s) of theirs removed",
        markup=False,
        soft_wrap=True,
    )


@contextmanager
def _progress(label: str) -> Iterator[Told]:
    """Bars for the tables and the blobs, on a terminal only: scripts get the summary line."""
    if not err.is_terminal:
        yield lambda _what, _done, _total: None
        return
    with Progress(
        TextColumn(f"{label} {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as progress:
        bars: dict[str, TaskID] = {}

        def told(what: str, done: int, total: int) -> None:
            if what not in bars:
                bars[what] = progress.add_task(what, total=total)
            progress.update(bars[what], completed=done, total=total)

        yield told

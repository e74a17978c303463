"""Backup and restore that cannot bring deleted data back.

A backup is one zip file, stored uncompressed (so a plaintext scan of it means something): every
table of the main database as JSON lines, read in one consistent snapshot, and every blob, all as
they are stored, sealed values and wrapped keys, so it holds no plaintext and is useless without
the KEK. It never holds the KEK, nor the shredding ledger, which lives in a database of its own
(`confide.privacy.ledger`). Through SQLAlchemy it is the same for SQLite and PostgreSQL.

A restore loads the backup at the schema it was taken under, upgrades it, and then, before anyone
can read it, destroys again every key the shredding ledger names, and removes what they sealed.
The ledger is read, verified and never written. On SQLite the restored database is built beside
the live one and moved over it when complete (stop the service first); any other database must
be empty, and is loaded in one transaction. Blobs are written back as they were.
"""

from __future__ import annotations

import base64
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from confide.errors import BadConfiguration, BlobMissing, Conflict, Malformed, TamperedData
from confide.privacy.audit import supersede_after_restore, with_chain_key
from confide.privacy.deletion import remove_shredded
from confide.privacy.keys import KeyRing, destroy_as_recorded
from confide.privacy.ledger import Position
from confide.settings import Settings
from confide.store.blobs import BlobStore, open_blob_store
from confide.store.database import connect, schema_revision, unmigrated, upgrade

FORMAT = "confide-backup/1"
"""The manifest's format name; a restore refuses any other."""
MANIFEST = "manifest.json"
SKIPPED = {"alembic_version"}
"""Tables the schema owns, not the data: a restore makes them by migrating."""
SEEDED = {"audit_head"}
"""Tables the migrations fill with a first row, which the backup's rows replace."""
BATCH = 500
"""Rows per INSERT on restore."""

Progress = Callable[[str, int, int], None]
"""Told (what, done, total) as a backup or restore goes: 'tables' or 'blobs'."""


def _quiet(_what: str, _done: int, _total: int) -> None:
    """No progress to show."""


@dataclass(frozen=True)
class Made:
    """What a backup holds."""

    path: Path
    """The backup file."""
    rows: dict[str, int]
    """Rows per table."""
    blobs: int
    """Blobs copied."""
    size: int
    """The file's size in bytes."""


@dataclass(frozen=True)
class Restored:
    """What a restore did."""

    rows: dict[str, int]
    """Rows loaded per table."""
    blobs: int
    """Blobs written back."""
    ledger_records: int
    """Records in the shredding ledger, all replayed."""
    keys_destroyed: int
    """Keys in the backup that the ledger says were destroyed since, destroyed again."""
    removed: dict[str, int]
    """What those keys sealed, removed: interactions, recordings, accounts, review copies."""


def backup(settings: Settings, out: Path, progress: Progress = _quiet) -> Made:
    """Write a backup of the main database and the blob store to `out`."""
    if not out.parent.is_dir():
        raise Malformed(f"no folder {out.parent} to write the backup in")
    keyring, blobs = KeyRing(settings), open_blob_store(settings)
    head = keyring.ledger.head()  # before the snapshot: later shreddings are replayed anyway
    engine = connect(settings.database_url)
    partial = out.with_name(out.name + ".partial")
    rows: dict[str, int] = {}
    try:
        with (
            zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED, allowZip64=True) as archive,
            _snapshot(engine.connect()) as connection,
        ):
            tables = _tables(connection)
            for done, table in enumerate(tables, start=1):
                rows[table.name] = _dump(connection, table, archive)
                progress("tables", done, len(tables))
            revision = schema_revision(connection)
            copied = _copy_blobs(blobs, archive, progress)
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(),
                "schema_revision": revision,
                "kek_id": settings.kek_id,
                "ledger_head": head and {"sequence": head.sequence, "mac": head.mac},
                "rows": rows,
                "blobs": copied,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()
    return Made(out, rows, copied, out.stat().st_size)


def restore(settings: Settings, source: Path, progress: Progress = _quiet) -> Restored:
    """Restore `source` into the configured database and blob store, replaying the ledger first."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise Malformed(f"{source} is not a Confide backup: {exc}") from None
    with archive:
        manifest = _manifest(archive, source)
        if manifest["kek_id"] != settings.kek_id:
            raise BadConfiguration(
                f"this backup's keys are wrapped by the KEK {manifest['kek_id']}, "
                f"not by the one configured ({settings.kek_id})"
            )
        keyring, blobs = KeyRing(settings), open_blob_store(settings)
        entries = keyring.ledger.entries()  # verified: TamperedData for a forged or cut ledger
        noted = manifest["ledger_head"]
        if noted and not keyring.ledger.holds(Position(noted["sequence"], noted["mac"]), entries):
            raise TamperedData(
                f"the shredding ledger no longer holds record {noted['sequence']}, which this "
                "backup noted: it was cut back or replaced, so what was deleted since cannot be "
                "told; nothing was restored"
            )
        written = _write_blobs(archive, blobs, progress)
        with _target(settings) as connection:
            upgrade(connection, manifest["schema_revision"])
            tables = _tables(connection)
            rows = {}
            for done, table in enumerate(tables, start=1):
                rows[table.name] = _load(connection, table, archive)
                progress("tables", done, len(tables))
            upgrade(connection, "head")
            with with_chain_key(Session(bind=connection), keyring) as session:
                destroyed = destroy_as_recorded(session, entries)
                removed = remove_shredded(session, blobs)
                supersede_after_restore(session, blobs, actor="confide restore")
                session.flush()
    return Restored(rows, written, len(entries), destroyed, removed)


class _snapshot:
    """A connection reading one consistent snapshot of every table."""

    def __init__(self, connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        self._connection = connection

    def __enter__(self) -> Connection:
        self._connection.begin()
        if self._connection.dialect.name == "sqlite":  # pysqlite begins no read on its own
            self._connection.exec_driver_sql("BEGIN")
        return self._connection

    def __exit__(self, *_exc: object) -> None:
        self._connection.rollback()
        self._connection.close()


def _tables(connection: Connection) -> list[Table]:
    """The database's own tables, parents before children, as they are in it (reflected, so a
    backup restores at the schema it was taken under)."""
    metadata = MetaData()
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name not in SKIPPED]


def _dump(connection: Connection, table: Table, archive: zipfile.ZipFile) -> int:
    count = 0
    with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as member:
        result = connection.execution_options(yield_per=BATCH).execute(select(table))
        for row in result.mappings():
            member.write(json.dumps({k: _encode(v) for k, v in row.items()}).encode() + b"\n")
            count += 1
    return count


def _copy_blobs(blobs: BlobStore, archive: zipfile.ZipFile, progress: Progress) -> int:
    keys = list(blobs.keys())
    copied = 0
    for done, key in enumerate(keys, start=1):
        try:
            data = blobs.get(key)
        except BlobMissing:  # deleted since the listing: its row is gone or going with it
            continue
        archive.writestr(f"blobs/{key}", data)
        copied += 1
        progress("blobs", done, len(keys))
    return copied


def _manifest(archive: zipfile.ZipFile, source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        raise Malformed(f"{source} is not a Confide backup: it has no readable manifest") from None
    if manifest.get("format") != FORMAT:
        raise Malformed(f"{source} is a backup of another format: {manifest.get('format')!r}")
    return manifest


def _write_blobs(archive: zipfile.ZipFile, blobs: BlobStore, progress: Progress) -> int:
    names = [n for n in archive.namelist() if n.startswith("blobs/") and not n.endswith("/")]
    for done, name in enumerate(names, start=1):
        blobs.put(name.removeprefix("blobs/"), archive.read(name))
        progress("blobs", done, len(names))
    return len(names)


class _target:
    """A connection to load the restore into, in one transaction. On SQLite the database is
    built in a file beside the live one and moved over it once complete; elsewhere the database
    must be empty."""

    def __init__(self, settings: Settings) -> None:
        url = settings.database_url
        self._live: Path | None = None
        if url.startswith("sqlite:///"):
            self._live = Path(url.removeprefix("sqlite:///"))
            self._staging = self._live.with_name(self._live.name + ".restoring")
            _remove_database(self._staging)
            url = f"sqlite:///{self._staging}"
        self._engine = unmigrated(url)
        if self._live is None:
            try:
                _refuse_unless_empty(self._engine)
            except Conflict:
                self._engine.dispose()
                raise

    def __enter__(self) -> Connection:
        self._connection = self._engine.connect()
        self._transaction = self._connection.begin()
        return self._connection

    def __exit__(self, error: type[BaseException] | None, *_rest: object) -> None:
        try:
            if error is None:
                self._transaction.commit()
            else:
                self._transaction.rollback()
            if self._live is not None and error is None:
                self._connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._connection.close()
            self._engine.dispose()
        if self._live is None:
            return
        if error is not None:
            _remove_database(self._staging)
            return
        _remove_database(self._live, keep_main=True)  # a stale journal must not meet the new file
        os.replace(self._staging, self._live)


def _remove_database(path: Path, *, keep_main: bool = False) -> None:
    for suffix in ("-wal", "-shm", "-journal") if keep_main else ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _refuse_unless_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        if schema_revision(connection) is None:
            return
        for table in _tables(connection):
            if table.name not in SEEDED and connection.scalar(
                select(func.count()).select_from(table)
            ):
                raise Conflict(
                    f"the database already holds data ({table.name}): restore into an empty one"
                )


def _load(connection: Connection, table: Table, archive: zipfile.ZipFile) -> int:
    name = f"tables/{table.name}.jsonl"
    if name not in archive.namelist():
        return 0
    if table.name in SEEDED:
        connection.execute(delete(table))
    count = 0
    for batch in _batches(archive, name):
        connection.execute(insert(table), [_decoded(table, row) for row in batch])
        count += len(batch)
    return count


def _batches(archive: zipfile.ZipFile, name: str) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    with archive.open(name) as member:
        for line in member:
            batch.append(json.loads(line))
            if len(batch) == BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    return value


def _decoded(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for key, value in row.items():
        if key not in table.c:
            raise Malformed(f"the backup's {table.name} has a column {key!r} its schema lacks")
        if isinstance(value, dict) and "base64" in value:
            value = base64.b64decode(value["base64"])
        elif isinstance(value, dict) and "datetime" in value:
            value = datetime.fromisoformat(value["datetime"])
        decoded[key] = value
    return decoded

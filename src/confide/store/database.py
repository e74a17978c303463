"""Connections: SQLite (WAL, secure delete) by default, PostgreSQL through psycopg 3 at scale."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def connect(url: str) -> Engine:
    """An engine for `url`, migrated to the newest schema."""
    engine = unmigrated(url)
    migrate(engine)
    return engine


def unmigrated(url: str) -> Engine:
    """An engine for `url` as it is: for databases with a schema of their own (the shredding
    ledger), and for a restore, which loads a backup at the schema it was taken under."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


SQLITE_BUSY_MS = 5000
"""How long a statement waits for another connection's write lock before it fails."""
SQLITE_MIGRATION_WAIT_MS = 300_000
"""How long a starting process waits for another's migration, which on a loaded machine takes
longer than any statement."""


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # First, so that switching a new database to WAL waits for a lock too.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Overwrite deleted content with zeros, so a shredded key leaves no copy in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


MIGRATION_LOCK = 0x636F6E66696465
"""The PostgreSQL advisory lock key that processes migrating one database take turns on."""


SQLITE_LOCKED_RETRIES = 5
"""Attempts at a migration that SQLite refused as locked without waiting: when two connections
race to switch a new file to WAL, or to take the write lock, SQLite answers one of them "database
is locked" at once rather than risk a deadlock, and the remedy it documents is to try again."""


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision. A cluster's processes may start
    together: on PostgreSQL each takes a lock held until its commit, so the first migrates and
    the others find the schema current; on SQLite the transaction takes the write lock before
    it reads the schema's revision."""
    for attempt in range(1, SQLITE_LOCKED_RETRIES + 1):
        try:
            _migrate_once(engine)
            return
        except OperationalError as exc:
            locked = engine.dialect.name == "sqlite" and "database is locked" in str(exc)
            if not locked or attempt == SQLITE_LOCKED_RETRIES:
                raise
            engine.dispose()  # a fresh connection, its pragmas set again
            time.sleep(0.2 * attempt)


def _migrate_once(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_MIGRATION_WAIT_MS}")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        upgrade(connection, "head")


def upgrade(connection: Connection, revision: str) -> None:
    """Bring the schema to `revision` within the connection's transaction: a restore loads a
    backup at the revision it was taken under, then upgrades it."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def schema_revision(connection: Connection) -> str | None:
    """The Alembic revision the database is at; None for an empty one."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def as_utc(moment: datetime) -> datetime:
    """A stored time, aware: SQLite hands back naive datetimes, and they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

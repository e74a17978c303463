"""The migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from confide.store import database
from confide.store.database import MIGRATIONS, SQLITE_LOCKED_RETRIES, schema_revision
from confide.store.tables import Base


def test_migrations_match_the_tables(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_sessions_stay_valid_across_the_move_to_one_store(settings):
    """Revision 0005 moves customers' and staff members' sessions into one table and back."""
    engine = create_engine(settings.database_url.replace("postgresql://", "postgresql+psycopg://"))
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        _migrate(engine, "upgrade", "0004")
        with engine.begin() as connection:
            for table, values in PRINCIPALS:
                connection.execute(sa.table(table, *map(sa.column, values)).insert(), values)
            for table, column, principal in OLD:
                row = {
                    "id_hash": f"{table}-hash",
                    column: principal,
                    "csrf_token": f"{table}-csrf",
                    "created_at": now,
                    "expires_at": now + timedelta(hours=1),
                }
                connection.execute(sa.table(table, *map(sa.column, row)).insert(), row)
        _migrate(engine, "upgrade", "head")
        with engine.connect() as connection:
            moved = connection.execute(
                sa.text("SELECT principal_kind, principal_id, id_hash, csrf_token FROM sessions")
            ).all()
        assert sorted(map(tuple, moved)) == [
            ("person", "p1", "web_sessions-hash", "web_sessions-csrf"),
            ("staff", "s1", "staff_sessions-hash", "staff_sessions-csrf"),
        ]
        _migrate(engine, "downgrade", "0004")
        with engine.connect() as connection:
            for table, column, principal in OLD:
                old = sa.table(table, sa.column(column), sa.column("id_hash"))
                back = connection.execute(sa.select(old.c[column], old.c.id_hash)).all()
                assert list(map(tuple, back)) == [(principal, f"{table}-hash")]
    finally:
        engine.dispose()


OLD = [("web_sessions", "person_id", "p1"), ("staff_sessions", "staff_id", "s1")]
"""The two session tables before revision 0005, each with its principal column and one id."""
PRINCIPALS = [
    ("households", {"id": "h1", "name_sealed": b"x", "created_at": datetime.now(UTC)}),
    (
        "people",
        {
            "id": "p1",
            "household_id": "h1",
            "name_sealed": b"x",
            "is_child": False,
            "created_at": datetime.now(UTC),
        },
    ),
    (
        "staff",
        {
            "id": "s1",
            "pseudonym": "Reviewer 0001",
            "login": "s1",
            "password_hash": "x",
            "totp_sealed": b"x",
            "roles": "reviewer",
            "active": True,
            "created_at": datetime.now(UTC),
        },
    ),
]
"""Who the sessions belong to, as revision 0004's tables hold them."""


def _migrate(engine: sa.Engine, direction: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)


def test_processes_starting_together_migrate_once(database_url):
    """A cluster's processes start at once against an empty database: all of them come up,
    at the newest revision, instead of racing to create the same tables."""
    start_up = "import sys; from confide.store.database import connect; connect(sys.argv[1])"
    starters = [
        subprocess.Popen([sys.executable, "-c", start_up, database_url], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outcomes = [(p.communicate(timeout=120)[1], p.returncode) for p in starters]
    assert [err.decode() for err, code in outcomes if code != 0] == []
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        assert schema_revision(connection) == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    engine.dispose()


@pytest.mark.parametrize(
    ("failures", "message", "attempts", "raised"),
    [
        (1, "database is locked", 2, False),
        (SQLITE_LOCKED_RETRIES - 1, "database is locked", SQLITE_LOCKED_RETRIES, False),
        (SQLITE_LOCKED_RETRIES, "database is locked", SQLITE_LOCKED_RETRIES, True),
        (1, "no such table: alembic_version", 1, True),
    ],
    ids=["locked-once", "locked-until-the-last-try", "locked-throughout", "another-error"],
)
def test_a_migration_sqlite_refused_as_locked_is_tried_again(
    tmp_path, monkeypatch, failures: int, message: str, attempts: int, raised: bool
) -> None:
    """SQLite answers "database is locked" at once, without waiting, to one of two connections
    that race for the write lock; a starting process tries again, a bounded number of times, and
    any other error stops it at once."""
    engine = create_engine(f"sqlite:///{tmp_path / 'confide.db'}")
    tried: list[int] = []

    def migrate_once(_engine: sa.Engine) -> None:
        tried.append(1)
        if len(tried) <= failures:
            raise OperationalError("PRAGMA journal_mode=WAL", {}, Exception(message))

    monkeypatch.setattr(database, "_migrate_once", migrate_once)
    monkeypatch.setattr(database.time, "sleep", lambda _seconds: None)
    if raised:
        with pytest.raises(OperationalError, match=message):
            database.migrate(engine)
    else:
        database.migrate(engine)
    assert len(tried) == attempts

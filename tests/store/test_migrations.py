"""The migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from confide.store.database import MIGRATIONS, schema_revision
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

"""The migrations build exactly the tables the code declares, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from confide.store.database import MIGRATIONS
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

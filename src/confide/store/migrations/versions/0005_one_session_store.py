"""One session store: customers' and staff members' sign-in sessions move into `sessions`, with
the kind of principal beside its id. Every session stays valid: its hash, CSRF token and expiry
move unchanged; the downgrade moves them back.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

_TIME = sa.DateTime(timezone=True)
_OLD = {
    "person": ("web_sessions", "person_id", "people"),
    "staff": ("staff_sessions", "staff_id", "staff"),
}
"""Principal kind → its old table, that table's principal column, and the table it referenced."""
_KEPT = ("id_hash", "csrf_token", "created_at", "expires_at")
"""The columns that move as they are."""


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(length=64), primary_key=True),
        sa.Column("principal_kind", sa.String(length=16), nullable=False),
        sa.Column("principal_id", sa.String(length=32), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
        sa.CheckConstraint(
            "principal_kind IN ('person', 'staff')", name="ck_sessions_principal_kind"
        ),
    )
    op.create_index("ix_sessions_principal", "sessions", ["principal_kind", "principal_id"])
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"])
    sessions = _sessions()
    for kind, (name, column, _) in _OLD.items():
        old = _old(name, column)
        kind_value = sa.cast(sa.literal(kind), sa.String(16))
        moved = sa.select(*(old.c[c] for c in _KEPT), kind_value, old.c[column])
        op.execute(sessions.insert().from_select([*_KEPT, "principal_kind", "principal_id"], moved))
        op.drop_index(f"ix_{name}_expires_at", table_name=name)
        op.drop_index(f"ix_{name}_{column}", table_name=name)
        op.drop_table(name)


def downgrade() -> None:
    sessions = _sessions()
    for kind, (name, column, principals) in _OLD.items():
        op.create_table(
            name,
            sa.Column("id_hash", sa.String(length=64), primary_key=True),
            sa.Column(
                column, sa.String(length=32), sa.ForeignKey(f"{principals}.id"), nullable=False
            ),
            sa.Column("csrf_token", sa.String(length=64), nullable=False),
            sa.Column("created_at", _TIME, nullable=False),
            sa.Column("expires_at", _TIME, nullable=False),
        )
        op.create_index(f"ix_{name}_{column}", name, [column])
        op.create_index(f"ix_{name}_expires_at", name, ["expires_at"])
        existing = sa.select(sa.table(principals, sa.column("id")).c.id)
        moved = sa.select(*(sessions.c[c] for c in _KEPT), sessions.c.principal_id).where(
            sessions.c.principal_kind == kind, sessions.c.principal_id.in_(existing)
        )
        op.execute(_old(name, column).insert().from_select([*_KEPT, column], moved))
    op.drop_index("ix_sessions_expires_at", table_name="sessions")
    op.drop_index("ix_sessions_principal", table_name="sessions")
    op.drop_table("sessions")


def _sessions() -> sa.TableClause:
    return sa.table("sessions", *map(sa.column, (*_KEPT, "principal_kind", "principal_id")))


def _old(name: str, column: str) -> sa.TableClause:
    return sa.table(name, *map(sa.column, (*_KEPT, column)))

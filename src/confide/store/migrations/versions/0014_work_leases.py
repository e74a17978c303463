"""The database as the source of truth for work: each interaction carries a lease (who works
on it, the claim's token, until when) and when it was last sent to a queue; worker processes
heartbeat into `workers`, and periodic jobs claim their slot in `schedule_claims`.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("interactions") as table:
        table.add_column(sa.Column("lease_worker", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("leased_until", _TIME, nullable=True))
        table.add_column(sa.Column("queued_at", _TIME, nullable=True))
    op.create_index("ix_interactions_status_queued_at", "interactions", ["status", "queued_at"])
    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("seen_at", _TIME, nullable=False),
    )
    op.create_table(
        "schedule_claims",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("slot_at", _TIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("schedule_claims")
    op.drop_table("workers")
    op.drop_index("ix_interactions_status_queued_at", table_name="interactions")
    with op.batch_alter_table("interactions") as table:  # SQLite drops a column by copying
        for column in ("queued_at", "leased_until", "lease_token", "lease_worker"):
            table.drop_column(column)

"""Entries reviewers add to the catalog while annotating, kept until a lead merges or rejects them.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalog_additions",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("entry_id", sa.String(length=128), nullable=False),
        sa.Column("proposed_id", sa.String(length=128), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("added_by", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("task_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("decided_by", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("decided_at", _TIME, nullable=True),
    )
    op.create_index("ix_catalog_additions_entry_id", "catalog_additions", ["entry_id"])
    op.create_index("ix_catalog_additions_status", "catalog_additions", ["status"])


def downgrade() -> None:
    op.drop_table("catalog_additions")

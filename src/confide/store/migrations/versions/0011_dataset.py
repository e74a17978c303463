"""The reviewed dataset: its items (sealed, with lineage) and the record of every export.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "dataset_items",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column(
            "interaction_id",
            sa.String(length=32),
            sa.ForeignKey("interactions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False, unique=True),
        sa.Column("annotation_id", sa.String(length=32), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("audio_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
    )
    for column in ("interaction_id", "owner_id", "created_at"):
        op.create_index(f"ix_dataset_items_{column}", "dataset_items", [column])
    op.create_table(
        "dataset_exports",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_table(
        "dataset_export_items",
        sa.Column(
            "export_id",
            sa.String(length=32),
            sa.ForeignKey("dataset_exports.id"),
            primary_key=True,
        ),
        sa.Column("item_id", sa.String(length=32), primary_key=True),
        sa.Column("interaction_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
    )
    for column in ("interaction_id", "owner_id"):
        op.create_index(f"ix_dataset_export_items_{column}", "dataset_export_items", [column])


def downgrade() -> None:
    for column in ("interaction_id", "owner_id"):
        op.drop_index(f"ix_dataset_export_items_{column}", table_name="dataset_export_items")
    op.drop_table("dataset_export_items")
    op.drop_table("dataset_exports")
    for column in ("interaction_id", "owner_id", "created_at"):
        op.drop_index(f"ix_dataset_items_{column}", table_name="dataset_items")
    op.drop_table("dataset_items")

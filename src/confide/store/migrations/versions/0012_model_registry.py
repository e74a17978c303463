"""The model registry: every trained version, its lineage, and which one is in production;
each interaction records the versions that handled it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("component", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parent", sa.String(length=64), nullable=True),
        sa.Column("artefact_key", sa.String(length=256), nullable=True),
        sa.Column("metrics_json", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("promoted_at", _TIME, nullable=True),
        sa.Column("tainted_at", _TIME, nullable=True),
        sa.UniqueConstraint("component", "version"),
    )
    op.create_index("ix_model_versions_component_status", "model_versions", ["component", "status"])
    op.create_table(
        "model_training_items",
        sa.Column(
            "version_id",
            sa.String(length=32),
            sa.ForeignKey("model_versions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("item_id", sa.String(length=32), primary_key=True),
        sa.Column("interaction_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
    )
    op.create_index(
        "ix_model_training_items_interaction_id", "model_training_items", ["interaction_id"]
    )
    op.create_index("ix_model_training_items_owner_id", "model_training_items", ["owner_id"])
    with op.batch_alter_table("interactions") as table:
        table.add_column(sa.Column("model_versions", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interactions") as table:
        table.drop_column("model_versions")
    op.drop_index("ix_model_training_items_owner_id", table_name="model_training_items")
    op.drop_index("ix_model_training_items_interaction_id", table_name="model_training_items")
    op.drop_table("model_training_items")
    op.drop_index("ix_model_versions_component_status", table_name="model_versions")
    op.drop_table("model_versions")

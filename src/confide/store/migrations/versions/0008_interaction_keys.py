"""Each interaction gets a data key of its own, wrapped by its owner's key, so deleting one
interaction destroys its key (crypto-shredding) and a backup cannot bring it back.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "interaction_keys",
        sa.Column("interaction_id", sa.String(length=64), primary_key=True),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shredded_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_interaction_keys_owner_id", "interaction_keys", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_interaction_keys_owner_id", table_name="interaction_keys")
    op.drop_table("interaction_keys")

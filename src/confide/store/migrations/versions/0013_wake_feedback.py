"""Confirmed false wakes per household, which tune that household's wake-word detector: each
interaction keeps the detector's peak score for its wake, and each confirmed false wake leaves a
row with the wake word and that score (no audio, no words) that outlives the interaction.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    with op.batch_alter_table("interactions") as table:
        table.add_column(sa.Column("wake_score", sa.Float(), nullable=True))
    op.create_table(
        "wake_feedback",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column(
            "household_id",
            sa.String(length=32),
            sa.ForeignKey("households.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("wake_word", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("interaction_id", sa.String(length=32), nullable=False, unique=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('customer', 'reviewer')", name="ck_wake_feedback_source"),
        sa.CheckConstraint("score >= 0 AND score <= 1", name="ck_wake_feedback_score"),
    )
    op.create_index("ix_wake_feedback_household_id", "wake_feedback", ["household_id"])


def downgrade() -> None:
    op.drop_index("ix_wake_feedback_household_id", table_name="wake_feedback")
    op.drop_table("wake_feedback")
    with op.batch_alter_table("interactions") as table:  # SQLite drops a column by copying
        table.drop_column("wake_score")

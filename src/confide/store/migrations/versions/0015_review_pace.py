"""The workbench's pace: a review task knows its clip's length and when its holder first
heard it, so labels are taken only once the clip could have been heard to its end.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    with op.batch_alter_table("review_tasks") as table:
        table.add_column(sa.Column("seconds", sa.Float(), nullable=True))
        table.add_column(sa.Column("heard_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_tasks") as table:  # SQLite drops a column by copying
        table.drop_column("heard_at")
        table.drop_column("seconds")

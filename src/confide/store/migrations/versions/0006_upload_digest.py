"""Each interaction keeps a keyed digest of its upload, so a retry can be told from a reused key.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("interactions", sa.Column("upload_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("interactions", "upload_digest")

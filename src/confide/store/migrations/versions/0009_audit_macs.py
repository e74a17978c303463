"""Each audit event carries a keyed MAC (HMAC-SHA256 of its hash, under a key one-way from the
KEK), so whoever can drop the triggers cannot recompute the chain unnoticed.

Events already in the chain keep no MAC: the migration cannot make one, as it never holds the
KEK. `confide.privacy.audit.verify` accepts MAC-less events only as the chain's first ones, and
the first checkpoint after the upgrade records how many there are.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("mac", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_events", "mac")

"""Each account remembers the TOTP step that last signed it in, so a code works once; failed
sign-ins and pairings are counted per keyed digest of a login or an address, for throttling.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"

_ACCOUNTS = ("people", "staff")


def upgrade() -> None:
    for table in _ACCOUNTS:
        op.add_column(table, sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_sign_in_failures_last_failure_at", "sign_in_failures", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_last_failure_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    for table in _ACCOUNTS:
        op.drop_column(table, "totp_last_step")

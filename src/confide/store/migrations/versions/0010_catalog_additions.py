"""Entries reviewers add to the catalog while annotating, kept until a lead merges or rejects them.

Revision ID: 0010
Revises: 0009
"""

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

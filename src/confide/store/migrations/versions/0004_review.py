"""Human review: staff and their sessions, review tasks, annotations, escalations, break-glass
requests, and each household's time zone and quiet hours.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("households") as table:
        table.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC")
        )
        table.add_column(sa.Column("quiet_hours", sa.String(length=16), nullable=True))
    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("pseudonym", sa.String(length=32), nullable=False, unique=True),
        sa.Column("login", sa.String(length=128), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("totp_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("roles", sa.String(length=128), nullable=False),
        sa.Column("shift_started_at", _TIME, nullable=True),
        sa.Column("break_until", _TIME, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sa.String(length=64), primary_key=True),
        sa.Column("staff_id", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("expires_at", _TIME, nullable=False),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_index("ix_staff_sessions_expires_at", "staff_sessions", ["expires_at"])
    op.create_table(
        "review_tasks",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column(
            "interaction_id",
            sa.String(length=32),
            sa.ForeignKey("interactions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stratum", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pseudonym", sa.String(length=32), nullable=False),
        sa.Column("sampled_at", _TIME, nullable=False),
        sa.Column("assigned_to", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("assigned_at", _TIME, nullable=True),
        sa.Column("material_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("audio_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("content_warning", sa.Boolean(), nullable=False),
        sa.Column("gold_annotation_id", sa.String(length=32), nullable=True),
        sa.Column("note", sa.String(length=256), nullable=True),
    )
    for column in ("interaction_id", "owner_id", "group_id", "status", "sampled_at", "assigned_to"):
        op.create_index(f"ix_review_tasks_{column}", "review_tasks", [column])
    op.create_table(
        "annotations",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column(
            "task_id",
            sa.String(length=32),
            sa.ForeignKey("review_tasks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reviewer_id", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("adjudication", sa.Boolean(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("flags", sa.String(length=128), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("submitted_at", _TIME, nullable=False),
    )
    op.create_index("ix_annotations_task_id", "annotations", ["task_id"])
    op.create_index("ix_annotations_reviewer_id", "annotations", ["reviewer_id"])
    op.create_table(
        "escalations",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column(
            "task_id",
            sa.String(length=32),
            sa.ForeignKey("review_tasks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("raised_by", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("raised_at", _TIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handled_by", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("handled_at", _TIME, nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
    )
    op.create_index("ix_escalations_task_id", "escalations", ["task_id"])
    op.create_index("ix_escalations_status", "escalations", ["status"])
    op.create_table(
        "break_glass",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column(
            "task_id",
            sa.String(length=32),
            sa.ForeignKey("review_tasks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("requested_by", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", _TIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=32), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("decided_at", _TIME, nullable=True),
        sa.Column("expires_at", _TIME, nullable=True),
    )
    op.create_index("ix_break_glass_task_id", "break_glass", ["task_id"])
    op.create_index("ix_break_glass_status", "break_glass", ["status"])


def downgrade() -> None:
    for name in (
        "break_glass",
        "escalations",
        "annotations",
        "review_tasks",
        "staff_sessions",
        "staff",
    ):
        op.drop_table(name)
    with op.batch_alter_table("households") as table:
        table.drop_column("quiet_hours")
        table.drop_column("time_zone")

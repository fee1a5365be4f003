"""What participants tell the door themselves: site settings and supervisors' verdicts

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("my_week", sa.Boolean(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("leave_reason_minutes", sa.Integer(), server_default="60"))
        batch_op.add_column(
            sa.Column("estimated_hours", sa.String(16), server_default="confirmed", nullable=False)
        )
    op.create_table(
        "statement_reviews",
        sa.Column("event_id", sa.String(36), sa.ForeignKey("events.id"), primary_key=True),
        sa.Column(
            "participant_id", sa.String(64), sa.ForeignKey("participants.id"), nullable=False
        ),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32)),
        sa.Column("left_at", sa.DateTime(timezone=True)),
        sa.Column("staff_id", sa.String(64), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('confirmed', 'changed', 'rejected')", name="verdict"),
    )
    op.create_index("ix_statement_reviews_participant_id", "statement_reviews", ["participant_id"])


def downgrade() -> None:
    op.drop_index("ix_statement_reviews_participant_id", table_name="statement_reviews")
    op.drop_table("statement_reviews")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("estimated_hours")
        batch_op.drop_column("leave_reason_minutes")
        batch_op.drop_column("my_week")

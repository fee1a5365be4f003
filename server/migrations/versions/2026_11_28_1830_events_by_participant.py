"""events: indexed by participant and time, for the coaches' feeds

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 18:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (participant_id, wall_at) also serves every lookup by participant alone.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_participant_id")
        batch_op.create_index("ix_events_participant_wall", ["participant_id", "wall_at"])
        batch_op.create_index(
            "ix_events_participant_corrected", ["participant_id", "corrected_wall_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_participant_corrected")
        batch_op.drop_index("ix_events_participant_wall")
        batch_op.create_index("ix_events_participant_id", ["participant_id"])

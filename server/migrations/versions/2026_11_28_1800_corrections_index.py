"""corrections: one index on (event_id, effective_at) for both lookups of a day

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 18:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_corrections_event_id")
        batch_op.create_index(
            "ix_corrections_event_effective", ["event_id", "effective_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_corrections_event_effective")
        batch_op.create_index("ix_corrections_event_id", ["event_id"], unique=False)

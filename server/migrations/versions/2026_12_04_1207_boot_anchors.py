"""boot_anchors: what each boot's taps are reckoned from, so a jump of its wall clock
cannot reorder them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Boots seen before this table existed are reckoned at their next tap or heartbeat.
    op.create_table(
        "boot_anchors",
        sa.Column("kiosk_id", sa.String(length=64), nullable=False),
        sa.Column("boot_id", sa.String(length=200), nullable=False),
        sa.Column("epoch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anchor_monotonic", sa.Float(), nullable=True),
        sa.Column("reckoned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["kiosk_id"], ["kiosks.id"], name=op.f("fk_boot_anchors_kiosk_id_kiosks")
        ),
        sa.PrimaryKeyConstraint("kiosk_id", "boot_id", name=op.f("pk_boot_anchors")),
    )


def downgrade() -> None:
    op.drop_table("boot_anchors")

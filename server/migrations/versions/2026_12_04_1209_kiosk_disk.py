"""kiosk_heartbeats: room on the kiosk's disk and why its journal cannot be written

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: a kiosk that does not send them (an older version) still has a heartbeat.
    with op.batch_alter_table("kiosk_heartbeats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disk_free_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("disk_total_bytes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("journal_trouble", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kiosk_heartbeats", schema=None) as batch_op:
        batch_op.drop_column("journal_trouble")
        batch_op.drop_column("disk_total_bytes")
        batch_op.drop_column("disk_free_bytes")

"""door extras (birthday, word symbol) and event flags

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 14:23:11.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # participants.agreed_weekdays ("1,3,5") is already there since 0001.
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birthday", sa.String(length=5), nullable=True))
    with op.batch_alter_table("words", schema=None) as batch_op:
        batch_op.add_column(sa.Column("symbol", sa.String(length=16), nullable=True))
    op.create_table(
        "event_flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("flag", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_flags_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_event_flags_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_flags")),
    )
    with op.batch_alter_table("event_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_flags_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_flags_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_flags_site_id"))
        batch_op.drop_index(batch_op.f("ix_event_flags_event_id"))
    op.drop_table("event_flags")
    with op.batch_alter_table("words", schema=None) as batch_op:
        batch_op.drop_column("symbol")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("birthday")

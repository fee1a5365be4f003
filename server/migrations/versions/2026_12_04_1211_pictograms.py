"""tasks and words: a pictogram from the set the door carries (sync/pictograms)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 12:11:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: a task or word planned before has no picture, and the door draws none.
    for table in ("tasks", "words"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("pictogram", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in ("words", "tasks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("pictogram")

"""media: the workshop's own photos and recordings by sha256; tasks and words may name a
photo, a word a recording of a supervisor saying it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 12:12:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_media")),
    )
    # Nullable: a task or word planned before has no photo, and the door draws its pictogram.
    for table in ("tasks", "words"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("photo", sa.String(length=64), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_photo_media"), "media", ["photo"], ["sha256"]
            )
    with op.batch_alter_table("words", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voice", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(op.f("fk_words_voice_media"), "media", ["voice"], ["sha256"])


def downgrade() -> None:
    with op.batch_alter_table("words", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_words_voice_media"), type_="foreignkey")
        batch_op.drop_column("voice")
    for table in ("words", "tasks"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"fk_{table}_photo_media"), type_="foreignkey")
            batch_op.drop_column("photo")
    op.drop_table("media")

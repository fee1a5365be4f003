"""translations: the workshop's fixed and checked phrases, checked word translations, and
the translator role

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 12:13:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('admin', 'supervisor', 'coach')"
ROLES_AFTER = "role IN ('admin', 'supervisor', 'coach', 'translator')"


def upgrade() -> None:
    op.create_table(
        "phrase_fixes",
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("msgid", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("back_translation", sa.Text(), nullable=True),
        sa.Column("checked_text", sa.Text(), nullable=True),
        sa.Column("checked_by", sa.String(length=200), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("language", "msgid", name=op.f("pk_phrase_fixes")),
    )
    op.create_table(
        "word_checks",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("checked_text", sa.Text(), nullable=False),
        sa.Column("checked_by", sa.String(length=200), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "day", "language", name=op.f("pk_word_checks")),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_staff_role"), ROLES_AFTER)


def downgrade() -> None:
    # A translator's account cannot exist before this revision: it goes, with its logins.
    translators = "SELECT id FROM staff WHERE role = 'translator'"
    op.execute(f"DELETE FROM staff_sessions WHERE staff_id IN ({translators})")
    op.execute("DELETE FROM staff WHERE role = 'translator'")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_staff_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_staff_role"), ROLES_BEFORE)
    op.drop_table("word_checks")
    op.drop_table("phrase_fixes")

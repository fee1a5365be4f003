"""Words that stick (issue 16): each participant's word cards, and the switches of the check

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 18:10:00.000000

A card is rebuilt from a participant's word_recall answers when one arrives
(server.learning.answers); its row carries the participant's site so the door data version
triggers of migration 0015 can bump that site's snapshot ETag, as they do for `words`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SQLITE_TOKEN = "lower(hex(randomblob(16)))"


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("word_check", sa.Boolean(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("word_check", sa.Boolean(), server_default="1", nullable=False)
        )
    op.create_table(
        "word_cards",
        sa.Column(
            "participant_id", sa.String(64), sa.ForeignKey("participants.id"), primary_key=True
        ),
        sa.Column("word", sa.String(200), primary_key=True),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("state", sa.Integer()),
        sa.Column("step", sa.Integer()),
        sa.Column("stability", sa.Float()),
        sa.Column("difficulty", sa.Float()),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("last_review_at", sa.DateTime(timezone=True)),
        sa.Column("rights", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("wrongs", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("skips", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_answer", sa.String(8), nullable=False),
        sa.Column("last_answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_word_cards_site_id", "word_cards", ["site_id"])
    if op.get_bind().dialect.name == "sqlite":
        for event, where in (
            ("insert", "site_id = NEW.site_id"),
            ("update", "site_id IN (OLD.site_id, NEW.site_id)"),
            ("delete", "site_id = OLD.site_id"),
        ):
            op.execute(
                f"CREATE TRIGGER door_data_word_cards_{event} AFTER {event.upper()} "
                f"ON word_cards BEGIN UPDATE door_data_versions SET version = {SQLITE_TOKEN} "
                f"WHERE {where}; END"
            )
    else:  # the function of migration 0015, deferred to the commit like the other tables
        op.execute(
            "CREATE CONSTRAINT TRIGGER door_data_changed AFTER INSERT OR UPDATE OR DELETE "
            "ON word_cards DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION door_data_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS door_data_word_cards_{event}")
    else:
        op.execute("DROP TRIGGER IF EXISTS door_data_changed ON word_cards")
    op.drop_index("ix_word_cards_site_id", table_name="word_cards")
    op.drop_table("word_cards")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("word_check")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("word_check")

"""Upgrades without a visit: the version each site's kiosks should run, and what a kiosk
last said about installing it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain added columns, no CHECK: SQLite would rebuild `sites`, which its foreign keys
    # forbid (server.schema says the same of estimated_hours).
    op.add_column("sites", sa.Column("wanted_version", sa.String(64)))
    op.add_column("sites", sa.Column("wanted_manifest_sha256", sa.String(64)))
    op.add_column("kiosk_heartbeats", sa.Column("upgrade_version", sa.String(64)))
    op.add_column("kiosk_heartbeats", sa.Column("upgrade_state", sa.String(16)))
    op.add_column("kiosk_heartbeats", sa.Column("upgrade_reason", sa.String(300)))


def downgrade() -> None:
    for column in ("upgrade_reason", "upgrade_state", "upgrade_version"):
        op.drop_column("kiosk_heartbeats", column)
    op.drop_column("sites", "wanted_manifest_sha256")
    op.drop_column("sites", "wanted_version")

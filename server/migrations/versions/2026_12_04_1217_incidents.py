"""Alerts that reach a person: each site's recipients and webhook, the kiosks' incidents
and the notices about them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_alerts",
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), primary_key=True),
        sa.Column("recipients", sa.Text(), nullable=False, server_default=""),
        sa.Column("webhook_url", sa.String(500)),
        sa.Column("webhook_secret", sa.String(200)),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("kiosk_id", sa.String(64), sa.ForeignKey("kiosks.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_incidents_site_id_resolved", "incidents", ["site_id", "resolved_at"])
    op.create_index(
        "uq_incidents_open",
        "incidents",
        ["kiosk_id", "kind"],
        unique=True,
        sqlite_where=sa.text("resolved_at IS NULL"),
        postgresql_where=sa.text("resolved_at IS NULL"),
    )
    op.create_table(
        "incident_notices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("dropped_at", sa.DateTime(timezone=True)),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(200)),
        sa.CheckConstraint("event IN ('opened', 'resolved')", name="event"),
        sa.CheckConstraint("channel IN ('mail', 'webhook')", name="channel"),
    )
    op.create_index("ix_incident_notices_incident_id", "incident_notices", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_incident_notices_incident_id", table_name="incident_notices")
    op.drop_table("incident_notices")
    op.drop_index("uq_incidents_open", table_name="incidents")
    op.drop_index("ix_incidents_site_id_resolved", table_name="incidents")
    op.drop_table("incidents")
    op.drop_table("site_alerts")

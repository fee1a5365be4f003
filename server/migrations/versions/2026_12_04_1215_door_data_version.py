"""A version of each site's door data, kept by triggers: a 304 without building the snapshot

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 17:30:00.000000

Every insert, update and delete of what a door's snapshot is built from gives the site's
row in door_data_versions a new random token, in the same transaction (phrase_fixes: the
row "*", shared by every site). Random, not a counter: a database built again from scratch
must never hand out a token a door still holds from the old one. On PostgreSQL the
per-site triggers are deferred to the commit, so the version row is locked last and
briefly (two writers of one site cannot deadlock on it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

PER_SITE = ("participants", "staff", "badges", "tasks", "words")
SQLITE_TOKEN = "lower(hex(randomblob(16)))"
PG_TOKEN = "replace(gen_random_uuid()::text, '-', '')"


def upgrade() -> None:
    op.create_table(
        "door_data_versions",
        sa.Column("site_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(32), nullable=False),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    token = SQLITE_TOKEN if sqlite else PG_TOKEN
    op.execute(f"INSERT INTO door_data_versions (site_id, version) SELECT id, {token} FROM sites")
    op.execute(f"INSERT INTO door_data_versions (site_id, version) VALUES ('*', {token})")
    for statement in _sqlite_triggers() if sqlite else _postgresql_triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in (*PER_SITE, "sites", "phrase_fixes"):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS door_data_{table}_{event}")
    else:
        for table in (*PER_SITE, "sites", "phrase_fixes"):
            op.execute(f"DROP TRIGGER IF EXISTS door_data_changed ON {table}")
        for function in ("door_data_changed", "door_data_site_changed", "door_data_all_changed"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_table("door_data_versions")


def _sqlite_triggers() -> list[str]:
    def bump(where: str) -> str:
        return f"UPDATE door_data_versions SET version = {SQLITE_TOKEN} WHERE {where};"

    everyone = (
        f"INSERT INTO door_data_versions (site_id, version) VALUES ('*', {SQLITE_TOKEN}) "
        "ON CONFLICT (site_id) DO UPDATE SET version = excluded.version;"
    )
    statements = []
    for table in PER_SITE:
        for event, where in (
            ("insert", "site_id = NEW.site_id"),
            ("update", "site_id IN (OLD.site_id, NEW.site_id)"),
            ("delete", "site_id = OLD.site_id"),
        ):
            statements.append(
                f"CREATE TRIGGER door_data_{table}_{event} AFTER {event.upper()} ON {table} "
                f"BEGIN {bump(where)} END"
            )
    site_bodies = {
        "insert": f"INSERT INTO door_data_versions (site_id, version) VALUES "
        f"(NEW.id, {SQLITE_TOKEN}) ON CONFLICT (site_id) DO UPDATE SET version = excluded.version;",
        "update": bump("site_id IN (OLD.id, NEW.id)"),
        "delete": "DELETE FROM door_data_versions WHERE site_id = OLD.id;",
    }
    for event, body in site_bodies.items():
        statements.append(
            f"CREATE TRIGGER door_data_sites_{event} AFTER {event.upper()} ON sites "
            f"BEGIN {body} END"
        )
    for event in ("insert", "update", "delete"):
        statements.append(
            f"CREATE TRIGGER door_data_phrase_fixes_{event} AFTER {event.upper()} "
            f"ON phrase_fixes BEGIN {everyone} END"
        )
    return statements


def _postgresql_triggers() -> list[str]:
    statements = [
        f"""
        CREATE FUNCTION door_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Once per site and transaction is enough (xmin: this transaction changed the
            -- row already); each further update of one row would walk a longer chain of
            -- its versions, making an import of n rows cost n² (2 000 rows: +6.5 s).
            IF TG_OP = 'INSERT' THEN
                UPDATE door_data_versions SET version = {PG_TOKEN}
                WHERE site_id = NEW.site_id AND xmin <> pg_current_xact_id()::xid;
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE door_data_versions SET version = {PG_TOKEN}
                WHERE site_id IN (OLD.site_id, NEW.site_id)
                AND xmin <> pg_current_xact_id()::xid;
            ELSE
                UPDATE door_data_versions SET version = {PG_TOKEN}
                WHERE site_id = OLD.site_id AND xmin <> pg_current_xact_id()::xid;
            END IF;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE FUNCTION door_data_site_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM door_data_versions WHERE site_id = OLD.id;
            ELSE
                INSERT INTO door_data_versions (site_id, version) VALUES (NEW.id, {PG_TOKEN})
                ON CONFLICT (site_id) DO UPDATE SET version = excluded.version;
            END IF;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE FUNCTION door_data_all_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO door_data_versions (site_id, version) VALUES ('*', {PG_TOKEN})
            ON CONFLICT (site_id) DO UPDATE SET version = excluded.version;
            RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER door_data_changed AFTER INSERT OR UPDATE OR DELETE ON sites "
        "FOR EACH ROW EXECUTE FUNCTION door_data_site_changed()",
        # One statement of fixes (a translator's page saved) changes every door once.
        "CREATE TRIGGER door_data_changed AFTER INSERT OR UPDATE OR DELETE ON phrase_fixes "
        "FOR EACH STATEMENT EXECUTE FUNCTION door_data_all_changed()",
    ]
    for table in PER_SITE:
        statements.append(
            f"CREATE CONSTRAINT TRIGGER door_data_changed AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED "
            f"FOR EACH ROW EXECUTE FUNCTION door_data_changed()"
        )
    return statements

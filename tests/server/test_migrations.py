"""Migrations: up on an empty database, and the result matches the tables in server.schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db import make_engine
from server.migrate import head_revision, is_current, upgrade
from server.schema import metadata
from server.settings import sqlite_url


def test_migrations_up_on_empty_sqlite(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "new" / "server.db"))
    upgrade(engine)
    assert is_current(engine)
    assert set(inspect(engine).get_table_names()) >= {t.name for t in metadata.sorted_tables}


def test_migrations_match_schema(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migrations_sqlite_is_wal_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "server.db"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_file_names_are_dated() -> None:
    versions = Path(__file__).parents[2] / "server" / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names and all(n[:4].isdigit() and n[4] == "_" for n in names)
    assert head_revision() is not None


def test_migrations_head_has_door_extras(engine) -> None:
    found = inspect(engine)
    assert "birthday" in {c["name"] for c in found.get_columns("participants")}
    assert "symbol" in {c["name"] for c in found.get_columns("words")}
    assert "event_flags" in found.get_table_names()


def test_migrations_upgrade_keeps_existing_rows(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path / "server.db"))
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO sites VALUES ('north', 'North', '08:30', '17:00', 'UTC')")
        conn.exec_driver_sql(
            "INSERT INTO participants (id, site_id, display_name, agreed_weekdays) "
            "VALUES ('p-amal', 'north', 'Amal', '1,3')"
        )
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT agreed_weekdays, birthday FROM participants").one()
    assert tuple(row) == ("1,3", None)


def test_migrations_head_has_audit_log(engine) -> None:
    found = inspect(engine)
    assert {c["name"] for c in found.get_columns("audit_log")} == {
        "id",
        "logged_at",
        "actor",
        "action",
        "participant_id",
        "detail",
    }

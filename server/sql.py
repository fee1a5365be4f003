"""Dialect-specific statements SQLite and PostgreSQL both understand in their own words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_or_ignore(conn: Connection, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING, for any unique constraint of `table`."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def upsert(conn: Connection, table: Table, keys: list[str], values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET the other values."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    changes = {k: v for k, v in values.items() if k not in keys}
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes))

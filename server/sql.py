"""Dialect-specific statements SQLite and PostgreSQL both understand in their own words."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Table,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    text,
)
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


def member_of(conn: Connection, column: Column[Any], values: Iterable[Any]) -> Any:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter however many.

    psycopg turns each placeholder of a query into PostgreSQL's form in Python, and does
    not cache long queries: an IN list of 500 ids cost more than running the query.
    """
    values = list(values)
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    if conn.dialect.name == "sqlite":
        # Likewise SQLAlchemy rewrites an IN list of 500 placeholders for every query;
        # one JSON parameter unpacked by SQLite itself costs nothing to build.
        unpacked: Any = select(literal_column("value")).select_from(
            func.json_each(bindparam(None, json.dumps(values)))
        )
        return column.in_(unpacked.scalar_subquery())
    return column.in_(values)


def insert_new(
    conn: Connection, table: Table, rows: list[dict[str, Any]], returning: Column[Any]
) -> set[Any]:
    """INSERT rows, skipping any that break a unique constraint; `returning` of those stored.

    On PostgreSQL the rows travel as one array per column through unnest(): a short query
    parsed once, instead of one with a placeholder for every value of every row.
    """
    if not rows:
        return set()
    if conn.dialect.name != "postgresql":
        stmt = insert_or_ignore(conn, table).returning(returning)
        return set(conn.execute(stmt, rows).scalars())
    names = list(rows[0])
    arrays = ", ".join(
        f"CAST(:{name} AS {table.c[name].type.compile(dialect=conn.dialect)}[])" for name in names
    )
    statement = text(
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "
        f"ON CONFLICT DO NOTHING RETURNING {returning.name}"
    )
    params = {name: [_pg_value(table.c[name], row[name]) for row in rows] for name in names}
    return set(conn.execute(statement, params).scalars())


def _pg_value(column: Column[Any], value: Any) -> Any:
    # JSON travels as text inside the array and is cast by PostgreSQL.
    if isinstance(column.type, JSON) and value is not None:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime):
        # Inside an array a time travels as text, where PostgreSQL accepts offsets only
        # up to ±15:59; the instant is the same in UTC.
        return value.astimezone(UTC)
    return value

"""Dialect-specific statements SQLite and PostgreSQL both understand in their own words."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

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
from sqlalchemy.sql import ClauseElement

Statement = TypeVar("Statement")


def per_dialect(build: Callable[[str], Statement]) -> Callable[[Connection], Statement]:
    """A statement built once per database dialect and reused, its values as parameters.

    A kiosk request runs a handful of small statements; building each anew and working out
    its cache key cost SQLAlchemy more CPU than SQLite takes to run it. A statement object
    that is kept is keyed once (docs/benchmarks.md, server CPU per request).
    """
    built = cache(build)

    def for_conn(conn: Connection) -> Statement:
        return built(conn.dialect.name)

    return for_conn


def one_of(dialect: str, column: Column[Any], name: str) -> Any:
    """`column IN :name`, as member_of writes it, for a statement kept by per_dialect; the
    parameter's value comes from `id_list`."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))
    unpacked: Any = select(literal_column("value")).select_from(func.json_each(bindparam(name)))
    return column.in_(unpacked.scalar_subquery())


def id_list(conn: Connection, values: Iterable[Any]) -> Any:
    """The value of a `one_of` parameter: an array on PostgreSQL, JSON text on SQLite."""
    values = list(values)
    return values if conn.dialect.name == "postgresql" else json.dumps(values)


def insert_or_ignore(conn: Connection, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING, for any unique constraint of `table`."""
    return insert_or_ignore_for(conn.dialect.name, table)


def insert_or_ignore_for(dialect_name: str, table: Table) -> Any:
    """insert_or_ignore for a dialect named, for a statement kept by per_dialect."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def upsert(conn: Connection, table: Table, keys: list[str], values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET the other values."""
    if any(isinstance(value, ClauseElement) for value in values.values()):
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table).values(**values)
        changes = {k: v for k, v in values.items() if k not in keys}
        conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes))
        return
    # Plain values: one kept statement per table and set of columns, values as parameters.
    conn.execute(_upsert(conn.dialect.name, table, tuple(keys), tuple(values)), values)


@cache
def _upsert(dialect_name: str, table: Table, keys: tuple[str, ...], names: tuple[str, ...]) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    changes = {name: stmt.excluded[name] for name in names if name not in keys}
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=changes)


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
    names = tuple(rows[0])
    if conn.dialect.name != "postgresql":
        stmt = _insert_returning(table, returning.name)
        return set(conn.execute(stmt, rows).scalars())
    statement = _unnest_insert(conn, table, names, returning)
    params = {name: [_pg_value(table.c[name], row[name]) for row in rows] for name in names}
    return set(conn.execute(statement, params).scalars())


@cache
def _insert_returning(table: Table, returning: str) -> Any:
    return sqlite.insert(table).on_conflict_do_nothing().returning(table.c[returning])


_UNNEST_INSERTS: dict[tuple[Table, tuple[str, ...], str], Any] = {}


def _unnest_insert(
    conn: Connection, table: Table, names: tuple[str, ...], returning: Column[Any]
) -> Any:
    key = (table, names, returning.name)
    statement = _UNNEST_INSERTS.get(key)
    if statement is None:
        arrays = ", ".join(
            f"CAST(:{name} AS {table.c[name].type.compile(dialect=conn.dialect)}[])"
            for name in names
        )
        statement = _UNNEST_INSERTS[key] = text(
            f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT DO NOTHING RETURNING {returning.name}"
        )
    return statement


def _pg_value(column: Column[Any], value: Any) -> Any:
    # JSON travels as text inside the array and is cast by PostgreSQL.
    if isinstance(column.type, JSON) and value is not None:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime):
        # Inside an array a time travels as text, where PostgreSQL accepts offsets only
        # up to ±15:59; the instant is the same in UTC.
        return value.astimezone(UTC)
    return value

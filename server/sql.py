"""Dialect-specific statements SQLite and PostgreSQL both understand in their own words."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from itertools import chain
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
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


# From this many rows on, a batch goes the bulk way (COPY on PostgreSQL, one prepared
# multi-row statement on SQLite): a backlog's batches of hundreds, not the usual push.
BULK_ROWS = 50


def insert_new(
    conn: Connection, table: Table, rows: list[dict[str, Any]], returning: Column[Any]
) -> set[Any]:
    """INSERT rows, skipping any that break a unique constraint; `returning` of those stored.

    On PostgreSQL the rows travel as one array per column through unnest(): a short query
    parsed once, instead of one with a placeholder for every value of every row. A big
    batch goes by COPY, and on SQLite as one statement of plain values: SQLAlchemy's work
    per row and per value cost more than storing them (docs/benchmarks.md, the drain).
    """
    if not rows:
        return set()
    names = tuple(rows[0])
    if len(rows) >= BULK_ROWS:
        if conn.dialect.name == "postgresql":
            return _copy_new(conn, table, names, rows, returning)
        if conn.dialect.name == "sqlite":
            return _values_new(conn, table, names, rows, returning)
    if conn.dialect.name != "postgresql":
        stmt = _insert_returning(table, returning.name)
        return set(conn.execute(stmt, rows).scalars())
    statement = _unnest_insert(conn, table, names, returning)
    params = {name: [_pg_value(table.c[name], row[name]) for row in rows] for name in names}
    return set(conn.execute(statement, params).scalars())


def _bound(conn: Connection, table: Table, names: tuple[str, ...]) -> list[Any]:
    """Each column's own conversion to the driver's value (None: passed as it is), as
    SQLAlchemy would apply it: the same text for a time, the same JSON."""
    return [table.c[name].type.bind_processor(conn.dialect) for name in names]


def _values_new(
    conn: Connection,
    table: Table,
    names: tuple[str, ...],
    rows: list[dict[str, Any]],
    returning: Column[Any],
) -> set[Any]:
    """SQLite: INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING, values bound by
    hand, at most 500 rows per statement (well within SQLite's 32 766 parameters)."""
    convert = _bound(conn, table, names)
    stored: set[Any] = set()
    for at in range(0, len(rows), 500):
        part = rows[at : at + 500]
        # Column by column: most columns need no conversion, and then no call per value.
        columns = []
        for name, bind in zip(names, convert, strict=True):
            column = [row[name] for row in part]
            columns.append(column if bind is None else [bind(v) for v in column])
        values = tuple(chain.from_iterable(zip(*columns, strict=True)))
        sql = _values_sql(table.name, names, len(part), returning.name)
        stored.update(value for (value,) in conn.exec_driver_sql(sql, values))
    return stored


@cache
def _values_sql(table: str, names: tuple[str, ...], count: int, returning: str) -> str:
    row = "(" + ", ".join("?" * len(names)) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([row] * count)} "
        f"ON CONFLICT DO NOTHING RETURNING {returning}"
    )


def _copy_new(
    conn: Connection,
    table: Table,
    names: tuple[str, ...],
    rows: list[dict[str, Any]],
    returning: Column[Any],
) -> set[Any]:
    """PostgreSQL: COPY the rows into a temporary table of the connection, then INSERT …
    SELECT … ON CONFLICT DO NOTHING RETURNING from it, emptying it in the same statement.

    COPY sends the values as psycopg writes them in C; the arrays of the unnest() way are
    built in Python, value by value. The INSERT is not prepared: its plan must not be one
    PostgreSQL fixed while the table was nearly empty.
    """
    columns = ", ".join(names)
    incoming = f"pg_temp.incoming_{table.name}"
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor:
        # Once per database session; rolled back with a failed transaction, so asked again
        # each time rather than remembered (costs a round trip, not a statement's plan).
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {incoming} "
            f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
            prepare=False,
        )
        with cursor.copy(f"COPY {incoming} ({columns}) FROM STDIN") as copy:
            for values in zip(*_copy_columns(table, names, rows), strict=True):
                copy.write_row(values)
        cursor.execute(
            f"WITH moved AS (DELETE FROM {incoming} RETURNING {columns}) "
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM moved "
            f"ON CONFLICT DO NOTHING RETURNING {returning.name}",
            prepare=False,
        )
        return {value for (value,) in cursor.fetchall()}


def _copy_columns(
    table: Table, names: tuple[str, ...], rows: list[dict[str, Any]]
) -> list[list[Any]]:
    """The rows' values column by column, as COPY takes them: JSON as its text, times in
    UTC (as _pg_value: offsets past ±15:59 are refused); the other columns as they are."""
    columns = []
    for name in names:
        column = [row[name] for row in rows]
        kind = table.c[name].type
        if isinstance(kind, JSON):
            column = [_json_text(v) for v in column]
        elif isinstance(getattr(kind, "impl", kind), DateTime):  # UtcDateTime too
            column = [v if v is None else v.astimezone(UTC) for v in column]
        columns.append(column)
    return columns


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


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

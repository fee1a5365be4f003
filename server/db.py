"""The database engine: SQLite (WAL, foreign keys on) by default, PostgreSQL via psycopg 3."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

WRITE = {"prikklok_write": True}  # execution option: this transaction will write
# Seconds to wait for PostgreSQL to answer a new connection. A database host that dropped
# off the network then costs a request this long (then 503), well within a kiosk's 10 s
# request timeout; connection refused (PostgreSQL stopped) is immediate anyway. A
# connect_timeout in the database URL wins.
CONNECT_TIMEOUT = 3


def normalise_url(url: str) -> str:
    """Let admins write postgresql://… and still get the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An engine for `url`; for a SQLite file, its directory is created when missing."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT}
        engine = create_engine(url, pool_pre_ping=True, connect_args=timeout)
    else:
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "handle_error", _connect_failure_is_a_disconnect)
    return engine


def unreachable(error: BaseException) -> bool:
    """True when `error` means the database cannot be reached right now (it refused or
    timed out a new connection, or dropped one in use) rather than that a statement is
    wrong: the first is worth a retry, the second is a bug."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _connect_failure_is_a_disconnect(context: ExceptionContext) -> None:
    # SQLAlchemy flags a connection lost mid-statement as a disconnect, but not a failure
    # to open one (refused, timed out, the SQLite file not openable): flag that too, so
    # `unreachable` has one test for both. A failed pre-ping is left alone: SQLAlchemy
    # reconnects after it by itself.
    if (
        context.connection is None
        and not context.is_pre_ping
        and isinstance(context.sqlalchemy_exception, OperationalError)
    ):
        context.is_disconnect = True


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transactions out of pysqlite's hands, so BEGIN is ours (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "synchronous=FULL",  # an acknowledged push survives a power cut
        "busy_timeout=30000",
    ):
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock up front: a deferred transaction that reads and then
    # writes can fail with "database is locked" when another writer got there first.
    immediate = conn.get_execution_options().get("prikklok_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction, committed when the block ends."""
    with _one_writer(engine), engine.connect() as conn:
        conn.execution_options(**WRITE)
        with conn.begin():
            yield conn


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


@contextmanager
def _one_writer(engine: Engine) -> Iterator[None]:
    """On SQLite, this process's write transactions take turns on a lock of their own.

    SQLite lets one writer in at a time anyway; a second one waits in SQLite's busy
    handler, which sleeps in steps of up to 100 ms and so answered a kiosk 0.5–1 s late as
    soon as two pushes met (docs/benchmarks.md). A lock wakes the next writer as soon as
    the last one commits. Other processes (a second worker, the admin CLI) still meet in
    the busy handler. Re-entrant: a write nested in another on the same thread goes on to
    SQLite's busy timeout and its error, as it did before.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    with _WRITERS_LOCK:
        lock = _WRITERS.setdefault(engine, threading.RLock())
    with lock:
        yield

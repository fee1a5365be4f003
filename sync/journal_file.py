"""Opening the journal's file: recognise it as ours, then set it up under one write lock.

On first boot `prikklok kiosk` and `prikklok sync` open a brand-new journal at the same
moment, so creating and migrating it must be safe for several processes at once: the
set-up runs in one BEGIN IMMEDIATE transaction (the second process waits, then finds the
work done). A journal is marked with PRAGMA application_id; any other database, even an
SQLite file with tables of its own, is refused before anything in it is touched.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from sync.schema import journal_migrations

# "PRIK": the 32-bit mark in the database header that says this file is a prikklok journal.
APPLICATION_ID = int.from_bytes(b"PRIK", "big")
# The tables a journal of an earlier version (before the mark) can hold, and nothing else.
JOURNAL_TABLES = frozenset({"records", "meta", "sequence", "door_data", "_sqlite_migrations"})
BUSY_SECONDS = 10.0  # how long to wait for another process that is setting the file up
T = TypeVar("T")


class NotOurs(Exception):
    """The file is another program's database; worded as the end of one line."""


def open_journal_file(path: Path, kiosk_id: str) -> tuple[sqlite3.Connection, str]:
    """The journal's connection, set up and migrated, and the kiosk id it belongs to.

    Raises NotOurs for a foreign database, sqlite3.Error when SQLite cannot use the file,
    and ValueError when the journal belongs to another kiosk.
    """
    # isolation_level=None: we say BEGIN/COMMIT ourselves, so nothing is left hanging in an
    # implicit transaction that a crash would throw away.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        # Looked at read-only first: a foreign file must not even be switched to WAL.
        _patiently(lambda: recognise(conn))
        mode = _patiently(lambda: str(conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]))
        if mode.lower() != "wal":
            raise sqlite3.OperationalError(f"cannot use WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous=FULL")
        # In WAL mode BEGIN IMMEDIATE waits (busy timeout) for a process setting up the
        # same file; the look inside the transaction is the one that counts.
        conn.execute("BEGIN IMMEDIATE")
        try:
            fresh = recognise(conn)
            journal_migrations.apply(Database(conn))
            if fresh:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            owner = _claim(conn, kiosk_id)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except BaseException:
        conn.close()
        raise
    return conn, owner


def recognise(conn: sqlite3.Connection) -> bool:
    """True if the file still needs the mark (new, or a journal of an earlier version);
    raises NotOurs for another program's database. Only reads."""
    found = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if found == APPLICATION_ID:
        return False
    if found != 0:
        raise NotOurs(f"another program's database (application_id {found:#x})")
    tables = {
        str(row[0])
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not str(row[0]).startswith("sqlite_")
    }
    if not tables:
        return True  # brand new
    foreign = sorted(tables - JOURNAL_TABLES)
    if foreign:
        raise NotOurs(f"it holds tables a journal does not have ({', '.join(foreign[:5])})")
    if "_sqlite_migrations" not in tables:
        raise NotOurs("it has no journal migrations")
    sets = {str(row[0]) for row in conn.execute("SELECT migration_set FROM _sqlite_migrations")}
    if sets - {journal_migrations.name}:
        raise NotOurs(f"its migrations are not a journal's ({', '.join(sorted(sets)[:3])})")
    return True  # made by an earlier version, before journals were marked


def _claim(conn: sqlite3.Connection, kiosk_id: str) -> str:
    # Sequence numbers are per kiosk: one journal must never serve two kiosk ids.
    row = conn.execute("SELECT value FROM meta WHERE key = 'kiosk_id'").fetchone()
    if row is None:
        conn.execute("INSERT INTO meta (key, value) VALUES ('kiosk_id', ?)", (kiosk_id,))
        return kiosk_id
    if row[0] != kiosk_id:
        raise ValueError(f"belongs to kiosk {row[0]!r}, but this kiosk is {kiosk_id!r}")
    return str(row[0])


def _patiently(step: Callable[[], T]) -> T:
    """Run a step, again while another process holds the file for its own set-up.

    SQLite does not call its busy handler for everything here (a switch to WAL while
    another connection switches it answers 'database is locked' at once), so we wait.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    pause = 0.005
    while True:
        try:
            return step()
        except sqlite3.OperationalError as error:
            busy = getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY,
                                                                 sqlite3.SQLITE_LOCKED)  # fmt: skip
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)

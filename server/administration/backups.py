"""The server's database backed up and restored: one consistent copy at a time, rotated,
optionally copied off the machine, and a restore that brings an older copy up to date.

SQLite is copied through its online backup API (one read transaction: a consistent snapshot
while the server goes on writing), PostgreSQL through `pg_dump -Fc`. A copy is written under
a temporary name, checked (SQLite: PRAGMA integrity_check; PostgreSQL: pg_restore --list)
and only then given its final name, `server-YYYYMMDD-HHMMSS.db` or `.dump` (UTC), so a copy
with a final name is a whole one. The newest `keep` are kept.

A restore refuses to overwrite a database that holds data unless forced, refuses a copy
made by a newer prikklok (its schema revision is unknown here), and migrates an older copy
up to the current schema afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, literal_column, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.sql.expression import ColumnClause

from sync.rotation import Rotation

DEFAULT_KEEP = 7
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_MAGIC = b"PGDMP"
# An rsync target: [user@]host:path (a folder of this machine has no colon before a slash).
_REMOTE = re.compile(r"^(?:[^@/:]+@)?[^/:]+:")


class ServerBackupError(RuntimeError):
    """A backup or restore that could not be done; one line for the admin."""


@dataclass(frozen=True)
class DatabaseBackup:
    """One finished backup: where it is, what was deleted by rotation, where it was copied."""

    path: Path
    size_bytes: int
    removed: tuple[Path, ...]
    copied_to: str | None


def back_up(
    database_url: str,
    folder: Path,
    *,
    now: datetime,
    keep: int = DEFAULT_KEEP,
    copy_to: str | None = None,
) -> DatabaseBackup:
    """Copy the database into `folder`, keep the newest `keep`, and copy the new one to
    `copy_to` (a folder, or an rsync target such as backup@nas:/srv/prikklok/)."""
    if keep < 1:
        raise ServerBackupError(f"keep at least one backup, not {keep}")
    url = make_url(database_url)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ServerBackupError(
            f"{folder}: cannot make the backup folder: {error.strerror}"
        ) from None
    suffix = "db" if url.get_backend_name() == "sqlite" else "dump"
    target = SERVER_BACKUPS.free_name(folder, now, suffix)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if suffix == "db":
            _copy_sqlite(_sqlite_path(url), partial)
        else:
            _dump_postgres(url, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise ServerBackupError(f"backup failed: {error}") from None
    except ServerBackupError:
        partial.unlink(missing_ok=True)
        raise
    removed = tuple(prune(folder, keep))
    copied = _copy_off(target, copy_to, keep) if copy_to else None
    return DatabaseBackup(target, target.stat().st_size, removed, copied)


SERVER_BACKUPS = Rotation("server", ("db", "dump"))


def backups(folder: Path) -> list[Path]:
    """The database backups in `folder`, oldest first."""
    return SERVER_BACKUPS.backups(folder)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `folder`; what was deleted."""
    return SERVER_BACKUPS.prune(folder, keep)


def restore(file: Path, engine: Engine, *, force: bool = False) -> str | None:
    """Restore `file` into the database of `engine` and migrate it to the current schema;
    the revision the copy had (None: it had none)."""
    from server.migrate import upgrade

    if not file.is_file():
        raise ServerBackupError(f"{file}: no such backup")
    with open(file, "rb") as opened:
        head = opened.read(16)
    url = engine.url
    is_sqlite = url.get_backend_name() == "sqlite"
    if is_sqlite and not head.startswith(_SQLITE_MAGIC):
        raise ServerBackupError(f"{file} is not an SQLite backup; this server's database is SQLite")
    if not is_sqlite and not head.startswith(_PG_MAGIC):
        raise ServerBackupError(f"{file} is not a pg_dump -Fc backup; this server's database is "
                          "PostgreSQL")  # fmt: skip
    revision = _sqlite_revision(file) if is_sqlite else _dump_revision(file)
    _known_revision(file, revision)
    tables = inspect(engine).get_table_names()
    filled = _filled(engine, tables)
    if filled and not force:
        raise ServerBackupError(
            f"the database holds data already ({len(filled)} tables, e.g. {filled[0]}); "
            "restoring replaces all of it: stop the server, and give --force if that is "
            "what you want"
        )
    engine.dispose()
    if is_sqlite:
        _restore_sqlite(file, _sqlite_path(url))
    else:
        _restore_postgres(file, url, clean=bool(tables))
    engine.dispose()
    upgrade(engine)
    return revision


# Tables a migration itself fills: the schema's version, and the door data's version token
# (migration 0015 writes the row every site shares). They hold no one's data.
BOOKKEEPING = frozenset({"alembic_version", "door_data_versions"})


def _filled(engine: Engine, tables: list[str]) -> list[str]:
    """The tables that hold a row; a database just migrated (the server started once on a
    new machine) holds none, and is restored into without --force."""
    filled = []
    with engine.connect() as conn:
        for name in sorted(tables):
            if name not in BOOKKEEPING and _has_row(conn, name):
                filled.append(name)
    return filled


def _has_row(conn: Connection, name: str) -> bool:
    one: ColumnClause[Any] = literal_column("1")
    return conn.execute(select(one).select_from(table(name)).limit(1)).first() is not None


# -- SQLite ------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ServerBackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _copy_sqlite(database: Path, partial: Path) -> None:
    if not database.is_file():
        raise ServerBackupError(f"{database}: no database to back up")
    source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        # One step: the whole snapshot under one read transaction, never restarted by the
        # server's commits in between.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
        verdict = [row[0] for row in copy.execute("PRAGMA integrity_check")]
    finally:
        copy.close()
        source.close()
    if verdict != ["ok"]:
        raise ServerBackupError(f"the copy fails its integrity check: {'; '.join(verdict[:3])}")
    with open(partial, "rb+") as written:
        os.fsync(written.fileno())


def _sqlite_revision(file: Path) -> str | None:
    copy = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ServerBackupError(f"{file} fails its integrity check: take an older backup")
        row = copy.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if row is None:
            return None
        found = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(found[0]) if found else None
    except sqlite3.DatabaseError as error:
        raise ServerBackupError(f"{file} cannot be read as SQLite: {error}") from None
    finally:
        copy.close()


def _restore_sqlite(file: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=30.0)
    try:
        # Page by page into the live file, under its lock: a server left running sees the
        # old database or the restored one, never a mixture.
        source.backup(target)
    finally:
        target.close()
        source.close()


# -- PostgreSQL --------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump reads it, without the password (which goes in PGPASSWORD, out of
    the process list)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    tool = shutil.which(command[0])
    if tool is None:
        raise ServerBackupError(f"{command[0]} is not installed (apt install postgresql-client)")
    done = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        raise ServerBackupError(f"{what} failed ({command[0]} exit {done.returncode}): {last}")
    return done.stdout


def _dump_postgres(url: URL, partial: Path) -> None:
    dsn, env = _libpq(url)
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _run(["pg_dump", "-Fc", "-f", str(partial), "-d", dsn], env, "pg_dump")
    _run(["pg_restore", "--list", str(partial)], env, "checking the dump")
    with open(partial, "rb+") as written:
        os.fsync(written.fileno())


def _dump_revision(file: Path) -> str | None:
    """The schema revision in a dump, read without restoring it."""
    out = _run(
        ["pg_restore", "--data-only", "--table=alembic_version", "-f", "-", str(file)],
        dict(os.environ),
        f"reading {file}",
    )
    lines = out.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and n + 1 < len(lines):
            value = lines[n + 1].strip()
            return value if value and value != "\\." else None
    return None


def _restore_postgres(file: Path, url: URL, *, clean: bool) -> None:
    dsn, env = _libpq(url)
    command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, "-d", dsn, str(file)], env, "pg_restore")


# -- both --------------------------------------------------------------------------------


def _known_revision(file: Path, revision: str | None) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from server.migrate import SCRIPT_LOCATION

    if revision is None:
        raise ServerBackupError(f"{file} holds no prikklok schema version: not a server backup")
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except CommandError:
        raise ServerBackupError(
            f"{file} was made by a newer prikklok (schema {revision}): upgrade this server first"
        ) from None


def _copy_off(backup: Path, copy_to: str, keep: int) -> str:
    """Copy the new backup to another folder (rotated there too) or an rsync target."""
    if _REMOTE.match(copy_to):
        _run(["rsync", "--times", "--chmod=F600", str(backup), copy_to], dict(os.environ),
             f"copying to {copy_to}")  # fmt: skip
        return copy_to
    folder = Path(copy_to)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = folder / f".{backup.name}.partial"
        shutil.copyfile(backup, partial)
        os.chmod(partial, 0o600)
        os.replace(partial, folder / backup.name)
    except OSError as error:
        raise ServerBackupError(
            f"{folder}: backup made, but not copied: {error.strerror}"
        ) from None
    prune(folder, keep)
    return str(folder)

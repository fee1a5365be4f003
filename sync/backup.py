"""A copy of the live journal through SQLite's online backup API, never a file copy.

Copying journal.db with cp while the kiosk writes can catch a page half-updated, or miss
what still sits in journal.db-wal: the copy then looks fine and is not. SQLite's backup API
reads one consistent snapshot through the WAL, while the door goes on writing (in WAL mode
a reader never blocks the writer). Each copy is checked with PRAGMA integrity_check before it
gets its final name, and only the newest few are kept.

A copy is marked with the last sequence number it holds (meta unconfirmed_after_seq): the
journal it was taken from may go on and send later records to the server, so a journal
restored from it treats its next numbers as unconfirmed until the server has said how far
it got (Journal.confirm_numbers).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sync.journal_file import NotOurs, recognise
from sync.rotation import Rotation

DEFAULT_KEEP = 7


class BackupError(RuntimeError):
    """The journal could not be backed up; worded as one line for the admin."""


@dataclass(frozen=True)
class Backup:
    """One finished backup: where it is and what it holds (counts only, nothing personal)."""

    path: Path
    records: int
    last_seq: int
    removed: tuple[Path, ...]


def backup_journal(
    journal: Path, folder: Path, *, now: datetime, keep: int = DEFAULT_KEEP
) -> Backup:
    """Copy `journal` into `folder` as journal-YYYYMMDD-HHMMSS.db (UTC) and keep the newest
    `keep` copies there."""
    if keep < 1:
        raise BackupError(f"keep at least one backup, not {keep}")
    if not journal.is_file():
        raise BackupError(f"{journal}: no journal to back up")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"{folder}: cannot make the backup folder: {error}") from None
    target = JOURNAL_BACKUPS.free_name(folder, now, "db")
    partial = target.with_name(f".{target.name}.partial")
    try:
        _copy(journal, partial)
        records, last_seq = _check(partial)
        os.replace(partial, target)
        _fsync_dir(folder)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{journal}: backup failed: {error}") from None
    except NotOurs as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{journal} is not a prikklok journal: {error}; not backed up") from None
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    return Backup(target, records, last_seq, tuple(JOURNAL_BACKUPS.prune(folder, keep)))


JOURNAL_BACKUPS = Rotation("journal", ("db",))


def backups(folder: Path) -> list[Path]:
    """The journal backups in `folder`, oldest first."""
    return JOURNAL_BACKUPS.backups(folder)


def _copy(journal: Path, partial: Path) -> None:
    # Read-only, so a journal that vanished is an error instead of a new empty database.
    source = sqlite3.connect(f"{journal.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)
    try:
        recognise(source)  # another program's database is not copied as if it were ours
    except BaseException:
        source.close()
        raise
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        # One step (pages=-1): the whole snapshot under one read transaction. Copied in
        # several steps, every commit of the door in between would restart the copy.
        source.backup(copy)
        # The copy inherits WAL mode from the journal's header; a backup should be one
        # self-contained file, without -wal and -shm beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        _mark_unconfirmed(copy)
    finally:
        copy.close()
        source.close()
    with open(partial, "rb+") as written:
        os.fsync(written.fileno())


def _mark_unconfirmed(copy: sqlite3.Connection) -> None:
    # A copy of a journal that was itself restored and not yet confirmed keeps the lower
    # mark: the numbers after it are still unconfirmed.
    last = int(copy.execute("SELECT last FROM sequence").fetchone()[0])
    row = copy.execute("SELECT value FROM meta WHERE key = 'unconfirmed_after_seq'").fetchone()
    mark = min(last, int(row[0])) if row else last
    copy.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('unconfirmed_after_seq', ?)",
        (str(mark),),
    )


def _check(partial: Path) -> tuple[int, int]:
    copy = sqlite3.connect(f"{partial.resolve().as_uri()}?mode=ro", uri=True)
    try:
        verdict = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            raise BackupError(f"the copy fails its integrity check: {'; '.join(verdict[:3])}")
        records = int(copy.execute("SELECT COUNT(*) FROM records").fetchone()[0])
        last_seq = int(copy.execute("SELECT last FROM sequence").fetchone()[0])
    finally:
        copy.close()
    return records, last_seq


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""The journal's ground: free space on its disk, the reserve kept for taps, and what a failed
journal write means.

A full SD card is a real door's fault: logs, a core dump or a big snapshot fill it, and then
no tap can be recorded. Two defences:

- The reserve: a file of RESERVE_BYTES next to the journal, really allocated (not sparse).
  When a tap cannot be written because the disk is full, the door deletes it and writes the
  tap into the space it gave back: a full disk costs the door nothing at first, and the
  kiosk page has days to raise its alarm before taps are refused. Whatever filled the disk
  (journald, another program) cannot take that space, which a free-space check alone could
  not promise.
- The snapshot store checks the room first: a snapshot (500 KB for 2 000 participants) is
  stored only if the disk keeps at least RESERVE_BYTES free after it, so the sync agent never
  pushes the disk into the reserve; the door keeps deciding from the cache it has.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)

# About 20 000 taps (a record with its index is under 400 bytes) and the write-ahead log's
# 4 MB of pages: weeks of a busy door, and nothing on an SD card of gigabytes.
RESERVE_BYTES = 8 * 1024 * 1024

# SQLite's primary result codes (the low byte of an extended code).
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT = 3, 8, 10, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26


class WriteTrouble(StrEnum):
    """Why the journal cannot be written; tapping again will not help."""

    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    WRITE_FAILED = "write_failed"  # I/O error, corrupt or vanished file


def trouble_of(error: BaseException) -> WriteTrouble | None:
    """The lasting trouble behind a failed write; None for a passing one (busy, locked)."""
    if isinstance(error, sqlite3.Error):
        code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
        if code == _SQLITE_FULL:
            return WriteTrouble.DISK_FULL
        if code in (_SQLITE_READONLY, _SQLITE_PERM):
            return WriteTrouble.READ_ONLY
        if code in (_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_CANTOPEN, _SQLITE_NOTADB):
            return WriteTrouble.WRITE_FAILED
        return None
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return WriteTrouble.DISK_FULL
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return WriteTrouble.READ_ONLY
        return WriteTrouble.WRITE_FAILED
    return None


@dataclass(frozen=True)
class Room:
    """Free and total bytes of the file system a path is on (free: what we may use)."""

    free_bytes: int
    total_bytes: int

    @property
    def share(self) -> float:
        return self.free_bytes / self.total_bytes if self.total_bytes else 0.0


def room(path: Path) -> Room:
    """The room on the disk that holds `path` (a file or a folder; it need not exist yet)."""
    folder = path if path.is_dir() else path.parent
    stats = os.statvfs(folder)
    return Room(stats.f_bavail * stats.f_frsize, stats.f_blocks * stats.f_frsize)


def size_text(count: int) -> str:
    """'40 MB', '1.2 GB', '512 KB': for a supervisor, not an accountant."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            amount = count / size
            return f"{amount:.1f} {unit}" if amount < 10 else f"{amount:.0f} {unit}"
    return f"{count} B"


class Reserve:
    """Space held back for taps: a file beside the journal, given up when the disk fills."""

    def __init__(self, journal_path: Path, size: int = RESERVE_BYTES) -> None:
        self.path = journal_path.with_name(journal_path.name + ".reserve")
        self.size = size

    def held(self) -> bool:
        try:
            return self.path.stat().st_size >= self.size
        except OSError:
            return False

    def make(self) -> bool:
        """Hold the reserve (again) if the disk has room for it twice; True if held."""
        if self.held():
            return True
        temp = self.path.with_name(self.path.name + ".new")
        try:
            if room(self.path).free_bytes < 2 * self.size:
                return False  # taking the last space would only move the trouble
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                try:
                    os.posix_fallocate(fd, 0, self.size)
                except OSError as error:
                    if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                        raise
                    os.write(fd, bytes(self.size))  # a file system without fallocate
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, self.path)
        except OSError as error:
            with contextlib.suppress(OSError):
                temp.unlink()
            log.warning("cannot hold the journal's reserve at %s: %s", self.path, error)
            return False
        return True

    def release(self) -> bool:
        """Give the space back to the disk; True if there was a reserve to give."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as error:
            log.error("cannot release the journal's reserve at %s: %s", self.path, error)
            return False
        return True

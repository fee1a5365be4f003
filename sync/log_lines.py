"""The kiosk's recent warnings and errors, kept beside the journal for the server to read.

Each Pi's log stays on that Pi, where nobody reads it (issue 17). The door and the sync
agent are two processes (unless sync.in_process), so the lines they log at WARNING and above
go into one small file of JSON lines beside the journal (`warnings.jsonl`); the agent sends
the newest few with its heartbeat, and the Kiosks page shows them.

Nothing personal leaves the Pi: a line is masked when written (anything shaped like a badge
id keeps only its first and last byte) and again when sent (the names of the participants
and supervisors the door knows become "•••"). Each line is cut to MAX_CHARS, a heartbeat
carries at most MAX_SENT of them, and the file keeps the newest KEEP_LINES.

This module is the writing half, which the door process loads: it needs no protocol models
(pydantic costs a door 19 MiB). Reading and sending are the agent's: sync.log_outbox.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

MAX_CHARS = 300  # one line, as sent; the protocol refuses longer (sync.protocol.LogLine)
MAX_SENT = 20  # lines per heartbeat; the protocol refuses more
KEEP_LINES = 200  # the file is cut back to these when it grows past twice as many bytes
_TRIM_BYTES = KEEP_LINES * 2 * 400
NAME_MASK = "•••"

# A badge id as the readers write it: 4 to 10 bytes in hex, standing on its own (not a
# piece of a record's uuid).
_BADGE = re.compile(r"(?<![0-9A-Za-z-])(?:[0-9A-Fa-f]{2}){4,10}(?![0-9A-Za-z-])")


def mask_badges(text: str) -> str:
    """'tap of 04A1B2C3' → 'tap of 04••••C3' (the same shape as hardware.badge.mask_uid)."""

    def masked(found: re.Match[str]) -> str:
        uid = found.group(0)
        if not any(c.isdigit() for c in uid) or not any(c.isalpha() for c in uid):
            return uid  # "20261204" or "deadbeef…"-like words are left as they are
        return uid[:2] + "•" * (len(uid) - 4) + uid[-2:]

    return _BADGE.sub(masked, text)


def mask_names(text: str, names: Iterable[str]) -> str:
    """Every known name (and each word of it of three letters or more) becomes '•••'."""
    words: set[str] = set()
    for name in names:
        name = name.strip()
        if name:
            words.add(name)
            words.update(part for part in name.split() if len(part) >= 3)
    # Longest first, so "Amal Haddad" goes as one before "Amal" alone.
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", NAME_MASK, text, flags=re.IGNORECASE)
    return text


def one_line(text: str) -> str:
    """Newlines and tabs become spaces; cut to MAX_CHARS with '…'."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_CHARS else flat[: MAX_CHARS - 1] + "…"


class WarningsFile(logging.Handler):
    """A logging handler that appends WARNING and above, masked, to the warnings file.

    Any number of processes may append: each write holds an exclusive lock on the file,
    and the one that finds it grown past its bound cuts it back to the newest KEEP_LINES.
    """

    def __init__(self, path: Path, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                message = f"{message}: {type(error).__name__}: {error}"
            line = {
                "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname,
                "logger": record.name[:64],
                "message": one_line(mask_badges(message)),
            }
            append_line(self.path, json.dumps(line, ensure_ascii=False))
        except Exception:  # a full disk must not turn a warning into a crash
            self.handleError(record)


def append_line(path: Path, text: str) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, (text + "\n").encode())
        if os.fstat(fd).st_size > _TRIM_BYTES:
            _trim(fd, path)
    finally:
        os.close(fd)  # closing lets go of the lock


def _trim(fd: int, path: Path) -> None:
    with open(path, "rb") as whole:
        kept = whole.read().splitlines(keepends=True)[-KEEP_LINES:]
    os.ftruncate(fd, 0)
    os.write(fd, b"".join(kept))

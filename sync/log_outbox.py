"""The sync agent's half of the kiosk's warnings (sync.log_lines writes them): the newest
lines of the warnings file, masked of the door's names and bounded, for the heartbeat."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from sync.log_lines import MAX_SENT, mask_names, one_line
from sync.protocol import MAX_LOG_BYTES, LogLine


def recent_lines(
    path: Path, *, after: datetime | None = None, limit: int = MAX_SENT
) -> list[LogLine]:
    """The newest `limit` lines logged after `after` (all, if None), oldest first; a line
    that cannot be read (cut by a crash mid-write) is skipped."""
    try:
        raw = path.read_bytes().splitlines()
    except FileNotFoundError:
        return []
    found: list[LogLine] = []
    for text in reversed(raw):
        try:
            item = json.loads(text)
            line = LogLine(
                at=item["at"],
                level=item["level"],
                logger=str(item["logger"])[:64],
                message=one_line(str(item["message"])),
            )
        except (ValueError, KeyError, TypeError, ValidationError):
            continue
        if after is not None and line.at <= after:
            break
        found.append(line)
        if len(found) == limit:
            break
    return found[::-1]


MAX_SENT_BYTES = MAX_LOG_BYTES  # the lines of one heartbeat, as JSON


def bounded(lines: list[LogLine], max_bytes: int = MAX_SENT_BYTES) -> list[LogLine]:
    """The newest lines that fit in max_bytes of JSON together, oldest first."""
    kept: list[LogLine] = []
    size = 0
    for line in reversed(lines[-MAX_SENT:]):
        size += len(line.model_dump_json().encode()) + 1
        if size > max_bytes:
            break
        kept.append(line)
    return kept[::-1]


@dataclass
class WarningsOutbox:
    """What the sync agent knows about sending the warnings file: whether the server takes
    log lines (it says so in its answer to a heartbeat) and how far it has them."""

    path: Path
    server_takes: bool = False
    sent_up_to: datetime | None = None

    def to_send(self, names: Callable[[], Iterable[str]]) -> list[LogLine] | None:
        """The lines for the next heartbeat, masked and bounded; None while the server has
        not said it takes them (an older server refuses the field)."""
        if not self.server_takes:
            return None
        lines = recent_lines(self.path, after=self.sent_up_to)
        if not lines:
            return []
        try:
            known = list(names())
        except (ValueError, sqlite3.Error):
            return []  # without the names, nothing is sent rather than something unmasked
        return bounded(
            [line.model_copy(update={"message": mask_names(line.message, known)}) for line in lines]
        )

    def answered(self, takes: bool | None, sent: list[LogLine] | None) -> None:
        """The server answered a heartbeat that carried `sent`."""
        self.server_takes = bool(takes)
        if sent:
            self.sent_up_to = sent[-1].at

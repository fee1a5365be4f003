"""The kiosks' newest warnings and errors, as their heartbeats bring them (issue 17).

A kiosk masks its lines before they leave it (sync.log_lines); the server keeps the newest
KEPT_LOG_LINES per kiosk, once each, so the Kiosks page can show why a door is unwell
without anyone visiting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from server.schema import kiosk_log_lines
from server.sql import insert_or_ignore
from sync.protocol import LogLine

KEPT_LOG_LINES = 50  # per kiosk
SHOWN_LOG_LINES = 10  # on the Kiosks page, newest first


def keep_log_lines(
    conn: Connection, kiosk_id: str, lines: Sequence[LogLine], received_at: datetime
) -> None:
    """Store the lines (a line already held is not stored twice) and drop all but the
    newest KEPT_LOG_LINES of the kiosk."""
    if not lines:
        return
    conn.execute(
        insert_or_ignore(conn, kiosk_log_lines),
        [
            {
                "kiosk_id": kiosk_id,
                "logged_at": line.at,
                "level": line.level,
                "logger": line.logger,
                "message": line.message,
                "received_at": received_at,
            }
            for line in lines
        ],
    )
    newest = (
        select(kiosk_log_lines.c.id)
        .where(kiosk_log_lines.c.kiosk_id == kiosk_id)
        .order_by(kiosk_log_lines.c.logged_at.desc(), kiosk_log_lines.c.id.desc())
        .limit(KEPT_LOG_LINES)
        .scalar_subquery()
    )
    conn.execute(
        delete(kiosk_log_lines).where(
            kiosk_log_lines.c.kiosk_id == kiosk_id, kiosk_log_lines.c.id.not_in(newest)
        )
    )


def newest_log_lines(conn: Connection, kiosk_id: str, limit: int = SHOWN_LOG_LINES) -> list[Any]:
    """The kiosk's newest lines, newest first (rows: logged_at, level, logger, message)."""
    return list(
        conn.execute(
            select(
                kiosk_log_lines.c.logged_at,
                kiosk_log_lines.c.level,
                kiosk_log_lines.c.logger,
                kiosk_log_lines.c.message,
            )
            .where(kiosk_log_lines.c.kiosk_id == kiosk_id)
            .order_by(kiosk_log_lines.c.logged_at.desc(), kiosk_log_lines.c.id.desc())
            .limit(limit)
        ).all()
    )

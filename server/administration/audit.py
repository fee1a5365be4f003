"""Who saw or changed which participant's data, and when (the audit_log table), as the staff
pages write it; and the retention runs it keeps.

Changes are logged each time. Views are logged once per staff member, participant and
page within `SEEN_AGAIN_AFTER`: a "present now" page that refreshes itself every few
seconds would otherwise write a line per participant per refresh.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select

from server.administration.rights import record_audit, record_audits
from server.administration.staff_sessions import Viewer
from server.db import writing
from server.schema import audit_log

SEEN_AGAIN_AFTER = timedelta(minutes=10)


class _Seen:
    """Per process: the last time each (staff, page, participant) view was logged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str, str], datetime] = {}

    def due(
        self, keys: Iterable[tuple[str, str, str]], now: datetime
    ) -> list[tuple[str, str, str]]:
        with self._lock:
            if len(self._last) > 100_000:  # a long-running server: forget the old ones
                self._last = {k: t for k, t in self._last.items() if now - t < SEEN_AGAIN_AFTER}
            fresh = [
                k
                for k in keys
                if now - self._last.get(k, datetime.min.replace(tzinfo=now.tzinfo))
                >= SEEN_AGAIN_AFTER
            ]
            for key in fresh:
                self._last[key] = now
            return fresh


_seen = _Seen()


def saw(
    engine: Engine, viewer: Viewer, page: str, participant_ids: Iterable[str], now: datetime
) -> None:
    """`viewer` was shown `page` with data of these participants."""
    due = _seen.due(((viewer.staff_id, page, pid) for pid in participant_ids), now)
    if not due:
        return
    with writing(engine) as conn:
        record_audits(conn, now, viewer.actor, "view", [pid for *_, pid in due], {"page": page})


def changed(
    conn: Connection,
    viewer: Viewer,
    action: str,
    participant_id: str | None,
    detail: Mapping[str, Any],
    now: datetime,
) -> None:
    """`viewer` changed a participant's data; call inside the change's own transaction."""
    record_audit(conn, now, viewer.actor, action, participant_id, detail)


def forget_seen() -> None:
    """For tests: log the next view again."""
    with _seen._lock:
        _seen._last.clear()


def retention_runs(engine: Engine, last: int) -> list[Any]:
    """The `last` runs of retention, the latest first: when, by whom, and what went."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_log)
                .where(audit_log.c.action == "retention")
                .order_by(audit_log.c.logged_at.desc(), audit_log.c.id.desc())
                .limit(last)
            ).all()
        )

"""A site's kiosks as the kiosks page shows and changes them: each door with its latest
heartbeat, and (for the admin) registering one, giving it a new token and revoking it.

A page acts on its own site's doors only: a kiosk of another site is answered as if it
were not there. The rules of a kiosk's token are server.administration.operations.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from server.administration.operations import (
    AdminError,
    add_kiosk,
    revoke_kiosk,
    rotate_kiosk_token,
)
from server.db import writing
from server.kiosks.log_lines import newest_log_lines
from server.kiosks.status import SET_ASIDE_WINDOW, Alarm, Beat, alarms
from server.schema import kiosk_heartbeats, kiosks, rejected_records


@dataclass(frozen=True)
class SiteKiosk:
    """A kiosk of the site and what its latest heartbeat said (None: never heard)."""

    id: str
    name: str
    revoked_at: datetime | None
    heartbeat: Any  # the kiosk_heartbeats row as stored, for the page to show
    beat: Beat | None  # what the alarms need of it
    set_aside: int = 0  # its records the server set aside in the last SET_ASIDE_WINDOW
    # Its newest warnings and errors, newest first, masked on the kiosk (rows: logged_at,
    # level, logger, message).
    log_lines: list[Any] = field(default_factory=list)

    def alarms(self, now: datetime, *, silent_minutes: int, queue_minutes: int) -> list[Alarm]:
        """What is wrong with it now: one derivation for the kiosks page and the alerts."""
        return alarms(
            self.beat,
            now,
            silent_after=timedelta(minutes=silent_minutes),
            queue_after=timedelta(minutes=queue_minutes),
            revoked=self.revoked_at is not None,
            set_aside=self.set_aside,
        )


def kiosks_of(engine: Engine, site_id: str, now: datetime | None = None) -> list[SiteKiosk]:
    """The site's kiosks, live ones first, by name (with `now`: and what was set aside of
    each lately)."""
    with engine.connect() as conn:
        set_aside = {} if now is None else set_aside_counts(conn, site_id, now - SET_ASIDE_WINDOW)
        rows = conn.execute(
            select(kiosks.c.id, kiosks.c.name, kiosks.c.revoked_at, kiosk_heartbeats)
            .outerjoin(kiosk_heartbeats, kiosk_heartbeats.c.kiosk_id == kiosks.c.id)
            .where(kiosks.c.site_id == site_id)
            .order_by(kiosks.c.revoked_at.is_not(None), kiosks.c.name, kiosks.c.id)
        ).all()
        lines = {row.id: newest_log_lines(conn, row.id) for row in rows}
    found = []
    for row in rows:
        beat = Beat.of_row(row)
        found.append(
            SiteKiosk(
                row.id,
                row.name,
                row.revoked_at,
                row if beat else None,
                beat,
                set_aside.get(row.id, 0),
                lines[row.id],
            )
        )
    return found


def set_aside_counts(conn: Connection, site_id: str, since: datetime) -> dict[str, int]:
    """Records of each of the site's kiosks the server set aside since `since`."""
    rows = conn.execute(
        select(rejected_records.c.kiosk_id, func.count())
        .join(kiosks, kiosks.c.id == rejected_records.c.kiosk_id)
        .where(kiosks.c.site_id == site_id, rejected_records.c.received_at >= since)
        .group_by(rejected_records.c.kiosk_id)
    ).all()
    return {str(kiosk_id): int(count) for kiosk_id, count in rows}


def register(engine: Engine, site_id: str, kiosk_id: str, name: str, now: datetime) -> str | None:
    """Register a kiosk at the site; its token (shown once, only its hash is kept), or
    None when a kiosk of any site has this id already."""
    with writing(engine) as conn:
        if conn.execute(select(kiosks.c.id).where(kiosks.c.id == kiosk_id)).first():
            return None
        return add_kiosk(conn, site_id, kiosk_id, name, now)


def _ours(conn: Connection, site_id: str, kiosk_id: str) -> bool:
    found = conn.execute(
        select(kiosks.c.id).where(kiosks.c.id == kiosk_id, kiosks.c.site_id == site_id)
    ).first()
    return found is not None


def rotate_token(engine: Engine, site_id: str, kiosk_id: str) -> str | None:
    """A new token for the site's kiosk (the old one is refused at once, a revoked kiosk
    comes back); None when the kiosk is not this site's."""
    with writing(engine) as conn:
        if not _ours(conn, site_id, kiosk_id):
            return None
        return rotate_kiosk_token(conn, kiosk_id)


def retire(engine: Engine, site_id: str, kiosk_id: str, now: datetime) -> bool:
    """Revoke the site's kiosk (its next request is refused); False when it is not this
    site's."""
    with writing(engine) as conn:
        if not _ours(conn, site_id, kiosk_id):
            return False
        with suppress(AdminError):  # revoked already: the same outcome
            revoke_kiosk(conn, kiosk_id, now)
    return True

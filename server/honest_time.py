"""Honest time: unsynchronised taps get a corrected wall time from their boot's heartbeats.

A heartbeat received at server time T with monotonic M says the boot's monotonic clock read
0 at T − M. Network delay only makes T later, so the smallest T − M over a boot's
heartbeats is the best estimate (its "epoch"); a tap with monotonic m happened at epoch + m.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update

from server.schema import events, kiosk_boots
from server.sql import insert_or_ignore


def note_heartbeat(
    conn: Connection, kiosk_id: str, boot_id: str, monotonic: float, received_at: datetime
) -> None:
    """Remember the heartbeat's reference point; re-correct the boot's taps when it improves."""
    try:
        epoch = received_at - timedelta(seconds=monotonic)
    except OverflowError:
        return  # a monotonic reading no real boot reaches: no reference point to learn
    inserted = conn.execute(
        insert_or_ignore(conn, kiosk_boots)
        .values(
            kiosk_id=kiosk_id,
            boot_id=boot_id,
            epoch_at=epoch,
            first_heartbeat_at=received_at,
            last_heartbeat_at=received_at,
            heartbeats=1,
        )
        .returning(kiosk_boots.c.boot_id)
    ).first()
    if inserted is not None:
        correct_boot(conn, kiosk_id, boot_id, epoch, received_at, only_new=False)
        return
    where = (kiosk_boots.c.kiosk_id == kiosk_id) & (kiosk_boots.c.boot_id == boot_id)
    best = conn.execute(select(kiosk_boots.c.epoch_at).where(where)).scalar_one()
    conn.execute(
        update(kiosk_boots)
        .where(where)
        .values(
            last_heartbeat_at=received_at,
            heartbeats=kiosk_boots.c.heartbeats + 1,
            epoch_at=min(best, epoch),
        )
    )
    if epoch < best:
        correct_boot(conn, kiosk_id, boot_id, epoch, received_at, only_new=False)


def correct_new_events(
    conn: Connection, kiosk_id: str, boot_ids: Iterable[str], now: datetime
) -> None:
    """Correct just-arrived unsynchronised taps of boots the server has a heartbeat from."""
    wanted = set(boot_ids)
    if not wanted:
        return
    rows = conn.execute(
        select(kiosk_boots.c.boot_id, kiosk_boots.c.epoch_at).where(
            kiosk_boots.c.kiosk_id == kiosk_id, kiosk_boots.c.boot_id.in_(wanted)
        )
    ).all()
    for boot_id, epoch in rows:
        correct_boot(conn, kiosk_id, boot_id, epoch, now, only_new=True)


def correct_boot(
    conn: Connection,
    kiosk_id: str,
    boot_id: str,
    epoch: datetime,
    now: datetime,
    *,
    only_new: bool,
) -> int:
    """Set corrected_wall_at = epoch + monotonic on the boot's unsynchronised taps."""
    query = select(events.c.id, events.c.monotonic).where(
        events.c.kiosk_id == kiosk_id,
        events.c.boot_id == boot_id,
        events.c.clock_synced.is_(False),
    )
    if only_new:
        query = query.where(events.c.corrected_at.is_(None))
    changes = []
    for row in conn.execute(query):
        try:
            changes.append(
                {"event_id": row.id, "corrected": epoch + timedelta(seconds=row.monotonic)}
            )
        except OverflowError:
            continue  # an impossible monotonic reading stays uncorrected
    if changes:
        conn.execute(
            update(events)
            .where(events.c.id == bindparam("event_id"))
            .values(corrected_wall_at=bindparam("corrected"), corrected_at=now),
            changes,
        )
    return len(changes)

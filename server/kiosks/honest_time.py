"""Honest time: every tap's time is reckoned from its boot's monotonic clock.

A heartbeat received at server time T with monotonic M says the boot's monotonic clock read
0 at T − M. Network delay only makes T later, so the smallest T − M over a boot's
heartbeats is the best estimate (its "epoch"). How a boot's anchor is chosen from that and
its synchronised taps, and which taps move, is server.kiosks.boot_clock; here the result is kept
in `events.corrected_wall_at` (NULL: the tap's own wall time is honest), the one column
every reader of taps uses through server.attendance.presence.honest_at.

A push reckons only its new taps from the anchor in `boot_anchors`, unless one of them
could move the anchor (a jump of a synchronised clock, or the boot's first synchronised
tap); then, and when the heartbeats give a boot its first or a better epoch it is anchored
by, the whole boot is reckoned again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update

from server.kiosks.boot_clock import (
    Anchor,
    BootTap,
    agrees,
    choose_anchor,
    moves_anchor,
    reckoned_at,
)
from server.schema import boot_anchors, events, kiosk_boots, kiosks
from server.sql import insert_or_ignore_for, per_dialect, upsert


def note_heartbeat(
    conn: Connection, kiosk_id: str, boot_id: str, monotonic: float, received_at: datetime
) -> None:
    """Remember the heartbeat's reference point; re-correct the boot's taps when it improves."""
    try:
        epoch = received_at - timedelta(seconds=monotonic)
    except OverflowError:
        return  # a monotonic reading no real boot reaches: no reference point to learn
    this_boot = {"kiosk": kiosk_id, "boot": boot_id}
    # The usual heartbeat is of a boot the server knows: read its epoch, then update it.
    best = conn.execute(_BOOT_EPOCH, this_boot).scalar_one_or_none()
    if best is None:
        inserted = conn.execute(
            _NEW_BOOT(conn),
            {"kiosk_id": kiosk_id, "boot_id": boot_id, "epoch_at": epoch,
             "first_heartbeat_at": received_at, "last_heartbeat_at": received_at,
             "heartbeats": 1},
        ).first()  # fmt: skip
        if inserted is not None:
            reckon_boot(conn, kiosk_id, boot_id, received_at)  # the server's clock can judge now
            return
        # Another heartbeat of the same boot was stored first (PostgreSQL, at once).
        best = conn.execute(_BOOT_EPOCH, this_boot).scalar_one()
    conn.execute(_BOOT_HEARD, {**this_boot, "heard_at": received_at, "epoch": min(best, epoch)})
    if epoch < best:
        known, anchor = _anchor_of(conn, kiosk_id, boot_id)
        if not known or anchor is None or anchor.monotonic is None:  # anchored by heartbeats
            reckon_boot(conn, kiosk_id, boot_id, received_at)


def reckon_arrivals(
    conn: Connection,
    kiosk_id: str,
    arrived: Iterable[BootTap],
    boot_of: dict[str, str],
    now: datetime,
) -> None:
    """Reckon just-stored taps (`boot_of`: tap id → boot id) from their boots' anchors."""
    by_boot: dict[str, list[BootTap]] = {}
    for tap in arrived:
        by_boot.setdefault(boot_of[tap.id], []).append(tap)
    if by_boot and conn.dialect.name == "postgresql":
        # A kiosk's pushes reckon one after the other: with two batches on their way at once
        # (sync.push), the second waits here until the first committed, and then reads its
        # taps and its anchor. SQLite lets one writer in at a time anyway.
        conn.execute(_ONE_RECKONER, {"kiosk": kiosk_id})
    for boot_id, taps in by_boot.items():
        known, anchor = _anchor_of(conn, kiosk_id, boot_id)
        # The usual push, on every push of a backlog: a synchronised boot whose clock
        # never jumped. Nothing moves, so nothing more is read or written.
        if anchor and anchor.monotonic is not None and all(agrees(t, anchor) for t in taps):
            continue
        heartbeat = _heartbeat_epoch(conn, kiosk_id, boot_id)
        if not known or any(moves_anchor(anchor, tap, heartbeat) for tap in taps):
            reckon_boot(conn, kiosk_id, boot_id, now)
        else:
            _store(conn, [(tap.id, None, reckoned_at(tap, anchor)) for tap in taps], now)


def reckon_boot(conn: Connection, kiosk_id: str, boot_id: str, now: datetime) -> None:
    """Choose the boot's anchor from all it has, and move every tap that disagrees with it."""
    rows = conn.execute(
        select(
            events.c.id,
            events.c.wall_at,
            events.c.clock_synced,
            events.c.monotonic,
            events.c.corrected_wall_at,
        ).where(events.c.kiosk_id == kiosk_id, events.c.boot_id == boot_id)
    ).all()
    taps = [(BootTap(r.id, r.wall_at, r.clock_synced, r.monotonic), r.corrected_wall_at)
            for r in rows]  # fmt: skip
    anchor = choose_anchor((tap for tap, _ in taps), _heartbeat_epoch(conn, kiosk_id, boot_id))
    _store(conn, [(tap.id, was, reckoned_at(tap, anchor)) for tap, was in taps], now)
    upsert(
        conn,
        boot_anchors,
        ["kiosk_id", "boot_id"],
        {
            "kiosk_id": kiosk_id,
            "boot_id": boot_id,
            "epoch_at": anchor.epoch_at if anchor else None,
            "anchor_monotonic": anchor.monotonic if anchor else None,
            "reckoned_at": now,
        },
    )


def _store(
    conn: Connection, changes: list[tuple[str, datetime | None, datetime | None]], now: datetime
) -> None:
    """Write (tap id, corrected time it had, corrected time it gets) where they differ."""
    rows = [
        {"event_id": event_id, "corrected": new, "stamped": now if new is not None else None}
        for event_id, was, new in sorted(changes, key=lambda change: change[0])
        if new != was
    ]  # by id: two pushes reckoning one boot at once lock its rows in the same order
    if rows:
        conn.execute(
            update(events)
            .where(events.c.id == bindparam("event_id"))
            .values(corrected_wall_at=bindparam("corrected"), corrected_at=bindparam("stamped")),
            rows,
        )


def _anchor_of(conn: Connection, kiosk_id: str, boot_id: str) -> tuple[bool, Anchor | None]:
    """(whether the boot was reckoned before, its anchor)."""
    row = conn.execute(_ANCHOR, {"kiosk": kiosk_id, "boot": boot_id}).first()
    if row is None:
        return False, None
    return True, (Anchor(row.epoch_at, row.anchor_monotonic) if row.epoch_at else None)


def _heartbeat_epoch(conn: Connection, kiosk_id: str, boot_id: str) -> datetime | None:
    epoch: datetime | None = conn.execute(
        _BOOT_EPOCH, {"kiosk": kiosk_id, "boot": boot_id}
    ).scalar_one_or_none()
    return epoch


# Kept statements, values as parameters: they run on every push and every heartbeat
# (server.sql.per_dialect says why).
_THIS_BOOT = (kiosk_boots.c.kiosk_id == bindparam("kiosk")) & (
    kiosk_boots.c.boot_id == bindparam("boot")
)
_BOOT_EPOCH = select(kiosk_boots.c.epoch_at).where(_THIS_BOOT)
_BOOT_HEARD = (
    update(kiosk_boots)
    .where(_THIS_BOOT)
    .values(
        last_heartbeat_at=bindparam("heard_at"),
        heartbeats=kiosk_boots.c.heartbeats + 1,
        epoch_at=bindparam("epoch"),
    )
)
_NEW_BOOT = per_dialect(
    lambda dialect: insert_or_ignore_for(dialect, kiosk_boots).returning(kiosk_boots.c.boot_id)
)
_ANCHOR = select(boot_anchors.c.epoch_at, boot_anchors.c.anchor_monotonic).where(
    boot_anchors.c.kiosk_id == bindparam("kiosk"), boot_anchors.c.boot_id == bindparam("boot")
)
# NO KEY UPDATE: it waits for another push's, not for the events' foreign keys to the kiosk.
_ONE_RECKONER = (
    select(kiosks.c.id).where(kiosks.c.id == bindparam("kiosk")).with_for_update(key_share=True)
)

"""Kiosk heartbeats: the latest state per kiosk, its clock offset, and the records it owes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, union

from server.deps import Kiosk
from server.kiosks.honest_time import note_heartbeat
from server.kiosks.log_lines import keep_log_lines
from server.schema import events, kiosk_heartbeats, rejected_records
from server.sql import upsert
from sync.protocol import Heartbeat, HeartbeatResponse

MISSING_CAP = 1000  # the kiosk re-pushes these; a longer list would only be truncated later


def record_heartbeat(
    conn: Connection,
    kiosk: Kiosk,
    beat: Heartbeat,
    received_at: datetime,
    *,
    tell_highest_seq: bool = False,
    tell_takes_log_lines: bool = False,
    tell_takes_upgrade: bool = False,
) -> HeartbeatResponse:
    """Store the heartbeat, correct the boot's clock, and answer with what is missing
    (and, to a kiosk that understands it, the highest sequence number held for it)."""
    offset = (received_at - beat.wall_at).total_seconds()
    upsert(
        conn,
        kiosk_heartbeats,
        ["kiosk_id"],
        {
            "kiosk_id": kiosk.id,
            "received_at": received_at,
            "wall_at": beat.wall_at,
            "clock_synced": beat.clock_synced,
            "clock_offset_seconds": offset,
            "boot_id": beat.boot_id,
            "monotonic": beat.monotonic,
            "last_seq": beat.last_seq,
            "queue_depth": beat.queue_depth,
            "oldest_unsynced_at": beat.oldest_unsynced_at,
            "last_tap_at": beat.last_tap_at,
            "reader_health": beat.reader_health,
            "app_version": beat.app_version,
            "disk_free_bytes": beat.disk_free_bytes,
            "disk_total_bytes": beat.disk_total_bytes,
            "journal_trouble": beat.journal_trouble,
            # upgrades: the kiosk's word on the wanted version (None: it does not say)
            "upgrade_version": beat.upgrade.version if beat.upgrade else None,
            "upgrade_state": beat.upgrade.state if beat.upgrade else None,
            "upgrade_reason": beat.upgrade.reason if beat.upgrade else None,
        },
    )
    note_heartbeat(conn, kiosk.id, beat.boot_id, beat.monotonic, received_at)
    keep_log_lines(conn, kiosk.id, beat.log_lines or (), received_at)
    return HeartbeatResponse(
        server_time=received_at,
        clock_offset_seconds=offset,
        missing_seqs=missing_seqs(conn, kiosk.id, beat.last_seq),
        highest_seq=highest_seq(conn, kiosk.id) if tell_highest_seq else None,
        takes_log_lines=True if tell_takes_log_lines else None,
        takes_upgrade=True if tell_takes_upgrade else None,
    )


def highest_seq(conn: Connection, kiosk_id: str) -> int:
    """The highest sequence number held for the kiosk, stored or refused; 0 if none.

    A journal restored from a backup is behind it: it renumbers its new records past it
    instead of reusing numbers the server has seen (which it would have to refuse).
    """
    highest = conn.execute(_HIGHEST, {"kiosk_id": kiosk_id}).one()  # one statement, not two
    return max((int(seq) for seq in highest if seq is not None), default=0)


def missing_seqs(
    conn: Connection, kiosk_id: str, last_seq: int, cap: int = MISSING_CAP
) -> list[int]:
    """Sequence numbers in 1..last_seq the server has neither stored nor refused."""
    if last_seq < 1:
        return []
    held = {"kiosk_id": kiosk_id, "last_seq": last_seq}
    if conn.execute(_HELD_COUNT, held).scalar_one() == last_seq:
        return []  # the usual case: nothing missing, no need to fetch every number
    seen = set(conn.execute(_HELD_SEQS, held).scalars())
    missing: list[int] = []
    for seq in range(1, last_seq + 1):
        if seq not in seen:
            missing.append(seq)
            if len(missing) == cap:
                break
    return missing


# Kept statements, values as parameters: they run on every heartbeat (server.sql.per_dialect
# says why).
_HELD = union(
    select(events.c.seq).where(
        events.c.kiosk_id == bindparam("kiosk_id"), events.c.seq <= bindparam("last_seq")
    ),
    select(rejected_records.c.seq).where(
        rejected_records.c.kiosk_id == bindparam("kiosk_id"),
        rejected_records.c.seq <= bindparam("last_seq"),
    ),
).subquery()
_HELD_COUNT = select(func.count()).select_from(_HELD)
_HELD_SEQS = select(_HELD.c.seq)
_HIGHEST = select(
    select(func.max(events.c.seq))
    .where(events.c.kiosk_id == bindparam("kiosk_id"))
    .scalar_subquery(),
    select(func.max(rejected_records.c.seq))
    .where(rejected_records.c.kiosk_id == bindparam("kiosk_id"))
    .scalar_subquery(),
)

"""`prikklok journal`: what the journal holds, without a name or badge id in clear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hardware.badge import mask_uid
from sync.clock import WORKSHOP_TZ
from sync.journal import Journal, SetAside
from sync.record import Record


@dataclass(frozen=True)
class JournalReport:
    path: Path
    kiosk_id: str
    counts: dict[str, int]
    last_seq: int
    unsynced: int
    oldest_unsynced: datetime | None
    door_data: dict[str, Any] | None
    last: list[Record]
    integrity: str
    now: datetime
    set_aside: list[SetAside]
    last_contact: tuple[datetime, float] | None
    reader_health: str
    unconfirmed_after: int | None = None  # restored from a backup, server not yet heard

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "kiosk_id": self.kiosk_id,
            "records": sum(self.counts.values()),
            "by_kind": self.counts,
            "last_seq": self.last_seq,
            "unsynced": self.unsynced,
            "oldest_unsynced_at": _iso(self.oldest_unsynced),
            "door_data": self.door_data,
            "integrity": self.integrity,
            "reader_health": self.reader_health,
            "unconfirmed_after_seq": self.unconfirmed_after,
            "last_contact_at": _iso(self.last_contact[0]) if self.last_contact else None,
            "clock_offset_seconds": self.last_contact[1] if self.last_contact else None,
            "set_aside": [
                {
                    "seq": a.record.seq,
                    "kind": a.record.kind,
                    "reason": a.reason,
                    "set_aside_at": _iso(a.set_aside_at),
                }
                for a in self.set_aside
            ],
            "last": [
                {
                    "seq": r.seq,
                    "id": r.id,
                    "kind": r.kind,
                    "wall_at": _iso(r.wall_at),
                    "clock_synced": r.clock_synced,
                    "participant_id": r.participant_id,
                    "supervisor_id": r.supervisor_id,
                    "badge": mask_uid(r.badge_uid) if r.badge_uid else None,
                    "synced": r.synced_at is not None,
                }
                for r in self.last
            ],
        }

    def as_text(self) -> str:
        total = sum(self.counts.values())
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.counts.items())) or "none"
        lines = [
            f"Journal {self.path} (kiosk {self.kiosk_id}), integrity {self.integrity}",
            f"Records: {total} ({kinds}); last sequence number {self.last_seq}",
        ]
        if self.unsynced:
            age = _age(self.now - self.oldest_unsynced) if self.oldest_unsynced else "?"
            lines.append(f"Waiting for sync: {self.unsynced}, oldest {age} old")
        else:
            lines.append("Waiting for sync: none")
        if self.last_contact:
            at, offset = self.last_contact
            lines.append(
                f"Server: last contact {_age(self.now - at)} ago, clock offset {offset:+.1f} s"
            )
        else:
            lines.append("Server: no contact yet")
        lines.append(f"Reader: {self.reader_health}")
        if self.unconfirmed_after is not None:
            lines.append(
                f"Restored from a backup: records after #{self.unconfirmed_after} wait for "
                "the server (renumbered past its numbers at the first contact)"
            )
        if self.set_aside:
            lines.append(f"Set aside for a supervisor: {len(self.set_aside)}")
            lines += [f"  #{a.record.seq} {a.record.kind}: {a.reason}" for a in self.set_aside]
        if self.door_data:
            info = self.door_data
            lines.append(f"Door data: from {info['source']}, updated {info['updated_at']}")
        else:
            lines.append("Door data: none cached — every badge is unknown")
        lines.append(f"Last {len(self.last)} taps (newest first):")
        for r in self.last:
            who = r.participant_id or r.supervisor_id or "-"
            when = r.wall_at.astimezone(WORKSHOP_TZ).strftime("%Y-%m-%d %H:%M:%S")
            badge = mask_uid(r.badge_uid) if r.badge_uid else "-"
            flags = ("" if r.clock_synced else " clock-unsynced") + (
                " synced" if r.synced_at else ""
            )
            lines.append(f"  #{r.seq:<6} {when}  {r.kind:<15} {who:<12} badge {badge}{flags}")
        return "\n".join(lines)


def journal_report(path: Path, kiosk_id: str, last_n: int, *, now: datetime) -> JournalReport:
    with Journal(path, kiosk_id=kiosk_id) as journal:
        status = journal.sync_status()  # set-aside records wait for a supervisor, not sync
        unsynced, oldest = status.queue_depth, status.oldest_unsynced_at
        return JournalReport(
            path=path,
            kiosk_id=journal.kiosk_id,
            counts=journal.counts(),
            last_seq=journal.last_seq(),
            unsynced=unsynced,
            oldest_unsynced=oldest,
            door_data=journal.door_data_info(),
            last=journal.last(last_n),
            integrity=journal.integrity_check(),
            now=now,
            set_aside=journal.set_aside_records(limit=20),
            last_contact=journal.last_contact(),
            reader_health=status.reader_health,
            unconfirmed_after=journal.unconfirmed_after(),
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _age(delta: Any) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"

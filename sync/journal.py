"""The kiosk's journal: every decision at the door, durable before anyone is told.

SQLite in WAL mode with synchronous=FULL: once append() returns, the record survives a
power cut or kill -9. One connection, one writer lock; the sync agent (next issue) opens
its own connection on the same file and WAL lets both go on.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from sync.ids import RecordIds
from sync.record import CLOSES_SESSION, OPENS_SESSION, Entry, Record
from sync.roster import DoorData
from sync.schema import journal_migrations

_SESSION_KINDS = tuple(sorted(OPENS_SESSION | CLOSES_SESSION))
_COLUMNS = (
    "id, seq, kind, participant_id, supervisor_id, badge_uid, wall_at, workshop_day, "
    "clock_synced, boot_id, monotonic, detail, synced_at, attempts, last_error"
)


class JournalError(RuntimeError):
    """The journal cannot be used as asked (wrong kiosk, not WAL, corrupt)."""


class Journal:
    """The durable, append-only record of this kiosk's decisions, and its door-data cache."""

    def __init__(self, path: str | Path, *, kiosk_id: str, ids: RecordIds | None = None) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we say BEGIN/COMMIT ourselves, so nothing is left
            # hanging in an implicit transaction that a crash would throw away.
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except (OSError, sqlite3.Error) as error:
            raise JournalError(f"{self.path}: cannot open the journal: {error}") from None
        if mode.lower() != "wal":
            conn.close()
            raise JournalError(f"{self.path}: cannot use WAL mode (got {mode})")
        conn.execute("PRAGMA synchronous=FULL")
        self._conn = conn
        self._lock = threading.RLock()
        self._ids = ids or RecordIds()
        self.db = Database(conn)
        with self._lock:
            journal_migrations.apply(self.db)
            self.kiosk_id = self._claim(kiosk_id)

    def _claim(self, kiosk_id: str) -> str:
        # Sequence numbers are per kiosk: one journal must never serve two kiosk ids.
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'kiosk_id'").fetchone()
        if row is None:
            self._conn.execute("INSERT INTO meta (key, value) VALUES ('kiosk_id', ?)", (kiosk_id,))
            return kiosk_id
        if row[0] != kiosk_id:
            raise JournalError(
                f"{self.path} belongs to kiosk {row[0]!r}, but this kiosk is {kiosk_id!r}"
            )
        return str(row[0])

    # -- writing ---------------------------------------------------------------------

    def append(self, entry: Entry) -> Record:
        """Give the entry an id and the next sequence number, and commit it durably."""
        record_id = self._ids.new()
        detail = json.dumps(entry.detail, sort_keys=True, ensure_ascii=False)
        with self._lock:
            conn = self._conn
            # IMMEDIATE takes the write lock first, so reading the counter and using it
            # cannot interleave with another writer: no gaps, no duplicates.
            conn.execute("BEGIN IMMEDIATE")
            try:
                seq = conn.execute(
                    "UPDATE sequence SET last = last + 1 WHERE id = 1 RETURNING last"
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO records (id, seq, kind, participant_id, supervisor_id, "
                    "badge_uid, wall_at, workshop_day, clock_synced, boot_id, monotonic, "
                    "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record_id,
                        seq,
                        entry.kind,
                        entry.participant_id,
                        entry.supervisor_id,
                        entry.badge_uid,
                        _utc_text(entry.wall_at),
                        entry.workshop_day.isoformat(),
                        int(entry.clock_synced),
                        entry.boot_id,
                        entry.monotonic,
                        detail,
                    ),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return Record(**{**entry.__dict__, "id": record_id, "seq": seq})

    # -- reading ---------------------------------------------------------------------

    def _select(
        self, where: str = "", params: tuple[Any, ...] = (), tail: str = ""
    ) -> list[Record]:
        sql = f"SELECT {_COLUMNS} FROM records {where} {tail}"
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_record(row) for row in rows]

    def get(self, record_id: str) -> Record | None:
        found = self._select("WHERE id = ?", (record_id,))
        return found[0] if found else None

    def records(self, *, after_seq: int = 0, limit: int = 1000) -> list[Record]:
        return self._select("WHERE seq > ?", (after_seq,), f"ORDER BY seq LIMIT {int(limit)}")

    def last(self, n: int = 10) -> list[Record]:
        """The n newest records, newest first."""
        return self._select(tail=f"ORDER BY seq DESC LIMIT {int(n)}")

    def presence_records(self, today: date) -> Iterator[Record]:
        """What the door needs to know who is in: every participant's last session record
        (an open check-in may be days old) and all of today's, in sequence order."""
        marks = ",".join("?" * len(_SESSION_KINDS))
        rows = self._select(
            f"""WHERE kind IN ({marks}) AND (workshop_day = ? OR seq IN (
                    SELECT MAX(seq) FROM records WHERE kind IN ({marks})
                    GROUP BY participant_id))""",
            (*_SESSION_KINDS, today.isoformat(), *_SESSION_KINDS),
            "ORDER BY seq",
        )
        return iter(rows)

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT kind, COUNT(*) FROM records GROUP BY kind")
            return dict(Counter({kind: n for kind, n in rows}))

    def unsynced(self) -> tuple[int, datetime | None]:
        """How many records wait for the server, and the wall time of the oldest."""
        with self._lock:
            n, oldest = self._conn.execute(
                "SELECT COUNT(*), MIN(wall_at) FROM records WHERE synced_at IS NULL"
            ).fetchone()
        return int(n), (datetime.fromisoformat(oldest) if oldest else None)

    def last_seq(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT last FROM sequence").fetchone()[0])

    def integrity_check(self) -> str:
        with self._lock:
            return str(self._conn.execute("PRAGMA integrity_check").fetchone()[0])

    # -- the door-data cache -----------------------------------------------------------

    def store_door_data(self, data: DoorData, *, source: str, etag: str | None = None) -> None:
        """Replace the cached snapshot whole, in one transaction."""
        now = _utc_text(datetime.now(UTC))
        payload = json.dumps(data.to_dict(), ensure_ascii=False, sort_keys=True)
        with self._lock, self.db.atomic():
            self._conn.execute(
                "INSERT OR REPLACE INTO door_data (name, data, etag, source, updated_at) "
                "VALUES ('snapshot', ?, ?, ?, ?)",
                (payload, etag, source, now),
            )

    def door_data(self) -> DoorData:
        with self._lock:
            row = self._conn.execute(
                "SELECT data FROM door_data WHERE name = 'snapshot'"
            ).fetchone()
        return DoorData.from_dict(json.loads(row[0])) if row else DoorData()

    def door_data_info(self) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT source, etag, updated_at FROM door_data WHERE name = 'snapshot'"
            ).fetchone()
        return dict(zip(("source", "etag", "updated_at"), row, strict=True)) if row else None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _record(row: tuple[Any, ...]) -> Record:
    (rid, seq, kind, pid, sid, badge, wall, day, synced, boot, mono, detail, s_at, att, err) = row
    return Record(
        id=rid,
        seq=seq,
        kind=kind,
        participant_id=pid,
        supervisor_id=sid,
        badge_uid=badge,
        wall_at=datetime.fromisoformat(wall),
        workshop_day=date.fromisoformat(day),
        clock_synced=bool(synced),
        boot_id=boot,
        monotonic=mono,
        detail=json.loads(detail),
        synced_at=datetime.fromisoformat(s_at) if s_at else None,
        attempts=att,
        last_error=err,
    )

"""The kiosk's journal: every decision at the door, durable before anyone is told.

SQLite in WAL mode with synchronous=FULL: once append() returns, the record survives a
power cut or kill -9. One connection, one writer lock; the sync agent opens its own
connection on the same file and WAL lets both go on. Sync state lives in the records'
own columns (synced_at, attempts, last_error, next_attempt_at, rejected_at).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from sync.ids import RecordIds
from sync.journal_file import NotOurs, open_journal_file
from sync.record import CLOSES_SESSION, OPENS_SESSION, Entry, Record
from sync.roster import DoorData

if TYPE_CHECKING:  # pydantic is the sync agent's; a door alone need not load it
    from sync.clock import Instant
    from sync.protocol import RecordResult

_SESSION_KINDS = tuple(sorted(OPENS_SESSION | CLOSES_SESSION))
_COLUMNS = (
    "id, seq, kind, participant_id, supervisor_id, badge_uid, wall_at, workshop_day, "
    "clock_synced, boot_id, monotonic, detail, synced_at, attempts, last_error"
)


READER_HEALTH = ("ok", "degraded", "absent")
# A record that is neither synced nor set aside waits for the server.
_PENDING = "synced_at IS NULL AND rejected_at IS NULL"
_MAX_SEQ = 2**63 - 1
# A monotonic reading further back than this cannot be of the same boot (a clock reset).
_MAX_UPTIME_SECONDS = 10 * 365 * 86400


@dataclass(frozen=True)
class SyncStatus:
    """What the kiosk tells the server in a heartbeat, read from the journal."""

    queue_depth: int  # records waiting for the server (set-aside ones not counted)
    oldest_unsynced_at: datetime | None
    last_tap_at: datetime | None
    last_seq: int
    set_aside: int
    reader_health: str


@dataclass(frozen=True)
class SetAside:
    """A record the server refused (or that could not be sent), kept for a supervisor."""

    record: Record
    set_aside_at: datetime

    @property
    def reason(self) -> str:
        return self.record.last_error or ""


@dataclass(frozen=True)
class Renumbered:
    """The journal's counter moved past the server's numbers (after a restore)."""

    last_before: int
    last_after: int
    records: int  # records made since the restore that got new numbers


class JournalError(RuntimeError):
    """The journal cannot be used as asked (wrong kiosk, not WAL, corrupt)."""


class Journal:
    """The durable, append-only record of this kiosk's decisions, and its door-data cache."""

    def __init__(self, path: str | Path, *, kiosk_id: str, ids: RecordIds | None = None) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn, self.kiosk_id = open_journal_file(self.path, kiosk_id)
        except NotOurs as error:
            raise JournalError(
                f"{self.path} is not a prikklok journal: {error}; refusing to use it "
                "(is [kiosk] data_dir right?)"
            ) from None
        except ValueError as error:
            raise JournalError(f"{self.path} {error}") from None
        except (OSError, sqlite3.Error) as error:
            raise JournalError(f"{self.path}: cannot open the journal: {error}") from None
        self._conn = conn
        self._lock = threading.RLock()
        self._ids = ids or RecordIds()
        self.db = Database(conn)

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
                    "detail, honest_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                        _utc_text(entry.wall_at) if entry.clock_synced else None,
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
        (an open check-in may be days old) and all of today's, with today's lunch answers,
        in sequence order."""
        marks = ",".join("?" * len(_SESSION_KINDS))
        rows = self._select(
            f"""WHERE (kind IN ({marks}, 'lunch') AND workshop_day = ?) OR seq IN (
                    SELECT MAX(seq) FROM records WHERE kind IN ({marks})
                    GROUP BY participant_id)""",
            (*_SESSION_KINDS, today.isoformat(), *_SESSION_KINDS),
            "ORDER BY seq",
        )
        return iter(rows)

    def of_kind(self, kind: str, *, day: date | None = None) -> list[Record]:
        """Every record of one kind (of one workshop day, if given), in sequence order."""
        if day is None:
            return self._select("WHERE kind = ?", (kind,), "ORDER BY seq")
        return self._select(
            "WHERE kind = ? AND workshop_day = ?", (kind, day.isoformat()), "ORDER BY seq"
        )

    def of_kinds_since(self, kinds: Iterable[str], day: date) -> list[Record]:
        """Every record of these kinds from workshop day `day` on, in sequence order."""
        wanted = sorted(kinds)
        marks = ",".join("?" * len(wanted))
        return self._select(
            f"WHERE kind IN ({marks}) AND workshop_day >= ?",
            (*wanted, day.isoformat()),
            "ORDER BY seq",
        )

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT kind, COUNT(*) FROM records GROUP BY kind")
            return dict(Counter({kind: n for kind, n in rows}))

    def last_seq(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT last FROM sequence").fetchone()[0])

    def data_version(self) -> int:
        """SQLite's data_version: moves when another connection commits (cheap to poll)."""
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

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

    def door_data_etag(self) -> str | None:
        """The ETag of the cached snapshot, for the next conditional pull."""
        info = self.door_data_info()
        return info["etag"] if info else None

    # -- sync state ------------------------------------------------------------------

    def pending(
        self,
        limit: int,
        *,
        now: datetime,
        max_delay: timedelta = timedelta(minutes=5),
        after_seq: int = 0,
    ) -> list[Record]:
        """The next records to push, in sequence order: not synced, not set aside, due.

        A retry time further ahead than max_delay can only mean the wall clock went back
        (a Pi before and after NTP): such a record is due, rather than stuck for days.
        after_seq skips a batch still in flight. In a journal restored from a backup the
        records numbered after the backup wait until confirm_numbers has renumbered them.
        """
        up_to = self.unconfirmed_after()
        return self._select(
            f"WHERE {_PENDING} AND seq > ? AND seq <= ? AND (next_attempt_at IS NULL "
            "OR next_attempt_at <= ? OR next_attempt_at > ?)",
            (after_seq, _MAX_SEQ if up_to is None else up_to, _utc_text(now),
             _utc_text(now + max_delay)),
            f"ORDER BY seq LIMIT {int(limit)}",
        )  # fmt: skip

    def mark_results(self, results: Iterable[RecordResult], *, now: datetime) -> dict[str, int]:
        """Apply the server's answer to a push, in one transaction; counts by status."""
        counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
        at = _utc_text(now)
        by_status: dict[str, list[RecordResult]] = {"accepted": [], "duplicate": [], "rejected": []}
        for result in results:
            by_status[result.status].append(result)
        with self._lock, self.db.atomic():
            # One executemany per status: a push answers for up to 500 records at a time.
            for status in ("accepted", "duplicate"):
                cursor = self._conn.executemany(
                    "UPDATE records SET synced_at = ?, next_attempt_at = NULL "
                    "WHERE id = ? AND synced_at IS NULL",
                    [(at, str(r.id)) for r in by_status[status]],
                )
                counts[status] = max(cursor.rowcount, 0)
            cursor = self._conn.executemany(
                f"UPDATE records SET rejected_at = ?, last_error = ?, "
                f"next_attempt_at = NULL WHERE id = ? AND {_PENDING}",
                [
                    (at, r.reason or "rejected by the server", str(r.id))
                    for r in by_status["rejected"]
                ],
            )
            counts["rejected"] = max(cursor.rowcount, 0)
        return counts

    def set_aside(self, record_id: str, reason: str, *, now: datetime) -> None:
        """Take a record out of the queue for good, keeping why (a supervisor acts on it)."""
        with self._lock, self.db.atomic():
            self._conn.execute(
                f"UPDATE records SET rejected_at = ?, last_error = ?, next_attempt_at = NULL "
                f"WHERE id = ? AND {_PENDING}",
                (_utc_text(now), reason, record_id),
            )

    def set_aside_records(self, *, limit: int = 1000) -> list[SetAside]:
        """Records set aside, oldest first, with when and why."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_COLUMNS}, rejected_at FROM records WHERE rejected_at IS NOT NULL "
                f"ORDER BY seq LIMIT {int(limit)}"
            ).fetchall()
        return [SetAside(_record(row[:-1]), datetime.fromisoformat(row[-1])) for row in rows]

    def note_failure(
        self, ids: Iterable[str], error: str, *, retry_at: datetime | None = None
    ) -> None:
        """Count a failed attempt on these records; retry_at None means 'when the loop says'."""
        retry = _utc_text(retry_at) if retry_at else None
        with self._lock, self.db.atomic():
            self._conn.executemany(
                "UPDATE records SET attempts = attempts + 1, last_error = ?, "
                f"next_attempt_at = ? WHERE id = ? AND {_PENDING}",
                [(error, retry, record_id) for record_id in ids],
            )

    def requeue(self, seqs: Iterable[int]) -> tuple[list[int], list[int]]:
        """Send again records the server says it lacks: (requeued, gone from the journal).

        Pending and set-aside records are left as they are: the first will be pushed
        anyway, the second were refused and wait for a supervisor.
        """
        requeued: list[int] = []
        gone: list[int] = []
        with self._lock, self.db.atomic():
            for seq in sorted(set(seqs)):
                row = self._conn.execute(
                    "SELECT synced_at, rejected_at FROM records WHERE seq = ?", (seq,)
                ).fetchone()
                if row is None:
                    gone.append(seq)
                elif row[0] is not None and row[1] is None:
                    self._conn.execute(
                        "UPDATE records SET synced_at = NULL, next_attempt_at = NULL WHERE seq = ?",
                        (seq,),
                    )
                    requeued.append(seq)
        return requeued, gone

    def settle_times(self, now: Instant) -> int:
        """Give unsynchronised records an honest time, now that the clock is trusted.

        Within the current boot the monotonic clock says exactly when a record was made;
        a record of an earlier boot gets this moment, the first trusted one known to come
        after it (so it is kept at most that much longer, never deleted too soon). The
        number settled; nothing while the clock itself is not synchronised.
        """
        if not now.synchronised:
            return 0
        with self._lock, self.db.atomic():
            rows = self._conn.execute(
                "SELECT id, boot_id, monotonic FROM records WHERE honest_at IS NULL"
            ).fetchall()
            settled = []
            for record_id, boot_id, monotonic in rows:
                ago = now.monotonic - monotonic
                same_boot = boot_id == now.boot_id and 0 <= ago < _MAX_UPTIME_SECONDS
                at = now.wall - timedelta(seconds=ago) if same_boot else now.wall
                settled.append((_utc_text(at), record_id))
            self._conn.executemany("UPDATE records SET honest_at = ? WHERE id = ?", settled)
        return len(settled)

    def prune(self, older_than: datetime) -> int:
        """Delete synced records older than the moment; the number deleted.

        Never an unsynced or set-aside record. Age is judged on the honest time
        (settle_times), never on a wall time taken while the clock was not synchronised.
        Each participant's last session record stays: the door needs it to know who is in.
        """
        cutoff = _utc_text(older_than)
        marks = ",".join("?" * len(_SESSION_KINDS))
        with self._lock, self.db.atomic():
            cursor = self._conn.execute(
                f"""DELETE FROM records WHERE synced_at IS NOT NULL AND rejected_at IS NULL
                    AND honest_at < ? AND seq NOT IN (
                        SELECT MAX(seq) FROM records WHERE kind IN ({marks})
                        GROUP BY participant_id)""",
                (cutoff, *_SESSION_KINDS),
            )
        return cursor.rowcount

    def expire(self, older_than: datetime) -> int:
        """Retention: delete records whose honest time is before the moment, once the
        server has answered for them (synced, or set aside). The number deleted.

        A record the server has not had stays, however old: a kiosk offline for longer
        than the retention period still sends every tap. A record without an honest time
        yet (made while the clock was not synchronised) is not judged at all.
        """
        cutoff = _utc_text(older_than)
        with self._lock, self.db.atomic():
            cursor = self._conn.execute(
                f"DELETE FROM records WHERE honest_at < ? AND NOT ({_PENDING})", (cutoff,)
            )
        return cursor.rowcount

    def forget_absent(self, known: set[str]) -> int:
        """Delete the synced and set-aside records of participants the roster no longer
        has (erased on the server). Records not yet sent stay: the server decides on
        them, and sets them aside to be forgotten here next time."""
        with self._lock:
            ids = [
                row[0]
                for row in self._conn.execute(
                    "SELECT DISTINCT participant_id FROM records WHERE participant_id IS NOT NULL"
                )
            ]
        gone = [pid for pid in ids if pid not in known]
        if not gone:
            return 0
        marks = ",".join("?" * len(gone))
        with self._lock, self.db.atomic():
            cursor = self._conn.execute(
                f"""DELETE FROM records WHERE participant_id IN ({marks})
                    AND (synced_at IS NOT NULL OR rejected_at IS NOT NULL)""",
                gone,
            )
        return cursor.rowcount

    # -- numbers after a restore -------------------------------------------------------------

    def unconfirmed_after(self) -> int | None:
        """In a journal restored from a backup: the backup's last sequence number. The
        original journal may have sent later numbers to the server, so records numbered
        after it are not sent until the server has said how far it got."""
        text = self._meta("unconfirmed_after_seq")
        return int(text) if text is not None else None

    def confirm_numbers(self, highest: int | None) -> Renumbered | None:
        """Take the server's highest sequence number for this kiosk (None: a server too old
        to say) and make sure no number it holds is used again; what moved, if anything.

        Records made since a restore are renumbered past it, in their order; a journal
        behind the server without the mark (a backup of an earlier version) moves its
        counter past before the next tap. One IMMEDIATE transaction: the door's next tap
        waits for it, and takes its number after the moved ones.
        """
        if self.unconfirmed_after() is None and (highest is None or highest <= self.last_seq()):
            return None  # the usual round: nothing to write (the door watches for writes)
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                mark = self.unconfirmed_after()
                last = int(conn.execute("SELECT last FROM sequence").fetchone()[0])
                moved = None
                if highest is not None and mark is not None and highest > mark:
                    shift = highest - mark
                    # Through negative numbers: seq is UNIQUE, checked row by row.
                    cursor = conn.execute(
                        "UPDATE records SET seq = -(seq + ?) WHERE seq > ?", (shift, mark)
                    )
                    conn.execute("UPDATE records SET seq = -seq WHERE seq < 0")
                    conn.execute("UPDATE sequence SET last = ?", (last + shift,))
                    moved = Renumbered(last, last + shift, cursor.rowcount)
                elif highest is not None and mark is None and highest > last:
                    conn.execute("UPDATE sequence SET last = ?", (highest,))
                    moved = Renumbered(last, highest, 0)
                conn.execute("DELETE FROM meta WHERE key = 'unconfirmed_after_seq'")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return moved

    def sync_status(self) -> SyncStatus:
        """Queue depth, oldest waiting record, last tap, last seq and reader health."""
        with self._lock:
            depth, oldest = self._conn.execute(
                f"SELECT COUNT(*), MIN(wall_at) FROM records WHERE {_PENDING}"
            ).fetchone()
            aside = self._conn.execute(
                "SELECT COUNT(*) FROM records WHERE rejected_at IS NOT NULL"
            ).fetchone()[0]
            last = self._conn.execute(
                "SELECT wall_at FROM records ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        return SyncStatus(
            queue_depth=int(depth),
            oldest_unsynced_at=datetime.fromisoformat(oldest) if oldest else None,
            last_tap_at=datetime.fromisoformat(last[0]) if last else None,
            last_seq=self.last_seq(),
            set_aside=int(aside),
            reader_health=self.reader_health(),
        )

    # -- small facts in meta -------------------------------------------------------------

    def set_reader_health(self, name: str) -> None:
        """Remember the reader's health (ok, degraded, absent) for the sync agent to report."""
        if name not in READER_HEALTH:
            raise ValueError(f"unknown reader health {name!r}")
        self._set_meta("reader_health", name)

    def check_writable(self) -> None:
        """Write one small fact, as a tap would; raises sqlite3.Error if the journal cannot
        be written (read-only, disk full), so the door can refuse to start in one line."""
        self._set_meta("written_at", _utc_text(datetime.now(UTC)))

    def reader_health(self) -> str:
        # Nothing stored yet: the door has not said otherwise since it started.
        return self._meta("reader_health") or "ok"

    def note_contact(self, at: datetime, *, clock_offset_seconds: float) -> None:
        """Remember the last heartbeat the server answered, and the clock offset it saw."""
        self._set_meta("last_contact_at", _utc_text(at))
        self._set_meta("clock_offset_seconds", repr(clock_offset_seconds))

    def last_contact(self) -> tuple[datetime, float] | None:
        at, offset = self._meta("last_contact_at"), self._meta("clock_offset_seconds")
        if at is None or offset is None:
            return None
        return datetime.fromisoformat(at), float(offset)

    def store_site(self, settings: dict[str, Any]) -> None:
        """The site's settings from the last snapshot (opening and closing time, zone)."""
        self._set_meta("site", json.dumps(settings, sort_keys=True, ensure_ascii=False))

    def site(self) -> dict[str, Any] | None:
        text = self._meta("site")
        return dict(json.loads(text)) if text else None

    def store_site_presence(self, presence: dict[str, Any]) -> None:
        """Who the server says is in at this site (GET /presence), for every door to see."""
        text = json.dumps(presence, sort_keys=True, ensure_ascii=False)
        if text != self._meta("site_presence"):  # unchanged: no write, no wake-up
            self._set_meta("site_presence", text)

    def site_presence(self) -> dict[str, Any] | None:
        text = self._meta("site_presence")
        return dict(json.loads(text)) if text else None

    def _meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _set_meta(self, key: str, value: str) -> None:
        with self._lock, self.db.atomic():
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )

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

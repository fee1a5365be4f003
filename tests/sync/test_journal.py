"""The journal: durable settings, gapless sequence numbers, one kiosk, the door-data cache."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from sync.journal import Journal, JournalError
from sync.record import Entry
from sync.roster import DoorData

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def entry(kind: str = "check_in", pid: str | None = "p1", day: date | None = None,
          **extra: object) -> Entry:  # fmt: skip
    return Entry(
        kind=kind, wall_at=NOW, workshop_day=day or NOW.date(), clock_synced=True,
        boot_id="b1", monotonic=12.5, participant_id=pid, badge_uid="04A1B2C3", **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def test_journal_is_wal_with_full_sync(journal: Journal) -> None:
    conn = journal.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_append_gives_gapless_sequence_and_time_ordered_ids(journal: Journal) -> None:
    records = [journal.append(entry()) for _ in range(50)]
    assert [r.seq for r in records] == list(range(1, 51))
    assert [r.id for r in records] == sorted(r.id for r in records)
    assert len({r.id for r in records}) == 50


def test_append_keeps_every_field(journal: Journal) -> None:
    written = journal.append(entry("forgot_checkout", detail={"stale_record_id": "x"}))
    read = journal.get(written.id)
    assert read == written
    assert read is not None and read.synced_at is None and read.attempts == 0


def test_sequence_survives_reopen_and_deleted_records(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.db", kiosk_id="door-1") as j:
        j.append(entry())
        j.append(entry())
        j.db.execute("DELETE FROM records")  # as retention deletes old records
        j.db.conn.commit()
    with Journal(tmp_path / "j.db", kiosk_id="door-1") as j:
        assert j.append(entry()).seq == 3


def test_journal_refuses_another_kiosk_id(tmp_path: Path) -> None:
    Journal(tmp_path / "j.db", kiosk_id="door-1").close()
    with pytest.raises(JournalError, match="belongs to kiosk 'door-1'"):
        Journal(tmp_path / "j.db", kiosk_id="door-2")


def test_concurrent_writers_leave_no_gaps(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    Journal(path, kiosk_id="door-1").close()
    journals = [Journal(path, kiosk_id="door-1") for _ in range(3)]

    def write(j: Journal) -> None:
        for _ in range(40):
            j.append(entry())

    threads = [threading.Thread(target=write, args=(j,)) for j in journals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seqs = sorted(r[0] for r in sqlite3.connect(path).execute("SELECT seq FROM records"))
    assert seqs == list(range(1, 121))


def test_presence_records_keep_old_open_check_in_and_all_of_today(journal: Journal) -> None:
    today = NOW.date()
    old_open = journal.append(entry(pid="p-old", day=today - timedelta(days=3)))
    journal.append(entry(pid="p1", day=today - timedelta(days=1)))
    closed_yesterday = journal.append(entry("check_out", pid="p1", day=today - timedelta(days=1)))
    journal.append(entry("unknown_badge", pid=None))
    today_in = journal.append(entry(pid="p2"))
    today_out = journal.append(entry("check_out", pid="p2"))
    seqs = [r.seq for r in journal.presence_records(today)]
    assert seqs == [old_open.seq, closed_yesterday.seq, today_in.seq, today_out.seq]


def test_counts_and_unsynced(journal: Journal) -> None:
    journal.append(entry())
    journal.append(entry("unknown_badge", pid=None))
    assert journal.counts() == {"check_in": 1, "unknown_badge": 1}
    status = journal.sync_status()
    assert (status.queue_depth, status.oldest_unsynced_at) == (2, NOW)


def test_door_data_cache_is_replaced_whole(journal: Journal) -> None:
    first = DoorData.from_dict({"participants": [{"id": "p1", "display_name": "A"}]})
    second = DoorData.from_dict({"participants": [{"id": "p2", "display_name": "B"}]})
    assert journal.door_data() == DoorData()
    journal.store_door_data(first, source="file a.json")
    journal.store_door_data(second, source="file b.json")
    assert list(journal.door_data().participants) == ["p2"]
    info = journal.door_data_info()
    assert info is not None and info["source"] == "file b.json"


def test_entry_refuses_unknown_kind_and_naive_time() -> None:
    with pytest.raises(ValueError, match="unknown record kind"):
        entry("teleport")
    with pytest.raises(ValueError, match="aware"):
        Entry(kind="check_in", wall_at=datetime(2026, 1, 1), workshop_day=date(2026, 1, 1),
              clock_synced=True, boot_id="b", monotonic=0.0)  # fmt: skip

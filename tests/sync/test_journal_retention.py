"""Retention and pruning judge a record's age on an honest time, never on a 1970 wall time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from sync.clock import Instant
from sync.journal import Journal
from sync.protocol import RecordResult
from sync.record import Entry, Record

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
AT_1970 = datetime(1970, 1, 1, 0, 2, tzinfo=UTC)


def unsynchronised(journal: Journal, *, boot_id: str = "b1", monotonic: float = 100.0) -> Record:
    return journal.append(
        Entry(kind="too_soon", wall_at=AT_1970, workshop_day=AT_1970.date(),
              clock_synced=False, boot_id=boot_id, monotonic=monotonic, participant_id="p1")
    )  # fmt: skip


def sent(journal: Journal, *records: Record) -> None:
    journal.mark_results(
        [RecordResult(id=UUID(r.id), seq=r.seq, status="accepted") for r in records], now=NOW
    )


def honest_at(journal: Journal, record: Record) -> str | None:
    row = journal.db.execute("SELECT honest_at FROM records WHERE id = ?", [record.id]).fetchone()
    return row[0]


def test_a_1970_tap_is_not_old_even_once_sent(journal: Journal) -> None:
    tap = unsynchronised(journal)
    sent(journal, tap)
    assert journal.expire(NOW - timedelta(days=365)) == 0
    assert journal.prune(NOW - timedelta(days=30)) == 0
    assert journal.get(tap.id) is not None


def test_settle_times_reckons_this_boot_by_the_monotonic_clock(journal: Journal) -> None:
    this_boot = unsynchronised(journal, boot_id="b1", monotonic=100.0)
    earlier_boot = unsynchronised(journal, boot_id="b0", monotonic=5000.0)
    assert journal.settle_times(Instant(NOW, 160.0, "b1", synchronised=True)) == 2
    assert honest_at(journal, this_boot) == (NOW - timedelta(seconds=60)).isoformat(
        timespec="microseconds"
    )
    # Another boot's monotonic clock means nothing now: the first trusted moment after it.
    assert honest_at(journal, earlier_boot) == NOW.isoformat(timespec="microseconds")


def test_settle_times_waits_for_a_synchronised_clock(journal: Journal) -> None:
    tap = unsynchronised(journal)
    assert journal.settle_times(Instant(AT_1970, 160.0, "b1", synchronised=False)) == 0
    assert honest_at(journal, tap) is None


def test_settled_records_age_from_their_honest_time(journal: Journal) -> None:
    tap = unsynchronised(journal)
    sent(journal, tap)
    journal.settle_times(Instant(NOW, 160.0, "b1", synchronised=True))
    assert journal.expire(NOW - timedelta(days=365)) == 0  # a minute old, not 57 years
    assert journal.expire(NOW + timedelta(days=366) - timedelta(days=365)) == 1

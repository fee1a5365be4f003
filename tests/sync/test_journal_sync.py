"""The journal's sync state: pending batches, results, set-aside records, pruning, status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from sync.journal import Journal
from sync.protocol import RecordResult
from sync.record import Entry, Record

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def entry(kind: str = "check_in", pid: str = "p1", at: datetime = NOW) -> Entry:
    return Entry(
        kind=kind,
        wall_at=at,
        workshop_day=at.date(),
        clock_synced=True,
        boot_id="b1",
        monotonic=1.0,
        participant_id=pid,
    )


def result(record: Record, status: str = "accepted", reason: str | None = None) -> RecordResult:
    return RecordResult(id=UUID(record.id), seq=record.seq, status=status, reason=reason)  # type: ignore[arg-type]


def test_pending_gives_batches_in_sequence_order(journal: Journal) -> None:
    for n in range(5):
        journal.append(entry(pid=f"p{n}"))
    assert [r.seq for r in journal.pending(3, now=NOW)] == [1, 2, 3]
    assert [r.seq for r in journal.pending(10, now=NOW)] == [1, 2, 3, 4, 5]


def test_mark_results_syncs_accepted_and_duplicate_sets_aside_rejected(journal: Journal) -> None:
    a, b, c = (journal.append(entry()) for _ in range(3))
    counts = journal.mark_results(
        [result(a), result(b, "duplicate"), result(c, "rejected", "badge unknown")], now=NOW
    )
    assert counts == {"accepted": 1, "duplicate": 1, "rejected": 1}
    assert journal.pending(10, now=NOW) == []
    assert journal.get(a.id).synced_at == NOW  # type: ignore[union-attr]
    [aside] = journal.set_aside_records()
    assert (aside.record.seq, aside.reason, aside.set_aside_at) == (3, "badge unknown", NOW)


def test_set_aside_record_never_blocks_the_queue(journal: Journal) -> None:
    first, second = journal.append(entry()), journal.append(entry())
    journal.set_aside(first.id, "cannot be sent", now=NOW)
    assert [r.seq for r in journal.pending(1, now=NOW)] == [second.seq]
    assert journal.sync_status().queue_depth == 1
    assert journal.sync_status().set_aside == 1


def test_note_failure_counts_attempts_and_delays_until_due(journal: Journal) -> None:
    record = journal.append(entry())
    journal.note_failure([record.id], "timeout", retry_at=NOW + timedelta(seconds=60))
    assert journal.pending(10, now=NOW) == []
    assert [r.seq for r in journal.pending(10, now=NOW + timedelta(seconds=61))] == [1]
    stored = journal.get(record.id)
    assert stored is not None and (stored.attempts, stored.last_error) == (1, "timeout")


def test_note_failure_without_retry_time_keeps_record_due(journal: Journal) -> None:
    record = journal.append(entry())
    journal.note_failure([record.id], "connection refused")
    assert [r.seq for r in journal.pending(10, now=NOW)] == [1]


def test_retry_time_far_ahead_means_the_clock_went_back(journal: Journal) -> None:
    record = journal.append(entry())
    journal.note_failure([record.id], "x", retry_at=NOW + timedelta(days=400))
    assert [r.seq for r in journal.pending(10, now=NOW)] == [1]


def test_prune_drops_only_old_synced_records(journal: Journal) -> None:
    old = NOW - timedelta(days=40)
    synced = journal.append(entry(pid="p1", at=old))
    journal.append(entry(pid="p1", at=old))  # unsynced: stays
    aside = journal.append(entry(pid="p1", at=old))
    fresh = journal.append(entry(pid="p2"))
    journal.mark_results([result(synced), result(fresh)], now=old)
    journal.set_aside(aside.id, "refused", now=old)
    assert journal.prune(NOW - timedelta(days=30)) == 1
    assert [r.seq for r in journal.records()] == [2, 3, 4]


def test_prune_keeps_last_session_record_of_each_participant(journal: Journal) -> None:
    old = NOW - timedelta(days=40)
    records = [journal.append(entry(pid="p1", at=old)) for _ in range(3)]
    journal.mark_results([result(r) for r in records], now=old)
    assert journal.prune(NOW) == 2
    assert [r.seq for r in journal.records()] == [3]


def test_sequence_continues_after_prune(journal: Journal) -> None:
    old = NOW - timedelta(days=40)
    records = [journal.append(entry(pid=f"p{n}", kind="too_soon", at=old)) for n in range(3)]
    journal.mark_results([result(r) for r in records], now=old)
    assert journal.prune(NOW) == 3
    assert journal.append(entry()).seq == 4


def test_requeue_resends_synced_records_and_names_the_gone(journal: Journal) -> None:
    a, b, c = (journal.append(entry(kind="too_soon")) for _ in range(3))
    journal.mark_results([result(a), result(b), result(c, "rejected", "no")], now=NOW)
    journal.db.execute("DELETE FROM records WHERE seq = 1")
    journal.db.conn.commit()
    assert journal.requeue([1, 2, 3]) == ([2], [1])
    assert [r.seq for r in journal.pending(10, now=NOW)] == [2]


@pytest.mark.parametrize("health", ["ok", "degraded", "absent"])
def test_reader_health_round_trip_across_connections(tmp_path: Path, health: str) -> None:
    with (
        Journal(tmp_path / "j.db", kiosk_id="d") as door,
        Journal(tmp_path / "j.db", kiosk_id="d") as agent,
    ):
        assert agent.reader_health() == "ok"
        door.set_reader_health(health)
        assert agent.reader_health() == health


def test_reader_health_refuses_unknown_names(journal: Journal) -> None:
    with pytest.raises(ValueError, match="unknown reader health"):
        journal.set_reader_health("sad")


def test_sync_status_reports_what_a_heartbeat_needs(journal: Journal) -> None:
    assert journal.sync_status().last_tap_at is None
    first = journal.append(entry(at=NOW - timedelta(hours=1)))
    journal.append(entry())
    journal.mark_results([result(first)], now=NOW)
    status = journal.sync_status()
    assert (status.queue_depth, status.oldest_unsynced_at, status.last_tap_at) == (1, NOW, NOW)
    assert (status.last_seq, status.reader_health) == (2, "ok")


def test_door_data_etag_is_kept_with_the_cache(journal: Journal) -> None:
    from sync.roster import DoorData

    assert journal.door_data_etag() is None
    journal.store_door_data(DoorData(), source="server", etag='"v7"')
    assert journal.door_data_etag() == '"v7"'


def test_another_connection_sees_new_taps_cheaply(tmp_path: Path) -> None:
    with (
        Journal(tmp_path / "j.db", kiosk_id="d") as door,
        Journal(tmp_path / "j.db", kiosk_id="d") as agent,
    ):
        version, seq = agent.data_version(), agent.last_seq()
        door.append(entry())
        assert agent.data_version() != version and agent.last_seq() == seq + 1


def test_expire_deletes_old_answered_records_but_never_an_unsent_one(journal: Journal) -> None:
    old, fresh = NOW - timedelta(days=400), NOW - timedelta(days=10)
    synced = journal.append(entry(pid="p1", at=old))
    unsent = journal.append(entry(pid="p1", at=old))  # never sent, a year ago: kept
    aside = journal.append(entry(pid="p2", at=old))
    recent = journal.append(entry(pid="p1", at=fresh))
    journal.mark_results([result(synced)], now=old)
    journal.set_aside(aside.id, "refused", now=old)
    assert journal.expire(NOW - timedelta(days=365)) == 2
    assert [r.id for r in journal.records()] == [unsent.id, recent.id]


def test_forget_absent_drops_sent_and_set_aside_records_of_the_erased(
    journal: Journal,
) -> None:
    sent = journal.append(entry(pid="gone"))
    aside = journal.append(entry(pid="gone"))
    waiting = journal.append(entry(pid="gone"))
    kept = journal.append(entry(pid="p1"))
    journal.mark_results([result(sent), result(kept)], now=NOW)
    journal.set_aside(aside.id, "unknown participant", now=NOW)
    assert journal.forget_absent({"p1"}) == 2
    assert [r.id for r in journal.records()] == [waiting.id, kept.id]

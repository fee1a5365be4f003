"""One sync round (sync_once) against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.agent import SyncResult, sync_once
from sync.client import BatchRefused, ServerClient, SyncError
from sync.clock import Instant
from sync.journal import Journal
from tests.sync.peer import Peer, Reply
from tests.sync.taps import NOW, tap


def now() -> Instant:
    return Instant(NOW, 500.0, "boot-7", True)


def once(journal: Journal, client: ServerClient, batch_size: int = 200) -> SyncResult:
    return sync_once(journal, client, now=now, batch_size=batch_size, app_version="0.1.0")


def test_round_pushes_in_sequence_order_in_batches(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    for _ in range(5):
        tap(journal)
    result = once(journal, client, batch_size=2)
    assert (result.pushed, result.accepted) == (5, 5)
    batches = [[r["seq"] for r in s.body["records"]] for s in peer.seen("/records")]
    # Two batches are on their way at once (sync.push.IN_FLIGHT): they may arrive either
    # way round; each is in sequence order, and together they are the queue's order.
    assert sorted(batches) == [[1, 2], [3, 4], [5]]
    assert journal.sync_status().queue_depth == 0


@pytest.mark.parametrize("failure", [Reply(500, {"detail": "down"}), Reply(drop=True)])
def test_records_are_marked_synced_only_after_the_server_answered(
    peer: Peer, journal: Journal, client: ServerClient, failure: Reply
) -> None:
    record = tap(journal)
    peer.then(failure)
    with pytest.raises(SyncError):
        once(journal, client)
    stored = journal.get(record.id)
    assert stored is not None and stored.synced_at is None and stored.attempts == 1
    assert stored.last_error
    once(journal, client)
    assert journal.get(record.id).synced_at == NOW  # type: ignore[union-attr]


def test_rejected_record_is_set_aside_while_the_rest_goes_on(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    records = [tap(journal) for _ in range(3)]
    peer.reject[records[1].id] = "badge revoked before this tap"
    result = once(journal, client)
    assert (result.accepted, result.rejected) == (2, 1)
    [aside] = journal.set_aside_records()
    assert (aside.record.seq, aside.reason) == (2, "badge revoked before this tap")
    tap(journal)
    assert once(journal, client).pushed == 1  # the set-aside one is not sent again


def test_record_that_cannot_be_sent_is_set_aside_locally(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    bad = tap(journal, badge="not-a-uid")
    tap(journal)
    result = once(journal, client)
    assert (result.accepted, result.rejected) == (1, 1)
    [aside] = journal.set_aside_records()
    assert aside.record.id == bad.id and aside.reason == "cannot be sent: bad badge_uid"


def test_too_big_batch_is_split_and_all_arrive(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    peer.max_batch = 3
    for _ in range(10):
        tap(journal)
    assert once(journal, client).accepted == 10
    assert peer.seqs() == list(range(1, 11))


def test_malformed_record_is_found_by_halving_and_set_aside(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    records = [tap(journal) for _ in range(6)]
    peer.malformed.add(records[4].id)
    result = once(journal, client)
    assert (result.accepted, result.rejected) == (5, 1)
    [aside] = journal.set_aside_records()
    assert aside.record.seq == 5 and "422" in aside.reason


def test_batch_refused_whole_is_kept_not_set_aside(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    # Nothing of ours is taken at all: a protocol mismatch, not a bad record.
    record = tap(journal)
    peer.malformed.add(record.id)
    with pytest.raises(BatchRefused):
        once(journal, client)
    assert journal.set_aside_records() == []
    assert journal.sync_status().queue_depth == 1


def test_records_the_server_left_unanswered_wait_a_while(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    tap(journal)
    peer.then(Reply(200, {"results": []}, path="/records"))
    result = once(journal, client)
    assert result.accepted == 0 and journal.pending(10, now=NOW) == []
    assert journal.sync_status().queue_depth == 1


def test_snapshot_is_stored_and_304_keeps_the_cache(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    assert once(journal, client).pulled
    assert list(journal.door_data().participants) == ["p1"]
    assert journal.door_data_etag() == '"v1"' and journal.site()["name"] == "Werkplaats"  # type: ignore[index]
    assert not once(journal, client).pulled
    assert list(journal.door_data().participants) == ["p1"]
    peer.snapshot = {
        **peer.snapshot,
        "participants": [{"id": "p2", "display_name": "Bo"}],
        "badges": [],
    }
    peer.etag = '"v2"'
    assert once(journal, client).pulled
    assert list(journal.door_data().participants) == ["p2"]


def test_unusable_snapshot_keeps_the_cache(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    once(journal, client)
    peer.snapshot = {
        **peer.snapshot,
        "badges": [{"uid": "04A1B2C3", "holder": "participant", "holder_id": "nobody"}],
    }
    peer.etag = '"v2"'
    result = once(journal, client)
    assert not result.pulled and "cache kept" in result.problems[0]
    assert journal.door_data_etag() == '"v1"'


def test_heartbeat_tells_the_kiosk_state(
    peer: Peer, journal: Journal, tmp_path: Path, client: ServerClient
) -> None:
    with Journal(tmp_path / "journal.db", kiosk_id="door-1") as door:
        door.set_reader_health("degraded")
    tap(journal)
    peer.then(Reply(500, {"detail": "x"}, path="/records"))
    with pytest.raises(SyncError):
        once(journal, client)
    peer.offset = 12.5
    result = once(journal, client)
    beat = peer.seen("/heartbeat")[-1].body
    assert (beat["queue_depth"], beat["last_seq"], beat["reader_health"]) == (0, 1, "degraded")
    assert (beat["boot_id"], beat["monotonic"], beat["clock_synced"]) == ("boot-7", 500.0, True)
    assert result.clock_offset_seconds == 12.5
    assert journal.last_contact() == (NOW, 12.5)


def test_missing_seqs_are_pushed_again(peer: Peer, journal: Journal, client: ServerClient) -> None:
    for _ in range(3):
        tap(journal)
    once(journal, client)
    peer.forget(2)
    result = once(journal, client)
    assert (result.requeued, result.gaps) == (1, [])
    assert peer.seqs() == [1, 2, 3]


def test_missing_seqs_no_longer_in_the_journal_are_gaps(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    for _ in range(3):
        tap(journal)
    once(journal, client)
    journal.db.execute("DELETE FROM records WHERE seq = 1")
    journal.db.conn.commit()
    peer.forget(1)
    assert once(journal, client).gaps == [1]


def test_participant_erased_on_the_server_leaves_the_kiosk(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    tap(journal)  # p1, sent and accepted
    once(journal, client)
    refused = tap(journal)  # p1 again: by now the server no longer knows p1
    peer.reject[str(refused.id)] = "unknown participant"
    peer.snapshot = {
        **peer.snapshot,
        "participants": [{"id": "p2", "display_name": "Bo"}],
        "badges": [],
    }
    peer.etag = '"v2"'
    result = once(journal, client)
    assert result.rejected == 1 and result.forgotten == 2
    assert journal.records() == []  # nothing of p1 stays on the kiosk

"""The sync agent on a disk in trouble: the heartbeat says why the journal cannot be
written and how much room is left, and a snapshot never eats the space the taps need."""

from __future__ import annotations

import os
from pathlib import Path

from sync.agent import sync_once
from sync.client import ServerClient
from sync.journal import Journal
from tests.kiosk.test_door_storage import read_only, small_disk  # noqa: F401 (a fixture)
from tests.sync.peer import Peer
from tests.sync.taps import tap
from tests.sync.test_agent import now


def roster(people: int) -> dict[str, object]:
    """A snapshot of a big workshop: 2 000 participants are about 500 KB."""
    return {
        "site": {"id": "s1", "name": "Werkplaats", "opens_at": "08:00:00",
                 "closes_at": "17:00:00"},
        "participants": [{"id": f"p{n}", "display_name": f"Deelnemer {n:04d}",
                          "language": "ar", "agreed_weekdays": [1, 2, 3],
                          "program_start": "2026-09-01", "program_end": "2027-02-28"}
                         for n in range(people)],
        "supervisors": [{"id": "s1", "display_name": "Joke"}],
        "badges": [{"uid": f"04{n:06X}", "holder": "participant", "holder_id": f"p{n}"}
                   for n in range(people)],
        "tasks": [],
        "words": [],
    }  # fmt: skip


def test_heartbeat_tells_the_room_on_the_journals_disk(
    peer: Peer, journal: Journal, client: ServerClient
) -> None:
    sync_once(journal, client, now=now)
    beat = peer.seen("/heartbeat")[-1].body
    stats = os.statvfs(journal.path.parent)
    assert beat["disk_total_bytes"] == stats.f_blocks * stats.f_frsize
    assert 0 < beat["disk_free_bytes"] <= beat["disk_total_bytes"]
    assert beat["journal_trouble"] is None


def test_read_only_journal_is_told_in_the_heartbeat(
    peer: Peer, tmp_path: Path, client: ServerClient
) -> None:
    path = tmp_path / "journal.db"
    with Journal(path, kiosk_id="door-1") as journal:
        tap(journal)
    with read_only(path), Journal(path, kiosk_id="door-1") as journal:
        result = sync_once(journal, client, now=now)
        assert journal.sync_status().queue_depth == 1  # kept for when it can be marked
    beat = peer.seen("/heartbeat")[-1].body
    assert beat["journal_trouble"] == "read_only" and beat["queue_depth"] == 1
    assert "cannot be written (read_only)" in result.problems[0]
    assert peer.seen("/records") == []


def test_snapshot_that_would_eat_the_taps_room_is_not_stored(
    peer: Peer,
    small_disk: Path,  # noqa: F811 (the fixture)
    client: ServerClient,
) -> None:
    keep = 256 * 1024
    with Journal(small_disk / "journal.db", kiosk_id="door-1") as journal:
        assert sync_once(journal, client, now=now, keep_free=keep).pulled  # the small one
        peer.snapshot, peer.etag = roster(2000), '"big"'
        assert len(str(peer.snapshot)) > 400_000
        ballast = small_disk / "ballast"
        ballast.write_bytes(bytes(1024 * 1024))  # a log file grew: about 700 KB are left
        result = sync_once(journal, client, now=now, keep_free=keep)
        assert not result.pulled and "snapshot not stored, cache kept" in result.problems[0]
        assert list(journal.door_data().participants) == ["p1"]
        assert journal.door_data_etag() == '"v1"'
        tap(journal)  # the room the snapshot did not take is the taps'
        ballast.unlink()
        assert sync_once(journal, client, now=now, keep_free=keep).pulled
        assert len(journal.door_data().participants) == 2000

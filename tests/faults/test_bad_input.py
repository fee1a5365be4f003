"""Bad input end to end: a revoked kiosk loses nothing; an oversized batch still lands.

A kiosk whose token was revoked gets 401 on every round: its journal keeps every
unsynced record, none is set aside, and once it has a working token again everything
goes. A batch larger than the server takes (too many records, or too many bytes) is
answered 413, halved by the client and lands whole.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.agent import Backoff, SyncAgent, sync_once
from sync.client import AuthError, ServerClient
from sync.clock import SystemClock
from sync.journal import Journal
from sync.protocol import MAX_BATCH, MAX_BODY_BYTES
from sync.record import Entry
from tests.faults.harness import (
    RecordingSession,
    assert_exactly,
    register,
    revoke,
    running_server,
    seed_from_env,
    stored,
    unknown_tap,
)


def test_a_revoked_kiosk_gets_401_and_loses_nothing(database_url: str, tmp_path: Path) -> None:
    seed = seed_from_env()
    rng = random.Random(seed)
    tokens = register(database_url, ["door-old", "door-new"])
    journal = Journal(tmp_path / "j.db", kiosk_id="door-old")
    clock = SystemClock()
    for _ in range(30):
        journal.append(unknown_tap(datetime.now(UTC), rng))
    with running_server(database_url, tmp_path) as server:
        session = RecordingSession()
        client = ServerClient(server.url, tokens["door-old"], timeout=5, session=session)
        assert sync_once(journal, client, now=clock.now, batch_size=10).accepted == 30
        revoke(database_url, "door-old")
        for _ in range(45):
            journal.append(unknown_tap(datetime.now(UTC), rng))

        with pytest.raises(AuthError):
            sync_once(journal, client, now=clock.now, batch_size=10)
        agent = SyncAgent(
            journal, client, now=clock.now, batch_size=10, backoff=Backoff(base=0.01, cap=0.05)
        )
        for _ in range(3):
            assert agent.step() <= 0.05  # failed: backing off, not giving up
        assert {status for _, _, status in session.seen[-4:]} == {401}
        status = journal.sync_status()
        assert (status.queue_depth, status.set_aside) == (45, 0)
        assert journal.set_aside_records() == []
        assert len(journal.pending(1000, now=clock.now().wall)) == 45
        assert len(stored(database_url).seqs("door-old")) == 30
        client.close()


@pytest.mark.parametrize("too_big", ["too many records", "too many bytes"])
def test_an_oversized_batch_is_split_and_lands(
    database_url: str, tmp_path: Path, too_big: str
) -> None:
    seed = seed_from_env()
    rng = random.Random(seed)
    kiosk = "door-big"
    token = register(database_url, [kiosk])[kiosk]
    journal = Journal(tmp_path / "j.db", kiosk_id=kiosk)
    clock = SystemClock()
    if too_big == "too many records":
        count, batch = MAX_BATCH * 2 + 37, MAX_BATCH * 3
        for _ in range(count):
            journal.append(unknown_tap(datetime.now(UTC), rng))
    else:
        count, batch = 300, 300
        note = "x" * (MAX_BODY_BYTES // 200)  # 300 of these: about 1.5 × the body limit
        for n in range(count):
            tap = unknown_tap(datetime.now(UTC), rng)
            journal.append(Entry(**{**tap.__dict__, "detail": {"note": note, "n": n}}))
    with running_server(database_url, tmp_path) as server:
        session = RecordingSession()
        client = ServerClient(server.url, token, timeout=30, session=session)
        result = sync_once(journal, client, now=clock.now, batch_size=batch)
        client.close()
    pushes = [status for _, path, status in session.seen if path == "records"]
    if too_big == "too many records":
        # More than the protocol allows in one push: sent as batches of MAX_BATCH.
        assert pushes == [200, 200, 200], pushes
    else:
        # Too many bytes: the server answers 413 and the client halves until it fits.
        assert pushes[0] == 413 and pushes.count(200) >= 2, pushes
    assert (result.accepted, result.rejected, result.gaps) == (count, 0, []), result
    ids = {r.id for r in journal.records(limit=10_000)}
    assert_exactly(database_url, {kiosk: ids}, {kiosk: count}, seed=seed)
    assert journal.sync_status().queue_depth == 0
    print(f"{too_big}: {count} records in batches of {batch}: push answers {pushes}")
    journal.close()

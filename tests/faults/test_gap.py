"""A record lost from a kiosk's journal shows up as a gap within one sync round.

The row is deleted from the journal file behind the kiosk's back (a damaged disk, a bad
restore). The server's heartbeat answer lists the sequence number it never received; the
kiosk finds it no longer holds it, reports it in the round's result and logs it. A record
the *server* lost (a restore from backup) is sent again in the same round.
"""

from __future__ import annotations

import logging
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete

from server.db import make_engine, writing
from server.schema import events
from sync.agent import Backoff, SyncAgent, sync_once
from sync.client import ServerClient
from sync.clock import SystemClock
from sync.journal import Journal
from tests.faults.harness import (
    register,
    running_server,
    seed_from_env,
    stored,
    unknown_tap,
)

KIOSK = "door-gap"


def test_a_lost_journal_record_is_a_gap_within_one_round(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seed = seed_from_env()
    rng = random.Random(seed)
    token = register(database_url, [KIOSK])[KIOSK]
    path = tmp_path / "j.db"
    journal = Journal(path, kiosk_id=KIOSK)
    clock = SystemClock()
    for _ in range(10):
        journal.append(unknown_tap(datetime.now(UTC), rng))
    with running_server(database_url, tmp_path) as server:
        client = ServerClient(server.url, token, timeout=5)
        first = sync_once(journal, client, now=clock.now, batch_size=4)
        assert (first.accepted, first.gaps) == (10, [])

        for _ in range(5):
            journal.append(unknown_tap(datetime.now(UTC), rng))  # seqs 11..15
        with sqlite3.connect(path) as raw:  # the record vanishes from the file
            raw.execute("DELETE FROM records WHERE seq = 12")
        raw.close()

        agent = SyncAgent(
            journal, client, now=clock.now, batch_size=4, backoff=Backoff(base=0.01, cap=0.05)
        )
        with caplog.at_level(logging.WARNING, logger="sync.agent"):
            result = sync_once(journal, client, now=clock.now, batch_size=4)
            agent.step()  # the loop's round logs it too
        assert result.accepted == 4 and result.gaps == [12], result
        assert "lacks 1 records this journal no longer holds (seq 12)" in caplog.text

        # The server loses two records (a restore): the kiosk sends them again at once.
        engine = make_engine(database_url)
        with writing(engine) as conn:
            conn.execute(delete(events).where(events.c.seq.in_([3, 14])))
        engine.dispose()
        again = sync_once(journal, client, now=clock.now, batch_size=4)
        assert again.requeued == 2 and again.accepted == 2 and again.gaps == [12], again
        client.close()
    assert stored(database_url).seqs(KIOSK) == [n for n in range(1, 16) if n != 12]
    journal.close()

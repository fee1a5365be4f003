"""Honest time end to end: a kiosk whose clock is wrong still gets its taps' true times.

The kiosk's monotonic clock runs with real time (as a Pi's does); its wall clock starts in
1970 (or a week behind) and says it is not synchronised. It records taps at the door and
syncs through a proxy that delays answers, then NTP sets its clock (same boot) and it sends
another heartbeat. The server's corrected time of every early tap must be within 2 s of
when it really happened.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from hardware.feedback import QuietIndicator
from kiosk.door import Door
from server.db import make_engine
from server.schema import events
from sync.agent import sync_once
from sync.client import ServerClient
from sync.clock import Instant
from sync.journal import Journal
from tests.faults.harness import (
    PARTICIPANT_BADGES,
    register,
    running_server,
    seed_from_env,
)
from tests.faults.proxy import FaultProxy, Faults

KIOSK = "door-time"
EPOCH_1970 = datetime(1970, 1, 1, 0, 0, 5, tzinfo=UTC)


class PiClock:
    """A Pi's clock: monotonic runs with real time, the wall clock is whatever it was set to."""

    def __init__(self, wall_at_start: datetime) -> None:
        self._mono0 = time.monotonic()
        self._uptime = 42.0  # seconds since boot when the test starts
        self._wall0 = wall_at_start
        self.synchronised = False

    def now(self) -> Instant:
        elapsed = time.monotonic() - self._mono0
        return Instant(
            wall=self._wall0 + timedelta(seconds=elapsed),
            monotonic=self._uptime + elapsed,
            boot_id="boot-no-rtc",
            synchronised=self.synchronised,
        )

    def ntp(self) -> None:
        """timesyncd sets the clock: the wall time jumps to the truth, monotonic does not."""
        elapsed = time.monotonic() - self._mono0
        self._wall0 = datetime.now(UTC) - timedelta(seconds=elapsed)
        self.synchronised = True


@pytest.mark.parametrize("behind", ["1970", "a week behind"])
def test_wrong_clock_taps_get_their_true_time(
    database_url: str, tmp_path: Path, behind: str
) -> None:
    seed = seed_from_env()
    print(f"fault seed {seed} (replay with PRIKKLOK_FAULT_SEED={seed})")
    rng = random.Random(seed)
    token = register(database_url, [KIOSK])[KIOSK]
    start = EPOCH_1970 if behind == "1970" else datetime.now(UTC) - timedelta(days=7)
    clock = PiClock(start)
    journal = Journal(tmp_path / "j.db", kiosk_id=KIOSK)
    door = Door(journal=journal, clock=clock, feedback=QuietIndicator())
    truth: dict[str, datetime] = {}
    badges = [*PARTICIPANT_BADGES.values(), "DEADBEEF"]

    def tap_some(n: int) -> None:
        for _ in range(n):
            answer = door.tap(rng.choice(badges))
            truth[answer.record.id] = datetime.now(UTC)
            time.sleep(rng.uniform(0.02, 0.15))  # taps spread over real time

    with running_server(database_url, tmp_path) as server:
        faults = Faults(delay=0.5, max_delay=0.8)  # slow answers: the epoch must not drift
        with FaultProxy(server.port, faults=faults, seed=seed) as proxy:
            session = requests.Session()
            session.headers["Connection"] = "close"  # a fresh connection, a fresh delay
            client = ServerClient(proxy.url, token, timeout=5, session=session)
            tap_some(12)  # offline, before any contact
            first = sync_once(journal, client, now=clock.now, batch_size=5)
            tap_some(8)  # after a heartbeat: corrected as they arrive
            second = sync_once(journal, client, now=clock.now, batch_size=5)
            clock.ntp()
            tap_some(3)  # synchronised now: their wall time is the truth
            third = sync_once(journal, client, now=clock.now, batch_size=5)
            client.close()
            delayed = proxy.stats.delayed

    assert first.accepted == 12 and second.accepted == 8 and third.accepted == 3
    assert first.clock_offset_seconds is not None and abs(first.clock_offset_seconds) > 86_000
    assert third.clock_offset_seconds is not None and abs(third.clock_offset_seconds) < 2
    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows = {
            r.id: r
            for r in conn.execute(
                select(
                    events.c.id, events.c.wall_at, events.c.clock_synced, events.c.corrected_wall_at
                )
            )
        }
    engine.dispose()
    assert rows.keys() == truth.keys()
    worst = 0.0
    for record_id, real in truth.items():
        row = rows[record_id]
        if row.clock_synced:
            when = row.wall_at
        else:
            assert row.wall_at < real - timedelta(days=6), "the wall time is kept as sent"
            assert row.corrected_wall_at is not None, f"seed {seed}: tap never corrected"
            when = row.corrected_wall_at
        error = abs((when - real).total_seconds())
        worst = max(worst, error)
        assert error < 2.0, f"seed {seed}: a tap is off by {error:.2f} s ({behind})"
    print(
        f"{behind}: {len(truth)} taps, worst error {worst:.3f} s, "
        f"offset seen {first.clock_offset_seconds:.0f} s, {delayed} requests delayed"
    )
    journal.close()

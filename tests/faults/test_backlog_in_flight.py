"""A backlog drained with two batches on their way at once, through lost answers and a
killed server, reaches the server exactly once.

One kiosk's journal holds thousands of taps; the real agent round (sync_once) pushes them in
batches of 500 — the server's bulk path — with two batches in flight (sync.push.IN_FLIGHT),
through a proxy that drops answers after the server committed and resets connections
mid-answer. While two pushes are in flight the server is killed with SIGKILL and started
again. A record is marked synced only once its answer came back, so a batch whose answer
was lost goes again and must be answered "duplicate", never stored a second time.

Replay a failing run with PRIKKLOK_FAULT_SEED=<the printed seed>.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from sync.agent import sync_once
from sync.client import ServerClient, SyncError
from sync.clock import SystemClock
from sync.journal import Journal
from sync.protocol import PushResponse
from sync.push import IN_FLIGHT
from tests.faults.harness import (
    CountingClient,
    ServerProcess,
    Tally,
    assert_exactly,
    register,
    running_server,
    seed_from_env,
    unknown_tap,
    wait_until,
)
from tests.faults.proxy import FaultProxy, Faults

KIOSK = "door-backlog"
BACKLOG = 5000
BATCH = 500
FAULTY_ROUNDS = 20


class WatchingClient(CountingClient):
    """Counts as CountingClient does, and keeps the most pushes seen in flight at once."""

    most_in_flight = 0

    def push(self, records: Any, *, body: str | None = None) -> PushResponse:
        with self.tally.lock:
            WatchingClient.most_in_flight = max(
                WatchingClient.most_in_flight, self.tally.in_flight + 1
            )
        return super().push(records, body=body)


def _kill_with_two_in_flight(
    server: ServerProcess, tally: Tally, done: threading.Event, kills: list[int]
) -> None:
    """SIGKILL the server while two pushes are in flight, then start it again (twice)."""
    while len(kills) < 2 and not done.is_set():
        if tally.in_flight >= IN_FLIGHT and tally.accepted > 1000 * len(kills):
            kills.append(tally.in_flight)
            server.kill()
            time.sleep(0.3)
            server.start()
        else:
            time.sleep(0.002)


def test_a_backlog_with_two_batches_in_flight_lands_exactly_once(
    database_url: str, tmp_path: Path
) -> None:
    seed = seed_from_env()
    print(f"fault seed {seed} (replay with PRIKKLOK_FAULT_SEED={seed})")
    rng = random.Random(seed)
    token = register(database_url, [KIOSK])[KIOSK]
    journal = Journal(tmp_path / "j.db", kiosk_id=KIOSK)
    start = datetime.now(UTC) - timedelta(days=3)
    for n in range(BACKLOG):
        journal.append(unknown_tap(start + timedelta(seconds=30 * n), rng))
    ids = {r.id for r in journal.records(limit=BACKLOG)}
    tally, now = Tally(), SystemClock().now
    WatchingClient.most_in_flight = 0

    with running_server(database_url, tmp_path) as server:
        faults = Faults(reset_after=0.15, drop_answer=0.35)
        with FaultProxy(server.port, faults=faults, seed=seed) as proxy:
            done, kills = threading.Event(), []
            chaos = threading.Thread(
                target=_kill_with_two_in_flight, args=(server, tally, done, kills), daemon=True
            )
            chaos.start()
            failures = 0
            for _ in range(FAULTY_ROUNDS):
                # A client of its own per round: new connections, each rolled by the proxy.
                client = WatchingClient(proxy.url, token, timeout=5, tally=tally)
                try:
                    sync_once(journal, client, now=now, batch_size=BATCH, max_batches=2)
                except SyncError:
                    failures += 1
                    # As the agent backs off: the next round once the server is back.
                    wait_until(lambda: _serving(server), timeout=60, what="the server back")
                finally:
                    client.close()
                if not journal.sync_status().queue_depth:
                    break
            done.set()
            chaos.join(timeout=60)
            dropped = proxy.stats.dropped_answers + proxy.stats.reset_after
            seen = repr(proxy.stats)
        # Healed: the agent drains what is left straight to the server.
        client = ServerClient(server.url, token, timeout=30)
        try:
            wait_until(
                lambda: (
                    sync_once(journal, client, now=now, batch_size=BATCH, max_batches=50)
                    and not journal.sync_status().queue_depth
                ),
                timeout=120,
                what="the rest drained",
                every=0.1,
            )
        finally:
            client.close()

    assert_exactly(database_url, {KIOSK: ids}, {KIOSK: BACKLOG}, seed=seed)
    assert WatchingClient.most_in_flight == IN_FLIGHT, "never two batches on their way at once"
    assert kills, f"seed {seed}: the server was never killed with two pushes in flight"
    assert dropped, f"seed {seed}: no answer was lost ({seen})"
    # Lost answers were sent again and heard as duplicates: stored once, synced once.
    assert tally.duplicate > 0, f"seed {seed}: no batch came back as duplicate"
    assert journal.sync_status().queue_depth == 0
    print(
        f"{BACKLOG} records; {failures} of the faulty rounds failed; {len(kills)} kills with "
        f"{kills} pushes in flight; {dropped} answers lost or cut; {tally.accepted} accepted, "
        f"{tally.duplicate} duplicate answers"
    )
    journal.close()


def _serving(server: ServerProcess) -> bool:
    try:
        return requests.get(f"{server.url}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False

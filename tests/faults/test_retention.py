"""Retention never deletes a tap the server has not got: a kiosk that taps at 1970 offline,
then gets its clock set, sends every tap (the real door, the real `prikklok sync`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from hardware.feedback import QuietIndicator
from kiosk.door import Door
from server.db import make_engine
from server.schema import events, kiosk_heartbeats
from sync.clock import Instant, SystemClock
from sync.journal import Journal
from sync.roster import DoorData
from tests.faults.harness import (
    PARTICIPANT_BADGES,
    ROOT,
    register,
    running_server,
    wait_until,
)

KIOSK = "door-1970"
TAPS = 20


class ClockAt1970:
    """This machine's boot and monotonic clock, but a wall clock that starts in 1970 and
    is not synchronised: a Pi without a real-time clock, offline since power-on."""

    def __init__(self) -> None:
        self._boot_id = SystemClock().now().boot_id  # the one `prikklok sync` will see
        self._start = time.monotonic()

    def now(self) -> Instant:
        elapsed = time.monotonic() - self._start
        return Instant(
            wall=datetime(1970, 1, 1, 0, 1, tzinfo=UTC) + timedelta(seconds=elapsed),
            monotonic=time.monotonic(),
            boot_id=self._boot_id,
            synchronised=False,
        )


def _tap_at_1970(journal_path: Path) -> dict[str, datetime]:
    """Twenty taps through the door, everyone welcomed; the true moment of each, by id."""
    with Journal(journal_path, kiosk_id=KIOSK) as journal:
        journal.store_door_data(
            DoorData.from_dict(
                {
                    "participants": [{"id": p, "display_name": p} for p in PARTICIPANT_BADGES],
                    "badges": [{"uid": u, "holder_id": p} for p, u in PARTICIPANT_BADGES.items()],
                }
            ),
            source="test",
        )
        door = Door(journal=journal, clock=ClockAt1970(), feedback=QuietIndicator())
        badges = list(PARTICIPANT_BADGES.values())
        truth = {}
        for n in range(TAPS):
            answer = door.tap(badges[n % len(badges)])
            truth[answer.record.id] = datetime.now(UTC)
            assert not answer.record.clock_synced and answer.record.wall_at.year == 1970
    return truth


def _heartbeats(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(kiosk_heartbeats.c.kiosk_id).where(kiosk_heartbeats.c.kiosk_id == KIOSK)
            return len(conn.execute(query).all())
    finally:
        engine.dispose()


def test_taps_made_at_1970_all_reach_the_server_with_their_true_time(
    database_url: str, tmp_path: Path
) -> None:
    token = register(database_url, [KIOSK])[KIOSK]
    (tmp_path / "token").write_text(token + "\n")
    truth = _tap_at_1970(tmp_path / "journal.db")
    with running_server(database_url, tmp_path) as server:
        config = tmp_path / "prikklok.toml"  # the default config: nothing but where and who
        config.write_text(
            f'[kiosk]\nid = "{KIOSK}"\ndata_dir = "{tmp_path}"\n'
            f'[sync]\nserver_url = "{server.url}"\ntoken_file = "{tmp_path / "token"}"\n'
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env = {k: v for k, v in env.items() if not k.startswith("PRIKKLOK_")}
        sync = subprocess.Popen(
            [sys.executable, "-m", "prikklok", "sync", "--config", str(config)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "sync.log").open("wb"),
        )
        try:
            # The heartbeat ends a round: what the round pushed is on the server by then.
            wait_until(lambda: _heartbeats(database_url), timeout=30, what="a heartbeat")
        finally:
            sync.send_signal(signal.SIGTERM)
            sync.wait(timeout=10)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows = {str(r.id): r for r in conn.execute(select(events.c.id, events.c.corrected_wall_at))}
    engine.dispose()
    log = (tmp_path / "sync.log").read_text()
    assert len(rows) == TAPS, f"{len(rows)} of {TAPS} taps on the server; sync log:\n{log}"
    assert rows.keys() == truth.keys()
    for record_id, real in truth.items():
        corrected = rows[record_id].corrected_wall_at
        assert corrected is not None, "a 1970 tap was never given its true time"
        if corrected.tzinfo is None:
            corrected = corrected.replace(tzinfo=UTC)
        assert abs((corrected - real).total_seconds()) < 2.0

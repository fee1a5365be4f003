"""Honest time: taps from a kiosk that thinks it is 1970 are corrected from heartbeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from server.schema import events
from tests.server.conftest import HeldClock, World, wire
from tests.server.test_heartbeat import beat

BOOT_TRUTH = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # when the Pi really booted
EPOCH_1970 = datetime(1970, 1, 1, tzinfo=UTC)


def tap_1970(seq: int, monotonic: float) -> dict:
    wall = EPOCH_1970 + timedelta(seconds=monotonic)
    return wire(seq, wall_at=wall.isoformat(), workshop_day="1970-01-01",
                clock_synced=False, boot_id="boot-70", monotonic=monotonic)  # fmt: skip


def heartbeat_at(client: TestClient, world: World, clock: HeldClock, monotonic: float) -> None:
    clock.now = BOOT_TRUTH + timedelta(seconds=monotonic + 0.4)  # 0.4 s on the wire
    wall = EPOCH_1970 + timedelta(seconds=monotonic)
    body = beat(
        boot_id="boot-70", monotonic=monotonic, wall_at=wall.isoformat(), clock_synced=False
    )
    assert client.post("/api/v1/heartbeat", json=body, headers=world.auth()).status_code == 200


def corrected(engine) -> list[tuple]:
    with engine.connect() as conn:
        query = select(events.c.wall_at, events.c.corrected_wall_at, events.c.corrected_at)
        return conn.execute(query.order_by(events.c.seq)).all()


def test_honest_time_corrects_earlier_taps_on_heartbeat(client, world, clock, engine) -> None:
    client.post("/api/v1/records", json={"records": [tap_1970(1, 3600.0)]}, headers=world.auth())
    heartbeat_at(client, world, clock, 7200.0)
    [(wall, fixed, fixed_at)] = corrected(engine)
    assert wall == EPOCH_1970 + timedelta(hours=1)  # the original is kept
    assert abs((fixed - (BOOT_TRUTH + timedelta(hours=1))).total_seconds()) < 2
    assert fixed_at is not None


def test_honest_time_corrects_taps_arriving_after_heartbeat(client, world, clock, engine) -> None:
    heartbeat_at(client, world, clock, 7200.0)
    client.post("/api/v1/records", json={"records": [tap_1970(1, 5400.0)]}, headers=world.auth())
    [(_, fixed, _)] = corrected(engine)
    assert abs((fixed - (BOOT_TRUTH + timedelta(seconds=5400))).total_seconds()) < 2


def test_honest_time_leaves_synced_taps_alone(client, world, clock, engine) -> None:
    client.post("/api/v1/records", json={"records": [wire(1)]}, headers=world.auth())
    heartbeat_at(client, world, clock, 7200.0)
    [(_, fixed, fixed_at)] = corrected(engine)
    assert fixed is None and fixed_at is None

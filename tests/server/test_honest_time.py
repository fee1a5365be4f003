"""Honest time: taps from a kiosk that thinks it is 1970 are corrected from heartbeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
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


def heartbeat_at(
    client: TestClient, world: World, clock: HeldClock, monotonic: float, on_the_wire: float = 0.4
) -> None:
    clock.now = BOOT_TRUTH + timedelta(seconds=monotonic + on_the_wire)
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


def test_honest_time_a_later_quicker_heartbeat_moves_taps_closer_to_the_truth(
    client, world, clock, engine
) -> None:
    client.post("/api/v1/records", json={"records": [tap_1970(1, 3600.0)]}, headers=world.auth())
    heartbeat_at(client, world, clock, 7200.0, on_the_wire=30.0)  # a slow network
    [(_, first, _)] = corrected(engine)
    assert abs((first - (BOOT_TRUTH + timedelta(seconds=3630))).total_seconds()) < 2
    heartbeat_at(client, world, clock, 7300.0)  # the same boot, 0.4 s on the wire
    [(_, fixed, _)] = corrected(engine)
    assert abs((fixed - (BOOT_TRUTH + timedelta(hours=1))).total_seconds()) < 2


def test_honest_time_leaves_synced_taps_alone(client, world, clock, engine) -> None:
    client.post("/api/v1/records", json={"records": [wire(1)]}, headers=world.auth())
    heartbeat_at(client, world, clock, 7200.0)
    [(_, fixed, fixed_at)] = corrected(engine)
    assert fixed is None and fixed_at is None


# --- one boot, a wall clock that jumps: its taps are ordered and measured by monotonic time

CHECK_IN_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam
TWELVE_MINUTES = 720.0


def jumped_taps(jump: timedelta) -> tuple[dict, dict]:
    """A check-in, then the wall clock jumps by `jump`, then a check-out 12 minutes later
    by the door's monotonic clock (the door itself says 12 minutes)."""
    check_in = wire(1, wall_at=CHECK_IN_AT.isoformat(), boot_id="boot-j", monotonic=5000.0)
    out_wall = CHECK_IN_AT + timedelta(seconds=TWELVE_MINUTES) + jump
    check_out = wire(2, kind="check_out", wall_at=out_wall.isoformat(), boot_id="boot-j",
                     monotonic=5000.0 + TWELVE_MINUTES)  # fmt: skip
    return check_in, check_out


def amal_sessions(engine) -> list:
    from server.attendance.presence import day_attendance

    with engine.connect() as conn:
        return day_attendance(conn, "north", CHECK_IN_AT.date(), CHECK_IN_AT)["p-amal"].sessions


def boot_heartbeat(client: TestClient, world: World, clock: HeldClock, monotonic: float) -> None:
    """A heartbeat of boot-j whose server time agrees with the check-in's clock."""
    clock.now = CHECK_IN_AT + timedelta(seconds=monotonic - 5000.0 + 0.3)  # 0.3 s on the wire
    body = beat(boot_id="boot-j", monotonic=monotonic, wall_at=clock.now.isoformat())
    assert client.post("/api/v1/heartbeat", json=body, headers=world.auth()).status_code == 200


@pytest.mark.parametrize("jump", [timedelta(hours=-1), timedelta(hours=1)], ids=["back", "forward"])
def test_honest_time_pairs_a_jumped_boot_by_its_monotonic_clock(
    client, world, engine, jump
) -> None:
    check_in, check_out = jumped_taps(jump)
    for record in (check_in, check_out):  # one push each, as a door online sends them
        client.post("/api/v1/records", json={"records": [record]}, headers=world.auth())
    [session] = amal_sessions(engine)
    assert (session.opened_by, session.closed_by) == (check_in["id"], check_out["id"])
    assert session.counted_seconds == TWELVE_MINUTES
    # No heartbeat to judge by: the clock's latest setting anchors the boot.
    assert session.end_at == datetime.fromisoformat(check_out["wall_at"])
    assert coach_taps(engine) == [session.start_at, session.end_at]  # the feeds agree


def coach_taps(engine) -> list[datetime]:
    """Amal's tap times as the coaches' feeds and summaries read them."""
    from server.attendance.history import load_history

    with engine.connect() as conn:
        day = CHECK_IN_AT.date()
        record = load_history(conn, ["p-amal"], day, day).records["p-amal"]
    return sorted(tap.at for tap in record.taps)


@pytest.mark.parametrize("heartbeat_first", [True, False], ids=["beat-first", "taps-first"])
@pytest.mark.parametrize("jump", [timedelta(hours=-1), timedelta(hours=1)], ids=["back", "forward"])
def test_honest_time_server_clock_picks_which_side_of_a_jump_is_true(
    client, world, clock, engine, jump, heartbeat_first
) -> None:
    check_in, check_out = jumped_taps(jump)
    if heartbeat_first:
        boot_heartbeat(client, world, clock, 5100.0)
    answer = client.post("/api/v1/records", json={"records": [check_in, check_out]},
                         headers=world.auth())  # fmt: skip
    assert [r["status"] for r in answer.json()["results"]] == ["accepted", "accepted"]
    if not heartbeat_first:
        boot_heartbeat(client, world, clock, 5900.0)
    [session] = amal_sessions(engine)
    assert (session.opened_by, session.closed_by) == (check_in["id"], check_out["id"])
    assert session.start_at == CHECK_IN_AT  # the check-in's clock agrees with the server's
    assert session.counted_seconds == TWELVE_MINUTES

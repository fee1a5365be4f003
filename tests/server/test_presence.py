"""The query layer: stored taps of two doors become sessions, presence and unknown badges."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from server.attendance.presence import day_attendance, unknown_badges_of
from tests.server.conftest import World, wire

DAY = date(2026, 11, 25)


def push(client: TestClient, world: World, *records) -> None:
    response = client.post("/api/v1/records", json={"records": list(records)}, headers=world.auth())
    assert all(r["status"] == "accepted" for r in response.json()["results"])


def test_presence_day_sessions_auto_closed_flagged(
    client: TestClient, world: World, engine
) -> None:
    push(
        client,
        world,
        wire(1, wall_at="2026-11-25T08:00:00Z"),
        wire(2, kind="check_out", wall_at="2026-11-25T11:00:00Z"),
        wire(3, participant_id="p-dawit", badge_uid="04D4E5F6", wall_at="2026-11-25T08:30:00Z"),
    )
    with engine.connect() as conn:
        days = day_attendance(conn, "north", DAY, now=datetime(2026, 11, 25, 20, tzinfo=UTC))
    assert days["p-amal"].counted_seconds == 3 * 3600
    assert days["p-dawit"].auto_closed and days["p-dawit"].counted_seconds == 0


def test_presence_endpoint_lists_who_is_in(client: TestClient, world: World) -> None:
    push(
        client,
        world,
        wire(1, wall_at="2026-11-25T08:00:00Z"),
        wire(2, participant_id="p-dawit", badge_uid="04D4E5F6", wall_at="2026-11-25T08:10:00Z"),
        wire(3, participant_id="p-dawit", badge_uid="04D4E5F6", kind="check_out",
             wall_at="2026-11-25T08:40:00Z"),
        wire(4, kind="supervisor", participant_id=None, supervisor_id="s-marieke",
             badge_uid="0499AA11", wall_at="2026-11-25T07:45:00Z"),
    )  # fmt: skip
    body = client.get("/api/v1/presence", headers=world.auth()).json()
    assert [p["id"] for p in body["participants"]] == ["p-amal"]
    assert [s["id"] for s in body["supervisors"]] == ["s-marieke"]


def test_presence_unknown_badges_listed(client: TestClient, world: World, engine) -> None:
    unknown = {"kind": "unknown_badge", "participant_id": None, "badge_uid": "0A0B0C0D"}
    push(client, world, wire(1, **unknown), wire(2, **unknown, wall_at="2026-11-25T10:00:00Z"))
    with engine.connect() as conn:
        found = unknown_badges_of(
            conn, "north", datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)
        )
    assert [(b.uid, b.count) for b in found] == [("0A0B0C0D", 2)]


def test_presence_counts_manual_check_ins_and_outs(client: TestClient, world: World) -> None:
    by_hand = {"supervisor_id": "s-marieke", "badge_uid": None}
    push(
        client,
        world,
        wire(1, kind="manual_check_in", wall_at="2026-11-25T08:00:00Z", **by_hand),
        wire(2, kind="manual_check_in", participant_id="p-dawit", wall_at="2026-11-25T08:10:00Z",
             **by_hand),
        wire(3, kind="manual_check_out", participant_id="p-dawit",
             wall_at="2026-11-25T08:40:00Z", **by_hand),
    )  # fmt: skip
    body = client.get("/api/v1/presence", headers=world.auth()).json()
    assert [p["id"] for p in body["participants"]] == ["p-amal"]
    assert body["supervisors"] == []  # acting for someone is not the supervisor's own tap


def test_presence_day_marks_manual_sessions(client: TestClient, world: World, engine) -> None:
    push(
        client,
        world,
        wire(1, wall_at="2026-11-25T08:00:00Z"),
        wire(2, kind="manual_check_out", supervisor_id="s-marieke", badge_uid=None,
             wall_at="2026-11-25T16:00:00Z", detail={"closing": True}),
    )  # fmt: skip
    with engine.connect() as conn:
        days = day_attendance(conn, "north", DAY, now=datetime(2026, 11, 25, 20, tzinfo=UTC))
    [session] = days["p-amal"].sessions
    assert session.closed_by_hand and not session.opened_by_hand and not session.auto_closed

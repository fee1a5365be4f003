"""GET /api/v1/snapshot: least data for the door, strong ETag, 304."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from server.db import writing
from server.plan import Plan, load_plan
from sync.protocol import Snapshot, SnapshotTask, SnapshotWord
from tests.server.conftest import World

TODAY = date(2026, 11, 25)


def test_snapshot_only_own_site_and_door_fields(client: TestClient, world: World) -> None:
    body = client.get("/api/v1/snapshot", headers=world.auth()).json()
    Snapshot.model_validate(body)  # no field beyond the protocol's
    assert [p["id"] for p in body["participants"]] == ["p-amal", "p-dawit"]
    assert set(body["participants"][0]) == {
        "id", "display_name", "language", "program_start", "program_end", "active",
    }  # fmt: skip
    assert {b["uid"] for b in body["badges"]} == {"04A1B2C3", "04D4E5F6", "0499AA11"}
    assert body["supervisors"] == [{"id": "s-marieke", "display_name": "Marieke"}]


def test_snapshot_plan_today_to_seven_days(client: TestClient, world: World, engine) -> None:
    days = [TODAY + timedelta(days=n) for n in range(-1, 9)]
    plan = Plan(
        tasks=[SnapshotTask(day=d, text=f"task {d}") for d in days],
        words=[SnapshotWord(day=d, word="hamer", article="de") for d in days],
    )
    with writing(engine) as conn:
        load_plan(conn, "north", plan)
    body = client.get("/api/v1/snapshot", headers=world.auth()).json()
    assert [t["day"] for t in body["tasks"]] == [str(TODAY + timedelta(days=n)) for n in range(8)]
    assert len(body["words"]) == 8


def test_snapshot_etag_304_without_body(client: TestClient, world: World) -> None:
    first = client.get("/api/v1/snapshot", headers=world.auth())
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/api/v1/snapshot", headers={**world.auth(), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_snapshot_etag_changes_with_data(client: TestClient, world: World, engine) -> None:
    etag = client.get("/api/v1/snapshot", headers=world.auth()).headers["etag"]
    with writing(engine) as conn:
        load_plan(conn, "north", Plan(tasks=[SnapshotTask(day=TODAY, text="Koffie zetten")]))
    response = client.get("/api/v1/snapshot", headers={**world.auth(), "If-None-Match": etag})
    assert response.status_code == 200 and response.headers["etag"] != etag

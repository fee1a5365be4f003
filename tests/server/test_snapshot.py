"""GET /api/v1/snapshot: least data for the door, strong ETag, 304."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from server.administration.importer import import_participants
from server.administration.plan import Plan, load_plan
from server.db import writing
from sync.protocol import Snapshot, SnapshotTask, SnapshotWord
from sync.roster import DoorData
from tests.server.conftest import NOW, World

TODAY = date(2026, 11, 25)
AMAL = (
    "id,display_name,language,program_start,program_end,agreed_weekdays,birthday\n"
    "p-amal,Amal,ar,2026-10-01,2027-03-31,{days},{birthday}\n"
)


def test_snapshot_only_own_site_and_door_fields(client: TestClient, world: World) -> None:
    body = client.get("/api/v1/snapshot", headers=world.auth()).json()
    Snapshot.model_validate(body)  # no field beyond the protocol's
    assert [p["id"] for p in body["participants"]] == ["p-amal", "p-dawit"]
    assert set(body["participants"][0]) == {
        "id", "display_name", "language", "program_start", "program_end", "active",
        "birthday", "agreed_weekdays",
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


def umbrella(symbol: str | None) -> SnapshotWord:
    return SnapshotWord(day=TODAY, word="paraplu", sentence="Het regent.", symbol=symbol)


def test_snapshot_birthday_weekdays_and_symbol(client: TestClient, world: World, engine) -> None:
    with writing(engine) as conn:
        import_participants(conn, AMAL.format(days="ma wo vr", birthday="03-21"), "north", NOW)
        load_plan(conn, "north", Plan(words=[umbrella("☂")]))
    body = client.get("/api/v1/snapshot", headers=world.auth()).json()
    door = DoorData.from_dict(Snapshot.model_validate(body).door_data_dict())
    amal = door.participants["p-amal"]
    assert (amal.birthday, amal.agreed_weekdays) == ((3, 21), frozenset({1, 3, 5}))
    assert door.participants["p-dawit"].birthday is None
    word = door.word_for(TODAY)
    assert word is not None and word.symbol == "☂"


@pytest.mark.parametrize(
    ("days", "birthday", "symbol"),
    [("ma wo vr", "03-22", None), ("ma wo", "03-21", None), ("ma wo vr", "03-21", "☂")],
)
def test_snapshot_etag_changes_with_door_extras(
    client: TestClient, world: World, engine, days: str, birthday: str, symbol: str | None
) -> None:
    def tag(days: str, birthday: str, symbol: str | None) -> str:
        with writing(engine) as conn:
            import_participants(conn, AMAL.format(days=days, birthday=birthday), "north", NOW)
            load_plan(conn, "north", Plan(words=[umbrella(symbol)]))
        return client.get("/api/v1/snapshot", headers=world.auth()).headers["etag"]

    assert tag("ma wo vr", "03-21", None) != tag(days, birthday, symbol)


def test_snapshot_drops_a_disabled_supervisor_and_her_badge(
    client: TestClient, world: World, engine
) -> None:
    from sqlalchemy import update

    from server.schema import staff

    before = client.get("/api/v1/snapshot", headers=world.auth()).json()
    assert [s["id"] for s in before["supervisors"]] == ["s-marieke"]
    assert "0499AA11" in {b["uid"] for b in before["badges"]}
    with writing(engine) as conn:
        conn.execute(update(staff).where(staff.c.id == "s-marieke").values(active=False))
    after = client.get("/api/v1/snapshot", headers=world.auth()).json()
    assert after["supervisors"] == []
    assert "0499AA11" not in {b["uid"] for b in after["badges"]}

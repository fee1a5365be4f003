"""badge_enrolled: a badge given at the door is assigned on first ingest, or flagged."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from server.administration import operations as admin
from server.db import writing
from server.schema import event_flags
from tests.server.conftest import NOW, HeldClock, World, wire

NEW_BADGE = "04CAFE01"


def enrolment(seq: int = 1, uid: str = NEW_BADGE, pid: str = "p-amal", **fields):
    return wire(seq, kind="badge_enrolled", participant_id=pid, supervisor_id="s-marieke",
                badge_uid=uid, **fields)  # fmt: skip


def push(client: TestClient, world: World, *records) -> list[str]:
    answer = client.post("/api/v1/records", json={"records": list(records)}, headers=world.auth())
    return [r["status"] for r in answer.json()["results"]]


def held(client: TestClient, world: World) -> dict[str, tuple[str, bool]]:
    body = client.get("/api/v1/snapshot", headers=world.auth()).json()
    return {b["uid"]: (b["holder_id"], b["active"]) for b in body["badges"]}


def flags(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(event_flags.c.event_id, event_flags.c.flag))]


def test_enrolment_assigns_badge_in_next_snapshot(client: TestClient, world: World) -> None:
    etag = client.get("/api/v1/snapshot", headers=world.auth()).headers["etag"]
    assert push(client, world, enrolment()) == ["accepted"]
    after = client.get("/api/v1/snapshot", headers={**world.auth(), "If-None-Match": etag})
    assert after.status_code == 200
    assert held(client, world)[NEW_BADGE] == ("p-amal", True)
    assert held(client, world)["04A1B2C3"] == ("p-amal", False)  # the old one is revoked


def test_enrolment_badge_of_other_keeps_holder_and_flags(
    client: TestClient, world: World, engine: Engine
) -> None:
    record = enrolment(uid="04D4E5F6")  # Dawit's badge
    assert push(client, world, record) == ["accepted"]
    assert held(client, world)["04D4E5F6"] == ("p-dawit", True)
    assert held(client, world)["04A1B2C3"] == ("p-amal", True)
    assert flags(engine) == [(record["id"], "badge_held_by_other")]


def test_enrolment_applied_only_the_first_time(
    client: TestClient, world: World, engine: Engine, clock: HeldClock
) -> None:
    record = enrolment()
    push(client, world, record)
    with writing(engine) as conn:
        admin.revoke_badge(conn, NEW_BADGE, NOW + timedelta(minutes=1))
    clock.now = NOW + timedelta(minutes=2)
    assert push(client, world, record) == ["duplicate"]
    assert held(client, world)[NEW_BADGE] == ("p-amal", False)
    assert flags(engine) == []


def test_enrolment_badge_from_other_site_history_is_given(
    client: TestClient, world: World, engine: Engine
) -> None:
    with writing(engine) as conn:
        admin.revoke_badge(conn, "04778899", NOW - timedelta(days=1))  # Olena's, south
    assert push(client, world, enrolment(uid="04778899")) == ["accepted"]
    assert held(client, world)["04778899"] == ("p-amal", True)


def test_enrolment_badge_held_at_other_site_is_flagged(
    client: TestClient, world: World, engine: Engine
) -> None:
    assert push(client, world, enrolment(uid="04778899")) == ["accepted"]
    assert "04778899" not in held(client, world)
    assert [flag for _, flag in flags(engine)] == ["badge_held_by_other"]

"""server.kiosks.doors: a site's kiosks as its page lists them, and what registering one,
giving it a new token or revoking it does at the door — for this site's kiosks only."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from server.kiosks import doors
from tests.server.conftest import NOW, World
from tests.server.test_heartbeat import beat


def door_answers(client: TestClient, token: str) -> int:
    """What the door hears when it asks for its snapshot with `token`."""
    return client.get("/api/v1/snapshot", headers={"Authorization": f"Bearer {token}"}).status_code


def test_kiosk_doors_lists_live_doors_by_name_with_their_last_heartbeat(
    client: TestClient, world: World, engine: Engine
) -> None:
    client.post("/api/v1/heartbeat", json=beat(queue_depth=3), headers=world.auth())
    listed = doors.kiosks_of(engine, "north")
    assert [(k.id, k.name, k.revoked_at is None) for k in listed] == [
        ("north-2", "Back door", True),
        ("north-1", "Front door", True),
        ("north-old", "Old door", False),  # revoked ones last
    ]
    back, front, _ = listed
    assert back.beat is None and back.heartbeat is None  # never heard
    assert front.beat is not None and front.beat.queue_depth == 3
    assert front.beat.clock_offset_seconds == 30.0
    assert front.heartbeat.app_version == "0.1.0"


def test_kiosk_doors_register_gives_a_token_the_door_can_use(
    client: TestClient, world: World, engine: Engine
) -> None:
    token = doors.register(engine, "north", "north-3", "Side door", NOW)
    assert token is not None and door_answers(client, token) == 200
    assert doors.register(engine, "north", "south-1", "Door", NOW) is None  # south's id
    assert [k.id for k in doors.kiosks_of(engine, "south")] == ["south-1"]


def test_kiosk_doors_new_token_works_at_once_and_the_old_one_stops(
    client: TestClient, world: World, engine: Engine
) -> None:
    assert doors.rotate_token(engine, "north", "south-1") is None  # not this site's
    assert door_answers(client, world.south_token) == 200
    token = doors.rotate_token(engine, "north", "north-1")
    assert token is not None and door_answers(client, token) == 200
    assert door_answers(client, world.north_token) == 401


def test_kiosk_doors_retire_stops_this_sites_door_only(
    client: TestClient, world: World, engine: Engine
) -> None:
    assert not doors.retire(engine, "north", "south-1", NOW)
    assert door_answers(client, world.south_token) == 200
    assert doors.retire(engine, "north", "north-1", NOW)
    assert doors.retire(engine, "north", "north-1", NOW + timedelta(hours=1))  # again: same
    assert door_answers(client, world.north_token) == 401
    [revoked] = [k for k in doors.kiosks_of(engine, "north") if k.id == "north-1"]
    assert revoked.revoked_at == NOW

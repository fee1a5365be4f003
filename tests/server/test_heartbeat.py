"""POST /api/v1/heartbeat: clock offset and the sequence numbers the server never got."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from sync.protocol import HIGHEST_SEQ, UNDERSTANDS_HEADER
from tests.server.conftest import World, wire


def beat(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "queue_depth": 0,
        "last_seq": 0,
        "reader_health": "ok",
        "app_version": "0.1.0",
        "boot_id": "boot-1",
        "monotonic": 500.0,
        "wall_at": "2026-11-25T08:59:30+00:00",
        "clock_synced": True,
    }
    data.update(fields)
    return data


def test_heartbeat_clock_offset(client: TestClient, world: World) -> None:
    answer = client.post("/api/v1/heartbeat", json=beat(), headers=world.auth()).json()
    assert answer["clock_offset_seconds"] == 30.0
    assert answer["server_time"].startswith("2026-11-25T09:00:00")


def test_heartbeat_missing_seqs_finds_gaps(client: TestClient, world: World) -> None:
    records = [wire(n) for n in (1, 2, 5, 7)]
    client.post("/api/v1/records", json={"records": records}, headers=world.auth())
    answer = client.post("/api/v1/heartbeat", json=beat(last_seq=8), headers=world.auth()).json()
    assert answer["missing_seqs"] == [3, 4, 6, 8]


def test_heartbeat_rejected_records_not_missing(client: TestClient, world: World) -> None:
    other = wire(1, participant_id="p-olena", badge_uid="04778899")
    client.post("/api/v1/records", json={"records": [other, wire(2)]}, headers=world.auth())
    answer = client.post("/api/v1/heartbeat", json=beat(last_seq=2), headers=world.auth()).json()
    assert answer["missing_seqs"] == []


def test_heartbeat_missing_seqs_capped(client: TestClient, world: World) -> None:
    answer = client.post("/api/v1/heartbeat", json=beat(last_seq=50_000), headers=world.auth())
    assert answer.json()["missing_seqs"] == list(range(1, 1001))


ASKS_HIGHEST = {UNDERSTANDS_HEADER: HIGHEST_SEQ}


def test_heartbeat_tells_the_highest_seq_held_stored_or_refused(
    client: TestClient, world: World
) -> None:
    refused = wire(9, participant_id="p-olena", badge_uid="04778899")  # another site's
    client.post("/api/v1/records", json={"records": [wire(4), refused]}, headers=world.auth())
    headers = {**world.auth(), **ASKS_HIGHEST}
    answer = client.post("/api/v1/heartbeat", json=beat(last_seq=2), headers=headers).json()
    assert answer["highest_seq"] == 9


def test_heartbeat_highest_seq_is_zero_for_a_kiosk_with_nothing_stored(
    client: TestClient, world: World
) -> None:
    headers = {**world.auth(), **ASKS_HIGHEST}
    answer = client.post("/api/v1/heartbeat", json=beat(), headers=headers).json()
    assert answer["highest_seq"] == 0


def test_heartbeat_leaves_highest_seq_out_for_a_kiosk_that_did_not_ask(
    client: TestClient, world: World
) -> None:
    client.post("/api/v1/records", json={"records": [wire(4)]}, headers=world.auth())
    answer = client.post("/api/v1/heartbeat", json=beat(last_seq=4), headers=world.auth())
    # A kiosk of an earlier version refuses answer fields it does not know.
    assert set(answer.json()) == {"server_time", "clock_offset_seconds", "missing_seqs"}
